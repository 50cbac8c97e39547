import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { zohoPickerRequest } from './pickerRequest';

/** Zoho's largest page for territories. */
const PAGE_SIZE = 200;

/** Pages of territories read per search, so a narrow filter over a huge org stays responsive. */
const MAX_PAGES_PER_SEARCH = 5;

export async function searchTerritories(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const needle = (filter ?? '').trim().toLowerCase();
	let page = Number(paginationToken ?? 1);
	const results: INodeListSearchResult['results'] = [];

	// Zoho has no name filter for territories: read pages until some match or none are left.
	for (let read = 0; read < MAX_PAGES_PER_SEARCH; read++) {
		const body = await zohoPickerRequest.call(this, '/settings/territories', {
			page,
			per_page: PAGE_SIZE,
		});
		const territories = (body?.territories ?? []) as IDataObject[];
		for (const territory of territories) {
			const name = String(territory.name ?? territory.id);
			const id = String(territory.id);
			if (needle && !name.toLowerCase().includes(needle) && !id.includes(needle)) continue;
			results.push({ name, value: id });
		}

		const more = (body?.info as IDataObject | undefined)?.more_records === true;
		page++;
		if (!more) return { results };
		if (results.length > 0) break;
	}
	return { results, paginationToken: String(page) };
}
