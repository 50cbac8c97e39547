import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { userBatchFields } from '../common.descriptions';
import { runUserBatches, type UserBatchRequest } from '../../helpers/userBatches';
import { LOST_ADDITION } from '../../helpers/zohoAnswers';

/** Zoho takes at most 100 users in one add request. */
const MAX_USERS_PER_ADD = 100;

const showForAddUsers = { show: { resource: ['territory'], operation: ['addUsers'] } };

export const description: INodeProperties[] = userBatchFields(showForAddUsers, {
	method: 'getActiveUsers',
	description: 'Pick from the active users of the org',
});

function addRequest(territoryId: string, userIds: string[]): UserBatchRequest {
	return {
		method: 'PUT',
		path: `/settings/territories/${territoryId}/users`,
		body: { users: userIds.map((id) => ({ id })) },
	};
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runUserBatches.call(this, items, {
		operationLabel: 'addition',
		buildRequest: addRequest,
		packing: MAX_USERS_PER_ADD,
		lostAnswer: LOST_ADDITION,
	});
}
