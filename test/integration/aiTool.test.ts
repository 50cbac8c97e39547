import {
	NodeHelpers,
	type IDataObject,
	traverseNodeParameters,
	type FromAIArgument,
	type INode,
	type INodeParameters,
} from 'n8n-workflow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ZohoCrmTerritories } from '../../nodes/ZohoCrmTerritories/ZohoCrmTerritories.node';
import { defaultOrg } from '../simulator/fixture';
import { ZohoSimulator } from '../simulator/server';
import {
	NODE_TYPE,
	jsonOf,
	runZohoNode,
	simulatorCredential,
	type CredentialStore,
} from './harness';

const org = defaultOrg();
const US_WEST = org.territories.find((t) => t.name === 'US West')!;
const outsider = org.users.find(
	(u) => !US_WEST.members.includes(u.id) && u.status === 'active',
)!.id;

const fromAI = (key: string, description: string, type = 'string') =>
	`={{ $fromAI('${key}', '${description}', '${type}') }}`;
const territoryFromAI = {
	__rl: true,
	mode: 'id',
	value: fromAI('territoryId', 'The 18-19 digit ID of the Zoho CRM territory'),
};
const usersFromAI = fromAI('userIds', 'Zoho user IDs, separated by commas');

/** Each operation as an AI Agent would configure it, and the arguments its tool call sends. */
const toolCalls: Array<{
	name: string;
	parameters: INodeParameters;
	args: IDataObject;
}> = [
	{
		name: 'Add Users',
		parameters: {
			resource: 'territory',
			operation: 'addUsers',
			territoryId: territoryFromAI,
			userSelection: 'ids',
			userIds: usersFromAI,
		},
		args: { territoryId: US_WEST.id, userIds: outsider },
	},
	{
		name: 'Get',
		parameters: { resource: 'territory', operation: 'get', territoryId: territoryFromAI },
		args: { territoryId: US_WEST.id },
	},
	{
		name: 'Get Many',
		parameters: {
			resource: 'territory',
			operation: 'getMany',
			returnAll: false,
			limit: fromAI('limit', 'How many territories to list', 'number'),
			filters: { name: fromAI('name', 'Text the territory name contains') },
		},
		args: { limit: 10, name: 'west' },
	},
	{
		name: 'Get Users',
		parameters: {
			resource: 'territory',
			operation: 'getUsers',
			territoryId: territoryFromAI,
			returnAll: true,
		},
		args: { territoryId: US_WEST.id },
	},
	{
		name: 'Remove Users',
		parameters: {
			resource: 'territory',
			operation: 'removeUsers',
			territoryId: territoryFromAI,
			userSelection: 'ids',
			userIds: usersFromAI,
		},
		args: { territoryId: US_WEST.id, userIds: US_WEST.members[1] },
	},
	{
		name: 'User Get Many',
		parameters: {
			resource: 'user',
			operation: 'getMany',
			type: fromAI('type', 'Zoho user type such as ActiveUsers or DeactiveUsers'),
			returnAll: true,
		},
		args: { type: 'DeactiveUsers' },
	},
];

let sim: ZohoSimulator;
let store: CredentialStore;

beforeEach(async () => {
	sim = await ZohoSimulator.start();
	store = simulatorCredential(sim);
});
afterEach(async () => await sim.stop());

describe('as a tool of the AI Agent', () => {
	const nodeType = new ZohoCrmTerritories();

	it('is usable as a tool and every operation has an action a model can read', () => {
		expect(nodeType.description.usableAsTool).toBe(true);
		const operations = nodeType.description.properties.filter((p) => p.name === 'operation');
		for (const property of operations) {
			for (const option of property.options as Array<{ action?: string; description?: string }>) {
				expect(option.action).toMatch(/^[A-Z][a-z]+ .+/);
				expect(option.description?.length).toBeGreaterThan(10);
			}
		}
	});

	it.each(toolCalls)('describes the $fromAI arguments of $name', ({ parameters }) => {
		const node: INode = {
			id: 't',
			name: 'Zoho CRM Territories',
			type: NODE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters,
		};
		const collected: FromAIArgument[] = [];
		traverseNodeParameters(parameters, collected);

		expect(collected.length).toBeGreaterThan(0);
		for (const argument of collected) expect(argument.description?.length).toBeGreaterThan(10);
		expect(NodeHelpers.getToolDescriptionForNode(node, nodeType)).toMatch(/territor|user/i);
	});

	it.each(toolCalls)(
		'runs $name with the arguments of a tool call',
		async ({ parameters, args, name }) => {
			const { outputs, error } = await runZohoNode({ store, parameters, items: [args] });

			expect(error).toBeUndefined();
			const results = jsonOf(outputs[0]);
			expect(results.length).toBeGreaterThan(0);
			if (name === 'Add Users' || name === 'Remove Users') {
				expect(results).toMatchObject([
					{ territoryId: US_WEST.id, userId: args.userIds, success: true },
				]);
			}
			if (name === 'Get Many') expect(results.map((t) => t.name)).toEqual(['US West']);
			if (name === 'User Get Many')
				expect(results.every((u) => u.status === 'disabled')).toBe(true);
		},
	);
});
