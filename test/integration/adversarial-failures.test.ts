import { afterEach, describe, expect, it } from 'vitest';

import { generatedOrg } from '../simulator/fixture';
import { jsonOf, removeUsersParameters, runZohoNode } from './harness';
import { startSim, type Setup } from './adversarial-helpers';

const org = generatedOrg({ territories: 8, usersPerTerritory: 2 });
const items = org.territories.map((t) => ({ territoryId: t.id, userIds: t.members }));
const mapped = removeUsersParameters('={{ $json.territoryId }}', '={{ $json.userIds }}');

let s: Setup;
afterEach(async () => await s?.sim.stop());
const deletes = () => s.sim.requests.filter((r) => r.method === 'DELETE');

describe('adversarial: whole-request failures', () => {
	it('an org-wide refusal stops every remaining request, and Continue gives one item per user', async () => {
		s = await startSim({ org });
		s.sim.fault({
			kind: 'status',
			status: 403,
			body: { code: 'NO_PERMISSION', details: {}, message: 'permission denied', status: 'error' },
		});

		const { outputs, error } = await runZohoNode({
			store: s.store,
			parameters: { ...mapped, options: { concurrency: 1 } },
			items,
			onError: 'continueRegularOutput',
		});

		expect(error).toBeUndefined();
		expect(deletes()).toHaveLength(1);
		expect(outputs[0]).toHaveLength(16);
		expect(new Set(jsonOf(outputs[0]).map((item) => item.code))).toEqual(
			new Set(['NO_PERMISSION']),
		);
		expect(outputs[0].map((item) => (item.pairedItem as { item: number }).item)).toEqual(
			items.flatMap((_, index) => [index, index]),
		);
	});

	it('a missing scope (401) does not make every batch renew the token', async () => {
		s = await startSim({ org, missingScope: true });

		const { error } = await runZohoNode({
			store: s.store,
			parameters: { ...mapped, options: { concurrency: 2 } },
			items,
		});

		expect(error?.message).toMatch(/OAUTH_SCOPE_MISMATCH/);
		expect(s.sim.stats.refreshGrants).toBeLessThanOrEqual(2);
		expect(deletes().length).toBeLessThanOrEqual(4);
	});

	it('stopping without Continue says how many results Zoho had answered', async () => {
		s = await startSim({ org });
		s.sim.fault({
			kind: '500',
			match: { path: `/crm/v7/settings/territories/${org.territories[2].id}/users` },
			times: 5,
		});

		const { error } = await runZohoNode({
			store: s.store,
			parameters: { ...mapped, options: { concurrency: 1, maxRetries: 0 } },
			items,
		});

		expect(error?.message).toMatch(/\[INTERNAL_ERROR\]$/);
		expect(error?.description).toMatch(/Zoho had answered for 4 user removals \(4 succeeded\)/);
		// Nothing after the failed request was sent.
		expect(deletes()).toHaveLength(3);
	});

	it('an absurdly nested answer is a per-request failure, not a crash that leaves requests running', async () => {
		s = await startSim({ org, latencyMs: 100 });
		let nested = '{"code":"SUCCESS","details":{},"message":"x","status":"success"}';
		for (let depth = 0; depth < 20_000; depth++) nested = `[${nested}]`;
		s.sim.fault({
			kind: 'status',
			status: 200,
			body: `{"users":${nested}}`,
			headers: { 'Content-Type': 'application/json;charset=UTF-8' },
		});

		const { outputs, error } = await runZohoNode({
			store: s.store,
			parameters: { ...mapped, options: { concurrency: 2 } },
			items,
			onError: 'continueRegularOutput',
		});
		const sentBeforeEnd = deletes().length;
		await new Promise((resolve) => setTimeout(resolve, 400));

		expect.soft(error?.message ?? '').not.toMatch(/call stack/i);
		expect.soft(outputs[0] ?? []).toHaveLength(16);
		// No request leaves after the node has finished.
		expect
			.soft(deletes().length, `${sentBeforeEnd} sent by the end of the run`)
			.toBe(sentBeforeEnd);
	});

	it('per-user details quoting a header as JSON text (a proxy echo) still give one item per user', async () => {
		s = await startSim({ org });
		const [territory] = org.territories;
		const [first, second] = territory.members;
		s.sim.fault({
			kind: 'status',
			status: 207,
			apply: true,
			body: {
				users: [
					{ code: 'SUCCESS', details: { id: first }, message: 'removed', status: 'success' },
					{
						code: 'INVALID_DATA',
						details: { id: second, echo: '{"authorization":"Bearer abc123"}' },
						message: 'odd',
						status: 'error',
					},
				],
			},
		});

		const { outputs, error } = await runZohoNode({
			store: s.store,
			parameters: removeUsersParameters(territory.id, `${first},${second}`),
			onError: 'continueRegularOutput',
		});

		expect(error?.message).toBeUndefined();
		expect(jsonOf(outputs[0]).map((item) => [item.userId, item.success])).toEqual([
			[first, true],
			[second, false],
		]);
		expect(JSON.stringify(outputs)).not.toContain('abc123');
	});
});
