import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { afterEach, describe, expect, it } from 'vitest';

import { defaultOrg, generatedOrg } from '../simulator/fixture';
import { loadEditorList } from './harness';
import { startSim, type Setup } from './adversarial-helpers';

let s: Setup;
afterEach(async () => await s?.sim.stop());

const params = (operation: string, territory: { mode: string; value: string }) => ({
	resource: 'territory',
	operation,
	territoryId: { __rl: true, ...territory },
	userSelection: 'list',
});

describe('adversarial: pickers', () => {
	it('member picker for a territory that does not exist says so, with a hint', async () => {
		s = await startSim();
		const listing = loadEditorList(
			s.store,
			params('removeUsers', { mode: 'id', value: '4150868000009999993' }),
			async (context, node) =>
				await node.methods.loadOptions.getTerritoryMembers.call(
					context as unknown as ILoadOptionsFunctions,
				),
		);
		await expect(listing).rejects.toThrow(/\[TERRITORY_NOT_FOUND\]/);
		await expect(listing).rejects.toMatchObject({
			description: expect.stringMatching(/Pick the territory/),
		});
	});

	it('member picker reads the territory from a pasted URL', async () => {
		s = await startSim();
		const na = defaultOrg().territories.find((t) => t.name === 'North America')!;
		const options = (await loadEditorList(
			s.store,
			params('removeUsers', {
				mode: 'url',
				value: `https://crm.zoho.com/crm/org60001234/settings/territories/${na.id}`,
			}),
			async (context, node) =>
				await node.methods.loadOptions.getTerritoryMembers.call(
					context as unknown as ILoadOptionsFunctions,
				),
		)) as INodePropertyOptions[];
		expect(options.map((option) => option.value)).toEqual(na.members);
	});

	it('active-user picker of a large org lists every user or says the list is cut', async () => {
		const big = generatedOrg({ territories: 1, usersPerTerritory: 0, spareUsers: 2100 });
		s = await startSim({ org: big });
		const active = big.users.filter((u) => u.status === 'active').length;

		const result = await loadEditorList(
			s.store,
			params('addUsers', { mode: 'id', value: big.territories[0].id }),
			async (context, node) =>
				await node.methods.loadOptions.getActiveUsers.call(
					context as unknown as ILoadOptionsFunctions,
				),
		).catch((error: Error) => error);

		if (result instanceof Error) {
			expect(result.message).toMatch(/more than|too many|type.*ID/i);
		} else {
			const options = result as INodePropertyOptions[];
			const told = options.some((option) => /more|not all|type.*ID/i.test(option.name));
			expect(
				told || options.length >= active,
				`${options.length} of ${active} listed, silently`,
			).toBe(true);
		}
	});
});
