import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { defaultOrg, generatedOrg } from '../simulator/fixture';
import { DEFAULT_CLIENT_SECRET, ZohoSimulator } from '../simulator/server';
import {
	jsonOf,
	loggedLines,
	removeUsersParameters,
	runZohoNode,
	simulatorCredential,
	type CredentialStore,
} from './harness';

const org = defaultOrg();
const territory = (name: string) => org.territories.find((entry) => entry.name === name)!;
const NORTH_AMERICA = territory('North America');
const US_WEST = territory('US West');
const EMEA = territory('EMEA');
const UNKNOWN_USER = '4150868000009999991';
const UNKNOWN_TERRITORY = '4150868000009999993';
const outsider = (t: typeof NORTH_AMERICA) =>
	org.users.find((user) => !t.members.includes(user.id))!.id;

let sim: ZohoSimulator;
let store: CredentialStore;

async function startSimulator(options: Parameters<typeof ZohoSimulator.start>[0] = {}) {
	sim = await ZohoSimulator.start(options);
	store = simulatorCredential(sim);
	sim.clearLog();
}

const mapped = removeUsersParameters('={{ $json.territoryId }}', '={{ $json.userIds }}');

function deletes() {
	return sim.requests.filter((request) => request.method === 'DELETE');
}

describe('Territory → Remove Users', () => {
	beforeEach(async () => await startSimulator());
	afterEach(async () => await sim.stop());

	it('removes the users in one request and outputs one item per user', async () => {
		const [first, second] = NORTH_AMERICA.members.slice(1, 3);

		const { outputs, error } = await runZohoNode({
			store,
			parameters: removeUsersParameters(NORTH_AMERICA.id, `${first}, ${second}`),
		});

		expect(error).toBeUndefined();
		expect(jsonOf(outputs[0])).toEqual([
			{
				territoryId: NORTH_AMERICA.id,
				userId: first,
				success: true,
				status: 'success',
				code: 'SUCCESS',
				message: 'Given User Removed from the mentioned territory Successfully',
				details: { id: first },
			},
			{
				territoryId: NORTH_AMERICA.id,
				userId: second,
				success: true,
				status: 'success',
				code: 'SUCCESS',
				message: 'Given User Removed from the mentioned territory Successfully',
				details: { id: second },
			},
		]);
		expect(sim.membersOf(NORTH_AMERICA.id)).not.toContain(first);
		expect(sim.membersOf(NORTH_AMERICA.id)).not.toContain(second);
		expect(deletes()).toHaveLength(1);
		expect(deletes()[0].path).toBe(`/crm/v7/settings/territories/${NORTH_AMERICA.id}/users`);
		expect(deletes()[0].query.ids).toBe(`${first},${second}`);
	});

	it('logs one debug line per request with method, path, batch size, status and attempt', async () => {
		const member = NORTH_AMERICA.members[8];
		loggedLines.length = 0;
		sim.fault({ kind: '500' });

		await runZohoNode({ store, parameters: removeUsersParameters(NORTH_AMERICA.id, member) });

		expect(loggedLines.filter((line) => line.message === 'Zoho request')).toEqual([
			{
				level: 'debug',
				message: 'Zoho request',
				meta: {
					method: 'DELETE',
					path: `/settings/territories/${NORTH_AMERICA.id}/users`,
					batchSize: 1,
					status: 500,
					attempt: 1,
				},
			},
			{
				level: 'debug',
				message: 'Zoho request',
				meta: {
					method: 'DELETE',
					path: `/settings/territories/${NORTH_AMERICA.id}/users`,
					batchSize: 1,
					status: 200,
					attempt: 2,
				},
			},
		]);
	});

	it.each([
		[207, 'flat'],
		[200, 'flat'],
		[207, 'nested'],
		[200, 'nested'],
	] as const)(
		'reports each user of a mixed answer (HTTP %i, %s users array) as its own item',
		async (mixedStatus, usersShape) => {
			sim.setOption('mixedStatus', mixedStatus);
			sim.setOption('usersShape', usersShape);
			const member = NORTH_AMERICA.members[3];
			const nonMember = outsider(NORTH_AMERICA);

			const { outputs, error } = await runZohoNode({
				store,
				parameters: removeUsersParameters(NORTH_AMERICA.id, [member, nonMember, UNKNOWN_USER]),
			});

			expect(error).toBeUndefined();
			expect(
				jsonOf(outputs[0]).map(({ userId, success, code }) => ({ userId, success, code })),
			).toEqual([
				{ userId: member, success: true, code: 'SUCCESS' },
				{ userId: nonMember, success: false, code: 'INVALID_DATA' },
				{ userId: UNKNOWN_USER, success: false, code: 'INVALID_DATA' },
			]);
			expect(outputs[0][1].json.message).toBe('Given user is not a member of this territory.');
			expect(outputs[0][2].json.message).toBe('the given user id given seems to be invalid');
			expect(sim.membersOf(NORTH_AMERICA.id)).not.toContain(member);
		},
	);

	it('outputs per-user failures, not an error, when Zoho answers 400 for every user', async () => {
		const nonMember = outsider(US_WEST);

		const { outputs, error } = await runZohoNode({
			store,
			parameters: removeUsersParameters(US_WEST.id, `${nonMember}\n${UNKNOWN_USER}`),
		});

		expect(error).toBeUndefined();
		expect(jsonOf(outputs[0]).map((item) => [item.userId, item.success, item.code])).toEqual([
			[nonMember, false, 'INVALID_DATA'],
			[UNKNOWN_USER, false, 'INVALID_DATA'],
		]);
		expect(deletes()[0].status).toBe(400);
	});

	it('gathers every item into one request per territory and pairs each result to its item', async () => {
		const [a, b, c] = NORTH_AMERICA.members.slice(2, 5);
		const [d] = EMEA.members.slice(1, 2);
		const items = [
			{ territoryId: NORTH_AMERICA.id, userIds: [a, b, a] },
			{ territoryId: EMEA.id, userIds: d },
			{ territoryId: NORTH_AMERICA.id, userIds: `${b}, ${c}` },
		];

		const { outputs } = await runZohoNode({ store, parameters: mapped, items });

		expect(
			outputs[0].map((item) => [item.json.territoryId, item.json.userId, item.pairedItem]),
		).toEqual([
			[NORTH_AMERICA.id, a, { item: 0 }],
			[NORTH_AMERICA.id, b, { item: 0 }],
			[EMEA.id, d, { item: 1 }],
			[NORTH_AMERICA.id, b, { item: 2 }],
			[NORTH_AMERICA.id, c, { item: 2 }],
		]);
		expect(outputs[0].every((item) => item.json.success === true)).toBe(true);
		expect(deletes().map((request) => [request.path.split('/')[5], request.query.ids])).toEqual(
			expect.arrayContaining([
				[NORTH_AMERICA.id, `${a},${b},${c}`],
				[EMEA.id, d],
			]),
		);
		expect(deletes()).toHaveLength(2);
	});

	it('refuses a bad ID in any item before sending any request, naming item, field and value', async () => {
		const items = [
			{ territoryId: NORTH_AMERICA.id, userIds: NORTH_AMERICA.members[1] },
			{ territoryId: NORTH_AMERICA.id, userIds: '4150868000000225001, 12e3' },
		];

		const { error } = await runZohoNode({ store, parameters: mapped, items });

		expect(error?.message).toBe('Invalid user ID "12e3" in item 1');
		expect(error?.description).toMatch(/digits 0-9 only/);
		expect(sim.requests).toHaveLength(0);
	});

	it('calls out a territory ID that reached the node as an unsafe number', async () => {
		const items = [{ territoryId: 4150868000000301015, userIds: NORTH_AMERICA.members[1] }];

		const { error } = await runZohoNode({ store, parameters: mapped, items });

		expect(error?.message).toBe('Invalid territory ID 4150868000000301000 in item 0');
		expect(error?.description).toMatch(/MAX_SAFE_INTEGER/);
		expect(sim.requests).toHaveLength(0);
	});

	it('stops with Zoho code, message and a hint when the territory does not exist', async () => {
		const { error, outputs } = await runZohoNode({
			store,
			parameters: removeUsersParameters(UNKNOWN_TERRITORY, NORTH_AMERICA.members[1]),
		});

		expect(outputs).toEqual([]);
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toBe(
			'Zoho CRM: the given territory id seems to be invalid [TERRITORY_NOT_FOUND]',
		);
		expect(error?.description).toMatch(/No territory with this ID/);
		expect((error as unknown as { httpCode: string }).httpCode).toBe('400');
		expect(error?.context?.zohoCode).toBe('TERRITORY_NOT_FOUND');
	});

	it('with Continue On Fail, turns a failed request into one error item per user and runs the rest', async () => {
		const member = EMEA.members[2];
		const items = [
			{ territoryId: UNKNOWN_TERRITORY, userIds: `${UNKNOWN_USER}, ${member}` },
			{ territoryId: EMEA.id, userIds: member },
		];

		const { outputs, error } = await runZohoNode({
			store,
			parameters: mapped,
			items,
			onError: 'continueRegularOutput',
		});

		expect(error).toBeUndefined();
		expect(
			outputs[0].map((item) => [
				item.json.userId,
				item.json.success,
				item.json.code,
				item.pairedItem,
			]),
		).toEqual([
			[UNKNOWN_USER, false, 'TERRITORY_NOT_FOUND', { item: 0 }],
			[member, false, 'TERRITORY_NOT_FOUND', { item: 0 }],
			[member, true, 'SUCCESS', { item: 1 }],
		]);
		expect(outputs[0][0].json.error).toMatch(/TERRITORY_NOT_FOUND/);
		expect(sim.membersOf(EMEA.id)).not.toContain(member);
	});

	it('sends whole-request failures to the error output and keeps per-user results on the main one', async () => {
		const member = EMEA.members[3];
		const nonMember = outsider(EMEA);
		const items = [
			{ territoryId: UNKNOWN_TERRITORY, userIds: member },
			{ territoryId: EMEA.id, userIds: [member, nonMember] },
		];

		const { outputs } = await runZohoNode({
			store,
			parameters: mapped,
			items,
			onError: 'continueErrorOutput',
		});

		expect(outputs[0].map((item) => [item.json.userId, item.json.code])).toEqual([
			[member, 'SUCCESS'],
			[nonMember, 'INVALID_DATA'],
		]);
		expect(outputs[1]).toHaveLength(1);
		expect(outputs[1][0].json).toMatchObject({
			error: 'Zoho CRM: the given territory id seems to be invalid [TERRITORY_NOT_FOUND]',
			message: 'the given territory id seems to be invalid',
			details: { territoryId: UNKNOWN_TERRITORY, userId: member, code: 'TERRITORY_NOT_FOUND' },
		});
		expect(outputs[1][0].pairedItem).toEqual({ item: 0 });
	});

	it('with Continue On Fail, outputs an error item for an item with a bad ID and removes the rest', async () => {
		const member = US_WEST.members[1];
		const items = [
			{ territoryId: US_WEST.id, userIds: '-5' },
			{ territoryId: US_WEST.id, userIds: member },
		];

		const { outputs } = await runZohoNode({
			store,
			parameters: mapped,
			items,
			onError: 'continueRegularOutput',
		});

		expect(outputs[0]).toHaveLength(2);
		expect(outputs[0][0].json).toEqual({ error: 'Invalid user ID "-5" in item 0' });
		expect(outputs[0][0].pairedItem).toEqual({ item: 0 });
		expect(outputs[0][1].json).toMatchObject({ userId: member, success: true });
	});
});

describe('Remove Users in batches', () => {
	const big = generatedOrg({ territories: 3, usersPerTerritory: 60 });
	beforeEach(async () => await startSimulator({ org: big }));
	afterEach(async () => await sim.stop());

	it("packs each territory's users into ids strings within Zoho's 500 characters", async () => {
		const items = big.territories.flatMap((t) =>
			t.members.map((userId) => ({ territoryId: t.id, userIds: userId })),
		);

		const { outputs } = await runZohoNode({ store, parameters: mapped, items });

		expect(outputs[0]).toHaveLength(180);
		expect(
			outputs[0].every(
				(item, index) =>
					item.json.success &&
					item.pairedItem?.valueOf() &&
					(item.pairedItem as { item: number }).item === index,
			),
		).toBe(true);
		// 60 IDs of 19 digits: 25 + 25 + 10 per territory.
		expect(deletes()).toHaveLength(9);
		expect(Math.max(...deletes().map((request) => request.query.ids.length))).toBeLessThanOrEqual(
			500,
		);
		for (const t of big.territories) expect(sim.membersOf(t.id)).toEqual([]);
	});

	it('outputs the same items in the same order and pairing whatever the concurrency', async () => {
		sim.setOption('latencyMs', 20);
		const items = big.territories.flatMap((t) =>
			t.members.map((userId, index) => ({
				territoryId: t.id,
				userIds: [userId, t.members[(index + 7) % 60]],
			})),
		);
		const run = async (concurrency: number) => {
			for (const t of big.territories) sim.setMembers(t.id, t.members);
			const { outputs } = await runZohoNode({
				store,
				parameters: { ...mapped, options: { concurrency } },
				items,
			});
			return outputs[0].map((item) => [item.json, item.pairedItem]);
		};

		const sequential = await run(1);
		const parallel = await run(5);

		expect(sequential).toHaveLength(360);
		expect(parallel).toEqual(sequential);
	});

	it('never has more requests in flight than the Concurrency option', async () => {
		sim.setOption('latencyMs', 50);
		const items = big.territories.flatMap((t) =>
			t.members.map((userId) => ({ territoryId: t.id, userIds: userId })),
		);

		await runZohoNode({ store, parameters: { ...mapped, options: { concurrency: 3 } }, items });

		expect(sim.stats.maxInFlight).toBe(3);
	});
});

describe('Remove Users with IDs of 18 and 19 digits', () => {
	// 8 users with 19-digit IDs and 44 with 18: 7 + 19 of them fill 500 characters exactly.
	const mixed = generatedOrg({ territories: 1, usersPerTerritory: 52 });
	const shortened = new Map(mixed.users.slice(8).map((user) => [user.id, user.id.slice(1)]));
	for (const user of mixed.users) user.id = shortened.get(user.id) ?? user.id;
	const [only] = mixed.territories;
	only.members = only.members.map((id) => shortened.get(id) ?? id);

	beforeEach(async () => await startSimulator({ org: mixed }));
	afterEach(async () => await sim.stop());

	it('removes them in the fewest requests Zoho allows: 2, where packing long IDs first needs 3', async () => {
		const items = only.members.map((userId) => ({ territoryId: only.id, userIds: userId }));

		const { outputs } = await runZohoNode({ store, parameters: mapped, items });

		expect(jsonOf(outputs[0]).map((item) => [item.userId, item.success])).toEqual(
			only.members.map((userId) => [userId, true]),
		);
		expect(
			deletes()
				.map((request) => request.query.ids.length)
				.sort(),
		).toEqual([494, 500]);
		expect(sim.membersOf(only.id)).toEqual([]);
	});
});

describe('Remove Users against a concurrency limit', () => {
	const wide = generatedOrg({ territories: 12, usersPerTerritory: 25 });
	beforeEach(async () => await startSimulator({ org: wide, latencyMs: 40, maxConcurrent: 2 }));
	afterEach(async () => await sim.stop());

	it('backs off when Zoho answers 429 past its limit, and still removes everyone', async () => {
		const items = wide.territories.map((t) => ({ territoryId: t.id, userIds: t.members }));

		const { outputs, error } = await runZohoNode({
			store,
			parameters: { ...mapped, options: { concurrency: 6 } },
			items,
		});

		expect(error).toBeUndefined();
		expect(outputs[0]).toHaveLength(300);
		expect(outputs[0].every((item) => item.json.success === true)).toBe(true);
		const throttled = deletes().filter((request) => request.status === 429);
		expect(throttled.length).toBeGreaterThan(0);
		// Halving on each 429 keeps the retries well below one per batch.
		expect(throttled.length).toBeLessThan(wide.territories.length);
		expect(sim.stats.maxInFlight).toBeLessThanOrEqual(6);
		for (const t of wide.territories) expect(sim.membersOf(t.id)).toEqual([]);
	});
});

describe('Remove Users under faults', () => {
	beforeEach(async () => await startSimulator());
	afterEach(async () => await sim.stop());

	it.each([
		[{ kind: '429', retryAfterSec: 1 }],
		[{ kind: '429' }],
		[{ kind: '500' }],
		[{ kind: '503' }],
		[{ kind: 'drop' }],
	] as const)('retries after %o and loses no result', async (fault) => {
		const member = NORTH_AMERICA.members[4];
		sim.fault(fault);

		const { outputs } = await runZohoNode({
			store,
			parameters: removeUsersParameters(NORTH_AMERICA.id, member),
		});

		expect(jsonOf(outputs[0])).toMatchObject([{ userId: member, success: true, code: 'SUCCESS' }]);
		expect(deletes()).toHaveLength(2);
	});

	it('waits as long as Retry-After asks', async () => {
		sim.fault({ kind: '429', retryAfterSec: 2 });

		await runZohoNode({
			store,
			parameters: removeUsersParameters(NORTH_AMERICA.id, NORTH_AMERICA.members[4]),
		});

		const [throttled, retried] = deletes();
		expect(retried.startedAt - (throttled.endedAt ?? 0)).toBeGreaterThanOrEqual(1900);
	});

	it('reports a user removed by an attempt whose answer was lost as already removed', async () => {
		const member = NORTH_AMERICA.members[5];
		sim.fault({ kind: 'drop-after-apply' });

		const { outputs } = await runZohoNode({
			store,
			parameters: removeUsersParameters(NORTH_AMERICA.id, member),
		});

		expect(jsonOf(outputs[0])).toMatchObject([
			{
				userId: member,
				success: true,
				code: 'ALREADY_REMOVED',
				details: { zohoCode: 'INVALID_DATA' },
			},
		]);
		expect(sim.membersOf(NORTH_AMERICA.id)).not.toContain(member);
	});

	it('gives up after Max Retries with Zoho code and a hint', async () => {
		sim.fault({ kind: '429', times: 3 });

		const { error } = await runZohoNode({
			store,
			parameters: removeUsersParameters(NORTH_AMERICA.id, NORTH_AMERICA.members[4], {
				maxRetries: 2,
			}),
		});

		expect(error?.message).toMatch(/\[TOO_MANY_REQUESTS\]$/);
		expect(error?.description).toMatch(/Concurrency/);
		expect(deletes()).toHaveLength(3);
	});

	it('retries an answer slower than the Timeout option', async () => {
		const member = NORTH_AMERICA.members[6];
		sim.fault({ kind: 'delay', delayMs: 2500 });

		const { outputs } = await runZohoNode({
			store,
			parameters: removeUsersParameters(NORTH_AMERICA.id, member, { timeout: 1000 }),
		});

		expect(outputs[0][0].json).toMatchObject({ userId: member, success: true });
		expect(['SUCCESS', 'ALREADY_REMOVED']).toContain(outputs[0][0].json.code);
	});

	it('refreshes an expired token once, stores it and goes on', async () => {
		const member = NORTH_AMERICA.members[7];
		const oldToken = (store.data.oauthTokenData as { access_token: string }).access_token;
		sim.expireAccessTokens();

		const { outputs, error } = await runZohoNode({
			store,
			parameters: removeUsersParameters(NORTH_AMERICA.id, member),
		});

		expect(error).toBeUndefined();
		expect(outputs[0][0].json).toMatchObject({ userId: member, success: true });
		expect(sim.stats.refreshGrants).toBe(1);
		const newToken = (store.data.oauthTokenData as { access_token: string }).access_token;
		expect(newToken).not.toBe(oldToken);
		expect(sim.labelOf(newToken)).toBe(deletes().at(-1)?.tokenLabel);
	});

	it('ends with one clear reconnect error when Zoho refuses the refresh, without looping', async () => {
		sim.expireAccessTokens();
		sim.refuseRefresh('invalid_code');
		const items = [NORTH_AMERICA, US_WEST, EMEA].map((t) => ({
			territoryId: t.id,
			userIds: t.members[1],
		}));

		const { error } = await runZohoNode({ store, parameters: mapped, items });

		expect(error?.message).toBe(
			'Zoho CRM: Zoho refused to renew the access token (invalid_code): reconnect the credential [CREDENTIAL_NOT_RENEWED]',
		);
		expect(error?.description).toMatch(/Open the credential and reconnect it/);
		expect(sim.stats.refreshGrants).toBeLessThanOrEqual(2);
		expect(deletes().length).toBeLessThanOrEqual(2 * 2);
	});

	it('explains that territory management is off', async () => {
		sim.setOption('territoryManagement', false);

		const { error } = await runZohoNode({
			store,
			parameters: removeUsersParameters(NORTH_AMERICA.id, NORTH_AMERICA.members[1]),
		});

		expect(error?.message).toMatch(/\[TERRITORY_NOT_ENABLED\]$/);
		expect(error?.description).toMatch(/Territory Management/);
	});

	it('explains a missing scope', async () => {
		sim.setOption('missingScope', true);

		const { error } = await runZohoNode({
			store,
			parameters: removeUsersParameters(NORTH_AMERICA.id, NORTH_AMERICA.members[1]),
		});

		expect(error?.message).toMatch(/\[OAUTH_SCOPE_MISMATCH\]$/);
		expect(error?.description).toMatch(/ZohoCRM\.settings\.territories\.ALL/);
	});

	it('never shows the access token, even when Zoho echoes the request back', async () => {
		const token = (store.data.oauthTokenData as { access_token: string }).access_token;
		sim.fault({ kind: 'echo-auth' });

		const { error } = await runZohoNode({
			store,
			parameters: removeUsersParameters(NORTH_AMERICA.id, NORTH_AMERICA.members[1]),
		});
		const continued = await runZohoNode({
			store,
			parameters: removeUsersParameters(NORTH_AMERICA.id, NORTH_AMERICA.members[1]),
			onError: 'continueRegularOutput',
		});

		expect(error).toBeDefined();
		const everything = JSON.stringify([
			error?.message,
			error?.description,
			error,
			continued.outputs,
		]);
		expect(everything).not.toContain(token);
		expect(everything).not.toContain(DEFAULT_CLIENT_SECRET);
	});

	it('points a Custom API Call to the HTTP Request node instead of failing on a missing parameter', async () => {
		const { error } = await runZohoNode({
			store,
			parameters: { resource: '__CUSTOM_API_CALL__', operation: '__CUSTOM_API_CALL__' },
		});

		expect(error?.message).toBe('Custom API calls are made with the HTTP Request node');
		expect(error?.description).toMatch(/Predefined Credential Type/);
		expect(sim.requests).toHaveLength(0);
	});

	it('refuses to send the token to an api_domain that is not a Zoho API host', async () => {
		store.data.dataCenter = 'eu';
		(store.data.oauthTokenData as { api_domain: string }).api_domain = sim.url;

		const { error } = await runZohoNode({
			store,
			parameters: removeUsersParameters(NORTH_AMERICA.id, NORTH_AMERICA.members[1]),
		});

		expect(error?.message).toMatch(/not a Zoho API host/);
		expect(sim.requests).toHaveLength(0);
	});
});
