import { afterEach, describe, expect, it } from 'vitest';

import { defaultOrg, generatedOrg } from '../simulator/fixture';
import {
	addUsersParameters,
	jsonOf,
	removeUsersParameters,
	runZohoNode,
	searchTerritories,
} from './harness';
import { startSim, type Setup } from './adversarial-helpers';

const org = defaultOrg();
const NA = org.territories.find((t) => t.name === 'North America')!;
const US_EAST = org.territories.find((t) => t.name === 'US East')!;

let s: Setup;
afterEach(async () => await s?.sim.stop());

const gets = () => s.sim.requests.filter((r) => r.method === 'GET');

describe('adversarial: retries that lose nothing, for Add Users too', () => {
	it('reports a user added by an attempt whose answer was lost as added, not as a failure', async () => {
		s = await startSim();
		const newcomer = org.users.find(
			(u) => !US_EAST.members.includes(u.id) && u.status === 'active',
		)!.id;
		s.sim.fault({ kind: 'drop-after-apply', match: { method: 'PUT' } });

		const { outputs, error } = await runZohoNode({
			store: s.store,
			parameters: addUsersParameters(US_EAST.id, newcomer),
		});

		expect(error).toBeUndefined();
		expect(s.sim.membersOf(US_EAST.id)).toContain(newcomer);
		// The node itself made this user a member; Zoho's DUPLICATE_DATA on the retry says so.
		expect(jsonOf(outputs[0])).toMatchObject([{ userId: newcomer, success: true }]);
	});

	it('a 500 after applying an add is retried and the user is reported added', async () => {
		s = await startSim();
		const newcomer = org.users.find(
			(u) => !US_EAST.members.includes(u.id) && u.status === 'active',
		)!.id;
		s.sim.fault({ kind: '500', apply: true, match: { method: 'PUT' } });

		const { outputs } = await runZohoNode({
			store: s.store,
			parameters: addUsersParameters(US_EAST.id, newcomer),
		});

		expect(s.sim.membersOf(US_EAST.id)).toContain(newcomer);
		expect(jsonOf(outputs[0])).toMatchObject([{ userId: newcomer, success: true }]);
	});
});

describe('adversarial: paging ends even when Zoho keeps saying more_records', () => {
	it('Get Many (Return All) stops on pages that are empty yet claim more records', async () => {
		s = await startSim();
		s.sim.fault({
			kind: 'status',
			status: 200,
			body: { territories: [], info: { per_page: 200, count: 0, page: 1, more_records: true } },
			match: { method: 'GET', path: '/crm/v7/settings/territories' },
			times: 40,
		});

		await runZohoNode({
			store: s.store,
			parameters: { resource: 'territory', operation: 'getMany', returnAll: true },
			onError: 'continueRegularOutput',
		});

		expect(gets().length, `${gets().length} page requests`).toBeLessThan(40);
	});

	it('Get Users (Return All) does not output a page Zoho repeats, nor loop on it', async () => {
		s = await startSim();
		const member = { id: NA.members[0], full_name: 'Loop', email: 'loop@example.com' };
		s.sim.fault({
			kind: 'status',
			status: 200,
			body: { users: [member], info: { per_page: 200, count: 1, page: 1, more_records: true } },
			match: { method: 'GET', path: `/crm/v7/settings/territories/${NA.id}/users` },
			times: 40,
		});

		const { outputs } = await runZohoNode({
			store: s.store,
			parameters: {
				resource: 'territory',
				operation: 'getUsers',
				territoryId: { __rl: true, mode: 'id', value: NA.id },
				returnAll: true,
			},
			onError: 'continueRegularOutput',
		});

		const ids = jsonOf(outputs[0] ?? []).map((item) => item.id);
		expect(ids.length, `${ids.length} items, ${gets().length} requests`).toBe(new Set(ids).size);
	});

	it('User → Get Many with a Limit above one page reads exactly the pages it needs', async () => {
		const big = generatedOrg({ territories: 1, usersPerTerritory: 0, spareUsers: 450 });
		s = await startSim({ org: big });

		const { outputs } = await runZohoNode({
			store: s.store,
			parameters: {
				resource: 'user',
				operation: 'getMany',
				type: 'AllUsers',
				returnAll: false,
				limit: 250,
			},
		});

		expect(outputs[0]).toHaveLength(250);
		expect(gets().map((r) => [r.query.page, r.query.per_page])).toEqual([
			['1', '200'],
			['2', '200'],
		]);
		expect(new Set(jsonOf(outputs[0]).map((u) => u.id)).size).toBe(250);
	});
});

describe('adversarial: IDs never pass through a JS number', () => {
	const bigId = '4150868000000301019';
	const rawTerritories = `{"territories":[{"id":${bigId},"name":"Numeric"}],"info":{"per_page":200,"count":1,"page":1,"more_records":false}}`;

	it('Get Many: an ID Zoho sends as a JSON number is output with all its digits, as text', async () => {
		s = await startSim();
		s.sim.fault({
			kind: 'status',
			status: 200,
			body: rawTerritories,
			headers: { 'Content-Type': 'application/json;charset=UTF-8' },
			match: { method: 'GET' },
		});

		const { outputs, error } = await runZohoNode({
			store: s.store,
			parameters: { resource: 'territory', operation: 'getMany', returnAll: true },
		});

		// Either the exact ID as a string, or a clear error; never a rounded number.
		if (error === undefined) expect(outputs[0][0].json.id).toBe(bigId);
	});

	it('Remove Users: a result whose details.id Zoho sends as a JSON number is never misread (NO_RESULT, not a false outcome)', async () => {
		s = await startSim();
		const user = NA.members[1];
		s.sim.fault({
			kind: 'status',
			status: 200,
			body: `{"users":[{"code":"SUCCESS","details":{"id":${user}},"message":"removed","status":"success"}]}`,
			headers: { 'Content-Type': 'application/json;charset=UTF-8' },
			match: { method: 'DELETE' },
			apply: true,
		});

		const { outputs } = await runZohoNode({
			store: s.store,
			parameters: removeUsersParameters(NA.id, user),
		});

		// The rounded number cannot be matched safely; the node must say the outcome is unknown.
		expect(jsonOf(outputs[0])).toMatchObject([{ userId: user, success: false, code: 'NO_RESULT' }]);
	});

	it('territory picker: an ID Zoho sends as a JSON number is not offered rounded', async () => {
		s = await startSim();
		s.sim.fault({
			kind: 'status',
			status: 200,
			body: rawTerritories,
			headers: { 'Content-Type': 'application/json;charset=UTF-8' },
			match: { method: 'GET' },
		});

		const picked = searchTerritories(s.store);
		const result = await picked.catch((caught: Error) => caught);
		if (!(result instanceof Error)) {
			expect((result as { results: Array<{ value: string }> }).results[0].value).toBe(bigId);
		}
	});
});

describe('adversarial: bad Limit refused before any request', () => {
	it.each([
		['0', '={{ 0 }}'],
		['-5', '={{ -5 }}'],
		['2.5', '={{ 2.5 }}'],
	])('Territory → Get Many with Limit %s', async (_, limit) => {
		s = await startSim();

		const { error, outputs } = await runZohoNode({
			store: s.store,
			parameters: { resource: 'territory', operation: 'getMany', returnAll: false, limit },
		});

		const refused = gets().length === 0 && /limit/i.test(error?.message ?? '');
		const sensible =
			error === undefined &&
			(outputs[0] ?? []).length <= Math.max(0, Math.floor(Number(limit.replace(/[^-\d.]/g, ''))));
		expect(
			refused || sensible,
			`${error?.message ?? 'no error'}; ${(outputs[0] ?? []).length} items; ${gets().length} requests`,
		).toBe(true);
	});
});

describe('adversarial: per-user results whatever 2xx status carries them', () => {
	it.each([201, 202])(
		'Add Users answered %i with per-user SUCCESS entries outputs them',
		async (status) => {
			s = await startSim();
			const newcomer = org.users.find(
				(u) => !US_EAST.members.includes(u.id) && u.status === 'active',
			)!.id;
			s.sim.fault({
				kind: 'status',
				status,
				apply: true,
				body: {
					users: [
						{ code: 'SUCCESS', details: { id: newcomer }, message: 'added', status: 'success' },
					],
				},
				match: { method: 'PUT' },
			});

			const { outputs, error } = await runZohoNode({
				store: s.store,
				parameters: addUsersParameters(US_EAST.id, newcomer),
			});

			expect(error?.message).toBeUndefined();
			expect(jsonOf(outputs[0])).toMatchObject([
				{ userId: newcomer, success: true, code: 'SUCCESS' },
			]);
		},
	);
});
