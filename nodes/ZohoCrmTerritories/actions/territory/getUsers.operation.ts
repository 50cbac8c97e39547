import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { returnAllOrLimit, territoryLocator } from '../common.descriptions';
import { readTerritoryId } from '../../helpers/ids';
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
		const territoryId = readTerritoryId.call(this, itemIndex);

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
