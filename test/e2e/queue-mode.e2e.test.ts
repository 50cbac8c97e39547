/**
 * The packed node in n8n's queue mode: Redis, one main process that takes the webhooks and two
 * workers that run the executions, all on one SQLite user folder (n8n 2.41.1 only warns that
 * SQLite is not officially supported in scaling mode). examples/remove-users-webhook.workflow.json
 * is published and called many times at once with an expired token.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { generatedOrg } from '../simulator/fixture';
import { DEFAULT_CLIENT_SECRET, ZohoSimulator, type TokenPair } from '../simulator/server';
import { N8nSandbox, REPO_ROOT, type WorkflowToImport } from './n8n';
import {
	RedisServer,
	logEntries,
	queryN8nDatabase,
	startN8nMain,
	startN8nWorker,
	stopAll,
	waitForWebhook,
	type ManagedProcess,
	type N8nMain,
	type N8nWorker,
} from './n8nServer';
import { SIMULATOR_CREDENTIAL, loadExample, simulatorCredential } from './removeUsersExample';
import { useInstalledPackage } from './workflowSandbox';

const TEST_TIMEOUT_MS = 480_000;
/** Hard deadline of every process this file starts; `stop()` normally ends them long before. */
const PROCESS_DEADLINE_S = 540;

const WEBHOOK_EXAMPLE = join(REPO_ROOT, 'examples', 'remove-users-webhook.workflow.json');
const WEBHOOK_PATH = 'zoho-remove-users';
const REQUESTS = 12;
/** Jobs one worker takes at once: fewer than REQUESTS, so one worker alone cannot hold them all. */
const WORKER_CONCURRENCY = 6;
/** Every simulated Zoho call takes this long, so the executions overlap on the workers. */
const ZOHO_LATENCY_MS = 1_500;
const REQUEST_TIMEOUT_MS = 120_000;
const LOG_FOLDER = join(REPO_ROOT, 'test-results', 'queue-mode');

const REMOVED = 'Given User Removed from the mentioned territory Successfully';

/** One territory per request, three members each: each request removes the last two. */
const org = generatedOrg({ territories: REQUESTS, usersPerTerritory: 3 });

interface RemovalRequest {
	territoryId: string;
	userIds: string[];
	/** The body as sent: every other request gives the IDs as one comma-separated string. */
	body: { territoryId: string; userIds: string[] | string };
}

const removalRequests: RemovalRequest[] = org.territories.map((territory, index) => {
	const userIds = territory.members.slice(1);
	return {
		territoryId: territory.id,
		userIds,
		body: { territoryId: territory.id, userIds: index % 2 === 0 ? userIds : userIds.join(', ') },
	};
});

interface TokenData {
	access_token?: string;
	refresh_token?: string;
}

interface WebhookAnswer {
	status: number;
	body: unknown;
}

let sim: ZohoSimulator;
let sandbox: N8nSandbox | undefined;
let token: TokenPair;
let redis: RedisServer | undefined;
let main: N8nMain | undefined;
let workers: N8nWorker[] = [];

beforeAll(() => {
	const redisFound = spawnSync('sh', ['-c', 'command -v redis-server'], { timeout: 10_000 });
	if (redisFound.status !== 0) {
		throw new Error('redis-server is missing: apt-get install -y redis-server');
	}
});

const installed = useInstalledPackage();

beforeEach(async () => {
	sim = await ZohoSimulator.start({ port: 0, org, latencyMs: ZOHO_LATENCY_MS });
	const { installation, packed } = installed();
	sandbox = await N8nSandbox.create(installation, packed);
	token = sim.issueToken();
	await sandbox.importCredentials([simulatorCredential(sim, token)]);
});

afterEach(async () => {
	// Main first, so that no new job is queued, then the workers, then Redis.
	const processes = [main?.process, ...workers.map((worker) => worker.process)];
	await stopAll([main?.process]);
	await Promise.all(workers.map(async (worker) => await stopAll([worker.process])));
	await redis?.stop();
	// The redacted logs stay behind for a look after a failure.
	for (const managed of processes) {
		const file = `${managed?.name.replace(/\W+/g, '-')}.log`;
		await managed?.saveLog(join(LOG_FOLDER, file));
	}
	await sandbox?.dispose();
	await sim?.stop();
	main = undefined;
	workers = [];
	redis = undefined;
	sandbox = undefined;
});

/** The secrets of this run, to keep out of every log text. */
function secrets(): string[] {
	return [token.access_token, token.refresh_token, DEFAULT_CLIENT_SECRET];
}

/** Starts Redis, then the main process and both workers side by side. */
async function startQueueMode(box: N8nSandbox): Promise<void> {
	redis = await RedisServer.start({ timeoutSeconds: PROCESS_DEADLINE_S });
	const queueEnv = {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
	};
	const common = { env: queueEnv, timeoutSeconds: PROCESS_DEADLINE_S, secrets: secrets() };
	const started = await Promise.allSettled([
		startN8nMain(box, common),
		startN8nWorker(box, 'n8n worker 1', { ...common, concurrency: WORKER_CONCURRENCY }),
		startN8nWorker(box, 'n8n worker 2', { ...common, concurrency: WORKER_CONCURRENCY }),
	]);
	const [mainStart, ...workerStarts] = started;
	if (mainStart.status === 'fulfilled') main = mainStart.value as N8nMain;
	for (const start of workerStarts) {
		if (start.status === 'fulfilled') workers.push(start.value as N8nWorker);
	}
	const failure = started.find((start) => start.status === 'rejected');
	if (failure) throw (failure as PromiseRejectedResult).reason;
}

async function postRemoval(url: string, request: RemovalRequest): Promise<WebhookAnswer> {
	const response = await fetch(`${url}/webhook/${WEBHOOK_PATH}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(request.body),
		signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
	});
	const text = await response.text();
	let body: unknown = text;
	try {
		body = JSON.parse(text);
	} catch {
		// Kept as text: the assertion below shows what n8n answered.
	}
	return { status: response.status, body };
}

/** Execution IDs a worker's log says it finished. */
function finishedBy(worker: ManagedProcess): string[] {
	return logEntries(worker)
		.map((entry) => /^Worker finished execution (\S+) /.exec(entry.message ?? '')?.[1])
		.filter((id): id is string => id !== undefined);
}

describe('examples/remove-users-webhook.workflow.json in queue mode', () => {
	it(
		'answers concurrent webhook calls with per-user results, on two workers, with one renewal',
		async () => {
			const box = sandbox!;
			const workflow: WorkflowToImport = await loadExample(WEBHOOK_EXAMPLE);
			await box.importWorkflows([workflow]);
			const publish = await box.n8n(['publish:workflow', `--id=${workflow.id}`]);
			expect(publish.exitCode).toBe(0);
			sim.expireAccessTokens();

			const bootStarted = Date.now();
			await startQueueMode(box);
			const bootMs = Date.now() - bootStarted;
			const webhookWaitMs = await waitForWebhook(main!, WEBHOOK_PATH, 'POST', 60_000);
			const mainLog = logEntries(main!.process).map((entry) => entry.message ?? '');
			expect(mainLog).toContain(
				'Scaling mode is not officially supported with sqlite. Please use PostgreSQL instead.',
			);

			const callsStarted = Date.now();
			const answers = await Promise.all(
				removalRequests.map(async (request) => await postRemoval(main!.url, request)),
			);
			const callsMs = Date.now() - callsStarted;

			// Every caller gets its own users back, one item each, in the order it asked.
			answers.forEach((answer, index) => {
				const request = removalRequests[index];
				expect(answer.status, JSON.stringify(answer.body)).toBe(200);
				expect(answer.body).toEqual(
					request.userIds.map((userId) => ({
						territoryId: request.territoryId,
						userId,
						success: true,
						status: 'success',
						code: 'SUCCESS',
						message: REMOVED,
						details: expect.objectContaining({ id: userId }) as unknown,
					})),
				);
			});

			// Every removal reached the simulator: only each territory's first member is left.
			for (const territory of org.territories) {
				expect(sim.membersOf(territory.id)).toEqual([territory.members[0]]);
			}

			// Both workers ran executions, none ran one twice, and together they ran them all.
			const [first, second] = workers.map((worker) => finishedBy(worker.process));
			expect(first.length).toBeGreaterThan(0);
			expect(second.length).toBeGreaterThan(0);
			expect(first.filter((id) => second.includes(id))).toEqual([]);
			const ranOnWorkers = [...first, ...second].sort();
			expect(ranOnWorkers).toHaveLength(REQUESTS);

			// The main process heard of each from the worker that ran it.
			const reported = logEntries(main!.process).filter((entry) =>
				/^Execution \S+ \(job \S+\) finished$/.test(entry.message ?? ''),
			);
			// (Both workers report the same workerId: n8n derives it from the host name in a
			// container, as its "hostId clash" warning says; so their own logs tell them apart.)
			const reportedIds = reported.map((entry) => String(entry.metadata?.executionId));
			expect(reportedIds.sort()).toEqual(ranOnWorkers);

			// n8n's own records: one successful webhook execution per call, the ones the workers ran.
			const executions = await queryN8nDatabase(
				box,
				'SELECT id, status, mode, finished FROM execution_entity ORDER BY id',
			);
			expect(executions.map((row) => String(row.id)).sort()).toEqual(ranOnWorkers);
			for (const row of executions) {
				expect([row.status, row.mode]).toEqual(['success', 'webhook']);
			}

			// One renewal for all executions on both workers: n8n's Redis lock lets one worker
			// renew and the others read the renewed token from the database.
			expect(sim.stats.refreshGrants).toBe(1);
			const renewal = sim.requests.find((request) => request.path === '/oauth/v2/token')!;
			expect(renewal.status).toBe(200);
			const renewedLabel = renewal.tokenLabel;
			const expiredLabel = sim.labelOf(token.access_token);
			const deletes = sim.requests.filter((request) => request.method === 'DELETE');
			const refused = deletes.filter((request) => request.tokenLabel === expiredLabel);
			const accepted = deletes.filter((request) => request.tokenLabel === renewedLabel);
			expect(refused.length).toBeGreaterThanOrEqual(1);
			expect(refused.length).toBeLessThanOrEqual(REQUESTS);
			expect(refused.every((request) => request.status === 401)).toBe(true);
			expect(accepted).toHaveLength(REQUESTS);
			expect(accepted.every((request) => request.status === 200 || request.status === 207)).toBe(
				true,
			);
			expect(refused.length + accepted.length).toBe(deletes.length);

			const stored = await box.readCredential(SIMULATOR_CREDENTIAL.id);
			const storedToken = (stored.data.oauthTokenData ?? {}) as TokenData;
			expect(sim.labelOf(storedToken.access_token ?? '')).toBe(renewedLabel);
			expect(storedToken.refresh_token === token.refresh_token).toBe(true);

			// No process printed a token or the client secret.
			const everyLine = [main!.process, ...workers.map((worker) => worker.process)].flatMap(
				(managed) => managed.output,
			);
			const leaked = [...secrets(), storedToken.access_token ?? ''].filter(
				(secret) => secret !== '' && everyLine.some((line) => line.includes(secret)),
			);
			expect(leaked.length, 'secrets found in n8n output').toBe(0);

			process.stderr.write(
				`[queue-mode] boot ${(bootMs / 1000).toFixed(1)} s, webhook registered ` +
					`${(webhookWaitMs / 1000).toFixed(1)} s later, ${REQUESTS} calls in ` +
					`${(callsMs / 1000).toFixed(1)} s, worker 1 ran ${first.length}, worker 2 ran ` +
					`${second.length}, ${refused.length} calls refused with the expired token, ` +
					`${sim.stats.refreshGrants} renewal\n`,
			);
		},
		TEST_TIMEOUT_MS,
	);
});
