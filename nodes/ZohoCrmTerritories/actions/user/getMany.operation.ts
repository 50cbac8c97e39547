import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { returnAllOrLimit } from '../common.descriptions';
import { readLimit, readPages } from '../../helpers/paging';
import { runPerItem } from '../../helpers/perItem';

const showForGetMany = { show: { resource: ['user'], operation: ['getMany'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		// Zoho's own user types, as its `type` query parameter names them.
		options: [
			{ name: 'Active', value: 'ActiveUsers' },
			{ name: 'Active and Confirmed', value: 'ActiveConfirmedUsers' },
			{ name: 'Active Confirmed Admins', value: 'ActiveConfirmedAdmins' },
			{ name: 'Admins', value: 'AdminUsers' },
			{ name: 'All', value: 'AllUsers' },
			{ name: 'Confirmed', value: 'ConfirmedUsers' },
			{ name: 'Current User', value: 'CurrentUser' },
			{ name: 'Deactivated', value: 'DeactiveUsers' },
			{ name: 'Deleted', value: 'DeletedUsers' },
			{ name: 'Not Confirmed', value: 'NotConfirmedUsers' },
		],
		default: 'ActiveUsers',
		description: 'Which users of the org to list',
		displayOptions: showForGetMany,
	},
	...returnAllOrLimit(showForGetMany),
];

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem.call(this, items, async (itemIndex) => {
		return await readPages.call(this, {
			path: '/users',
			qs: { type: this.getNodeParameter('type', itemIndex, 'ActiveUsers') as string },
			key: 'users',
			limit: readLimit.call(this, itemIndex),
			itemIndex,
		});
	});
}
