import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { returnAllOrLimit, territoryLocator } from '../common.descriptions';
import { toZohoId } from '../../helpers/ids';
import { readLimit, readPages } from '../../helpers/paging';
import { runPerItem } from '../../helpers/perItem';

const showForGetUsers = { show: { resource: ['territory'], operation: ['getUsers'] } };

export const description: INodeProperties[] = [
	{ ...territoryLocator, displayOptions: showForGetUsers },
	...returnAllOrLimit(showForGetUsers),
];

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem.call(this, items, async (itemIndex) => {
		const value = this.getNodeParameter('territoryId', itemIndex, '', { extractValue: true });
		const territoryId = toZohoId(this.getNode(), itemIndex, 'territory ID', value);

		const users = await readPages.call(this, {
			path: `/settings/territories/${territoryId}/users`,
			key: 'users',
			limit: readLimit.call(this, itemIndex),
			itemIndex,
		});
		// The territory travels with each member so that a later node can act on the pair.
		return users.map((user) => ({ ...user, territoryId }));
	});
}
