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

export interface InstalledPackage {
	installation: N8nInstallation;
	packed: PackedPackage;
}

/**
 * For a test file that runs the packed node in a real n8n: n8n installed (cached) and the
 * package packed once per file, the tarball removed at the end. Returns them for the tests.
 */
export function useInstalledPackage(): () => InstalledPackage {
	let installed: InstalledPackage | undefined;

	beforeAll(async () => {
		const installation = await installN8n();
		installed = { installation, packed: await packNodePackage({ build: true }) };
	}, SETUP_TIMEOUT_MS);
	afterAll(async () => {
		if (installed) await removePackedPackage(installed.packed);
	});

	return () => {
		if (!installed) throw new Error('n8n and the package are ready only inside the tests');
		return installed;
	};
}

/**
 * Sets up a test file that runs workflows in a real n8n: n8n and the package as
 * useInstalledPackage does; a fresh simulator, n8n user folder and connected credential per
 * test. Returns the current test's sandbox.
 */
export function useWorkflowSandbox(): () => WorkflowSandbox {
	const installed = useInstalledPackage();
	let current: WorkflowSandbox | undefined;

	beforeEach(async () => {
		const sim = await ZohoSimulator.start({ port: 0 });
		const { installation, packed } = installed();
		const sandbox = await N8nSandbox.create(installation, packed);
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
