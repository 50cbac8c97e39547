/**
 * `npm run bench`: this node's Remove Users against n8n's HTTP Request node, in a real n8n
 * against the Zoho simulator with a round-trip latency and Zoho's concurrency limit. Writes
 * bench-results/latest.json and prints markdown tables; progress goes to stderr. The HTTP
 * Request node runs one DELETE per user three ways: without its Batching option, with Batching
 * at the values n8n fills in, and with Batching spaced for Zoho's limit (the interval searched).
 * Its flags are in USAGE below.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

import { markdownTables, summarize, type SpacingTrial, type WorkloadResult } from '../bench/report';
import { runRoute, type RouteResult } from '../bench/run';
import {
	HTTP_REQUEST_TYPE_VERSION,
	N8N_BATCHING_DEFAULTS,
	ROUTE_KEYS,
	type RouteKey,
} from '../bench/workflows';
import { WORKLOAD_KEYS, buildWorkload, type Workload, type WorkloadKey } from '../bench/workloads';
import {
	REPO_ROOT,
	withInstalledPackage,
	type N8nInstallation,
	type PackedPackage,
} from '../test/e2e/n8n';

/** No route starts after this much time; each n8n command has its own timeout as well. */
const TIME_BUDGET_MS = 30 * 60_000;

/**
 * Batch Interval steps for the spaced route, as multiples of the latency, shortest first.
 * n8n sleeps between batches without waiting for the answers, so a step below one round trip
 * can still overlap the batches and meet 429; the shortest step whose run is correct is kept.
 */
const SPACING_STEPS = [0.75, 1, 1.5, 2, 3];
const GIT_TIMEOUT_MS = 10_000;

interface Options {
	latencyMs: number;
	zohoConcurrency: number;
	workloads: WorkloadKey[];
	quick: boolean;
}

const USAGE = `Usage: npm run bench -- [options]

  --latency <ms>           simulator round trip per admitted request, 0 to 10000 (default 100)
  --zoho-concurrency <n>   requests Zoho admits at once, 429 past it, 1 to 25 (default 5);
                           also this node's Concurrency option
  --workload <A|B|C,...>   run only these workloads (default all):
                           A  1 territory x 2,000 users in one item
                           B  20 territories x 100 users over 2,000 items, one user each
                           C  200 territories x 10 users, one item each
  --quick                  100-user versions of the workloads: a smoke run whose times are
                           too short to compare the routes

Writes bench-results/latest.json and prints the tables. A full run takes about 11 minutes.`;

function progress(message: string): void {
	process.stderr.write(`[bench] ${message}\n`);
}

function integerFlag(name: string, text: string | undefined, min: number, max: number): number {
	const value = Number(text);
	if (text === undefined || !/^\d+$/.test(text) || value < min || value > max) {
		throw new Error(`${name} needs a whole number from ${min} to ${max}; got ${String(text)}`);
	}
	return value;
}

function parseOptions(argv: string[]): Options {
	const options: Options = {
		latencyMs: 100,
		zohoConcurrency: 5,
		workloads: [...WORKLOAD_KEYS],
		quick: false,
	};
	for (let index = 0; index < argv.length; index++) {
		const [flag, inline] = argv[index].split(/=(.*)/s, 2);
		const value = () => inline ?? argv[++index];
		switch (flag) {
			case '--latency':
				options.latencyMs = integerFlag(flag, value(), 0, 10_000);
				break;
			case '--zoho-concurrency':
				options.zohoConcurrency = integerFlag(flag, value(), 1, 25);
				break;
			case '--workload': {
				const keys = String(value() ?? '')
					.toUpperCase()
					.split(',')
					.filter((key) => key !== '');
				const unknown = keys.find((key) => !WORKLOAD_KEYS.includes(key as WorkloadKey));
				if (keys.length === 0 || unknown !== undefined) {
					const got = unknown ?? 'nothing';
					throw new Error(`--workload takes A, B or C, or a list such as A,C; got ${got}`);
				}
				options.workloads = WORKLOAD_KEYS.filter((key) => keys.includes(key));
				break;
			}
			case '--quick':
				options.quick = true;
				break;
			case '--help':
			case '-h':
				process.stdout.write(`${USAGE}\n`);
				process.exit(0);
				break;
			default:
				throw new Error(`Unknown argument ${argv[index]}\n${USAGE}`);
		}
	}
	return options;
}

function git(args: string[]): string | null {
	const result = spawnSync('git', args, {
		cwd: REPO_ROOT,
		encoding: 'utf8',
		timeout: GIT_TIMEOUT_MS,
	});
	return result.status === 0 ? result.stdout.trim() : null;
}

function plural(count: number, noun: string): string {
	return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function describeRoute(result: RouteResult): string {
	return (
		`${result.label}: ${plural(result.apiRequests, 'request')}, run ${result.executionMs ?? '?'} ms, ` +
		`process ${result.processMs ?? '?'} ms, ${result.correct ? 'correct' : 'NOT correct'}`
	);
}

/**
 * The spaced route, from `firstStep` up: Items per Batch is Zoho's concurrency, the interval
 * grows until a run is correct. Returns the kept run, every trial, and the step it was found
 * at, which the next workload starts from.
 */
async function runSpaced(
	installation: N8nInstallation,
	packed: PackedPackage,
	workload: Workload,
	options: Options,
	firstStep: number,
	started: number,
): Promise<{ result: RouteResult; trials: SpacingTrial[]; step: number }> {
	const trials: SpacingTrial[] = [];
	let result: RouteResult | undefined;
	let step = firstStep;
	for (; step < SPACING_STEPS.length; step++) {
		const batching = {
			batchSize: options.zohoConcurrency,
			batchIntervalMs: Math.max(1, Math.round(SPACING_STEPS[step] * options.latencyMs)),
		};
		progress(
			`running ${workload.key}/httpPerUserSpaced, ${batching.batchSize} items per ${batching.batchIntervalMs} ms`,
		);
		result = await runRoute(installation, packed, workload, 'httpPerUserSpaced', {
			...options,
			batching,
		});
		progress(describeRoute(result));
		trials.push({
			...batching,
			correct: result.correct,
			executionMs: result.executionMs,
			byStatus: result.byStatus,
		});
		if (result.correct || Date.now() - started > TIME_BUDGET_MS) break;
	}
	if (!result) throw new Error('No spacing step was tried');
	return { result, trials, step: Math.min(step, SPACING_STEPS.length - 1) };
}

/** Every workload's routes, one after the other, until the time budget is spent. */
async function runWorkloads(
	installation: N8nInstallation,
	packed: PackedPackage,
	options: Options,
	started: number,
): Promise<WorkloadResult[]> {
	const results: WorkloadResult[] = [];
	let spacingStep = 0;
	for (const key of options.workloads) {
		const workload = buildWorkload(key, options.quick);
		progress(
			`workload ${key}: ${workload.title}; minimum ${plural(workload.minRequests, 'request')}`,
		);
		const routes: RouteResult[] = [];
		const skipped: RouteKey[] = [];
		let spacingTrials: SpacingTrial[] = [];
		for (const route of ROUTE_KEYS) {
			if (Date.now() - started > TIME_BUDGET_MS) {
				progress(`skipping ${key}/${route}: the time budget is spent`);
				skipped.push(route);
			} else if (route === 'httpPerUserSpaced') {
				const spaced = await runSpaced(
					installation,
					packed,
					workload,
					options,
					spacingStep,
					started,
				);
				spacingStep = spaced.step;
				spacingTrials = spaced.trials;
				routes.push(spaced.result);
			} else {
				progress(`running ${key}/${route}`);
				const result = await runRoute(installation, packed, workload, route, options);
				progress(describeRoute(result));
				routes.push(result);
			}
		}
		results.push(
			summarize(
				workload,
				routes,
				skipped,
				spacingTrials,
				options.latencyMs,
				options.zohoConcurrency,
			),
		);
	}
	return results;
}

async function main(): Promise<void> {
	const options = parseOptions(process.argv.slice(2));
	const started = Date.now();
	const { installation, packed, results } = await withInstalledPackage(
		async (installation, packed) => ({
			installation,
			packed,
			results: await runWorkloads(installation, packed, options, started),
		}),
	);

	const report = {
		generatedAt: new Date().toISOString(),
		settings: {
			latencyMs: options.latencyMs,
			zohoConcurrency: options.zohoConcurrency,
			nodeConcurrencyOption: options.zohoConcurrency,
			httpBatchingDefaults: N8N_BATCHING_DEFAULTS,
			spacingSteps: SPACING_STEPS,
			quick: options.quick,
			workloads: options.workloads,
		},
		environment: {
			n8nVersion: installation.n8nVersion,
			n8nNodeMajor: installation.nodeMajor,
			httpRequestTypeVersion: HTTP_REQUEST_TYPE_VERSION,
			package: `${packed.name}@${packed.version}`,
			gitCommit: git(['rev-parse', 'HEAD']),
			uncommittedChanges: (git(['status', '--porcelain', 'nodes', 'credentials']) ?? '') !== '',
			cpus: cpus().length,
			loadAverageAtEnd: loadavg(),
		},
		method: {
			requests: 'API requests in the simulator log (paths under /crm/), token requests apart',
			executionMs: "n8n's startedAt to stoppedAt of the execution, from its printed run data",
			nodeMs: "the measured node's executionTime in n8n's run data",
			processMs: 'the whole `n8n execute` process, spawn to exit',
			peakMemory:
				'VmHWM of the n8n process from /proc/<pid>/status, polled every 50 ms; the last ' +
				'reading before exit (the task runner that runs the Code node is a separate process ' +
				'and is not counted)',
			idealMs: 'ceil(min requests / Zoho concurrency) × latency',
			spaced:
				'HTTP Request Batching with Items per Batch = Zoho concurrency; Batch Interval from ' +
				'spacingSteps × latency, shortest first, until a run is correct; each workload ' +
				'starts from the step the previous one kept',
			fresh: 'a new simulator and a new n8n user folder for every route',
		},
		workloads: results,
		totalMs: Date.now() - started,
	};
	const folder = join(REPO_ROOT, 'bench-results');
	await mkdir(folder, { recursive: true });
	const file = join(folder, 'latest.json');
	await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);

	console.log(
		`n8n ${installation.n8nVersion}, simulator latency ${options.latencyMs} ms, Zoho ` +
			`concurrency ${options.zohoConcurrency}${options.quick ? ', quick workloads' : ''}\n`,
	);
	console.log(markdownTables(results, options.zohoConcurrency));
	progress(`wrote ${file} in ${((Date.now() - started) / 1000).toFixed(0)} s`);

	const nodeWrong = results.some((result) =>
		result.routes.some((route) => route.route === 'node' && !route.correct),
	);
	process.exitCode = nodeWrong ? 1 : 0;
}

main().catch((error: unknown) => {
	process.stderr.write(`[bench] ${error instanceof Error ? error.message : String(error)}\n`);
	process.exitCode = 1;
});
