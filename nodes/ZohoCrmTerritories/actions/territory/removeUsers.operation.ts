import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { batchingOptions, territoryLocator } from '../common.descriptions';
import { runUserBatches, readUserAsks, type UserBatchRequest } from '../../helpers/userBatches';

const showForRemoveUsers = { show: { resource: ['territory'], operation: ['removeUsers'] } };

export const description: INodeProperties[] = [
	{ ...territoryLocator, displayOptions: showForRemoveUsers },
	{
		displayName: 'Select Users',
		name: 'userSelection',
		type: 'options',
		options: [
			{
				name: 'By ID',
				value: 'ids',
				description: 'Type or map user IDs, or an array of them from an expression',
			},
			{
				name: 'From Territory Members',
				value: 'list',
				description: "Pick from the territory's current members",
			},
		],
		default: 'ids',
		displayOptions: showForRemoveUsers,
	},
	{
		displayName: 'User IDs',
		name: 'userIds',
		type: 'string',
		default: '',
		required: true,
		placeholder: '4150868000000225001, 4150868000000225002',
		description:
			'Zoho user IDs separated by commas, spaces or new lines, or an expression that returns an array of IDs (or of users with an ID)',
		displayOptions: { show: { ...showForRemoveUsers.show, userSelection: ['ids'] } },
	},
	{
		displayName: 'User Names or IDs',
		name: 'members',
		type: 'multiOptions',
		typeOptions: {
			loadOptionsMethod: 'getTerritoryMembers',
			loadOptionsDependsOn: ['territoryId.value'],
		},
		default: [],
		required: true,
		description:
			'Members of the territory to remove. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: { show: { ...showForRemoveUsers.show, userSelection: ['list'] } },
	},
	{ ...batchingOptions(), displayOptions: showForRemoveUsers },
];

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
	const asks = readUserAsks.call(this, items);
	return await runUserBatches.call(this, asks, {
		operationLabel: 'removal',
		buildRequest: removeRequest,
		packing: 'idsParam',
	});
}
