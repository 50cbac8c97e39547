import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';

import {
	CREDENTIAL_TYPE,
	credentialSecrets,
	zohoApiRequest,
	type RetryPolicy,
	DEFAULT_RETRY_POLICY,
} from '../transport';
import { readFailure, toNodeApiError } from './zohoAnswers';

/** Zoho's largest page for territories and users. */
export const MAX_PAGE_SIZE = 200;

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
		return response.body as IDataObject;
	}
	const secrets = credentialSecrets(await this.getCredentials(CREDENTIAL_TYPE));
	throw toNodeApiError(this.getNode(), readFailure(response), secrets, { itemIndex });
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

	for (let page = 1; ; page++) {
		const body = await zohoGet.call(
			this,
			read.path,
			{ ...read.qs, page, per_page: perPage },
			read.itemIndex,
			policy,
		);
		const pageRecords = (body?.[read.key] ?? []) as IDataObject[];
		for (const record of pageRecords) {
			if (read.keep && !read.keep(record)) continue;
			records.push(record);
			if (read.limit !== undefined && records.length >= read.limit) return records;
		}
		if ((body?.info as IDataObject | undefined)?.more_records !== true) return records;
	}
}
