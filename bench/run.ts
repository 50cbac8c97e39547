/**
 * Runs one route of one workload: a fresh simulator and a fresh n8n user folder, one headless
 * `n8n execute`, then the simulator's log and final state are read and checked.
 */
import { loadavg } from 'node:os';

import {
	N8nSandbox,
	executeToFiles,
	type N8nInstallation,
	type PackedPackage,
	type WorkflowRun,
} from '../test/e2e/n8n';
import { simulatorCredential } from '../test/e2e/removeUsersExample';
import { ZohoSimulator } from '../test/simulator/server';
import { PeakMemorySampler, runTimes, type NodeTiming } from './measure';
import {
	MEASURED_NODE,
	N8N_BATCHING_DEFAULTS,
	ROUTE_LABELS,
	buildWorkflow,
	type HttpBatching,
	type RouteKey,
} from './workflows';
import { expectedMembers, type Workload } from './workloads';

export interface BenchSettings {
	latencyMs: number;
	zohoConcurrency: number;
	/** The HTTP Request node's Batching option, for the spaced route only. */
	batching?: HttpBatching;
}

export interface RouteCheck {
	/** Asked (territory, user) pairs that are no longer members. */
	askedRemoved: number;
	askedTotal: number;
	/** Members nobody asked about who are gone. */
	wronglyRemoved: number;
	/** Output items of the measured node, and how many say success (this node only). */
	outputItems: number | null;
	outputSuccesses: number | null;
	problems: string[];
}

export interface RequestTiming {
	/** From the measured node's start to the first API request's arrival. */
	beforeFirstRequestMs: number;
	/** From the first request's arrival to the last answer. */
	spanMs: number;
	/** From the last answer to the measured node's end. */
	afterLastAnswerMs: number;
	/** Time-weighted mean of API requests in flight at the simulator during the span. */
	meanInFlight: number;
	/**
	 * With at most C requests in flight, request k + C can only arrive after answer k: the mean
	 * of those waits is how long a freed slot stays empty, the client's own cost per request.
	 * Only for this node, whose limiter holds C slots.
	 */
	meanRefillMs: number | null;
}

export interface RouteResult {
	route: RouteKey;
	label: string;
	/** The HTTP Request node's Batching option as set, if it was. */
	batching: HttpBatching | null;
	/** n8n's status of the execution: 'success' or 'error'. */
	status: string;
	exitCode: number | null;
	/** The error n8n stopped with, shortened. */
	error: string | null;
	apiRequests: number;
	/** API requests by the status the simulator answered. */
	byStatus: Record<string, number>;
	tokenRequests: number;
	/** Most API requests in flight at the simulator at once, rejected ones included. */
	maxInFlight: number;
	/** n8n's startedAt to stoppedAt. */
	executionMs: number | null;
	/** The measured node's own executionTime as n8n recorded it. */
	nodeMs: number | null;
	/** Every node's executionTime, by node name. */
	nodeTimings: Record<string, number>;
	/** When the requests went out, relative to the measured node's own run. */
	requestTiming: RequestTiming | null;
	/** The whole `n8n execute` process, start to exit. */
	processMs: number | null;
	/** VmHWM of the n8n process, polled every 50 ms; the last value before it exited. */
	peakMemoryKb: number | null;
	memorySamples: number;
	correct: boolean;
	check: RouteCheck;
	/** One-minute load average of the machine before and after the run. */
	load: [number, number];
}

const ERROR_TEXT_LIMIT = 300;

/** For workflow IDs, which n8n wants alphanumeric. */
const ROUTE_CODES: Record<RouteKey, string> = {
	node: 'N',
	httpPerUser: 'U',
	httpPerUserBatchingDefaults: 'D',
	httpPerUserSpaced: 'S',
	httpPerItem: 'I',
};

/** Nothing token-like from n8n's output goes into the results. */
function shorten(text: string): string {
	return text
		.replace(/\b[0-9a-f]{32,}\b/gi, '[redacted]')
		.replace(/\b(Zoho-oauthtoken|Bearer)\s+\S+/gi, '$1 [redacted]')
		.replace(/\s+/g, ' ')
		.slice(0, ERROR_TEXT_LIMIT);
}

function countBy<T>(values: T[], key: (value: T) => string): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const value of values) counts[key(value)] = (counts[key(value)] ?? 0) + 1;
	return counts;
}

function meanRefill(
	api: Array<{ startedAt: number; endedAt?: number }>,
	slots: number,
): number | null {
	const starts = api.map((entry) => entry.startedAt).sort((a, b) => a - b);
	const ends = api.map((entry) => entry.endedAt ?? entry.startedAt).sort((a, b) => a - b);
	const waits = starts.slice(slots).map((start, index) => start - ends[index]);
	return waits.length === 0 ? null : waits.reduce((sum, wait) => sum + wait, 0) / waits.length;
}

function requestTiming(
	api: Array<{ startedAt: number; endedAt?: number }>,
	node: NodeTiming | undefined,
	slots: number | null,
): RequestTiming | null {
	if (api.length === 0 || !node) return null;
	const first = Math.min(...api.map((entry) => entry.startedAt));
	const last = Math.max(...api.map((entry) => entry.endedAt ?? entry.startedAt));
	const busy = api.reduce(
		(sum, entry) => sum + ((entry.endedAt ?? entry.startedAt) - entry.startedAt),
		0,
	);
	const spanMs = last - first;
	return {
		beforeFirstRequestMs: first - node.startTime,
		spanMs,
		afterLastAnswerMs: node.startTime + node.executionTime - last,
		meanInFlight: spanMs > 0 ? busy / spanMs : 0,
		meanRefillMs: slots === null ? null : meanRefill(api, slots),
	};
}

function checkState(workload: Workload, simulator: ZohoSimulator, check: RouteCheck): void {
	const expected = expectedMembers(workload);
	for (const territory of workload.org.territories) {
		const now = new Set(simulator.membersOf(territory.id));
		const asked = workload.asked.get(territory.id) ?? new Set<string>();
		for (const userId of asked) {
			if (!now.has(userId)) check.askedRemoved++;
		}
		const kept = expected.get(territory.id) ?? [];
		const lost = kept.filter((userId) => !now.has(userId)).length;
		check.wronglyRemoved += lost;
		const original = new Set(territory.members);
		const added = [...now].filter((userId) => !original.has(userId)).length;
		if (added > 0) check.problems.push(`${added} users added to territory ${territory.id}`);
	}
	if (check.askedRemoved < check.askedTotal) {
		check.problems.push(
			`${check.askedTotal - check.askedRemoved} of ${check.askedTotal} asked users still members`,
		);
	}
	if (check.wronglyRemoved > 0) {
		check.problems.push(`${check.wronglyRemoved} members nobody asked about were removed`);
	}
}

/** This node must output one item per asked user and item, each a success. */
function checkNodeOutput(workload: Workload, run: WorkflowRun, check: RouteCheck): void {
	let items;
	try {
		items = run.itemsOf(MEASURED_NODE);
	} catch {
		check.problems.push('the node produced no output');
		return;
	}
	const wanted = new Map<string, number>();
	for (const item of workload.items) {
		for (const userId of new Set(item.userIds)) {
			const key = `${item.territoryId}/${userId}`;
			wanted.set(key, (wanted.get(key) ?? 0) + 1);
		}
	}
	const wantedCount = [...wanted.values()].reduce((sum, count) => sum + count, 0);
	check.outputItems = items.length;
	check.outputSuccesses = items.filter((item) => item.success === true).length;
	if (items.length !== wantedCount) {
		check.problems.push(`${items.length} output items, ${wantedCount} expected`);
	}
	if (check.outputSuccesses !== items.length) {
		const codes = countBy(
			items.filter((item) => item.success !== true),
			(item) => String(item.code),
		);
		check.problems.push(`output items not successful: ${JSON.stringify(codes)}`);
	}
	for (const item of items) {
		const key = `${String(item.territoryId)}/${String(item.userId)}`;
		const left = wanted.get(key) ?? 0;
		if (left === 0) {
			check.problems.push(`unexpected output item ${key}`);
			break;
		}
		wanted.set(key, left - 1);
	}
}

function batchingOf(route: RouteKey, settings: BenchSettings): HttpBatching | null {
	if (route === 'httpPerUserBatchingDefaults') return N8N_BATCHING_DEFAULTS;
	if (route === 'httpPerUserSpaced') return settings.batching ?? null;
	return null;
}

export async function runRoute(
	installation: N8nInstallation,
	packed: PackedPackage,
	workload: Workload,
	route: RouteKey,
	settings: BenchSettings,
): Promise<RouteResult> {
	const simulator = await ZohoSimulator.start({
		port: 0,
		org: workload.org,
		latencyMs: settings.latencyMs,
		maxConcurrent: settings.zohoConcurrency,
	});
	let sandbox: N8nSandbox | undefined;
	try {
		sandbox = await N8nSandbox.create(installation, packed);
		await sandbox.importCredentials([simulatorCredential(simulator, simulator.issueToken())]);
		const workflow = buildWorkflow(
			`benchmark${workload.key}${ROUTE_CODES[route]}`.padEnd(16, '0'),
			route,
			workload.items,
			simulator.url,
			{ zohoConcurrency: settings.zohoConcurrency, batching: settings.batching },
		);
		await sandbox.importWorkflows([workflow]);
		simulator.clearLog();

		const loadBefore = loadavg()[0];
		const sampler = new PeakMemorySampler();
		let run: WorkflowRun | undefined;
		let failure: string | null = null;
		try {
			// Not sandbox.execute: a pipe loses the end of a failed run's large run data.
			run = await executeToFiles(sandbox, workflow.id, {
				onSpawn: (pid) => sampler.attach(pid),
			});
		} catch (error) {
			failure = error instanceof Error ? error.message : String(error);
		}
		const memory = await sampler.stop();
		const loadAfter = loadavg()[0];

		const api = simulator.requests.filter((entry) => entry.path.startsWith('/crm/'));
		const times = run ? runTimes(run.printed) : { executionMs: null, nodes: {} };
		const check: RouteCheck = {
			askedRemoved: 0,
			askedTotal: workload.askedUserCount,
			wronglyRemoved: 0,
			outputItems: null,
			outputSuccesses: null,
			problems: [],
		};
		checkState(workload, simulator, check);
		if (route === 'node' && run) checkNodeOutput(workload, run, check);
		const status = run?.status ?? 'no run data';
		if (status !== 'success') check.problems.unshift(`execution ${status}`);

		const runError = run?.error;
		const errorText = runError
			? `${runError.message}${runError.description ? ` (${runError.description})` : ''}`
			: failure;
		return {
			route,
			label: ROUTE_LABELS[route],
			batching: batchingOf(route, settings),
			status,
			exitCode: run?.exitCode ?? null,
			error: errorText ? shorten(errorText) : null,
			apiRequests: api.length,
			byStatus: countBy(api, (entry) => String(entry.status)),
			tokenRequests: simulator.stats.tokenRequests,
			maxInFlight: simulator.stats.maxInFlight,
			executionMs: times.executionMs,
			nodeMs: times.nodes[MEASURED_NODE]?.executionTime ?? null,
			nodeTimings: Object.fromEntries(
				Object.entries(times.nodes).map(([name, timing]) => [name, timing.executionTime]),
			),
			requestTiming: requestTiming(
				api,
				times.nodes[MEASURED_NODE],
				route === 'node' ? settings.zohoConcurrency : null,
			),
			processMs: run?.durationMs ?? null,
			peakMemoryKb: memory.peakKb,
			memorySamples: memory.samples,
			correct: check.problems.length === 0,
			check,
			load: [loadBefore, loadAfter],
		};
	} finally {
		await sandbox?.dispose();
		await simulator.stop();
	}
}
