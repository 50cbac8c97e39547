/**
 * Long-running processes for the e2e tests: Redis, `n8n start` and `n8n worker` on a sandbox's
 * user folder. Each runs under coreutils `timeout` in its own process group, so a deadline ends
 * it with every child it started (n8n's task runner included), and `stop()` ends the group.
 * Anything still running when the test process exits is killed by the exit hook below.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { sandboxEnvironment, type N8nSandbox } from './n8n';

/** After the deadline, `timeout` waits this long before it sends SIGKILL. */
const KILL_GRACE_S = 10;
/** How long `stop()` waits after SIGTERM before it kills the whole group. */
const STOP_GRACE_MS = 20_000;
const LOG_TAIL_LINES = 25;

const running = new Set<ManagedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.once('exit', () => {
		for (const child of running) child.killGroup('SIGKILL');
	});
}

export function freePort(): Promise<number> {
	return new Promise((resolvePort, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolvePort(port));
		});
	});
}

/** Tokens the simulator mints are 64 hex digits; no log text leaves this module with one. */
export function redact(text: string, secrets: string[] = []): string {
	let redacted = text.replace(/\b[0-9a-f]{64}\b/g, '[token]');
	for (const secret of secrets) {
		if (secret) redacted = redacted.split(secret).join('[secret]');
	}
	return redacted;
}

export interface ManagedProcessOptions {
	/** For messages: 'redis', 'n8n main', 'n8n worker 1'... */
	name: string;
	command: string;
	args: string[];
	env: NodeJS.ProcessEnv;
	cwd?: string;
	/** The hard deadline: `timeout` ends the process group then, whatever the test does. */
	timeoutSeconds: number;
	/** Strings to blank out of any log text handed back. */
	secrets?: string[];
}

export interface ExitStatus {
	code: number | null;
	signal: NodeJS.Signals | null;
}

/** One child process group, its output kept line by line in memory. */
export class ManagedProcess {
	private readonly lines: string[] = [];

	private readonly listeners = new Set<() => void>();

	private exitStatus: ExitStatus | undefined;

	readonly exited: Promise<ExitStatus>;

	private constructor(
		readonly name: string,
		private readonly child: ChildProcess,
		private readonly secrets: string[],
	) {
		this.exited = new Promise((resolveExit) => {
			const ended = (status: ExitStatus) => {
				if (this.exitStatus) return;
				this.exitStatus = status;
				running.delete(this);
				this.notify();
				resolveExit(status);
			};
			child.once('close', (code, signal) => ended({ code, signal }));
			// A process that could not be started may never emit 'close'.
			child.once('error', (error) => {
				this.lines.push(`could not run ${name}: ${error.message}`);
				if (child.pid === undefined) ended({ code: null, signal: null });
			});
		});
		for (const stream of [child.stdout, child.stderr]) {
			let partial = '';
			stream?.setEncoding('utf8');
			stream?.on('data', (chunk: string) => {
				const parts = (partial + chunk).split('\n');
				partial = parts.pop() ?? '';
				this.lines.push(...parts.filter((line) => line.trim() !== ''));
				this.notify();
			});
			stream?.on('end', () => {
				if (partial.trim() !== '') this.lines.push(partial);
				partial = '';
				this.notify();
			});
		}
	}

	static start(options: ManagedProcessOptions): ManagedProcess {
		installExitHook();
		const child = spawn(
			'timeout',
			[
				`--kill-after=${KILL_GRACE_S}`,
				String(options.timeoutSeconds),
				options.command,
				...options.args,
			],
			{
				cwd: options.cwd,
				env: options.env,
				// Its own process group, led by `timeout`: one signal reaches every descendant.
				detached: true,
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		const managed = new ManagedProcess(options.name, child, options.secrets ?? []);
		running.add(managed);
		return managed;
	}

	get isRunning(): boolean {
		return this.exitStatus === undefined;
	}

	/** Every line printed so far, stdout and stderr interleaved as they arrived. */
	get output(): string[] {
		return [...this.lines];
	}

	private notify(): void {
		for (const listener of [...this.listeners]) listener();
	}

	/**
	 * Resolves with the first line, printed already or to come, that `matches`; rejects when the
	 * process exits first or `timeoutMs` passes.
	 */
	async waitForLine(
		matches: (line: string) => boolean,
		timeoutMs: number,
		what: string,
	): Promise<string> {
		let checked = 0;
		return await new Promise((resolveLine, reject) => {
			const finish = (error: Error | undefined, line?: string) => {
				clearTimeout(timer);
				this.listeners.delete(check);
				if (error) reject(error);
				else resolveLine(line ?? '');
			};
			const check = () => {
				for (; checked < this.lines.length; checked++) {
					if (matches(this.lines[checked])) {
						finish(undefined, this.lines[checked]);
						return;
					}
				}
				if (this.exitStatus) {
					const { code, signal } = this.exitStatus;
					finish(
						new Error(
							`${this.name} exited (code ${code}, signal ${signal}) before ${what}:\n${this.tail()}`,
						),
					);
				}
			};
			const timer = setTimeout(() => {
				finish(new Error(`${this.name}: no ${what} within ${timeoutMs} ms:\n${this.tail()}`));
			}, timeoutMs);
			this.listeners.add(check);
			check();
		});
	}

	/** The last lines of output, redacted, for an error message. */
	tail(lines = LOG_TAIL_LINES): string {
		return redact(this.lines.slice(-lines).join('\n'), this.secrets).slice(-6000);
	}

	/** Writes the whole output, redacted, to `path` (for reading after a failed run). */
	async saveLog(path: string): Promise<void> {
		await mkdir(dirname(path), { recursive: true });
		await writeFile(path, `${redact(this.lines.join('\n'), this.secrets)}\n`);
	}

	/** Sends `signal` to the whole group; a group already gone is no error. */
	killGroup(signal: NodeJS.Signals): void {
		if (this.child.pid === undefined || !this.isRunning) return;
		try {
			process.kill(-this.child.pid, signal);
		} catch {
			// The group ended between the check and the signal.
		}
	}

	/** SIGTERM to the group, then SIGKILL to it if it has not ended within `graceMs`. */
	async stop(graceMs = STOP_GRACE_MS): Promise<ExitStatus> {
		if (!this.isRunning) return this.exitStatus!;
		this.killGroup('SIGTERM');
		let timer: NodeJS.Timeout | undefined;
		const late = new Promise<'late'>((resolveLate) => {
			timer = setTimeout(() => resolveLate('late'), graceMs);
		});
		const outcome = await Promise.race([this.exited, late]);
		clearTimeout(timer);
		if (outcome === 'late') {
			this.killGroup('SIGKILL');
			return await this.exited;
		}
		return outcome;
	}
}

/** Stops every process given, in order, each even when an earlier stop fails. */
export async function stopAll(processes: Array<ManagedProcess | undefined>): Promise<void> {
	for (const managed of processes) {
		try {
			await managed?.stop();
		} catch {
			// Keep stopping the others; the exit hook is the last resort.
		}
	}
}

/** A throwaway Redis on 127.0.0.1: no persistence, its working folder deleted on stop. */
export class RedisServer {
	private constructor(
		readonly port: number,
		readonly process: ManagedProcess,
		private readonly folder: string,
	) {}

	static async start(options: { timeoutSeconds: number }): Promise<RedisServer> {
		const port = await freePort();
		const folder = await mkdtemp(join(tmpdir(), 'zoho-territories-redis-'));
		const managed = ManagedProcess.start({
			name: 'redis-server',
			command: 'redis-server',
			args: [
				'--port',
				String(port),
				'--bind',
				'127.0.0.1',
				'--protected-mode',
				'yes',
				'--save',
				'',
				'--appendonly',
				'no',
				'--dir',
				folder,
				'--daemonize',
				'no',
			],
			env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: folder },
			cwd: folder,
			timeoutSeconds: options.timeoutSeconds,
		});
		const redis = new RedisServer(port, managed, folder);
		try {
			await managed.waitForLine(
				(line) => line.includes('Ready to accept connections'),
				20_000,
				'"Ready to accept connections"',
			);
		} catch (error) {
			await redis.stop();
			throw error;
		}
		return redis;
	}

	async stop(): Promise<void> {
		await this.process.stop(10_000);
		await rm(this.folder, { recursive: true, force: true });
	}
}

/** One line of n8n's JSON log (N8N_LOG_FORMAT=json). */
export interface N8nLogEntry {
	level?: string;
	message?: string;
	metadata?: Record<string, unknown>;
	[key: string]: unknown;
}

export function parseLogLine(line: string): N8nLogEntry | undefined {
	if (!line.startsWith('{')) return undefined;
	try {
		return JSON.parse(line) as N8nLogEntry;
	} catch {
		return undefined;
	}
}

export function logEntries(managed: ManagedProcess): N8nLogEntry[] {
	return managed.output.map(parseLogLine).filter((entry) => entry !== undefined);
}

/** An n8n message may be printed with leading new lines ('\nEditor is now accessible via:'). */
function logMessage(line: string): string {
	return (parseLogLine(line)?.message ?? line).trim();
}

/**
 * On top of the sandbox's offline settings: what `n8n start` and `n8n worker` would otherwise
 * fetch from n8n's servers (the MCP server registry, vetted community packages, banners, the
 * "what's new" feed) or renew (the license).
 */
const SERVER_OFFLINE_ENV: Record<string, string> = {
	N8N_DISABLED_MODULES: 'mcp-registry',
	N8N_VERIFIED_PACKAGES_ENABLED: 'false',
	N8N_DYNAMIC_BANNERS_ENABLED: 'false',
	N8N_HIRING_BANNER_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
	N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
	N8N_AI_ENABLED: 'false',
};

export interface N8nProcessOptions {
	/** Extra environment on top of the sandbox's own (queue settings, ports...). */
	env?: Record<string, string>;
	timeoutSeconds: number;
	/** Strings to keep out of any log text: secrets the sandbox imported. */
	secrets?: string[];
}

export interface N8nMain {
	process: ManagedProcess;
	port: number;
	url: string;
}

function n8nProcess(
	sandbox: N8nSandbox,
	name: string,
	args: string[],
	env: NodeJS.ProcessEnv,
	options: N8nProcessOptions,
): ManagedProcess {
	const { nodeBinary, n8nEntry } = sandbox.installation;
	return ManagedProcess.start({
		name,
		command: nodeBinary,
		args: [n8nEntry, ...args],
		env: { ...env, ...SERVER_OFFLINE_ENV, ...options.env },
		cwd: sandbox.userFolder,
		timeoutSeconds: options.timeoutSeconds,
		secrets: options.secrets,
	});
}

/**
 * `n8n start` on the sandbox's folder, on a free port of 127.0.0.1. Resolves once the log
 * says the editor is accessible: webhooks answer only from then on.
 */
export async function startN8nMain(
	sandbox: N8nSandbox,
	options: N8nProcessOptions & { readyTimeoutMs?: number },
): Promise<N8nMain> {
	const port = await freePort();
	const env = {
		...sandboxEnvironment(sandbox, await freePort()),
		N8N_PORT: String(port),
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}`,
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
	};
	const managed = n8nProcess(sandbox, 'n8n main', ['start'], env, options);
	try {
		await managed.waitForLine(
			(line) => logMessage(line).startsWith('Editor is now accessible via'),
			options.readyTimeoutMs ?? 120_000,
			'"Editor is now accessible via" in its log',
		);
	} catch (error) {
		await managed.stop();
		throw error;
	}
	return { process: managed, port, url: `http://127.0.0.1:${port}` };
}

export interface N8nWorker {
	process: ManagedProcess;
	healthPort: number;
}

/** `n8n worker` on the sandbox's folder, with its own broker and health ports. */
export async function startN8nWorker(
	sandbox: N8nSandbox,
	name: string,
	options: N8nProcessOptions & { concurrency: number; readyTimeoutMs?: number },
): Promise<N8nWorker> {
	const healthPort = await freePort();
	const env = {
		...sandboxEnvironment(sandbox, await freePort()),
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: String(healthPort),
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
	};
	const managed = n8nProcess(
		sandbox,
		name,
		['worker', `--concurrency=${options.concurrency}`],
		env,
		options,
	);
	try {
		await managed.waitForLine(
			(line) => logMessage(line).startsWith('n8n worker is now ready'),
			options.readyTimeoutMs ?? 120_000,
			'"n8n worker is now ready" in its log',
		);
		await waitForHttpOk(`http://127.0.0.1:${healthPort}/healthz/readiness`, 30_000);
	} catch (error) {
		await managed.stop();
		throw error;
	}
	return { process: managed, healthPort };
}

/**
 * Waits until n8n has registered the production webhook `path` for `method`. n8n 2.41 publishes
 * workflows through an outbox after start-up, so a webhook may be missing for some seconds
 * after the editor is accessible. A CORS preflight asks without running the workflow.
 */
export async function waitForWebhook(
	main: N8nMain,
	path: string,
	method: string,
	timeoutMs: number,
): Promise<number> {
	const started = Date.now();
	let last = 'no answer';
	while (Date.now() - started < timeoutMs) {
		try {
			const response = await fetch(`${main.url}/webhook/${path}`, {
				method: 'OPTIONS',
				headers: { origin: main.url, 'access-control-request-method': method },
				signal: AbortSignal.timeout(2_000),
			});
			await response.arrayBuffer();
			const allowed = (response.headers.get('access-control-allow-methods') ?? '').split(/,\s*/);
			if (response.status === 204 && allowed.includes(method)) return Date.now() - started;
			last = `HTTP ${response.status}, allowed: ${allowed.join(', ') || 'none'}`;
		} catch (error) {
			last = error instanceof Error ? error.message : String(error);
		}
		if (!main.process.isRunning) break;
		await new Promise((resolveWait) => setTimeout(resolveWait, 250));
	}
	throw new Error(
		`The webhook ${method} ${path} was not registered within ${timeoutMs} ms (last: ${last}):\n` +
			main.process.tail(),
	);
}

/** Polls `url` until it answers 2xx; every request is bounded by its own timeout. */
export async function waitForHttpOk(url: string, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = 'no answer';
	while (Date.now() < deadline) {
		try {
			const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
			await response.arrayBuffer();
			if (response.ok) return;
			last = `HTTP ${response.status}`;
		} catch (error) {
			last = error instanceof Error ? error.message : String(error);
		}
		await new Promise((resolveWait) => setTimeout(resolveWait, 250));
	}
	throw new Error(`${url} did not answer 2xx within ${timeoutMs} ms (last: ${last})`);
}

/**
 * Runs one read-only SQL query on the sandbox's SQLite database with n8n's own sqlite3 module,
 * under n8n's Node (the module is built for it), and returns the rows.
 */
export async function queryN8nDatabase(
	sandbox: N8nSandbox,
	sql: string,
	timeoutSeconds = 30,
): Promise<Array<Record<string, unknown>>> {
	const { nodeBinary, folder } = sandbox.installation;
	const database = join(sandbox.userFolder, '.n8n', 'database.sqlite');
	const script = [
		`const sqlite3 = require(${JSON.stringify(join(folder, 'node_modules', 'sqlite3'))});`,
		'const [database, sql] = process.argv.slice(1);',
		'const db = new sqlite3.Database(database, sqlite3.OPEN_READONLY, (openError) => {',
		'  if (openError) { console.error(openError.message); process.exit(2); }',
		'  db.configure("busyTimeout", 10000);',
		'  db.all(sql, (error, rows) => {',
		'    if (error) { console.error(error.message); process.exit(3); }',
		'    process.stdout.write(JSON.stringify(rows));',
		'    db.close();',
		'  });',
		'});',
	].join('\n');
	const managed = ManagedProcess.start({
		name: 'sqlite query',
		command: nodeBinary,
		args: ['-e', script, database, sql],
		env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: sandbox.userFolder },
		cwd: sandbox.userFolder,
		timeoutSeconds,
	});
	const { code } = await managed.exited;
	if (code !== 0) throw new Error(`The query failed (exit ${code}): ${managed.tail()}`);
	return JSON.parse(managed.output.join('')) as Array<Record<string, unknown>>;
}
