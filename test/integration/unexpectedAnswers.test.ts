import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { defaultOrg } from '../simulator/fixture';
import { ZohoSimulator, type FaultRule } from '../simulator/server';
import {
	jsonOf,
	removeUsersParameters,
	runZohoNode,
	simulatorCredential,
	type CredentialStore,
} from './harness';

const NORTH_AMERICA = defaultOrg().territories.find((t) => t.name === 'North America')!;
const [A, B] = NORTH_AMERICA.members.slice(1, 3);
const STRANGER = '4150868000009999995';

let sim: ZohoSimulator;
let store: CredentialStore;

beforeEach(async () => {
	sim = await ZohoSimulator.start();
	store = simulatorCredential(sim);
});
afterEach(async () => await sim.stop());

const parameters = removeUsersParameters(NORTH_AMERICA.id, `${A}, ${B}`, { maxRetries: 0 });

const entry = (id: string, code = 'SUCCESS', status = 'success') => ({
	code,
	details: { id },
	message:
		code === 'SUCCESS' ? 'Given User Removed from the mentioned territory Successfully' : 'odd',
	status,
});

describe('answers Zoho is not expected to give', () => {
	it.each<[string, FaultRule]>([
		['an HTML page', { kind: 'html' }],
		['an empty body with 200', { kind: 'empty-200' }],
		['a truncated JSON body', { kind: 'truncated' }],
		['JSON without a users array', { kind: 'status', status: 200, body: { data: [] } }],
	])('stops with a clear error, not a success, on %s', async (_, fault) => {
		sim.fault(fault);

		const { error, outputs } = await runZohoNode({ store, parameters });

		expect(outputs).toEqual([]);
		expect(error?.message).toMatch(
			/^Zoho CRM: Zoho answered HTTP \d+ with .+ \[UNEXPECTED_RESPONSE\]$/,
		);
		expect(error?.description).toMatch(/Nothing in it was taken as a success/);
	});

	it('gives NO_RESULT to an asked user that the answer leaves out', async () => {
		sim.fault({ kind: 'status', status: 200, body: { users: [entry(A)] } });

		const { outputs } = await runZohoNode({ store, parameters });

		expect(jsonOf(outputs[0]).map((item) => [item.userId, item.success, item.code])).toEqual([
			[A, true, 'SUCCESS'],
			[B, false, 'NO_RESULT'],
		]);
	});

	it('ignores an entry for a user that was not asked', async () => {
		sim.fault({
			kind: 'status',
			status: 200,
			body: { users: [entry(STRANGER), entry(B), entry(A)] },
		});

		const { outputs } = await runZohoNode({ store, parameters });

		expect(jsonOf(outputs[0]).map((item) => [item.userId, item.success])).toEqual([
			[A, true],
			[B, true],
		]);
	});

	it('matches entries without an ID by position only when the count leaves no doubt', async () => {
		const anonymous = { code: 'SUCCESS', details: {}, message: 'ok', status: 'success' };
		sim.fault({ kind: 'status', status: 200, body: { users: [anonymous, anonymous, anonymous] } });

		const { outputs } = await runZohoNode({ store, parameters });

		expect(jsonOf(outputs[0]).map((item) => item.code)).toEqual(['NO_RESULT', 'NO_RESULT']);
	});

	it('keeps an unknown code as a failure with that code', async () => {
		sim.fault({
			kind: 'status',
			status: 207,
			body: { users: [entry(A, 'SOMETHING_NEW', 'error'), entry(B)] },
		});

		const { outputs } = await runZohoNode({ store, parameters });

		expect(jsonOf(outputs[0]).map((item) => [item.userId, item.success, item.code])).toEqual([
			[A, false, 'SOMETHING_NEW'],
			[B, true, 'SUCCESS'],
		]);
	});

	it('does not take a SUCCESS code with an error status as a success', async () => {
		sim.fault({
			kind: 'status',
			status: 200,
			body: { users: [entry(A, 'SUCCESS', 'error'), entry(B)] },
		});

		const { outputs } = await runZohoNode({ store, parameters });

		expect(outputs[0][0].json.success).toBe(false);
	});
});
