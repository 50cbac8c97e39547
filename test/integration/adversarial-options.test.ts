import { afterEach, describe, expect, it } from 'vitest';

import { defaultOrg, generatedOrg } from '../simulator/fixture';
import { removeUsersParameters, runZohoNode } from './harness';
import { startSim, type Setup } from './adversarial-helpers';

/**
 * The Options collection declares Concurrency 1..25, Max Retries 0..10 and Timeout >= 1000,
 * but those bounds are editor hints only: an expression (or an AI agent filling the tool's
 * parameters) can hand the node any value. These tests feed such values.
 */
let s: Setup;
afterEach(async () => await s?.sim.stop());

const deletes = () => s.sim.requests.filter((r) => r.method === 'DELETE');

describe('adversarial: Max Retries is a bound whatever it is given', () => {
	it.each([
		['a word', '={{ "many" }}'],
		['NaN', '={{ NaN }}'],
		['Infinity', '={{ Infinity }}'],
	])(
		'Max Retries given as %s: still at most 11 attempts, or refused before any request',
		async (_, value) => {
			s = await startSim();
			const territory = defaultOrg().territories[1];
			// 30 throttles with Retry-After: 0, so the retries are immediate and the test stays short.
			s.sim.fault({ kind: '429', retryAfterSec: 0, times: 30 });

			const { error } = await runZohoNode({
				store: s.store,
				parameters: removeUsersParameters(territory.id, territory.members[0], {
					maxRetries: value,
				}),
			});

			const refusedUpFront = deletes().length === 0 && /Max Retries/i.test(error?.message ?? '');
			expect(refusedUpFront || deletes().length <= 11, `${deletes().length} attempts`).toBe(true);
		},
	);

	it('Max Retries above the declared maximum (10) is not taken as is', async () => {
		s = await startSim();
		const territory = defaultOrg().territories[1];
		s.sim.fault({ kind: '429', retryAfterSec: 0, times: 30 });

		const { error } = await runZohoNode({
			store: s.store,
			parameters: removeUsersParameters(territory.id, territory.members[0], {
				maxRetries: '={{ 1000 }}',
			}),
		});

		const refusedUpFront = deletes().length === 0 && /Max Retries/i.test(error?.message ?? '');
		expect(refusedUpFront || deletes().length <= 11, `${deletes().length} attempts`).toBe(true);
	});
});

describe('adversarial: Concurrency never above the option or its declared maximum', () => {
	const org = generatedOrg({ territories: 40, usersPerTerritory: 1 });
	const items = org.territories.map((t) => ({ territoryId: t.id, userIds: t.members[0] }));
	const mapped = removeUsersParameters('={{ $json.territoryId }}', '={{ $json.userIds }}');

	it.each([
		['a word', '={{ "lots" }}'],
		['NaN', '={{ NaN }}'],
		['100 (above the declared 25)', '={{ 100 }}'],
	])(
		'Concurrency given as %s keeps at most 25 requests in flight, and finishes',
		async (_, value) => {
			s = await startSim({ org, latencyMs: 150 });

			const run = runZohoNode({
				store: s.store,
				parameters: { ...mapped, options: { concurrency: value } },
				items,
			});
			// Bounded: a node that never finishes fails here after 20 s instead of hanging the suite.
			const hung = new Promise<'hung'>((resolve) =>
				setTimeout(() => resolve('hung'), 20_000).unref(),
			);
			const result = await Promise.race([run, hung]);
			expect(result, `hung after ${s.sim.requests.length} requests`).not.toBe('hung');
			if (result === 'hung') return;

			const { error, outputs } = result;
			const refusedUpFront = deletes().length === 0 && /Concurrency/i.test(error?.message ?? '');
			if (!refusedUpFront) {
				expect(outputs[0]).toHaveLength(40);
				expect(s.sim.stats.maxInFlight).toBeLessThanOrEqual(25);
			}
		},
	);

	it('a fractional Concurrency (2.5) keeps at most 2 requests in flight', async () => {
		s = await startSim({ org, latencyMs: 100 });

		await runZohoNode({
			store: s.store,
			parameters: { ...mapped, options: { concurrency: 2.5 } },
			items: items.slice(0, 12),
		});

		expect(s.sim.stats.maxInFlight).toBeLessThanOrEqual(2);
	});

	it('holds Concurrency 1 strictly through 429 halving and regrowth', async () => {
		s = await startSim({ org, latencyMs: 20 });
		s.sim.fault({ kind: '429', retryAfterSec: 0, times: 4 });

		const { outputs } = await runZohoNode({
			store: s.store,
			parameters: { ...mapped, options: { concurrency: 1 } },
			items: items.slice(0, 10),
		});

		expect(outputs[0]).toHaveLength(10);
		expect(outputs[0].every((item) => item.json.success === true)).toBe(true);
		expect(s.sim.stats.maxInFlight).toBe(1);
	});
});

describe('adversarial: Timeout is a bound whatever it is given', () => {
	it.each([
		['0', '={{ 0 }}'],
		['a word', '={{ "soon" }}'],
	])(
		'Timeout given as %s does not let one hung answer hold the node past the 1000 ms minimum',
		async (_, value) => {
			s = await startSim();
			const territory = defaultOrg().territories[1];
			s.sim.fault({ kind: 'delay', delayMs: 6000 });

			const started = Date.now();
			const { error } = await runZohoNode({
				store: s.store,
				parameters: removeUsersParameters(territory.id, territory.members[0], {
					timeout: value,
					maxRetries: 0,
				}),
			});
			const elapsed = Date.now() - started;

			const refusedUpFront = deletes().length === 0 && /Timeout/i.test(error?.message ?? '');
			expect(refusedUpFront || elapsed < 4000, `${elapsed} ms`).toBe(true);
		},
	);
});
