import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
} from 'n8n-workflow';

import {
	CREDENTIAL_TYPE,
	DEFAULT_RETRY_POLICY,
	credentialSecrets,
	redactSecrets,
	transportFailureOf,
	zohoApiRequest,
	type RetryPolicy,
	type ZohoRequest,
} from '../transport';
import { packIds } from './batching';
import { AdaptiveLimiter } from './concurrency';
import { readTerritoryId, toZohoIdList } from './ids';
import {
	isOrgWide,
	readUserResults,
	type LostAnswerReading,
	redactedDetails,
	toNodeApiError,
	type UserResult,
	type ZohoFailure,
} from './zohoAnswers';

/** What one input item asks for: a territory and its users, each user once. */
export interface UserAsk {
	itemIndex: number;
	territoryId: string;
	userIds: string[];
}

/** An input item whose parameters were refused (kept only when the node continues on fail). */
interface RefusedItem {
	itemIndex: number;
	error: NodeOperationError;
}

export type UserBatchRequest = Omit<ZohoRequest, 'batchSize'>;

export interface UserBatchOperation {
	/** A noun for messages, such as "removal". */
	operationLabel: string;
	buildRequest: (territoryId: string, userIds: string[]) => UserBatchRequest;
	/** `idsParam`: Zoho's 500-character `ids` cap; a number: that many users per request. */
	packing: 'idsParam' | number;
	/** What a refusal means when it answers a retry after a lost answer. */
	lostAnswer: LostAnswerReading;
}

interface Batch {
	territoryId: string;
	userIds: string[];
}

type BatchOutcome = { results: UserResult[] } | { failure: ZohoFailure };

function readUserIdsParameter(this: IExecuteFunctions, itemIndex: number): unknown {
	const selection = this.getNodeParameter('userSelection', itemIndex, 'ids') as string;
	return selection === 'list'
		? this.getNodeParameter('userList', itemIndex, [])
		: this.getNodeParameter('userIds', itemIndex, '');
}

/** Reads and checks every item's territory and users before anything is sent. */
function readUserAsks(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Array<UserAsk | RefusedItem> {
	const node = this.getNode();
	return items.map((_, itemIndex) => {
		try {
			return {
				itemIndex,
				territoryId: readTerritoryId.call(this, itemIndex),
				userIds: toZohoIdList(
					node,
					itemIndex,
					'user ID',
					readUserIdsParameter.call(this, itemIndex),
				),
			};
		} catch (error) {
			const refusal =
				error instanceof NodeOperationError
					? error
					: new NodeOperationError(node, error as Error, { itemIndex });
			if (!this.continueOnFail()) throw refusal;
			return { itemIndex, error: refusal };
		}
	});
}

/** Reads a numeric option within its declared bounds, or refuses it with the fix. */
function boundedOption(
	this: IExecuteFunctions,
	options: IDataObject,
	name: string,
	label: string,
	bounds: { min: number; max: number; fallback: number },
): number {
	const value = options[name] ?? bounds.fallback;
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (
		typeof number !== 'number' ||
		!Number.isFinite(number) ||
		number < bounds.min ||
		number > bounds.max
	) {
		throw new NodeOperationError(
			this.getNode(),
			`Invalid option ${label} ${JSON.stringify(value)}`,
			{
				description: `Set ${label} to a number from ${bounds.min} to ${bounds.max}, or remove the option to use ${bounds.fallback}.`,
			},
		);
	}
	return Math.floor(number);
}

/** The Options of the first item apply to the whole run, since its requests mix items. */
function batchSettings(this: IExecuteFunctions): { policy: RetryPolicy; limiter: AdaptiveLimiter } {
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const read = (
		name: string,
		label: string,
		bounds: { min: number; max: number; fallback: number },
	) => boundedOption.call(this, options, name, label, bounds);

	const limiter = new AdaptiveLimiter(
		read('concurrency', 'Concurrency', { min: 1, max: 25, fallback: 2 }),
	);
	const policy: RetryPolicy = {
		...DEFAULT_RETRY_POLICY,
		maxRetries: read('maxRetries', 'Max Retries', {
			min: 0,
			max: 10,
			fallback: DEFAULT_RETRY_POLICY.maxRetries,
		}),
		timeoutMs: read('timeout', 'Timeout (Ms)', {
			min: 1000,
			max: 600_000,
			fallback: DEFAULT_RETRY_POLICY.timeoutMs,
		}),
		onThrottled: () => limiter.throttled(),
	};
	return { policy, limiter };
}

function planBatches(asks: UserAsk[], packing: UserBatchOperation['packing']): Batch[] {
	const usersByTerritory = new Map<string, Set<string>>();
	for (const ask of asks) {
		const users = usersByTerritory.get(ask.territoryId) ?? new Set<string>();
		ask.userIds.forEach((id) => users.add(id));
		usersByTerritory.set(ask.territoryId, users);
	}

	const batches: Batch[] = [];
	for (const [territoryId, users] of usersByTerritory) {
		const ids = [...users];
		const groups =
			packing === 'idsParam'
				? packIds(ids)
				: Array.from({ length: Math.ceil(ids.length / packing) }, (_, index) =>
						ids.slice(index * packing, (index + 1) * packing),
					);
		groups.forEach((userIds) => batches.push({ territoryId, userIds }));
	}
	return batches;
}

function unexpectedFailure(error: unknown): ZohoFailure {
	return {
		httpStatus: 0,
		code: 'UNEXPECTED_RESPONSE',
		message: `The answer could not be read: ${(error as Error)?.message ?? String(error)}`,
		details: {},
	};
}

/** A request that got no usable answer at all, as a failure of its batch. */
function transportFailure(error: unknown): ZohoFailure | undefined {
	const failure = transportFailureOf(error);
	if (!failure) return undefined;
	return {
		httpStatus: failure.code === 'CREDENTIAL_NOT_RENEWED' ? 401 : 0,
		code: failure.code,
		message: failure.message,
		details: failure.attempts ? { attempts: failure.attempts } : {},
	};
}

/**
 * Sends every ask in as few requests as Zoho allows, and returns one item per asked user,
 * in input order, each paired to the item that asked for it.
 */
export async function runUserBatches(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	operation: UserBatchOperation,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const asksAndRefusals = readUserAsks.call(this, items);
	const secrets = credentialSecrets(await this.getCredentials(CREDENTIAL_TYPE));
	const asks = asksAndRefusals.filter((entry): entry is UserAsk => 'territoryId' in entry);
	const batches = planBatches(asks, operation.packing);
	const continueOnFail = this.continueOnFail();

	const { policy, limiter } = batchSettings.call(this);

	const outcomes = new Map<Batch, BatchOutcome>();
	let stopReason: ZohoFailure | undefined;

	const sendBatch = async (batch: Batch): Promise<void> => {
		if (stopReason) {
			outcomes.set(batch, { failure: stopReason });
			return;
		}
		let outcome: BatchOutcome;
		try {
			const request = operation.buildRequest(batch.territoryId, batch.userIds);
			const response = await zohoApiRequest.call(
				this,
				{ ...request, batchSize: batch.userIds.length },
				policy,
			);
			outcome = readUserResults(response, batch.territoryId, batch.userIds, operation.lostAnswer);
		} catch (error) {
			// Whatever went wrong stays with this batch: the others still get their results.
			outcome = { failure: transportFailure(error) ?? unexpectedFailure(error) };
		}
		outcomes.set(batch, outcome);
		if ('failure' in outcome) {
			if (isOrgWide(outcome.failure) || !continueOnFail) stopReason ??= outcome.failure;
		} else {
			limiter.succeeded();
		}
	};

	await Promise.all(
		batches.map(async (batch) => await limiter.run(async () => await sendBatch(batch))),
	);

	const firstFailure = batches
		.map((batch) => outcomes.get(batch))
		.find((outcome): outcome is { failure: ZohoFailure } => !!outcome && 'failure' in outcome);
	if (firstFailure && !continueOnFail) {
		throw toNodeApiError(node, firstFailure.failure, secrets, {
			context: progressNote(batches, outcomes, operation.operationLabel),
		});
	}

	return buildOutput(asksAndRefusals, batches, outcomes, secrets, node);
}

function progressNote(batches: Batch[], outcomes: Map<Batch, BatchOutcome>, label: string): string {
	let answered = 0;
	let succeeded = 0;
	for (const batch of batches) {
		const outcome = outcomes.get(batch);
		if (outcome && 'results' in outcome) {
			answered += outcome.results.length;
			succeeded += outcome.results.filter((result) => result.success).length;
		}
	}
	if (answered === 0) return '';
	return (
		`Before this failure Zoho had answered for ${answered} user ${label}s (${succeeded} succeeded); ` +
		'they are not in the output because the node stopped. Turn on the node setting "On Error: ' +
		'Continue" to get one item per user, failures included.'
	);
}

function buildOutput(
	asksAndRefusals: Array<UserAsk | RefusedItem>,
	batches: Batch[],
	outcomes: Map<Batch, BatchOutcome>,
	secrets: string[],
	node: INode,
): INodeExecutionData[] {
	const resultByKey = new Map<string, UserResult | ZohoFailure>();
	for (const batch of batches) {
		const outcome = outcomes.get(batch);
		for (const [index, userId] of batch.userIds.entries()) {
			const key = `${batch.territoryId}/${userId}`;
			if (!outcome) continue;
			resultByKey.set(key, 'results' in outcome ? outcome.results[index] : outcome.failure);
		}
	}

	const output: INodeExecutionData[] = [];
	for (const entry of asksAndRefusals) {
		const pairedItem = { item: entry.itemIndex };
		if (!('territoryId' in entry)) {
			output.push({ json: { error: entry.error.message }, error: entry.error, pairedItem });
			continue;
		}
		for (const userId of entry.userIds) {
			const result = resultByKey.get(`${entry.territoryId}/${userId}`);
			if (result && 'userId' in result) {
				output.push({
					json: {
						...result,
						message: redactSecrets(result.message, secrets),
						details: redactedDetails(result.details, secrets),
					} as unknown as IDataObject,
					pairedItem,
				});
				continue;
			}
			const failure = result ?? {
				httpStatus: 0,
				code: 'NOT_SENT',
				message: 'The request for this user was not sent',
				details: {},
			};
			output.push({ json: failureItem(node, entry, userId, failure, secrets), pairedItem });
		}
	}
	return output;
}

/**
 * n8n replaces the JSON of an item that carries an `error` object with `{ error }`, and sends
 * to the error output only items shaped `{ error, message, details }`; so a failed request's
 * item keeps its user in the fields, and takes that shape when the error output is on.
 */
function failureItem(
	node: INode,
	ask: UserAsk,
	userId: string,
	failure: ZohoFailure,
	secrets: string[],
): IDataObject {
	const error = toNodeApiError(node, failure, secrets, { itemIndex: ask.itemIndex });
	const result = {
		territoryId: ask.territoryId,
		userId,
		success: false,
		status: 'error',
		code: failure.code,
		message: redactSecrets(failure.message, secrets),
		details: redactedDetails({ httpStatus: failure.httpStatus, ...failure.details }, secrets),
	};
	if (node.onError === 'continueErrorOutput') {
		const { message, ...rest } = result;
		return { error: error.message, message, details: { ...rest, hint: error.description ?? null } };
	}
	return { ...result, error: error.message };
}
