import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
} from 'n8n-workflow';

import { DEFAULT_RETRY_POLICY, secretsFor, zohoApiRequest, type RetryPolicy } from '../transport';
import { readFailure, toNodeApiError } from './zohoAnswers';

/** Zoho's largest page for territories and users. */
const MAX_PAGE_SIZE = 200;

export interface PagedRead {
	path: string;
	qs?: IDataObject;
	/** The array in Zoho's answer: `territories` or `users`. */
	key: string;
	/** Stop once this many records are kept; undefined reads every page. */
	limit?: number;
	/** Keeps only the records that match, before the limit counts them. */
	keep?: (record: IDataObject) => boolean;
	itemIndex?: number;
}

/** One GET that must succeed: Zoho's 204 reads as nothing; a refusal throws Zoho's own error. */
export async function zohoGet(
	this: IExecuteFunctions | ILoadOptionsFunctions,
	path: string,
	qs: IDataObject = {},
	itemIndex?: number,
	policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<IDataObject | undefined> {
	const response = await zohoApiRequest.call(this, { method: 'GET', path, qs }, policy);
	if (response.status === 204) return undefined;
	if (response.status === 200 && response.body !== null && typeof response.body === 'object') {
		return idsAsText(this, response.body as IDataObject, itemIndex);
	}
	const secrets = await secretsFor(this);
	throw toNodeApiError(this.getNode(), readFailure(response), secrets, { itemIndex });
}

/** Far beyond any org (200,000 records): a bound, should Zoho claim more records for ever. */
const MAX_PAGES = 1000;

/** Zoho's ID fields: `id`, and names such as `territory_id`. */
const ID_KEY = /^id$|_id$/;

/**
 * Zoho sends IDs as strings. Should one come as a JSON number, a safe one is turned into text,
 * and one past Number.MAX_SAFE_INTEGER, whose digits JSON parsing already lost, is refused.
 */
function idsAsText<T>(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	value: T,
	itemIndex?: number,
): T {
	if (Array.isArray(value)) return value.map((entry) => idsAsText(context, entry, itemIndex)) as T;
	if (value === null || typeof value !== 'object') return value;
	const entries = Object.entries(value).map(([key, entry]) => {
		if (typeof entry !== 'number' || !ID_KEY.test(key))
			return [key, idsAsText(context, entry, itemIndex)];
		if (Number.isSafeInteger(entry)) return [key, String(entry)];
		throw new NodeOperationError(
			context.getNode(),
			`Zoho sent the ${key} ${entry} as a number, which has lost its last digits`,
			{
				itemIndex,
				description:
					"Zoho IDs have 18-19 digits and must come as text. Nothing was output, so that no wrong ID is used; run again, and if it persists, check what answers for Zoho (the credential's API host).",
			},
		);
	});
	return Object.fromEntries(entries) as T;
}

/** Reads Zoho's pages one after another, and only as many as the limit needs. */
export async function readPages(
	this: IExecuteFunctions | ILoadOptionsFunctions,
	read: PagedRead,
	policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<IDataObject[]> {
	const perPage =
		read.limit !== undefined && !read.keep ? Math.min(MAX_PAGE_SIZE, read.limit) : MAX_PAGE_SIZE;
	const records: IDataObject[] = [];
	let previousFirstId: unknown;

	for (let page = 1; page <= MAX_PAGES; page++) {
		const qs = { ...read.qs, page, per_page: perPage };
		const body = await zohoGet.call(this, read.path, qs, read.itemIndex, policy);
		const pageRecords = (body?.[read.key] ?? []) as IDataObject[];
		// An empty page, or the previous page again, ends the reading whatever more_records says.
		if (pageRecords.length === 0 || pageRecords[0]?.id === previousFirstId) return records;
		previousFirstId = pageRecords[0]?.id;

		for (const record of pageRecords) {
			if (read.keep && !read.keep(record)) continue;
			records.push(record);
			if (read.limit !== undefined && records.length >= read.limit) return records;
		}
		if ((body?.info as IDataObject | undefined)?.more_records !== true) return records;
	}
	return records;
}

/** The Limit of a read operation: a whole number of 1 or more, refused otherwise. */
export function readLimit(this: IExecuteFunctions, itemIndex: number): number | undefined {
	if (this.getNodeParameter('returnAll', itemIndex, false) as boolean) return undefined;
	const limit = this.getNodeParameter('limit', itemIndex, 50) as unknown;
	if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
		throw new NodeOperationError(
			this.getNode(),
			`Invalid Limit ${JSON.stringify(limit)} in item ${itemIndex}`,
			{
				itemIndex,
				description: 'Set Limit to a whole number of 1 or more, or turn on Return All.',
			},
		);
	}
	return limit;
}
