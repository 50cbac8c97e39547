import { NodeOperationError, type IDataObject, type ILoadOptionsFunctions } from 'n8n-workflow';

import {
	CREDENTIAL_TYPE,
	DEFAULT_RETRY_POLICY,
	credentialSecrets,
	redactSecrets,
	zohoApiRequest,
} from '../transport';
import { hintFor, readFailure } from '../helpers/zohoAnswers';

/** Someone is waiting in the editor: fail fast rather than retry for long. */
const PICKER_RETRY_POLICY = { ...DEFAULT_RETRY_POLICY, maxRetries: 1, timeoutMs: 15_000 };

/**
 * A GET for the editor's lists. Zoho's 204 (nothing there) reads as an empty body; a refusal
 * becomes a short message the editor shows in place of the list.
 */
export async function zohoPickerRequest(
	this: ILoadOptionsFunctions,
	path: string,
	qs: IDataObject,
): Promise<IDataObject | undefined> {
	const response = await zohoApiRequest.call(
		this,
		{ method: 'GET', path, qs },
		PICKER_RETRY_POLICY,
	);
	if (response.status === 204) return undefined;
	if (response.status === 200 && response.body && typeof response.body === 'object') {
		return response.body as IDataObject;
	}

	const failure = readFailure(response);
	const secrets = credentialSecrets(await this.getCredentials(CREDENTIAL_TYPE));
	throw new NodeOperationError(
		this.getNode(),
		`Zoho CRM: ${redactSecrets(failure.message, secrets)} [${failure.code}]`,
		{ description: hintFor(failure.code) },
	);
}
