/** The benchmark's results: the JSON written to bench-results/ and the markdown tables printed. */
import type { RouteResult } from './run';
import type { HttpBatching, RouteKey } from './workflows';
import type { Workload, WorkloadKey } from './workloads';

export interface Ratios {
	requests: number | null;
	executionMs: number | null;
	/** The measured node's own time against this node's. */
	nodeMs: number | null;
	processMs: number | null;
	peakMemory: number | null;
}

/** One Batch Interval tried for the spaced route. */
export interface SpacingTrial extends HttpBatching {
	correct: boolean;
	executionMs: number | null;
	byStatus: Record<string, number>;
}

export interface WorkloadResult {
	key: WorkloadKey;
	title: string;
	inputItems: number;
	territories: number;
	askedUsers: number;
	/** Per territory, the fewest 500-character `ids` strings its asked IDs pack into, summed. */
	minRequests: number;
	/** ceil(minRequests / Zoho concurrency) waves of one round trip each. */
	idealMs: number;
	nodeMatchesMinimum: boolean | null;
	routes: Array<RouteResult & { vsNode: Ratios }>;
	/** This node's request span against idealMs: 1.5 at most is the goal. */
	spanVsIdeal: number | null;
	/** Every Batch Interval tried for the spaced route; the last is the one in `routes`. */
	spacingTrials: SpacingTrial[];
	/** Routes not run because the time budget ran out. */
	skipped: RouteKey[];
}

function ratio(value: number | null, base: number | null): number | null {
	if (value === null || base === null || base === 0) return null;
	return value / base;
}

export function summarize(
	workload: Workload,
	routes: RouteResult[],
	skipped: RouteKey[],
	spacingTrials: SpacingTrial[],
	latencyMs: number,
	zohoConcurrency: number,
): WorkloadResult {
	const node = routes.find((route) => route.route === 'node');
	const idealMs = Math.ceil(workload.minRequests / zohoConcurrency) * latencyMs;
	return {
		key: workload.key,
		title: workload.title,
		inputItems: workload.items.length,
		territories: workload.asked.size,
		askedUsers: workload.askedUserCount,
		minRequests: workload.minRequests,
		idealMs,
		nodeMatchesMinimum: node ? node.apiRequests === workload.minRequests : null,
		routes: routes.map((route) => ({
			...route,
			vsNode: {
				requests: ratio(route.apiRequests, node?.apiRequests ?? null),
				executionMs: ratio(route.executionMs, node?.executionMs ?? null),
				nodeMs: ratio(route.nodeMs, node?.nodeMs ?? null),
				processMs: ratio(route.processMs, node?.processMs ?? null),
				peakMemory: ratio(route.peakMemoryKb, node?.peakMemoryKb ?? null),
			},
		})),
		spanVsIdeal: ratio(node?.requestTiming?.spanMs ?? null, idealMs),
		spacingTrials,
		skipped,
	};
}

const seconds = (ms: number | null): string => (ms === null ? '–' : (ms / 1000).toFixed(2));
const megabytes = (kb: number | null): string => (kb === null ? '–' : (kb / 1024).toFixed(0));
const times = (value: number | null): string => {
	if (value === null) return '–';
	return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
};

function statusCounts(byStatus: Record<string, number>): string {
	if (Object.keys(byStatus).length === 0) return 'none logged';
	return Object.entries(byStatus)
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([status, count]) => `${count}×${status}`)
		.join(', ');
}

function correctness(route: RouteResult): string {
	if (route.correct) {
		const output =
			route.check.outputItems === null ? '' : `, ${route.check.outputSuccesses} success items`;
		return `yes (${route.check.askedRemoved}/${route.check.askedTotal} removed${output})`;
	}
	const parts = [
		`${route.check.askedRemoved}/${route.check.askedTotal} removed`,
		route.check.wronglyRemoved > 0 ? `${route.check.wronglyRemoved} wrongly removed` : '',
		route.status !== 'success' ? `run ${route.status}` : '',
		route.check.outputItems === null
			? ''
			: `${route.check.outputSuccesses}/${route.check.outputItems} success items`,
	];
	return `**no** (${parts.filter((part) => part !== '').join(', ')})`;
}

function routeLabel(route: RouteResult): string {
	if (!route.batching) return route.label;
	return `${route.label} (${route.batching.batchSize} items / ${route.batching.batchIntervalMs} ms)`;
}

/** The correct HTTP Request run with the shortest n8n run time, if any was correct. */
function fastestCorrectHttp(result: WorkloadResult): (typeof result.routes)[number] | undefined {
	return result.routes
		.filter((route) => route.route !== 'node' && route.correct && route.executionMs !== null)
		.sort((a, b) => (a.executionMs ?? 0) - (b.executionMs ?? 0))[0];
}

function row(cells: string[]): string {
	return `| ${cells.join(' | ')} |`;
}

export function markdownTables(results: WorkloadResult[], zohoConcurrency: number): string {
	const lines: string[] = [];
	lines.push(
		row([
			'workload',
			'input items',
			'users asked',
			'min requests',
			`ideal time (s, ${zohoConcurrency} at once)`,
			'this node = min',
		]),
		row(['---', '---:', '---:', '---:', '---:', '---']),
	);
	for (const result of results) {
		const node = result.routes.find((route) => route.route === 'node');
		const matches =
			result.nodeMatchesMinimum === null
				? '–'
				: result.nodeMatchesMinimum
					? `yes (${node?.apiRequests})`
					: `**no** (${node?.apiRequests})`;
		lines.push(
			row([
				`${result.key}: ${result.title}`,
				String(result.inputItems),
				String(result.askedUsers),
				String(result.minRequests),
				seconds(result.idealMs),
				matches,
			]),
		);
	}

	lines.push(
		'',
		row([
			'workload',
			'route',
			'requests (by status)',
			'n8n run (s)',
			'node (s)',
			'process (s)',
			'peak RSS (MB)',
			'correct',
			'× requests',
			'× run time',
			'× node time',
			'× memory',
		]),
		row([
			'---',
			'---',
			'---',
			'---:',
			'---:',
			'---:',
			'---:',
			'---',
			'---:',
			'---:',
			'---:',
			'---:',
		]),
	);
	for (const result of results) {
		for (const route of result.routes) {
			lines.push(
				row([
					result.key,
					routeLabel(route),
					`${route.apiRequests} (${statusCounts(route.byStatus)})`,
					seconds(route.executionMs),
					seconds(route.nodeMs),
					seconds(route.processMs),
					megabytes(route.peakMemoryKb),
					correctness(route),
					times(route.vsNode.requests),
					times(route.vsNode.executionMs),
					times(route.vsNode.nodeMs),
					times(route.vsNode.peakMemory),
				]),
			);
		}
		for (const skipped of result.skipped) {
			lines.push(row([result.key, skipped, 'not run: time budget spent', ...Array(9).fill('')]));
		}
	}
	lines.push(
		'',
		"The × columns are the route's figure divided by this node's; they compare like with " +
			'like only for a route that is correct.',
	);

	const failures = results.flatMap((result) =>
		result.routes
			.filter((route) => route.error !== null)
			.map((route) => `- ${result.key}, ${routeLabel(route)}: n8n stopped with "${route.error}"`),
	);
	if (failures.length > 0) lines.push('', ...failures);

	const trials = results
		.filter((result) => result.spacingTrials.length > 0)
		.map((result) => {
			const tried = result.spacingTrials.map(
				(trial) =>
					`${trial.batchSize} items / ${trial.batchIntervalMs} ms ` +
					(trial.correct ? 'correct' : `not correct (${statusCounts(trial.byStatus)})`),
			);
			return `- ${result.key}, Batching spaced for Zoho, tried: ${tried.join('; ')}`;
		});
	if (trials.length > 0) lines.push('', ...trials);

	const speedUps = results.map((result) => {
		const best = fastestCorrectHttp(result);
		if (!best) return `- ${result.key}: no HTTP Request route was correct`;
		return (
			`- ${result.key}: against the fastest correct HTTP Request route, ${routeLabel(best)}, ` +
			`this node is ${times(best.vsNode.executionMs)} faster by n8n run time and ` +
			`${times(best.vsNode.nodeMs)} by the removal node's own time`
		);
	});
	lines.push('', ...speedUps);

	lines.push(
		'',
		row([
			'workload',
			"this node's time (s)",
			'before 1st request',
			'requests span',
			'after last answer',
			'mean in flight',
			'slot refill (ms)',
			'ideal (s)',
			'span ÷ ideal',
		]),
		row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
	);
	for (const result of results) {
		const node = result.routes.find((route) => route.route === 'node');
		const timing = node?.requestTiming;
		if (!node || !timing) continue;
		lines.push(
			row([
				result.key,
				seconds(node.nodeMs),
				seconds(timing.beforeFirstRequestMs),
				seconds(timing.spanMs),
				seconds(timing.afterLastAnswerMs),
				timing.meanInFlight.toFixed(1),
				timing.meanRefillMs === null ? '–' : timing.meanRefillMs.toFixed(0),
				seconds(result.idealMs),
				times(result.spanVsIdeal),
			]),
		);
	}
	return lines.join('\n');
}
