import type { IDataObject, ILoadOptionsFunctions } from 'n8n-workflow';

import { DEFAULT_RETRY_POLICY } from '../transport';
import { zohoGet } from '../helpers/paging';

/** Someone is waiting in the editor: fail fast rather than retry for long. */
export const PICKER_RETRY_POLICY = { ...DEFAULT_RETRY_POLICY, maxRetries: 1, timeoutMs: 15_000 };

/**
 * A GET for the editor's lists. A refusal throws Zoho's message and a hint, which the editor
 * shows in place of the list.
 */
export async function zohoPickerRequest(
	this: ILoadOptionsFunctions,
	path: string,
	qs: IDataObject,
): Promise<IDataObject | undefined> {
	return await zohoGet.call(this, path, qs, undefined, PICKER_RETRY_POLICY);
}
