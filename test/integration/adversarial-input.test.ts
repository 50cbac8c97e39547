import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { defaultOrg } from '../simulator/fixture';
import { jsonOf, removeUsersParameters, runZohoNode } from './harness';
import { startSim, type Setup } from './adversarial-helpers';

const org = defaultOrg();
const NA = org.territories.find((t) => t.name === 'North America')!;
const US_WEST = org.territories.find((t) => t.name === 'US West')!;
const T = NA.id;
const U = NA.members[1];

let s: Setup;
beforeAll(async () => {
	s = await startSim();
});
afterAll(async () => await s.sim.stop());
beforeEach(() => {
	s.sim.clearLog();
	s.sim.setMembers(NA.id, NA.members);
	s.sim.setMembers(US_WEST.id, US_WEST.members);
});

const mapped = removeUsersParameters('={{ $json.territoryId }}', '={{ $json.userIds }}');

describe('adversarial: a pasted URL never turns a wrong number into an ID', () => {
	it.each([
		[
			'a user URL whose ID has one digit too many',
			`https://crm.zoho.com/crm/org60001234/settings/users/${U}7`,
		],
		[
			'a user URL whose ID has 25 digits',
			`https://crm.zoho.com/crm/org60001234/tab/Users/${U}000000`,
		],
	])('refuses %s instead of taking its last 19 digits', async (_, url) => {
		const { error } = await runZohoNode({
			store: s.store,
			parameters: mapped,
			items: [{ territoryId: T, userIds: url }],
		});

		expect(s.sim.requests.map((r) => r.query.ids)).toEqual([]);
		expect(error?.message).toBe(`Invalid user ID ${JSON.stringify(url)} in item 0`);
	});

	it('refuses a territory URL (By URL mode) whose ID has one digit too many', async () => {
		const url = `https://crm.zoho.com/crm/org60001234/settings/territories/${T}7`;
		const { error } = await runZohoNode({
			store: s.store,
			parameters: { ...mapped, territoryId: { __rl: true, mode: 'url', value: url }, userIds: U },
		});

		expect(s.sim.requests.map((r) => r.path)).toEqual([]);
		expect(error?.message).toMatch(/territory/i);
	});

	it('refuses a user URL that ends in a non-ID instead of taking an earlier 18-19 digit segment', async () => {
		// The path names territory T, then a user ID that was cut short when copied.
		const url = `https://crm.zoho.com/crm/org60001234/settings/territories/${T}/users/4150868`;
		const { error } = await runZohoNode({
			store: s.store,
			parameters: mapped,
			items: [{ territoryId: US_WEST.id, userIds: url }],
		});

		expect(s.sim.requests.map((r) => r.query.ids)).toEqual([]);
		expect(error?.message).toMatch(/Invalid user ID/);
	});
});

describe('adversarial: one item per asked (territory, user), in input order, paired to its item', () => {
	it('keeps order and pairing across territories, duplicates across items and mixed outcomes', async () => {
		const stranger = org.users.find((user) => !NA.members.includes(user.id))!.id;
		const items = [
			{ territoryId: US_WEST.id, userIds: [US_WEST.members[0]] },
			{ territoryId: T, userIds: `${U}, ${stranger}, ${U}` },
			{ territoryId: ` ${T}\n`, userIds: [{ id: U }, NA.members[2]] },
			{
				territoryId: US_WEST.id,
				userIds: `https://crm.zoho.com/crm/org1/tab/Users/${US_WEST.members[0]}`,
			},
		];

		const { outputs, error } = await runZohoNode({ store: s.store, parameters: mapped, items });

		expect(error).toBeUndefined();
		const got = outputs[0].map((item) => [
			(item.pairedItem as { item: number }).item,
			item.json.territoryId,
			item.json.userId,
			item.json.success,
		]);
		expect(got).toEqual([
			[0, US_WEST.id, US_WEST.members[0], true],
			[1, T, U, true],
			[1, T, stranger, false],
			[2, T, U, true],
			[2, T, NA.members[2], true],
			[3, US_WEST.id, US_WEST.members[0], true],
		]);
		// One request per territory, each user once.
		const deletes = s.sim.requests.filter((r) => r.method === 'DELETE');
		expect(deletes).toHaveLength(2);
		expect(deletes.map((r) => r.query.ids.split(',').length).sort()).toEqual([1, 3]);
		for (const item of outputs[0]) expect(typeof item.json.userId).toBe('string');
	});

	it('with Continue On Fail, a refused item sits in its place among the results', async () => {
		const items = [
			{ territoryId: T, userIds: U },
			{ territoryId: T, userIds: '12e3' },
			{ territoryId: T, userIds: NA.members[2] },
		];
		const { outputs } = await runZohoNode({
			store: s.store,
			parameters: mapped,
			items,
			onError: 'continueRegularOutput',
		});

		expect(outputs[0].map((item) => (item.pairedItem as { item: number }).item)).toEqual([0, 1, 2]);
		expect(jsonOf(outputs[0])[1]).toEqual({ error: 'Invalid user ID "12e3" in item 1' });
		expect(jsonOf(outputs[0])[0]).toMatchObject({ userId: U, success: true });
	});

	it('with the error output, a refused item goes to the error output and the rest are removed', async () => {
		const items = [
			{ territoryId: T, userIds: U },
			{ territoryId: '-1', userIds: NA.members[2] },
		];
		const { outputs } = await runZohoNode({
			store: s.store,
			parameters: mapped,
			items,
			onError: 'continueErrorOutput',
		});

		expect(jsonOf(outputs[0])).toMatchObject([{ userId: U, success: true }]);
		expect(outputs[1]).toHaveLength(1);
		expect(String(outputs[1][0].json.error)).toMatch(/Invalid territory ID "-1" in item 1/);
	});
});
