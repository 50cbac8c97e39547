import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { userBatchFields } from '../common.descriptions';
import { runUserBatches, type UserBatchRequest } from '../../helpers/userBatches';
import { LOST_REMOVAL } from '../../helpers/zohoAnswers';

const showForRemoveUsers = { show: { resource: ['territory'], operation: ['removeUsers'] } };

export const description: INodeProperties[] = userBatchFields(showForRemoveUsers, {
	method: 'getTerritoryMembers',
	description: "Pick from the territory's current members",
});

function removeRequest(territoryId: string, userIds: string[]): UserBatchRequest {
	// Zoho caps `ids` at 500 characters, which userBatches respects when it packs the IDs.
	return {
		method: 'DELETE',
		path: `/settings/territories/${territoryId}/users`,
		qs: { ids: userIds.join(',') },
	};
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runUserBatches.call(this, items, {
		operationLabel: 'removal',
		buildRequest: removeRequest,
		packing: 'idsParam',
		lostAnswer: LOST_REMOVAL,
	});
}
