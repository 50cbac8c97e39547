import { afterEach, describe, expect, it } from 'vitest';

import { defaultOrg, generatedOrg, type OrgFixture } from '../simulator/fixture';
import { ZohoSimulator } from '../simulator/server';
import { jsonOf, runZohoNode, simulatorCredential, type CredentialStore } from './harness';

const org = defaultOrg();
const byName = (name: string) => org.territories.find((t) => t.name === name)!;
const US_EAST = byName('US East');
const APAC = byName('APAC');

let sim: ZohoSimulator;

async function start(options: { org?: OrgFixture } = {}): Promise<CredentialStore> {
	sim = await ZohoSimulator.start(options);
	const store = simulatorCredential(sim);
	sim.clearLog();
	return store;
}

afterEach(async () => await sim.stop());

const locator = (value: string, mode = 'id') => ({ __rl: true, mode, value });
const gets = () => sim.requests.filter((request) => request.method === 'GET');

describe('Territory → Add Users', () => {
	it('adds users and reports members and a full territory per user, without failing', async () => {
		const store = await start();
		const newcomer = org.users.find(
			(u) => !US_EAST.members.includes(u.id) && u.status === 'active',
		)!.id;
		const member = US_EAST.members[0];

		const { outputs, error } = await runZohoNode({
			store,
			parameters: {
				resource: 'territory',
				operation: 'addUsers',
				territoryId: locator(US_EAST.id),
				userSelection: 'ids',
				userIds: `${newcomer}, ${member}`,
			},
		});

		expect(error).toBeUndefined();
		expect(jsonOf(outputs[0]).map((item) => [item.userId, item.success, item.code])).toEqual([
			[newcomer, true, 'SUCCESS'],
			[member, false, 'DUPLICATE_DATA'],
		]);
		expect(sim.membersOf(US_EAST.id)).toContain(newcomer);
		const puts = sim.requests.filter((request) => request.method === 'PUT');
		expect(puts).toHaveLength(1);
		expect(puts[0].body).toEqual({ users: [{ id: newcomer }, { id: member }] });
	});

	it('treats ALREADY_EXISTS as a per-user result too', async () => {
		const store = await start();
		const member = US_EAST.members[0];
		sim.fault({
			kind: 'status',
			status: 400,
			body: {
				users: [
					{
						code: 'ALREADY_EXISTS',
						details: { id: member },
						message: 'already exists',
						status: 'error',
					},
				],
			},
		});

		const { outputs } = await runZohoNode({
			store,
			parameters: {
				resource: 'territory',
				operation: 'addUsers',
				territoryId: locator(US_EAST.id),
				userSelection: 'ids',
				userIds: member,
			},
		});

		expect(jsonOf(outputs[0])).toMatchObject([
			{ userId: member, success: false, code: 'ALREADY_EXISTS' },
		]);
	});

	it('sends at most 100 users a request and reports the 100-user limit per user', async () => {
		const big = generatedOrg({ territories: 1, usersPerTerritory: 0, spareUsers: 250 });
		const store = await start({ org: big });
		const territoryId = big.territories[0].id;
		const userIds = big.users.map((u) => u.id);

		const { outputs } = await runZohoNode({
			store,
			parameters: {
				resource: 'territory',
				operation: 'addUsers',
				territoryId: locator(territoryId),
				userSelection: 'ids',
				userIds: '={{ $json.userIds }}',
			},
			items: [{ userIds }],
		});

		const puts = sim.requests.filter((request) => request.method === 'PUT');
		expect(puts.map((request) => (request.body as { users: unknown[] }).users.length)).toEqual([
			100, 100, 50,
		]);
		const results = jsonOf(outputs[0]);
		expect(results).toHaveLength(250);
		expect(results.filter((item) => item.success)).toHaveLength(100);
		expect(new Set(results.filter((item) => !item.success).map((item) => item.code))).toEqual(
			new Set(['LIMIT_EXCEEDED']),
		);
		expect(sim.membersOf(territoryId)).toHaveLength(100);
	});
});

describe('Territory → Get Users', () => {
	it('outputs one item per member with the territory ID', async () => {
		const store = await start();

		const { outputs } = await runZohoNode({
			store,
			parameters: {
				resource: 'territory',
				operation: 'getUsers',
				territoryId: locator(US_EAST.id),
				returnAll: true,
			},
		});

		expect(jsonOf(outputs[0]).map((user) => [user.id, user.territoryId])).toEqual(
			US_EAST.members.map((id) => [id, US_EAST.id]),
		);
	});

	it('gives no items and no error for an empty territory', async () => {
		const store = await start();

		const { outputs, error } = await runZohoNode({
			store,
			parameters: {
				resource: 'territory',
				operation: 'getUsers',
				territoryId: locator(APAC.id),
				returnAll: true,
			},
		});

		expect(error).toBeUndefined();
		expect(outputs[0]).toEqual([]);
	});

	it('accepts the territory as a Zoho CRM URL', async () => {
		const store = await start();

		const { outputs } = await runZohoNode({
			store,
			parameters: {
				resource: 'territory',
				operation: 'getUsers',
				territoryId: locator(
					`https://crm.zoho.eu/crm/org20001234/settings/territories/${US_EAST.id}?tab=users`,
					'url',
				),
				returnAll: true,
			},
		});

		expect(outputs[0]).toHaveLength(US_EAST.members.length);
	});
});

describe('Territory → Get and Get Many', () => {
	it('gets one territory by ID', async () => {
		const store = await start();

		const { outputs } = await runZohoNode({
			store,
			parameters: { resource: 'territory', operation: 'get', territoryId: locator(US_EAST.id) },
		});

		expect(jsonOf(outputs[0])).toMatchObject([{ id: US_EAST.id, name: 'US East' }]);
	});

	it('pages through every territory with Return All, over more than two pages', async () => {
		const big = generatedOrg({ territories: 450, usersPerTerritory: 0 });
		const store = await start({ org: big });

		const { outputs } = await runZohoNode({
			store,
			parameters: { resource: 'territory', operation: 'getMany', returnAll: true },
		});

		expect(jsonOf(outputs[0]).map((t) => t.id)).toEqual(big.territories.map((t) => t.id));
		expect(gets().map((request) => request.query.page)).toEqual(['1', '2', '3']);
	});

	it('stops asking for pages once the Limit is reached', async () => {
		const big = generatedOrg({ territories: 450, usersPerTerritory: 0 });
		const store = await start({ org: big });

		const { outputs } = await runZohoNode({
			store,
			parameters: { resource: 'territory', operation: 'getMany', returnAll: false, limit: 250 },
		});

		expect(outputs[0]).toHaveLength(250);
		expect(gets().map((request) => [request.query.page, request.query.per_page])).toEqual([
			['1', '200'],
			['2', '200'],
		]);
	});

	it('filters by name', async () => {
		const store = await start();

		const { outputs } = await runZohoNode({
			store,
			parameters: {
				resource: 'territory',
				operation: 'getMany',
				returnAll: true,
				filters: { name: 'us' },
			},
		});

		expect(jsonOf(outputs[0]).map((t) => t.name)).toEqual(['US West', 'US East']);
	});
});

describe('User → Get Many', () => {
	it("lists the org's deactivated users with Zoho's type filter", async () => {
		const store = await start();

		const { outputs } = await runZohoNode({
			store,
			parameters: {
				resource: 'user',
				operation: 'getMany',
				type: 'DeactiveUsers',
				returnAll: true,
			},
		});

		const disabled = org.users.filter((u) => u.status === 'disabled').map((u) => u.id);
		expect(
			jsonOf(outputs[0])
				.map((u) => u.id)
				.sort(),
		).toEqual(disabled.sort());
		expect(gets()[0].query.type).toBe('DeactiveUsers');
	});

	it('reads only the page the Limit needs', async () => {
		const store = await start();

		const { outputs } = await runZohoNode({
			store,
			parameters: {
				resource: 'user',
				operation: 'getMany',
				type: 'AllUsers',
				returnAll: false,
				limit: 5,
			},
		});

		expect(outputs[0]).toHaveLength(5);
		expect(gets().map((request) => request.query.per_page)).toEqual(['5']);
	});
});
