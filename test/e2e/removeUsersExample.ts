/**
 * The example workflow examples/remove-users.workflow.json, wired to a Zoho simulator: what
 * the e2e test and the demo share.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import {
	DEFAULT_CLIENT_ID,
	DEFAULT_CLIENT_SECRET,
	type TokenPair,
	type ZohoSimulator,
} from '../simulator/server';
import {
	REPO_ROOT,
	type CredentialToImport,
	type ItemJson,
	type WorkflowRun,
	type WorkflowToImport,
} from './n8n';

export const EXAMPLE_WORKFLOW_PATH = join(REPO_ROOT, 'examples', 'remove-users.workflow.json');

export const CREDENTIAL_TYPE = 'zohoCrmTerritoriesOAuth2Api';
export const NODE_TYPE = 'n8n-nodes-zoho-crm-territories.zohoCrmTerritories';

export const SIMULATOR_CREDENTIAL = { id: 'zohoSimulator001', name: 'Zoho (simulator)' };

/** Node names in the example workflow. */
export const REMOVE_USERS_NODE = 'Remove Users From Territories';
export const ROUTE_NODE = 'Route By Result';

/**
 * The credential as a person would fill it in for a proxy or test host, already connected:
 * the simulator's default client and a token it issued.
 */
export function simulatorCredential(
	simulator: ZohoSimulator,
	token: TokenPair,
): CredentialToImport {
	return {
		...SIMULATOR_CREDENTIAL,
		type: CREDENTIAL_TYPE,
		data: {
			dataCenter: 'custom',
			customAccountsUrl: simulator.url,
			customApiUrl: simulator.url,
			clientId: DEFAULT_CLIENT_ID,
			clientSecret: DEFAULT_CLIENT_SECRET,
			oauthTokenData: { ...token },
		},
	};
}

/** The example with its credential placeholder pointed at an imported credential. */
export async function loadRemoveUsersExample(
	credential: { id: string; name: string } = SIMULATOR_CREDENTIAL,
): Promise<WorkflowToImport> {
	return await loadExample(EXAMPLE_WORKFLOW_PATH, credential);
}

/** Any workflow of examples/, with every Zoho node pointed at an imported credential. */
export async function loadExample(
	path: string,
	credential: { id: string; name: string } = SIMULATOR_CREDENTIAL,
): Promise<WorkflowToImport> {
	const workflow = JSON.parse(await readFile(path, 'utf8')) as WorkflowToImport;
	const zohoNodes = workflow.nodes.filter((node) => node.type === NODE_TYPE);
	if (zohoNodes.length === 0) throw new Error(`${path} has no ${NODE_TYPE} node`);
	for (const node of zohoNodes) {
		node.credentials = { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } };
	}
	return workflow;
}

/** Names of the Switch node's outputs, in order: each rule's output key, then the fallback. */
export function branchNames(workflow: WorkflowToImport, switchNodeName = ROUTE_NODE): string[] {
	const node = workflow.nodes.find((candidate) => candidate.name === switchNodeName);
	if (!node) throw new Error(`The workflow has no node named "${switchNodeName}"`);
	const parameters = node.parameters as {
		rules?: { values?: Array<{ outputKey?: string }> };
		options?: { fallbackOutput?: string; renameFallbackOutput?: string };
	};
	const names = (parameters.rules?.values ?? []).map(
		(rule, index) => rule.outputKey || String(index),
	);
	if (parameters.options?.fallbackOutput === 'extra') {
		names.push(parameters.options.renameFallbackOutput || 'Fallback');
	}
	return names;
}

export interface UserOutcome {
	territoryId: string;
	userId: string;
	success: boolean;
	code: string;
	message: string;
	/** The Switch output the item went to; undefined when the Switch did not route it. */
	branch?: string;
}

/** The Remove Users node's items, each with the branch the Switch node sent it down. */
export function userOutcomes(run: WorkflowRun, workflow: WorkflowToImport): UserOutcome[] {
	const branchOf = new Map<string, string>();
	const names = branchNames(workflow);
	run.outputsOf(ROUTE_NODE).forEach((items, outputIndex) => {
		for (const item of items) branchOf.set(keyOf(item), names[outputIndex]);
	});

	return run.itemsOf(REMOVE_USERS_NODE).map((item) => ({
		territoryId: String(item.territoryId),
		userId: String(item.userId),
		success: item.success === true,
		code: String(item.code),
		message: String(item.message),
		branch: branchOf.get(keyOf(item)),
	}));
}

function keyOf(item: ItemJson): string {
	return `${String(item.territoryId)}/${String(item.userId)}`;
}

/** A short, one-way mark of a token, for comparing tokens without showing them. */
export function tokenFingerprint(token: unknown): string {
	if (typeof token !== 'string' || token === '') return '(none)';
	return createHash('sha256').update(token).digest('hex').slice(0, 12);
}
