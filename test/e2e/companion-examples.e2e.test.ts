/**
 * The move and clean-up examples in a real n8n, against the Zoho simulator: each chains several
 * operations of the node, so each proves the operations work together as a user wires them.
 */
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { defaultOrg } from '../simulator/fixture';
import { REPO_ROOT, type WorkflowRun } from './n8n';
import { loadExample } from './removeUsersExample';
import { useWorkflowSandbox } from './workflowSandbox';

const TEST_TIMEOUT_MS = 300_000;

const org = defaultOrg();
const US_WEST = org.territories.find((t) => t.name === 'US West')!;
const US_EAST = org.territories.find((t) => t.name === 'US East')!;

const current = useWorkflowSandbox();

async function runExample(file: string): Promise<WorkflowRun> {
	const workflow = await loadExample(join(REPO_ROOT, 'examples', file));
	const { sandbox } = current();
	await sandbox.importWorkflows([workflow]);
	return await sandbox.execute(workflow.id);
}

describe('examples/move-users.workflow.json', () => {
	it(
		'moves every member from one territory to another and routes the one it could not add',
		async () => {
			const { sim } = current();
			const [alreadyThere, ...movable] = US_WEST.members;
			sim.setMembers(US_EAST.id, [...US_EAST.members, alreadyThere]);

			const run = await runExample('move-users.workflow.json');

			expect(run.error).toBeUndefined();
			expect(run.itemsOf('Members To Move').map((user) => user.id)).toEqual(US_WEST.members);
			expect(run.itemsOf('Not Moved')).toMatchObject([
				{ userId: alreadyThere, success: false, code: 'DUPLICATE_DATA' },
			]);
			expect(run.itemsOf('Moved').map((item) => item.userId)).toEqual(movable);
			expect(run.itemsOf('Moved').every((item) => item.territoryId === US_WEST.id)).toBe(true);
			expect(sim.membersOf(US_WEST.id)).toEqual([alreadyThere]);
			expect(sim.membersOf(US_EAST.id)).toEqual([...US_EAST.members, alreadyThere, ...movable]);
			// One add and one remove for the whole territory, not one per member.
			expect(sim.requests.filter((request) => request.method === 'PUT')).toHaveLength(1);
			expect(sim.requests.filter((request) => request.method === 'DELETE')).toHaveLength(1);
		},
		TEST_TIMEOUT_MS,
	);
});

describe('examples/remove-deactivated-users.workflow.json', () => {
	it(
		'removes every deactivated user from every territory and nobody else',
		async () => {
			const { sim } = current();
			const deactivated = new Set(
				org.users.filter((u) => u.status === 'disabled').map((u) => u.id),
			);
			const expected = org.territories.flatMap((t) =>
				t.members
					.filter((id) => deactivated.has(id))
					.map((userId) => ({ territoryId: t.id, userId })),
			);
			expect(expected.length).toBeGreaterThan(1);

			const run = await runExample('remove-deactivated-users.workflow.json');

			expect(run.error).toBeUndefined();
			expect(run.itemsOf('All Territories')).toHaveLength(org.territories.length);
			expect(
				run.itemsOf('Cleaned Up').map(({ territoryId, userId }) => ({ territoryId, userId })),
			).toEqual(expected);
			expect(run.itemsOf('Cleaned Up').every((item) => item.code === 'SUCCESS')).toBe(true);
			expect(run.nodesThatRan).not.toContain('Needs A Look');
			for (const t of org.territories) {
				expect(sim.membersOf(t.id)).toEqual(t.members.filter((id) => !deactivated.has(id)));
			}
		},
		TEST_TIMEOUT_MS,
	);
});
