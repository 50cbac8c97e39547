/**
 * Where n8n versions differ in what a user of the node sees, run on each supported version
 * (`npm run test:e2e` on 2.41.1, `npm run test:e2e:2.8` on 2.8.4).
 */
import { describe, expect, it } from 'vitest';

import { defaultOrg } from '../simulator/fixture';
import type { WorkflowToImport } from './n8n';
import { CREDENTIAL_TYPE, NODE_TYPE, SIMULATOR_CREDENTIAL } from './removeUsersExample';
import { useWorkflowSandbox } from './workflowSandbox';

const TEST_TIMEOUT_MS = 300_000;

const org = defaultOrg();
const byName = (name: string) => org.territories.find((t) => t.name === name)!;
const [NORTH_AMERICA, US_WEST, EMEA] = ['North America', 'US West', 'EMEA'].map(byName);

const current = useWorkflowSandbox();

const n8nVersion = process.env.N8N_VERSION || '2.41.1';
const coalescesRenewals = !n8nVersion.startsWith('2.8.');

function zohoNode(name: string, x: number, parameters: Record<string, unknown>) {
	return {
		id: `node-${name.replace(/\W/g, '')}`,
		name,
		type: NODE_TYPE,
		typeVersion: 1,
		position: [x, 0],
		parameters,
		credentials: { [CREDENTIAL_TYPE]: SIMULATOR_CREDENTIAL },
	};
}

function workflowOf(id: string, zohoNodes: ReturnType<typeof zohoNode>[]): WorkflowToImport {
	const start = {
		id: 'start',
		name: 'Start',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const nodes = [start, ...zohoNodes];
	const connections = Object.fromEntries(
		nodes
			.slice(0, -1)
			.map((node, index) => [
				node.name,
				{ main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]] },
			]),
	);
	return {
		id,
		name: id,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes,
		connections,
	} as unknown as WorkflowToImport;
}

describe(`n8n ${n8nVersion}`, () => {
	it(
		'gets one territory by ID (Territory → Get)',
		async () => {
			const { sandbox } = current();
			const workflow = workflowOf('zohoGetTerritory', [
				zohoNode('Get Territory', 220, {
					resource: 'territory',
					operation: 'get',
					territoryId: { __rl: true, mode: 'id', value: US_WEST.id },
				}),
			]);
			await sandbox.importWorkflows([workflow]);

			const run = await sandbox.execute(workflow.id);

			expect(run.error).toBeUndefined();
			expect(run.itemsOf('Get Territory')).toMatchObject([{ id: US_WEST.id, name: 'US West' }]);
		},
		TEST_TIMEOUT_MS,
	);

	it(
		`renews a token that expires mid-run ${coalescesRenewals ? 'once' : 'once per request in flight'}, and loses no result`,
		async () => {
			const { sim, sandbox } = current();
			sim.setOption('latencyMs', 400);
			// The token expires as the second request arrives, with the third in flight beside it.
			sim.fault({
				kind: 'expire-token',
				match: { method: 'DELETE', path: `/crm/v7/settings/territories/${US_WEST.id}/users` },
			});
			const asks = [NORTH_AMERICA, US_WEST, EMEA].map((t) => ({
				territoryId: t.id,
				userId: t.members[1],
			}));
			const workflow = workflowOf('zohoMidRunExpiry', [
				zohoNode('Remove Users', 220, {
					resource: 'territory',
					operation: 'removeUsers',
					territoryId: { __rl: true, mode: 'id', value: '={{ $json.territoryId }}' },
					userSelection: 'ids',
					userIds: '={{ $json.userId }}',
					options: { concurrency: 2 },
				}),
			]);
			workflow.nodes.splice(1, 0, {
				id: 'asks',
				name: 'Asks',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [110, 0],
				parameters: { jsCode: `return ${JSON.stringify(asks.map((json) => ({ json })))};` },
			} as never);
			workflow.connections = {
				Start: { main: [[{ node: 'Asks', type: 'main', index: 0 }]] },
				Asks: { main: [[{ node: 'Remove Users', type: 'main', index: 0 }]] },
			} as never;
			await sandbox.importWorkflows([workflow]);

			const run = await sandbox.execute(workflow.id);

			expect(run.error).toBeUndefined();
			expect(
				run.itemsOf('Remove Users').map(({ userId, success }) => ({ userId, success })),
			).toEqual(asks.map(({ userId }) => ({ userId, success: true })));
			const unauthorized = sim.requests.filter((request) => request.status === 401);
			expect(unauthorized).toHaveLength(2);
			if (coalescesRenewals) expect(sim.stats.refreshGrants).toBe(1);
			else expect(sim.stats.refreshGrants).toBe(unauthorized.length);
		},
		TEST_TIMEOUT_MS,
	);
});
