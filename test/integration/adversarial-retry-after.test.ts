import { afterEach, describe, expect, it } from 'vitest';

import { defaultOrg } from '../simulator/fixture';
import { jsonOf, removeUsersParameters, runZohoNode } from './harness';
import { startSim, type Setup } from './adversarial-helpers';

const NA = defaultOrg().territories.find((t) => t.name === 'North America')!;

let s: Setup;
afterEach(async () => await s?.sim.stop());
const deletes = () => s.sim.requests.filter((r) => r.method === 'DELETE');

describe('adversarial: Retry-After', () => {
	it('honours Retry-After given as an HTTP date', async () => {
		s = await startSim();
		const when = new Date(Date.now() + 3000).toUTCString();
		s.sim.fault({
			kind: 'status',
			status: 429,
			body: { code: 'TOO_MANY_REQUESTS', details: {}, message: 'slow down', status: 'error' },
			headers: { 'Retry-After': when },
		});

		const { outputs } = await runZohoNode({
			store: s.store,
			parameters: removeUsersParameters(NA.id, NA.members[3]),
		});

		expect(jsonOf(outputs[0])).toMatchObject([{ success: true, code: 'SUCCESS' }]);
		const [throttled, retried] = deletes();
		// Dates have one-second resolution: at least 2 s of the 3 s asked.
		expect(retried.startedAt - (throttled.endedAt ?? 0)).toBeGreaterThanOrEqual(1900);
	});

	it('honours Retry-After on a 503', async () => {
		s = await startSim();
		s.sim.fault({ kind: '503', retryAfterSec: 2 });

		const { outputs } = await runZohoNode({
			store: s.store,
			parameters: removeUsersParameters(NA.id, NA.members[3]),
		});

		expect(jsonOf(outputs[0])).toMatchObject([{ success: true }]);
		const [first, retried] = deletes();
		expect(retried.startedAt - (first.endedAt ?? 0)).toBeGreaterThanOrEqual(1900);
	});
});
