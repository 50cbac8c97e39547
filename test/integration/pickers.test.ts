import type { ILoadOptionsFunctions } from 'n8n-workflow';
import { afterEach, describe, expect, it } from 'vitest';

import { defaultOrg, generatedOrg } from '../simulator/fixture';
import { ZohoSimulator } from '../simulator/server';
import {
	loadEditorList,
	searchTerritories,
	simulatorCredential,
	type CredentialStore,
} from './harness';

let sim: ZohoSimulator;

async function start(
	options: Parameters<typeof ZohoSimulator.start>[0] = {},
): Promise<CredentialStore> {
	sim = await ZohoSimulator.start(options);
	const store = simulatorCredential(sim);
	sim.clearLog();
	return store;
}

const parameters = (territoryId = '') => ({
	resource: 'territory',
	operation: 'removeUsers',
	territoryId: { __rl: true, mode: 'list', value: territoryId },
	userSelection: 'list',
});

afterEach(async () => await sim.stop());

describe('territory picker', () => {
	it("lists the org's territories by name", async () => {
		const store = await start();

		const result = await searchTerritories(store);

		expect(result).toEqual({
			results: defaultOrg().territories.map((t) => ({ name: t.name, value: t.id })),
		});
	});

	it('filters by name, ignoring case', async () => {
		const store = await start();

		const result = await searchTerritories(store, 'us ');

		expect(result).toEqual({
			results: [
				{ name: 'US West', value: '4150868000000301029' },
				{ name: 'US East', value: '4150868000000301043' },
			],
		});
	});

	it('pages through a large org, one page per scroll', async () => {
		const org = generatedOrg({ territories: 450, usersPerTerritory: 0 });
		const store = await start({ org });
		const pages: Array<{ results: unknown[]; paginationToken?: string }> = [];

		let token: string | undefined;
		do {
			const page = (await searchTerritories(store, undefined, token)) as {
				results: unknown[];
				paginationToken?: string;
			};
			pages.push(page);
			token = page.paginationToken;
		} while (token);

		expect(pages.map((page) => page.results.length)).toEqual([200, 200, 50]);
		expect(sim.requests.map((request) => request.query.page)).toEqual(['1', '2', '3']);
	});

	it('shows why the list is empty when territory management is off', async () => {
		const store = await start({ territoryManagement: false });

		const search = searchTerritories(store);

		await expect(search).rejects.toThrow(/\[FEATURE_NOT_ENABLED\]/);
		await expect(search).rejects.toMatchObject({
			description: expect.stringMatching(/Territory Management/),
		});
	});
});

describe('member picker', () => {
	it("lists the territory's members with name and email, and sends the ID", async () => {
		const store = await start();
		const org = defaultOrg();
		const usWest = org.territories.find((t) => t.name === 'US West')!;

		const options = await loadEditorList(
			store,
			parameters(usWest.id),
			async (context, node) =>
				await node.methods.loadOptions.getTerritoryMembers.call(
					context as unknown as ILoadOptionsFunctions,
				),
		);

		expect(options).toEqual(
			usWest.members.map((id) => {
				const user = org.users.find((entry) => entry.id === id)!;
				return { name: `${user.full_name} (${user.email})`, value: id };
			}),
		);
	});

	it('lists nothing for a territory without members', async () => {
		const store = await start();
		const apac = defaultOrg().territories.find((t) => t.name === 'APAC')!;

		const options = await loadEditorList(
			store,
			parameters(apac.id),
			async (context, node) =>
				await node.methods.loadOptions.getTerritoryMembers.call(
					context as unknown as ILoadOptionsFunctions,
				),
		);

		expect(options).toEqual([]);
	});

	it('explains a missing scope instead of showing an empty list', async () => {
		const store = await start({ missingScope: true });

		const load = loadEditorList(
			store,
			parameters('4150868000000301029'),
			async (context, node) =>
				await node.methods.loadOptions.getTerritoryMembers.call(
					context as unknown as ILoadOptionsFunctions,
				),
		);

		await expect(load).rejects.toThrow(/\[OAUTH_SCOPE_MISMATCH\]/);
	});
});
