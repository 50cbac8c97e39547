import type { INodeParameters } from 'n8n-workflow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { defaultOrg } from '../simulator/fixture';
import { DEFAULT_CLIENT_SECRET, startSim, type Setup } from './adversarial-helpers';
import {
	addUsersParameters,
	removeUsersParameters,
	runZohoNode,
	searchTerritories,
	type NodeRun,
} from './harness';

const NA = defaultOrg().territories.find((t) => t.name === 'North America')!;

let s: Setup;
beforeEach(async () => {
	s = await startSim();
});
afterEach(async () => await s.sim.stop());

function everything(result: NodeRun): string {
	const error = result.error;
	return JSON.stringify([
		error?.message,
		error?.description,
		error,
		result.outputs,
		result.run,
		result.outputs.flat().map((item) => [item.error?.message, item.error?.description, item.error]),
	]);
}

function expectNoSecret(result: NodeRun, secrets: string[]) {
	const text = everything(result);
	for (const secret of secrets) expect(text).not.toContain(secret);
}

const readOps: Array<[string, INodeParameters]> = [
	[
		'Territory → Get',
		{
			resource: 'territory',
			operation: 'get',
			territoryId: { __rl: true, mode: 'id', value: NA.id },
		},
	],
	['Territory → Get Many', { resource: 'territory', operation: 'getMany', returnAll: true }],
	[
		'Territory → Get Users',
		{
			resource: 'territory',
			operation: 'getUsers',
			territoryId: { __rl: true, mode: 'id', value: NA.id },
			returnAll: true,
		},
	],
	[
		'User → Get Many',
		{ resource: 'user', operation: 'getMany', type: 'AllUsers', returnAll: true },
	],
];

describe('adversarial: no secret in errors or output', () => {
	it.each(readOps)(
		'%s: a refused refresh whose error text echoes the request leaks no secret',
		async (_, parameters) => {
			s.sim.expireAccessTokens();
			// A token endpoint that quotes the refresh request back in its error field.
			s.sim.refuseRefresh(
				`invalid_client (client_secret=${DEFAULT_CLIENT_SECRET}&refresh_token=${s.refreshToken})`,
			);

			const stopped = await runZohoNode({ store: s.store, parameters });
			expect(stopped.error).toBeDefined();
			expectNoSecret(stopped, [DEFAULT_CLIENT_SECRET, s.refreshToken, s.token]);
		},
	);

	it('Remove Users: a refused refresh whose error text echoes the request leaks no secret', async () => {
		s.sim.expireAccessTokens();
		s.sim.refuseRefresh(
			`invalid_client (client_secret=${DEFAULT_CLIENT_SECRET}&refresh_token=${s.refreshToken})`,
		);
		const stopped = await runZohoNode({
			store: s.store,
			parameters: removeUsersParameters(NA.id, NA.members[1]),
		});
		expect(stopped.error).toBeDefined();
		expectNoSecret(stopped, [DEFAULT_CLIENT_SECRET, s.refreshToken, s.token]);
	});

	it.each(['continueRegularOutput', 'continueErrorOutput'] as const)(
		'Remove and Add Users with %s: an echoed Authorization header appears nowhere',
		async (onError) => {
			for (const parameters of [
				removeUsersParameters(NA.id, NA.members[1]),
				addUsersParameters(NA.id, NA.members[1]),
			]) {
				s.sim.fault({ kind: 'echo-auth' });
				const result = await runZohoNode({ store: s.store, parameters, onError });
				expect(result.outputs.flat().length).toBe(1);
				expect(everything(result)).toMatch(/INVALID_REQUEST/);
				expectNoSecret(result, [s.token, DEFAULT_CLIENT_SECRET]);
			}
		},
	);

	it.each(readOps)('%s: an echoed Authorization header appears nowhere', async (_, parameters) => {
		s.sim.fault({ kind: 'echo-auth' });
		const stopped = await runZohoNode({ store: s.store, parameters });
		expect(stopped.error).toBeDefined();
		expectNoSecret(stopped, [s.token]);

		s.sim.fault({ kind: 'echo-auth' });
		const continued = await runZohoNode({
			store: s.store,
			parameters,
			onError: 'continueRegularOutput',
		});
		expect(continued.outputs.flat().length).toBeGreaterThan(0);
		expectNoSecret(continued, [s.token]);
	});

	it('after a mid-run token refresh, an echo of the NEW token is still redacted', async () => {
		// First request: 401 → n8n renews; the retried request is echoed back.
		s.sim.fault({ kind: 'expire-token', match: { method: 'DELETE' } });
		s.sim.fault({ kind: 'echo-auth', match: { method: 'DELETE' } });
		const result = await runZohoNode({
			store: s.store,
			parameters: removeUsersParameters(NA.id, NA.members[1]),
			onError: 'continueRegularOutput',
		});
		const newToken = (s.store.data.oauthTokenData as { access_token: string }).access_token;
		expect(newToken).not.toBe(s.token);
		expect(s.sim.requests.filter((r) => r.method === 'DELETE').map((r) => r.fault)).toEqual([
			'expire-token',
			'echo-auth',
		]);
		expect(everything(result)).toMatch(/INVALID_REQUEST/);
		expectNoSecret(result, [s.token, newToken]);
	});

	it('territory picker: a refused refresh whose error text echoes the request leaks no secret', async () => {
		s.sim.expireAccessTokens();
		s.sim.refuseRefresh(
			`invalid_client (client_secret=${DEFAULT_CLIENT_SECRET}&refresh_token=${s.refreshToken})`,
		);
		const caught = await searchTerritories(s.store).catch(
			(error: Error & { description?: string }) => error,
		);
		expect(caught).toBeInstanceOf(Error);
		const text = JSON.stringify([
			(caught as Error).message,
			(caught as { description?: string }).description,
			caught,
		]);
		expect(text).not.toContain(DEFAULT_CLIENT_SECRET);
		expect(text).not.toContain(s.refreshToken);
	});
});
