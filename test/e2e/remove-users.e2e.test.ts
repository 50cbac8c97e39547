/**
 * The packed node in a real n8n (installed once, cached), run headless from the CLI against
 * the Zoho simulator with examples/remove-users.workflow.json.
 */
import { describe, expect, it } from 'vitest';

import { defaultOrg } from '../simulator/fixture';
import { DEFAULT_CLIENT_SECRET } from '../simulator/server';
import type { WorkflowRun, WorkflowToImport } from './n8n';
import {
	REMOVE_USERS_NODE,
	SIMULATOR_CREDENTIAL,
	loadRemoveUsersExample,
	tokenFingerprint,
	userOutcomes,
} from './removeUsersExample';
import { useWorkflowSandbox } from './workflowSandbox';

const TEST_TIMEOUT_MS = 300_000;

const org = defaultOrg();
const territoryNamed = (name: string) => org.territories.find((entry) => entry.name === name)!;
const userNamed = (fullName: string) => org.users.find((user) => user.full_name === fullName)!.id;
const NORTH_AMERICA = territoryNamed('North America');
const US_WEST = territoryNamed('US West');
const US_EAST = territoryNamed('US East');
const EMEA = territoryNamed('EMEA');
const UNKNOWN_USER = '4150868000000225999';

const REMOVED = 'Given User Removed from the mentioned territory Successfully';
const NOT_A_MEMBER = 'Given user is not a member of this territory.';
const INVALID_USER = 'the given user id given seems to be invalid';

/** What the workflow should report for one user, and the Switch branch it should take. */
const removed = (territoryId: string, userId: string) => ({
	territoryId,
	userId,
	success: true,
	code: 'SUCCESS',
	message: REMOVED,
	branch: 'removed',
});
const notAMember = (territoryId: string, userId: string) => ({
	territoryId,
	userId,
	success: false,
	code: 'INVALID_DATA',
	message: NOT_A_MEMBER,
	branch: 'not a member',
});
const unknownUser = (territoryId: string, userId: string) => ({
	territoryId,
	userId,
	success: false,
	code: 'INVALID_DATA',
	message: INVALID_USER,
	branch: 'other error',
});

interface TokenData {
	access_token?: string;
	refresh_token?: string;
}

const current = useWorkflowSandbox();

async function runWorkflow(workflow: WorkflowToImport): Promise<WorkflowRun> {
	const { sandbox } = current();
	await sandbox.importWorkflows([workflow]);
	return await sandbox.execute(workflow.id);
}

async function storedTokenData(): Promise<TokenData> {
	const stored = await current().sandbox.readCredential(SIMULATOR_CREDENTIAL.id);
	return (stored.data.oauthTokenData ?? {}) as TokenData;
}

function membersWithout(territory: { members: string[] }, removed: string[]): string[] {
	return territory.members.filter((id) => !removed.includes(id));
}

describe('examples/remove-users.workflow.json in a real n8n', () => {
	it(
		'renews the expired token once, removes the members and routes every per-user result',
		async () => {
			const { sim, token } = current();
			const workflow = await loadRemoveUsersExample();
			sim.expireAccessTokens();

			const run = await runWorkflow(workflow);

			expect(run.error).toBeUndefined();
			expect(run.status).toBe('success');
			expect(run.exitCode).toBe(0);

			const farah = userNamed('Farah Siddiqui');
			const zofia = userNamed('Zofia Wójcik');
			const oscar = userNamed('Oscar Dubois');
			const hana = userNamed('Hana Sato');
			const sven = userNamed('Sven Olsen');
			expect(userOutcomes(run, workflow)).toEqual([
				removed(NORTH_AMERICA.id, farah),
				removed(NORTH_AMERICA.id, zofia),
				removed(US_WEST.id, oscar),
				notAMember(US_WEST.id, hana),
				removed(EMEA.id, sven),
				unknownUser(EMEA.id, UNKNOWN_USER),
			]);
			for (const item of run.itemsOf(REMOVE_USERS_NODE)) {
				expect(item.status).toBe(item.success ? 'success' : 'error');
				expect(item.details).toMatchObject({ id: item.userId });
			}
			expect(run.itemsOf('Removed')).toHaveLength(4);
			expect(run.itemsOf('Not A Member')).toHaveLength(1);
			expect(run.itemsOf('Other Error')).toHaveLength(1);

			expect(sim.membersOf(NORTH_AMERICA.id)).toEqual(
				membersWithout(NORTH_AMERICA, [farah, zofia]),
			);
			expect(sim.membersOf(US_WEST.id)).toEqual(membersWithout(US_WEST, [oscar]));
			expect(sim.membersOf(EMEA.id)).toEqual(membersWithout(EMEA, [sven]));

			// One renewal for the whole run, whatever the concurrency; every later call used it.
			expect(sim.stats.refreshGrants).toBe(1);
			const renewal = sim.requests.find((request) => request.path === '/oauth/v2/token')!;
			expect(renewal.status).toBe(200);
			const renewedLabel = renewal.tokenLabel;
			expect(renewedLabel).toBeDefined();
			const expiredLabel = sim.labelOf(token.access_token);
			for (const request of sim.requests.filter((entry) => entry.seq < renewal.seq)) {
				expect([request.method, request.tokenLabel, request.status]).toEqual([
					'DELETE',
					expiredLabel,
					401,
				]);
			}
			const afterRenewal = sim.requests.filter((entry) => entry.seq > renewal.seq);
			expect(afterRenewal).toHaveLength(3);
			for (const request of afterRenewal) {
				expect([request.method, request.tokenLabel]).toEqual(['DELETE', renewedLabel]);
				expect([200, 207]).toContain(request.status);
			}

			// Tokens are compared by the simulator's label and by fingerprint, never shown.
			// Zoho's refresh answer has no refresh token: n8n must keep the one it had.
			const stored = await storedTokenData();
			expect(sim.labelOf(stored.access_token ?? '')).toBe(renewedLabel);
			expect(tokenFingerprint(stored.access_token)).not.toBe(tokenFingerprint(token.access_token));
			expect(tokenFingerprint(stored.refresh_token)).toBe(tokenFingerprint(token.refresh_token));

			// Nothing n8n printed during the run, log or run data, holds a token or the secret.
			const secrets = [
				token.access_token,
				token.refresh_token,
				stored.access_token,
				DEFAULT_CLIENT_SECRET,
			];
			const printedSecrets = secrets.filter((secret) => !!secret && run.printed.includes(secret));
			expect(printedSecrets.map(tokenFingerprint)).toEqual([]);
		},
		TEST_TIMEOUT_MS,
	);

	it(
		'fails with a reconnect message, and no refresh loop, when Zoho refuses to renew the token',
		async () => {
			const { sim } = current();
			const workflow = await loadRemoveUsersExample();
			sim.expireAccessTokens();
			sim.refuseRefresh('invalid_code');

			const run = await runWorkflow(workflow);

			expect(run.status).toBe('error');
			expect(run.exitCode).toBe(1);
			expect(run.error?.nodeName).toBe(REMOVE_USERS_NODE);
			expect(`${run.error?.message} ${run.error?.description ?? ''}`).toMatch(/reconnect/i);
			expect(run.nodeError(REMOVE_USERS_NODE)).toBe(run.error?.message);

			const { refreshGrants } = sim.stats;
			expect(refreshGrants).toBeGreaterThanOrEqual(1);
			expect(refreshGrants).toBeLessThanOrEqual(2);
			for (const territory of [NORTH_AMERICA, US_WEST, EMEA]) {
				expect(sim.membersOf(territory.id)).toEqual(territory.members);
			}
		},
		TEST_TIMEOUT_MS,
	);

	it(
		'outputs per-user failures, not an error, when Zoho answers 400 for every user asked',
		async () => {
			const { sim } = current();
			const workflow = await loadRemoveUsersExample();
			const farah = userNamed('Farah Siddiqui');
			const source = workflow.nodes.find((node) => node.name === 'Users To Remove')!;
			// Farah is in North America and US West, not in US East: Zoho fails the whole call.
			source.parameters = {
				jsCode: `return [{ json: { territoryId: '${US_EAST.id}', userIds: ['${farah}', '${UNKNOWN_USER}'] } }];`,
			};

			const run = await runWorkflow(workflow);

			expect(run.error).toBeUndefined();
			expect(userOutcomes(run, workflow)).toEqual([
				notAMember(US_EAST.id, farah),
				unknownUser(US_EAST.id, UNKNOWN_USER),
			]);
			// A per-user answer is final: nothing is retried.
			expect(sim.requests.map((request) => [request.method, request.status])).toEqual([
				['DELETE', 400],
			]);
			expect(sim.membersOf(US_EAST.id)).toEqual(US_EAST.members);
		},
		TEST_TIMEOUT_MS,
	);
});
