import { describe, expect, it } from 'vitest';

import { markdownTables, summarize } from '../../bench/report';
import type { RouteResult } from '../../bench/run';
import { ROUTE_LABELS, type HttpBatching, type RouteKey } from '../../bench/workflows';
import { buildWorkload } from '../../bench/workloads';

const workload = buildWorkload('A', true);

function routeRun(
	route: RouteKey,
	times: { executionMs: number; nodeMs: number },
	correct: boolean,
	batching: HttpBatching | null = null,
): RouteResult {
	return {
		route,
		label: ROUTE_LABELS[route],
		batching,
		status: correct ? 'success' : 'error',
		exitCode: correct ? 0 : 1,
		error: correct ? null : 'too many requests',
		apiRequests: route === 'node' ? workload.minRequests : workload.askedUserCount,
		byStatus: { 200: workload.minRequests },
		tokenRequests: 0,
		maxInFlight: 5,
		executionMs: times.executionMs,
		nodeMs: times.nodeMs,
		nodeTimings: {},
		requestTiming:
			route === 'node'
				? {
						beforeFirstRequestMs: 50,
						spanMs: 600,
						afterLastAnswerMs: 5,
						meanInFlight: 4,
						meanRefillMs: 10,
					}
				: null,
		processMs: times.executionMs + 3000,
		peakMemoryKb: 400_000,
		memorySamples: 10,
		correct,
		check: {
			askedRemoved: correct ? workload.askedUserCount : 10,
			askedTotal: workload.askedUserCount,
			wronglyRemoved: 0,
			outputItems: null,
			outputSuccesses: null,
			problems: correct ? [] : ['asked users still members'],
		},
		load: [0, 0],
	};
}

const node = routeRun('node', { executionMs: 2000, nodeMs: 1000 }, true);

describe('the benchmark report', () => {
	it('compares this node with the fastest HTTP Request route that removed everyone, not with a faster one that failed', () => {
		const results = summarize(
			workload,
			[
				node,
				routeRun('httpPerUser', { executionMs: 500, nodeMs: 400 }, false),
				routeRun('httpPerUserBatchingDefaults', { executionMs: 90_000, nodeMs: 89_000 }, true),
				routeRun('httpPerUserSpaced', { executionMs: 41_000, nodeMs: 40_000 }, true, {
					batchSize: 5,
					batchIntervalMs: 100,
				}),
			],
			[],
			[],
			100,
			5,
		);

		const report = markdownTables([results], 5);

		expect(report).toContain(
			'A: against the fastest correct HTTP Request route, HTTP Request, one DELETE per user, ' +
				'Batching spaced for Zoho (5 items / 100 ms), this node is 20.5× faster by n8n run time ' +
				"and 40.0× by the removal node's own time",
		);
	});

	it('says when no HTTP Request route removed everyone, instead of giving a speed-up', () => {
		const results = summarize(
			workload,
			[node, routeRun('httpPerUser', { executionMs: 500, nodeMs: 400 }, false)],
			[],
			[],
			100,
			5,
		);

		const report = markdownTables([results], 5);

		expect(report).toContain('- A: no HTTP Request route was correct');
		expect(report).not.toContain('faster by n8n run time');
	});

	it("sets this node's request span against the ideal of its minimum requests in waves of the concurrency", () => {
		// The quick workload A needs 4 requests: one wave of 5 at 100 ms is the ideal.
		const results = summarize(workload, [node], [], [], 100, 5);

		expect(workload.minRequests).toBe(4);
		expect(results.idealMs).toBe(100);
		expect(results.spanVsIdeal).toBe(6);
	});

	it('lists every Batch Interval tried for the spaced route and how each ended', () => {
		const results = summarize(
			workload,
			[node],
			[],
			[
				{
					batchSize: 5,
					batchIntervalMs: 75,
					correct: false,
					executionMs: 30_000,
					byStatus: { 200: 90, 429: 10 },
				},
				{
					batchSize: 5,
					batchIntervalMs: 100,
					correct: true,
					executionMs: 40_000,
					byStatus: { 200: 100 },
				},
			],
			100,
			5,
		);

		expect(markdownTables([results], 5)).toContain(
			'- A, Batching spaced for Zoho, tried: 5 items / 75 ms not correct (90×200, 10×429); ' +
				'5 items / 100 ms correct',
		);
	});
});
