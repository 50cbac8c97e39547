import {
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
} from 'n8n-workflow';

export const CREDENTIAL_TYPE = 'zohoCrmTerritoriesOAuth2Api';

const API_PATH_PREFIX = '/crm/v7';

/** Each data centre's API host, used when a token names no api_domain. */
const API_HOSTS: Record<string, string> = {
	us: 'https://www.zohoapis.com',
	eu: 'https://www.zohoapis.eu',
	in: 'https://www.zohoapis.in',
	au: 'https://www.zohoapis.com.au',
	jp: 'https://www.zohoapis.jp',
	cn: 'https://www.zohoapis.com.cn',
	ca: 'https://www.zohoapis.ca',
	sa: 'https://www.zohoapis.sa',
	uk: 'https://www.zohoapis.uk',
};

/** Production, sandbox and developer API hosts of every data centre. */
const ZOHO_API_HOST =
	/^https:\/\/(www|sandbox|developer)\.zohoapis\.(com|eu|in|com\.au|jp|com\.cn|ca|sa|uk)$/;

type ZohoContext = IExecuteFunctions | ILoadOptionsFunctions;

export interface ZohoRequest {
	method: IHttpRequestMethods;
	/** Path below /crm/v7, such as /settings/territories. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	/** How many users the request carries, for the log. */
	batchSize?: number;
}

export interface ZohoResponse {
	status: number;
	body: unknown;
	/** True when an earlier attempt may have reached Zoho and been applied before its answer was lost. */
	retriedAfterLostResponse: boolean;
}

export interface RetryPolicy {
	maxRetries: number;
	timeoutMs: number;
	/** First backoff when Zoho sends no Retry-After; doubles with each retry. */
	initialDelayMs: number;
	/** Called when Zoho answers 429, so a caller running requests in parallel can slow down. */
	onThrottled?: () => void;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxRetries: 4,
	timeoutMs: 30_000,
	initialDelayMs: 500,
};

const MAX_BACKOFF_MS = 30_000;
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Picks the host the token may be sent to: the token's own api_domain, or the credential's. */
export function resolveApiBaseUrl(credentials: IDataObject): string {
	const dataCenter = String(credentials.dataCenter ?? 'us');
	const tokenData = (credentials.oauthTokenData ?? {}) as IDataObject;
	const apiDomain = typeof tokenData.api_domain === 'string' ? tokenData.api_domain : undefined;

	if (dataCenter === 'custom') {
		const custom = String(credentials.customApiUrl ?? '').replace(/\/+$/, '');
		if (!/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(custom)) {
			throw new Error(
				`The credential's Custom API URL ${JSON.stringify(custom)} is not an http(s) URL. ` +
					'Open the credential and set it, for example https://crm-proxy.example.com.',
			);
		}
		return custom;
	}

	if (apiDomain !== undefined) {
		const host = apiDomain.replace(/\/+$/, '');
		if (!ZOHO_API_HOST.test(host)) {
			throw new Error(
				`The access token names ${JSON.stringify(apiDomain)} as its API host, which is not a Zoho ` +
					'API host; the token is not sent there. Reconnect the credential, or use the Custom ' +
					'Host data centre if you deliberately go through a proxy.',
			);
		}
		return host;
	}

	const fallback = API_HOSTS[dataCenter];
	if (!fallback)
		throw new Error(`Unknown Zoho data centre ${JSON.stringify(dataCenter)} in the credential.`);
	return fallback;
}

/** Secrets of the credential, so that nothing Zoho echoes back carries them into output. */
export function credentialSecrets(credentials: IDataObject): string[] {
	const tokenData = (credentials.oauthTokenData ?? {}) as IDataObject;
	return [tokenData.access_token, tokenData.refresh_token, credentials.clientSecret].filter(
		(value): value is string => typeof value === 'string' && value.length >= 8,
	);
}

export function redactSecrets(text: string, secrets: string[]): string {
	let redacted = text;
	for (const secret of secrets) redacted = redacted.split(secret).join('[redacted]');
	return redacted.replace(/\b(Zoho-oauthtoken|Bearer)\s+[^\s"'\\,;]+/gi, '$1 [redacted]');
}

/** Redacts every string inside a value from Zoho, keeping its shape. */
export function redactDeep<T>(value: T, secrets: string[]): T {
	if (typeof value === 'string') return redactSecrets(value, secrets) as T;
	if (Array.isArray(value)) return value.map((entry) => redactDeep(entry, secrets)) as T;
	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([key, entry]) => [key, redactDeep(entry, secrets)]),
		) as T;
	}
	return value;
}

interface TransportFailure {
	status?: number;
	body?: unknown;
	retryAfterMs?: number;
	/** No answer arrived: the request may or may not have been applied. */
	lost: boolean;
	cause: unknown;
}

type HttpErrorShape = {
	response?: { status?: number; data?: unknown; headers?: Record<string, unknown> };
	cause?: unknown;
};

/**
 * n8n wraps the HTTP client's error in a NodeApiError. Newer n8n keeps the answer on the
 * error's cause; older n8n (2.8 and before) keeps only its status and JSON body.
 */
function responseOf(error: unknown): HttpErrorShape['response'] | undefined {
	let current = error as HttpErrorShape | undefined;
	for (let depth = 0; current && depth < 4; depth++) {
		if (current.response && typeof current.response.status === 'number') return current.response;
		current = current.cause as HttpErrorShape | undefined;
	}
	const wrapped = error as { httpCode?: unknown; context?: { data?: unknown } } | undefined;
	if (typeof wrapped?.httpCode === 'string' && /^[1-5][0-9]{2}$/.test(wrapped.httpCode)) {
		return { status: Number(wrapped.httpCode), data: wrapped.context?.data };
	}
	return undefined;
}

function asFailure(error: unknown): TransportFailure {
	const response = responseOf(error);
	if (response) {
		return {
			status: response.status,
			body: response.data,
			retryAfterMs: parseRetryAfter(response.headers?.['retry-after']),
			lost: false,
			cause: error,
		};
	}
	return { lost: true, cause: error };
}

function parseRetryAfter(value: unknown): number | undefined {
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	const date = Date.parse(String(value));
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Full-jitter exponential backoff, or Zoho's own Retry-After when it sends one. */
function backoffDelayMs(attempt: number, policy: RetryPolicy, retryAfterMs?: number): number {
	if (retryAfterMs !== undefined) return Math.min(retryAfterMs, MAX_BACKOFF_MS * 4);
	const ceiling = Math.min(MAX_BACKOFF_MS, policy.initialDelayMs * 2 ** attempt);
	return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Why a request got no answer from Zoho to read, set as `context.transportFailure` on the
 * NodeOperationError the transport throws.
 */
export type TransportFailureCode = 'API_HOST_REFUSED' | 'CREDENTIAL_NOT_RENEWED' | 'NO_ANSWER';

function transportError(
	context: ZohoContext,
	code: TransportFailureCode,
	message: string,
	secrets: string[],
	attempts = 0,
): NodeOperationError {
	const error = new NodeOperationError(context.getNode(), redactSecrets(message, secrets));
	error.context.transportFailure = code;
	error.context.attempts = attempts;
	return error;
}

export function transportFailureOf(
	error: unknown,
): { code: TransportFailureCode; message: string; attempts: number } | undefined {
	if (!(error instanceof NodeOperationError)) return undefined;
	const code = error.context.transportFailure as TransportFailureCode | undefined;
	if (!code) return undefined;
	return { code, message: error.message, attempts: Number(error.context.attempts ?? 0) };
}

/** The API host and the secrets to redact, read once per execution (or editor list). */
const targets = new WeakMap<ZohoContext, Promise<{ baseUrl: string; secrets: string[] }>>();

async function apiTarget(context: ZohoContext): Promise<{ baseUrl: string; secrets: string[] }> {
	let target = targets.get(context);
	if (!target) {
		target = context.getCredentials(CREDENTIAL_TYPE).then((credentials) => {
			const secrets = credentialSecrets(credentials);
			try {
				return { baseUrl: resolveApiBaseUrl(credentials), secrets };
			} catch (error) {
				throw transportError(context, 'API_HOST_REFUSED', (error as Error).message, secrets);
			}
		});
		targets.set(context, target);
	}
	return await target;
}

/** The secrets to redact from what Zoho answered this execution (read with the API host). */
export async function secretsFor(context: ZohoContext): Promise<string[]> {
	return (await apiTarget(context)).secrets;
}

/**
 * Sends one request to Zoho with the credential, retrying 429, 5xx and lost connections.
 * Any answer Zoho gives (2xx or not) is returned for the caller to read; a 401 has already
 * been through n8n's one token refresh and is not retried again.
 */
export async function zohoApiRequest(
	this: ZohoContext,
	request: ZohoRequest,
	policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<ZohoResponse> {
	const { baseUrl, secrets } = await apiTarget(this);

	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl}${API_PATH_PREFIX}${request.path}`,
		qs: request.qs,
		body: request.body,
		json: true,
		returnFullResponse: true,
		timeout: policy.timeoutMs,
		// A redirect would carry the token to whatever host Zoho, or anyone between, names.
		disableFollowRedirect: true,
	};

	let lostEarlier = false;
	for (let attempt = 0; ; attempt++) {
		let failure: TransportFailure;
		try {
			// n8n signs the options it is given in place; each attempt gets its own copy.
			const response = (await this.helpers.httpRequestWithAuthentication.call(
				this,
				CREDENTIAL_TYPE,
				{ ...options, headers: { ...options.headers } },
			)) as { statusCode: number; body: unknown };
			logRequest(this, request, response.statusCode, attempt);
			return {
				status: response.statusCode,
				body: response.body,
				retriedAfterLostResponse: lostEarlier,
			};
		} catch (error) {
			if (isCredentialRefreshFailure(error)) {
				throw transportError(
					this,
					'CREDENTIAL_NOT_RENEWED',
					`Zoho refused to renew the access token: ${(error as Error).message}`,
					secrets,
					attempt + 1,
				);
			}
			failure = asFailure(error);
		}

		logRequest(this, request, failure.status ?? 'no answer', attempt);

		if (failure.status === 401) await throwIfRenewalRefused(this, secrets, attempt + 1);

		const retryable = failure.lost || RETRYABLE_STATUSES.has(failure.status ?? 0);
		if (!retryable) {
			return {
				status: failure.status ?? 0,
				body: failure.body,
				retriedAfterLostResponse: lostEarlier,
			};
		}
		if (failure.status === 429) policy.onThrottled?.();
		// A 5xx or a dropped connection may come after Zoho applied the change.
		if (failure.lost || (failure.status ?? 0) >= 500) lostEarlier = true;

		if (attempt >= policy.maxRetries) {
			if (failure.status !== undefined) {
				return {
					status: failure.status,
					body: failure.body,
					retriedAfterLostResponse: lostEarlier,
				};
			}
			throw transportError(
				this,
				'NO_ANSWER',
				`No answer from Zoho after ${attempt + 1} attempts: ${describeLostCause(failure.cause)}`,
				secrets,
				attempt + 1,
			);
		}
		await sleep(backoffDelayMs(attempt, policy, failure.retryAfterMs));
	}
}

function logRequest(
	context: ZohoContext,
	request: ZohoRequest,
	status: number | string,
	attempt: number,
): void {
	context.logger.debug('Zoho request', {
		method: request.method,
		path: request.path,
		batchSize: request.batchSize,
		status,
		attempt: attempt + 1,
	});
}

/**
 * Zoho refuses a refresh with HTTP 200 and `{"error": "..."}`, which n8n stores in the token
 * data as if it were a new token; the 401 that follows then means the renewal was refused.
 */
async function throwIfRenewalRefused(
	context: ZohoContext,
	secrets: string[],
	attempts: number,
): Promise<void> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const refusal = ((credentials.oauthTokenData ?? {}) as IDataObject).error;
	if (typeof refusal !== 'string' || refusal === '') return;
	throw transportError(
		context,
		'CREDENTIAL_NOT_RENEWED',
		`Zoho refused to renew the access token (${refusal}): reconnect the credential`,
		[...secrets, ...credentialSecrets(credentials)],
		attempts,
	);
}

function describeLostCause(cause: unknown): string {
	const error = cause as { code?: string; message?: string };
	if (error?.code === 'ECONNABORTED' || /timeout/i.test(error?.message ?? '')) {
		return 'the request timed out';
	}
	return error?.code ?? 'the connection was closed';
}

/** n8n throws these when Zoho refuses to renew the token; retrying would only repeat it. */
function isCredentialRefreshFailure(error: unknown): boolean {
	const failure = error as { name?: string; code?: string; message?: string };
	if (responseOf(error)) return false;
	return (
		failure?.name === 'NodeOperationError' ||
		failure?.code === 'EAUTH' ||
		/reconnect|refresh token|OAuth credentials not connected/i.test(failure?.message ?? '')
	);
}
