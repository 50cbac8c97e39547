/**
 * `npm run demo`: runs examples/remove-users.workflow.json in a real n8n against the Zoho
 * simulator and prints what happened to each user. Progress goes to stderr, results to stdout.
 */
import { defaultOrg } from '../test/simulator/fixture';
import { ZohoSimulator } from '../test/simulator/server';
import {
	N8nSandbox,
	withInstalledPackage,
	type N8nInstallation,
	type PackedPackage,
} from '../test/e2e/n8n';
import {
	loadRemoveUsersExample,
	simulatorCredential,
	userOutcomes,
	type UserOutcome,
} from '../test/e2e/removeUsersExample';

const org = defaultOrg();
const userNames = new Map(org.users.map((user) => [user.id, user.full_name]));
const territoryNames = new Map(org.territories.map((territory) => [territory.id, territory.name]));

function progress(message: string): void {
	process.stderr.write(`[demo] ${message}\n`);
}

function outcomeCells(outcome: UserOutcome): string[] {
	const user = userNames.get(outcome.userId) ?? 'no such user';
	const territory = territoryNames.get(outcome.territoryId) ?? 'unknown territory';
	return [
		outcome.success ? 'removed' : 'error',
		`territory ${outcome.territoryId} (${territory})`,
		`user ${outcome.userId} (${user})`,
		outcome.code,
		outcome.message,
		`→ ${outcome.branch ?? 'not routed'}`,
	];
}

/** Rows of cells as lines, each column as wide as its widest cell. */
function alignColumns(rows: string[][]): string[] {
	const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column].length)));
	return rows.map((row) =>
		row
			.map((cell, column) => cell.padEnd(widths?.[column] ?? 0))
			.join('  ')
			.trimEnd(),
	);
}

async function runDemo(installation: N8nInstallation, packed: PackedPackage): Promise<boolean> {
	const simulator = await ZohoSimulator.start({ port: 0 });
	let sandbox: N8nSandbox | undefined;
	try {
		sandbox = await N8nSandbox.create(installation, packed);
		progress(`Zoho simulator listening on ${simulator.url}`);
		progress('importing the credential and the example workflow');
		await sandbox.importCredentials([simulatorCredential(simulator, simulator.issueToken())]);
		const workflow = await loadRemoveUsersExample();
		await sandbox.importWorkflows([workflow]);

		progress(`executing "${workflow.name}"`);
		const run = await sandbox.execute(workflow.id);
		console.log(
			`n8n ${installation.n8nVersion} ran "${workflow.name}": ${run.status} in ` +
				`${(run.durationMs / 1000).toFixed(1)} s`,
		);
		if (run.error) {
			console.log(`failed at "${run.error.nodeName ?? '?'}": ${run.error.message}`);
			if (run.error.description) console.log(run.error.description);
			return false;
		}

		const rows = userOutcomes(run, workflow).map(outcomeCells);
		for (const line of alignColumns(rows)) console.log(line);
		const { apiRequests, refreshGrants } = simulator.stats;
		console.log(`Zoho simulator: ${apiRequests} API requests, ${refreshGrants} token renewals`);
		return true;
	} finally {
		await sandbox?.dispose();
		await simulator.stop();
	}
}

async function main(): Promise<void> {
	const started = Date.now();
	const succeeded = await withInstalledPackage(runDemo);
	progress(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	process.exitCode = succeeded ? 0 : 1;
}

main().catch((error: unknown) => {
	process.stderr.write(`[demo] ${error instanceof Error ? error.message : String(error)}\n`);
	process.exitCode = 1;
});
