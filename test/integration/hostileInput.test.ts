import type { IDataObject } from 'n8n-workflow';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { defaultOrg } from '../simulator/fixture';
import { ZohoSimulator } from '../simulator/server';
import {
	jsonOf,
	removeUsersParameters,
	runZohoNode,
	simulatorCredential,
	type CredentialStore,
} from './harness';

const NORTH_AMERICA = defaultOrg().territories.find((t) => t.name === 'North America')!;
const T = NORTH_AMERICA.id;
const U = NORTH_AMERICA.members[1];

let sim: ZohoSimulator;
let store: CredentialStore;

beforeAll(async () => {
	sim = await ZohoSimulator.start();
	store = simulatorCredential(sim);
});
afterAll(async () => await sim.stop());
beforeEach(() => {
	sim.clearLog();
	sim.setMembers(T, NORTH_AMERICA.members);
});

const parameters = removeUsersParameters('={{ $json.territoryId }}', '={{ $json.userIds }}');

/** Inputs refused before any request; `shown` is how the error message quotes the value. */
const refused: Array<[string, 'territory ID' | 'user ID', IDataObject[string], string]> = [
	['an empty territory', 'territory ID', '', '""'],
	['a territory of spaces', 'territory ID', '   ', '"   "'],
	['a negative territory', 'territory ID', `-${T}`, `"-${T}"`],
	['a decimal territory', 'territory ID', `${T}.0`, `"${T}.0"`],
	['a territory in exponent form', 'territory ID', '4.15e18', '"4.15e18"'],
	['a territory with a leading +', 'territory ID', `+${T}`, `"+${T}"`],
	['a hex territory', 'territory ID', '0x399B7B0C5D3C2A7', '"0x399B7B0C5D3C2A7"'],
	[
		'a territory in Arabic-Indic digits',
		'territory ID',
		'٤١٥٠٨٦٨٠٠٠٠٠٣٠١٠١٥',
		'"٤١٥٠٨٦٨٠٠٠٠٠٣٠١٠١٥"',
	],
	['a territory in full-width digits', 'territory ID', '４１５０８６８', '"４１５０８６８"'],
	[
		'a territory above MAX_SAFE_INTEGER as a number',
		'territory ID',
		4150868000000301015,
		'4150868000000301000',
	],
	['a safe territory number', 'territory ID', 12345, '12345'],
	['a territory object', 'territory ID', { id: T }, `{"id":"${T}"}`],
	['a null territory', 'territory ID', null, 'null'],
	['a territory array', 'territory ID', [T], `["${T}"]`],
	['a territory path trick', 'territory ID', '1/../../users', '"1/../../users"'],
	['a territory with an encoded slash', 'territory ID', `${T}%2Fusers`, `"${T}%2Fusers"`],
	['a territory with a query', 'territory ID', `${T}?ids=1`, `"${T}?ids=1"`],
	['a territory with a fragment', 'territory ID', `${T}#x`, `"${T}#x"`],
	[
		'a territory of 25 digits',
		'territory ID',
		'4150868000000301015000000',
		'"4150868000000301015000000"',
	],
	[
		'a territory with a zero-width space',
		'territory ID',
		`${T.slice(0, 5)}\u200b${T.slice(5)}`,
		JSON.stringify(`${T.slice(0, 5)}\u200b${T.slice(5)}`),
	],
	['an empty user list', 'user ID', '', '""'],
	['a user list of spaces and new lines', 'user ID', ' \n\t', '" \\n\\t"'],
	['a negative user', 'user ID', `-${U}`, `"-${U}"`],
	['a decimal user', 'user ID', '1.5', '"1.5"'],
	['a user in exponent form', 'user ID', '1e18', '"1e18"'],
	['a user with a leading +', 'user ID', `+${U}`, `"+${U}"`],
	['a hex user', 'user ID', '0xff', '"0xff"'],
	['a user in Arabic-Indic digits', 'user ID', '١٢٣', '"١٢٣"'],
	['a user above MAX_SAFE_INTEGER as a number', 'user ID', 9007199254740993, '9007199254740992'],
	['a user as a safe number', 'user ID', 42, '42'],
	['a user number inside an array', 'user ID', [U, 4150868000000300005], '4150868000000300000'],
	['a user object without an id', 'user ID', { name: 'Ada' }, '{"name":"Ada"}'],
	['a null user inside an array', 'user ID', [U, null], 'null'],
	['a nested array of users', 'user ID', [[U]], `["${U}"]`],
	['an empty entry between commas', 'user ID', `${U},,${U}`, '""'],
	['a user path trick', 'user ID', '1/../../users', '"1/../../users"'],
	['a user with an encoded slash', 'user ID', `${U}%2F`, `"${U}%2F"`],
	['a user that smuggles an ids query', 'user ID', `?ids=${U}`, `"?ids=${U}"`],
	['a user with a fragment', 'user ID', `${U}#`, `"${U}#"`],
	['a boolean user', 'user ID', true, 'true'],
	[
		'a user object whose id is a number',
		'user ID',
		[{ id: 4150868000000300005 }],
		'4150868000000300000',
	],
];

describe('hostile and careless input', () => {
	it.each(refused)('refuses %s before any request', async (_, field, value, shown) => {
		const item =
			field === 'territory ID'
				? { territoryId: value, userIds: U }
				: { territoryId: T, userIds: value };

		const { error } = await runZohoNode({
			store,
			parameters,
			items: [{ territoryId: T, userIds: U }, item],
		});

		expect(error?.message).toBe(`Invalid ${field} ${shown} in item 1`);
		expect(error?.description).toBeTruthy();
		expect(sim.requests).toHaveLength(0);
	});

	it('trims an ID with a trailing new line, as pasted from a spreadsheet', async () => {
		const { outputs } = await runZohoNode({
			store,
			parameters,
			items: [{ territoryId: `${T}\n`, userIds: `${U}\n` }],
		});

		expect(jsonOf(outputs[0])).toMatchObject([{ territoryId: T, userId: U, success: true }]);
	});

	it('sends a user named twice in one item once, and outputs it once', async () => {
		const { outputs } = await runZohoNode({
			store,
			parameters,
			items: [{ territoryId: T, userIds: [U, U, `${U} `] }],
		});

		expect(outputs[0]).toHaveLength(1);
		expect(sim.requests[0].query.ids).toBe(U);
	});

	it('takes the ID from a pasted Zoho CRM user URL', async () => {
		const url = `https://crm.zoho.com/crm/org60001234/settings/users/${U}`;

		const { outputs } = await runZohoNode({
			store,
			parameters,
			items: [{ territoryId: T, userIds: url }],
		});

		expect(jsonOf(outputs[0])).toMatchObject([{ userId: U, success: true }]);
	});

	it('packs 10,000 IDs into requests of at most 500 characters and answers each', async () => {
		const userIds = Array.from(
			{ length: 10_000 },
			(_, index) => `4150868${String(index).padStart(12, '0')}`,
		);

		const { outputs } = await runZohoNode({
			store,
			parameters,
			items: [{ territoryId: T, userIds }],
		});

		expect(outputs[0]).toHaveLength(10_000);
		expect(sim.requests).toHaveLength(Math.ceil(10_000 / 25));
		expect(sim.requests.every((request) => request.query.ids.length <= 500)).toBe(true);
		expect(new Set(jsonOf(outputs[0]).map((item) => item.code))).toEqual(new Set(['INVALID_DATA']));
	});
});
