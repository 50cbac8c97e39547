import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { defaultOrg } from '../simulator/fixture';
import { removeUsersParameters, runZohoNode } from './harness';
import { startSim, startSink, type Setup, type Sink } from './adversarial-helpers';

const NA = defaultOrg().territories.find((t) => t.name === 'North America')!;

let s: Setup;
let sink: Sink;
beforeEach(async () => {
	s = await startSim();
	sink = await startSink();
});
afterEach(async () => {
	await s.sim.stop();
	await sink.stop();
});

describe('adversarial: the token goes to no other host', () => {
	it.each([301, 302, 307, 308])(
		'does not carry the token to another host when Zoho answers %i with a Location elsewhere',
		async (status) => {
			s.sim.fault({
				kind: 'status',
				status,
				headers: { Location: `${sink.url}/crm/v7/settings/territories/${NA.id}/users?ids=1` },
			});

			await runZohoNode({
				store: s.store,
				parameters: removeUsersParameters(NA.id, NA.members[1], { maxRetries: 0 }),
				onError: 'continueRegularOutput',
			});

			const leaked = sink.hits.filter((hit) => JSON.stringify(hit.headers).includes(s.token));
			expect(leaked).toEqual([]);
		},
	);

	it('does not carry the token to another host on a redirect during Get Many', async () => {
		s.sim.fault({
			kind: 'status',
			status: 302,
			headers: { Location: `${sink.url}/crm/v7/settings/territories` },
		});

		await runZohoNode({
			store: s.store,
			parameters: { resource: 'territory', operation: 'getMany', returnAll: true },
			onError: 'continueRegularOutput',
		});

		expect(sink.hits.map((hit) => hit.headers.authorization ?? null)).not.toContainEqual(
			expect.stringContaining(s.token),
		);
	});

	it('sends nothing to a non-Zoho api_domain on a non-custom data centre, with any spelling', async () => {
		for (const apiDomain of [
			sink.url,
			'https://www.zohoapis.com.evil.example',
			'https://www.zohoapis.com@127.0.0.1',
			`https://www.zohoapis.com:443`,
			'HTTPS://WWW.ZOHOAPIS.COM/../x',
		]) {
			s.store.data.dataCenter = 'us';
			(s.store.data.oauthTokenData as { api_domain: string }).api_domain = apiDomain;
			const { error } = await runZohoNode({
				store: s.store,
				parameters: removeUsersParameters(NA.id, NA.members[1]),
			});
			expect(error?.message, apiDomain).toMatch(/not a Zoho API host/);
		}
		expect(sink.hits).toHaveLength(0);
		expect(s.sim.requests).toHaveLength(0);
	});
});
