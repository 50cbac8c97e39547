import { NodeApiError, type IDataObject, type INode, type JsonObject } from 'n8n-workflow';

import { redactDeep, redactSecrets, type ZohoResponse } from '../transport';

/** One user's outcome, as output by the node. */
export interface UserResult {
	territoryId: string;
	userId: string;
	success: boolean;
	status: string;
	code: string;
	message: string;
	details: IDataObject;
}

/** Zoho's refusal of a whole request, before or instead of any per-user result. */
export interface ZohoFailure {
	httpStatus: number;
	code: string;
	message: string;
	details: IDataObject;
}

/** Codes that concern the whole org or credential: every other request would fail the same way. */
const ORG_WIDE_CODES = new Set([
	'INVALID_TOKEN',
	'AUTHENTICATION_FAILURE',
	'OAUTH_SCOPE_MISMATCH',
	'TERRITORY_NOT_ENABLED',
	'FEATURE_NOT_ENABLED',
	'NO_PERMISSION',
	'CREDENTIAL_NOT_RENEWED',
	'API_HOST_REFUSED',
]);

export function isOrgWide(failure: ZohoFailure): boolean {
	return ORG_WIDE_CODES.has(failure.code);
}

const TERRITORIES_OFF =
	'Territory management is off in this Zoho CRM org (it needs the Enterprise edition or above). An administrator can turn it on under Setup > Territory Management.';

const SERVER_ERROR =
	'Zoho had a server error and retries did not get through. Run the workflow again later; what Zoho already changed stays changed.';

const HINTS: Record<string, string> = {
	INVALID_TOKEN:
		'Zoho refused the access token and n8n could not renew it. Open the credential and reconnect it; check that its data centre is the one your Zoho account signs in at.',
	AUTHENTICATION_FAILURE:
		'Zoho could not authenticate the request. Open the credential and reconnect it.',
	CREDENTIAL_NOT_RENEWED:
		'Zoho refused to renew the access token (the refresh token was revoked, expired or belongs to another client). Open the credential and reconnect it.',
	OAUTH_SCOPE_MISMATCH:
		'The credential was authorized without a scope this operation needs. Reconnect the credential so that Zoho asks for ZohoCRM.settings.territories.ALL and ZohoCRM.users.READ.',
	TERRITORY_NOT_ENABLED: TERRITORIES_OFF,
	FEATURE_NOT_ENABLED: TERRITORIES_OFF,
	NO_PERMISSION:
		'The Zoho user who connected the credential may not manage territories. Connect it as a user whose profile has the Manage Territories permission.',
	TOO_MANY_REQUESTS:
		"Zoho's API limit was reached (concurrent calls or daily credits) and retries did not get through. Lower the Concurrency option, raise Max Retries, or run the workflow later.",
	INTERNAL_ERROR: SERVER_ERROR,
	INTERNAL_SERVER_ERROR: SERVER_ERROR,
	TERRITORY_NOT_FOUND:
		'No territory with this ID exists in the connected org. Pick the territory from the list, or copy its ID from Zoho CRM (Setup > Territory Management).',
	NO_ANSWER:
		'Zoho did not answer in time, or the connection dropped, on every attempt. Check the network, raise the Timeout or Max Retries options, and run again; a rerun is safe.',
	UNEXPECTED_RESPONSE:
		"Zoho answered in a form this node does not know. Nothing in it was taken as a success. Run again; if it persists, check the credential's API host.",
	API_HOST_REFUSED:
		'Reconnect the credential, or choose the Custom Host data centre if you deliberately use a proxy.',
};

export function hintFor(code: string): string | undefined {
	return HINTS[code];
}

function isRecord(value: unknown): value is IDataObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value: unknown, fallback = ''): string {
	return typeof value === 'string' ? value : fallback;
}

/** Zoho wraps entries in `users`, sometimes nested one array deeper; deeper ones are ignored. */
function flattenEntries(value: unknown, depth = 0): unknown[] {
	if (!Array.isArray(value)) return [value];
	if (depth > 2) return [];
	return value.flatMap((entry) => flattenEntries(entry, depth + 1));
}

function failureFromEnvelope(httpStatus: number, envelope: IDataObject): ZohoFailure {
	const details = isRecord(envelope.details) ? envelope.details : {};
	let code = text(envelope.code, 'UNEXPECTED_RESPONSE');
	// Zoho reports an unknown territory as INVALID_DATA pointing at the path segment.
	if (code === 'INVALID_DATA' && details.resource_path_index === 2) code = 'TERRITORY_NOT_FOUND';
	return {
		httpStatus,
		code,
		message: text(envelope.message) || `Zoho answered HTTP ${httpStatus} with code ${code}`,
		details: code === envelope.code ? details : { ...details, zohoCode: envelope.code ?? null },
	};
}

function unexpected(httpStatus: number, what: string): ZohoFailure {
	return {
		httpStatus,
		code: 'UNEXPECTED_RESPONSE',
		message: `Zoho answered HTTP ${httpStatus} with ${what}`,
		details: {},
	};
}

/** Reads a non-success answer that carries no per-user entries. */
export function readFailure(response: ZohoResponse): ZohoFailure {
	const { status, body } = response;
	if (isRecord(body) && typeof body.code === 'string') return failureFromEnvelope(status, body);
	if (isRecord(body) && Array.isArray(body.users)) {
		const first = flattenEntries(body.users).find(isRecord);
		if (first && typeof first.code === 'string') return failureFromEnvelope(status, first);
	}
	if (status === 0) return unexpected(status, 'no status');
	return unexpected(
		status,
		body === undefined || body === '' ? 'an empty body' : 'a body that is not Zoho JSON',
	);
}

/**
 * Turns Zoho's answer to a users call (remove or add) into one result per asked user,
 * or a failure of the whole request.
 */
export function readUserResults(
	response: ZohoResponse,
	territoryId: string,
	askedIds: string[],
	reading?: LostAnswerReading,
): { results: UserResult[] } | { failure: ZohoFailure } {
	const { status, body } = response;
	const answeredPerUser = (status >= 200 && status < 300) || status === 400;
	if (!answeredPerUser || !isRecord(body) || !Array.isArray(body.users)) {
		if (status >= 200 && status < 300 && !isRecord(body)) {
			return { failure: unexpected(status, body ? 'a body that is not JSON' : 'an empty body') };
		}
		return { failure: readFailure(response) };
	}

	const entries = flattenEntries(body.users).filter(isRecord);
	const asked = new Set(askedIds);
	const byId = new Map<string, IDataObject>();
	const anonymous: IDataObject[] = [];
	for (const entry of entries) {
		const id = isRecord(entry.details) ? entry.details.id : undefined;
		if (typeof id === 'string' && asked.has(id)) {
			if (!byId.has(id)) byId.set(id, entry);
		} else if (id === undefined) {
			anonymous.push(entry);
		}
	}

	if (
		byId.size === 0 &&
		anonymous.length > 0 &&
		anonymous.every((entry) => entry.status !== 'success')
	) {
		const pathError = anonymous.find(
			(entry) => isRecord(entry.details) && 'resource_path_index' in entry.details,
		);
		if (pathError || anonymous.length !== askedIds.length) {
			return { failure: failureFromEnvelope(status, pathError ?? anonymous[0]) };
		}
	}

	const missing = askedIds.filter((id) => !byId.has(id));
	// Entries without an id are matched by position only when their count leaves no doubt.
	if (missing.length > 0 && missing.length === anonymous.length) {
		missing.forEach((id, index) => byId.set(id, anonymous[index]));
	}

	return {
		results: askedIds.map((userId) => {
			const entry = byId.get(userId);
			if (!entry) {
				return {
					territoryId,
					userId,
					success: false,
					status: 'error',
					code: 'NO_RESULT',
					message: "Zoho's answer held no result for this user, so its outcome is unknown",
					details: { httpStatus: status },
				};
			}
			const lostAnswer = response.retriedAfterLostResponse ? reading : undefined;
			return entryToResult(entry, territoryId, userId, lostAnswer);
		}),
	};
}

/**
 * How a refusal reads when it answers a retry whose first attempt's answer was lost: Zoho may
 * have applied that attempt, so "not a member" after a removal (or "already a member" after an
 * addition) most likely means the change was made.
 */
export interface LostAnswerReading {
	codes: string[];
	message?: RegExp;
	code: string;
	explanation: string;
}

export const LOST_REMOVAL: LostAnswerReading = {
	codes: ['INVALID_DATA'],
	message: /not a member/i,
	code: 'ALREADY_REMOVED',
	explanation:
		'Not a member when the request was retried after a lost answer: the earlier attempt most likely removed this user',
};

export const LOST_ADDITION: LostAnswerReading = {
	codes: ['DUPLICATE_DATA', 'ALREADY_EXISTS'],
	code: 'ALREADY_ADDED',
	explanation:
		'Already a member when the request was retried after a lost answer: the earlier attempt most likely added this user',
};

function entryToResult(
	entry: IDataObject,
	territoryId: string,
	userId: string,
	lostAnswer: LostAnswerReading | undefined,
): UserResult {
	const status = text(entry.status, 'error').toLowerCase();
	const code = text(entry.code, 'UNKNOWN');
	const message = text(entry.message);
	const details = isRecord(entry.details) ? entry.details : {};
	const success = status === 'success' && (code === 'SUCCESS' || entry.code === undefined);

	if (
		!success &&
		lostAnswer?.codes.includes(code) &&
		(!lostAnswer.message || lostAnswer.message.test(message))
	) {
		return {
			territoryId,
			userId,
			success: true,
			status: 'success',
			code: lostAnswer.code,
			message: lostAnswer.explanation,
			details: { ...details, zohoCode: code, zohoMessage: message },
		};
	}

	return {
		territoryId,
		userId,
		success,
		status: success ? 'success' : 'error',
		code,
		message,
		details,
	};
}

/** A NodeApiError that carries Zoho's code and message, with a hint, and no secret. */
export function toNodeApiError(
	node: INode,
	failure: ZohoFailure,
	secrets: string[],
	extra: { itemIndex?: number; context?: string } = {},
): NodeApiError {
	const message = redactSecrets(failure.message, secrets);
	const hint = hintFor(failure.code);
	const description = [hint, extra.context].filter(Boolean).join(' ');
	const error = new NodeApiError(
		node,
		{ code: failure.code, message, status: 'error', httpStatus: failure.httpStatus } as JsonObject,
		{
			message: `Zoho CRM: ${message} [${failure.code}]`,
			description: description || undefined,
			httpCode: failure.httpStatus ? String(failure.httpStatus) : undefined,
			itemIndex: extra.itemIndex,
		},
	);
	error.context.zohoCode = failure.code;
	return error;
}

export function redactedDetails(details: IDataObject, secrets: string[]): IDataObject {
	return redactDeep(details, secrets);
}
