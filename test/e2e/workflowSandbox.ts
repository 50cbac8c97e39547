import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

import { ZohoSimulator, type TokenPair } from '../simulator/server';
import {
	N8nSandbox,
	installN8n,
	packNodePackage,
	removePackedPackage,
	type N8nInstallation,
	type PackedPackage,
} from './n8n';
import { simulatorCredential } from './removeUsersExample';

const SETUP_TIMEOUT_MS = 1_200_000;

export interface WorkflowSandbox {
	sim: ZohoSimulator;
	sandbox: N8nSandbox;
	/** The token the credential was imported with. */
	token: TokenPair;
}

/**
 * Sets up a test file that runs workflows in a real n8n: n8n installed (cached) and the package
 * packed once per file; a fresh simulator, n8n user folder and connected credential per test.
 * Returns the current test's sandbox.
 */
export function useWorkflowSandbox(): () => WorkflowSandbox {
	let installation: N8nInstallation;
	let packed: PackedPackage | undefined;
	let current: WorkflowSandbox | undefined;

	beforeAll(async () => {
		installation = await installN8n();
		packed = await packNodePackage({ build: true });
	}, SETUP_TIMEOUT_MS);
	afterAll(async () => {
		if (packed) await removePackedPackage(packed);
	});
	beforeEach(async () => {
		const sim = await ZohoSimulator.start({ port: 0 });
		const sandbox = await N8nSandbox.create(installation, packed!);
		const token = sim.issueToken();
		current = { sim, sandbox, token };
		await sandbox.importCredentials([simulatorCredential(sim, token)]);
	});
	afterEach(async () => {
		await current?.sandbox.dispose();
		await current?.sim.stop();
		current = undefined;
	});

	return () => {
		if (!current) throw new Error('The workflow sandbox exists only inside a test');
		return current;
	};
}
