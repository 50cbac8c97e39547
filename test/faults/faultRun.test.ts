import { mkdirSync, writeFileSync } from 'node:fs';

import type { INodeParameters } from 'n8n-workflow';
import { afterAll, describe, expect, it } from 'vitest';

import { generatedOrg } from '../simulator/fixture';
import { ZohoSimulator, type FaultRule } from '../simulator/server';
import {
	jsonOf,
	removeUsersParameters,
	runZohoNode,
	simulatorCredential,
} from '../integration/harness';

const TERRITORIES = 20;
const MEMBERS = 110;
const REMOVED_PER_TERRITORY = 100;

const org = generatedOrg({ territories: TERRITORIES, usersPerTerritory: MEMBERS });
const asked = org.territories.flatMap((territory) =>
	territory.members
		.slice(0, REMOVED_PER_TERRITORY)
		.map((userId) => ({ territoryId: territory.id, userId })),
);

const parameters = (options: INodeParameters) =>
	removeUsersParameters('={{ $json.territoryId }}', '={{ $json.userId }}', options);

const onTerritory = (index: number) => ({
	match: {
		method: 'DELETE',
		path: `/crm/v7/settings/territories/${org.territories[index].id}/users`,
	},
});

/** One fault of each kind, each on its own territory so that they spread over the run. */
const faults: FaultRule[] = [
	{ kind: '429', retryAfterSec: 1, ...onTerritory(1) },
	{ kind: '429', retryAfterSec: 1, ...onTerritory(2) },
	{ kind: '429', ...onTerritory(3) },
	{ kind: '429', ...onTerritory(4) },
	{ kind: '500', ...onTerritory(5) },
	{ kind: '500', variant: 'INTERNAL_SERVER_ERROR', ...onTerritory(6) },
	{ kind: '503', ...onTerritory(7) },
	{ kind: 'drop', ...onTerritory(8) },
	{ kind: 'drop', ...onTerritory(9) },
	{ kind: 'drop-after-apply', ...onTerritory(11) },
	{ kind: 'drop-after-apply', ...onTerritory(12) },
	{ kind: 'delay', delayMs: 5_000, ...onTerritory(13) },
	{ kind: 'delay', delayMs: 5_000, ...onTerritory(14) },
	{ kind: 'expire-token', ...onTerritory(10) },
	{ kind: '429', times: 2, ...onTerritory(15) },
	{ kind: 'drop', times: 2, ...onTerritory(16) },
];

interface RunFigures {
	requests: number;
	refreshGrants: number;
	outputItems: number;
	lost: number;
	durationMs: number;
}

const figures: Record<string, RunFigures> = {};

async function removeEveryone(
	scripted: FaultRule[],
	options: INodeParameters,
	onError?: 'continueRegularOutput',
) {
	const sim = await ZohoSimulator.start({ org });
	try {
		const store = simulatorCredential(sim);
		sim.clearLog();
		scripted.forEach((fault) => sim.fault(fault));

		const started = Date.now();
		const run = await runZohoNode({
			store,
			parameters: parameters(options),
			items: asked,
			onError,
		});
		const durationMs = Date.now() - started;
		const results = jsonOf(run.outputs[0] ?? []);
		const seen = new Set(results.map((result) => `${result.territoryId}/${result.userId}`));
		const lost = asked.filter((ask) => !seen.has(`${ask.territoryId}/${ask.userId}`)).length;
		const membership = new Map(org.territories.map((t) => [t.id, new Set(sim.membersOf(t.id))]));
		return {
			run,
			results,
			membership,
			figures: {
				requests: sim.requests.filter((request) => request.method === 'DELETE').length,
				refreshGrants: sim.stats.refreshGrants,
				outputItems: results.length,
				lost,
				durationMs,
			},
		};
	} finally {
		await sim.stop();
	}
}

describe(`removing ${asked.length} users from ${TERRITORIES} territories while Zoho misbehaves`, () => {
	let faultFreeRequests = 0;

	it('sends the fewest requests and loses nothing when nothing goes wrong', async () => {
		const { results, figures: measured } = await removeEveryone([], {});

		figures.faultFree = measured;
		faultFreeRequests = measured.requests;
		expect(measured.lost).toBe(0);
		expect(results.every((result) => result.success === true && result.code === 'SUCCESS')).toBe(
			true,
		);
		expect(measured.requests).toBe(TERRITORIES * Math.ceil(REMOVED_PER_TERRITORY / 25));
	});

	it('ends with exactly one true result per asked user under every scripted fault', async () => {
		const {
			run,
			results,
			membership,
			figures: measured,
		} = await removeEveryone(faults, {
			timeout: 2_000,
			maxRetries: 4,
			concurrency: 3,
		});
		figures.faulty = measured;

		expect(run.error).toBeUndefined();
		expect(measured.outputItems).toBe(asked.length);
		expect(measured.lost).toBe(0);
		const keys = results.map((result) => `${result.territoryId}/${result.userId}`);
		expect(new Set(keys).size).toBe(asked.length);

		for (const result of results) {
			const stillMember = membership.get(String(result.territoryId))!.has(String(result.userId));
			expect({ ...result, stillMember }).toMatchObject({ success: !stillMember });
			expect(['SUCCESS', 'ALREADY_REMOVED']).toContain(result.code);
		}
		for (const territory of org.territories) {
			expect([...membership.get(territory.id)!]).toEqual(
				territory.members.slice(REMOVED_PER_TERRITORY),
			);
		}

		const faultCount = faults.reduce((sum, fault) => sum + (fault.times ?? 1), 0);
		expect(measured.requests).toBeLessThanOrEqual(faultFreeRequests + faultCount);
		expect(measured.refreshGrants).toBe(1);
	});

	it('reports every user of a batch whose retries run out, and finishes the rest', async () => {
		const exhausted: FaultRule[] = [{ kind: '500', times: 3, ...onTerritory(0) }];

		const {
			results,
			membership,
			figures: measured,
		} = await removeEveryone(exhausted, { maxRetries: 2, concurrency: 1 }, 'continueRegularOutput');
		figures.retriesExhausted = measured;

		const failed = results.filter((result) => result.success === false);
		expect(measured.lost).toBe(0);
		expect(failed).toHaveLength(25);
		expect(new Set(failed.map((result) => result.code))).toEqual(new Set(['INTERNAL_ERROR']));
		expect(failed[0].error).toMatch(/retries did not get through|INTERNAL_ERROR/);
		for (const result of failed) {
			expect(membership.get(String(result.territoryId))!.has(String(result.userId))).toBe(true);
		}
	});
});

afterAll(() => {
	mkdirSync('test-results', { recursive: true });
	writeFileSync('test-results/fault-run.json', `${JSON.stringify(figures, null, 2)}\n`);
	for (const [name, measured] of Object.entries(figures)) {
		process.stdout.write(
			`fault run ${name}: ${measured.requests} DELETE requests, ${measured.refreshGrants} token refreshes, ` +
				`${measured.outputItems} results, ${measured.lost} lost, ${measured.durationMs} ms\n`,
		);
	}
});
