import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { territoryLocator } from '../common.descriptions';
import { readTerritoryId } from '../../helpers/ids';
import { zohoGet } from '../../helpers/paging';
import { runPerItem } from '../../helpers/perItem';

export const description: INodeProperties[] = [
	{
		...territoryLocator,
		displayOptions: { show: { resource: ['territory'], operation: ['get'] } },
	},
];

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem.call(this, items, async (itemIndex) => {
		const territoryId = readTerritoryId.call(this, itemIndex);

		const body = await zohoGet.call(this, `/settings/territories/${territoryId}`, {}, itemIndex);
		return ((body?.territories ?? []) as INodeExecutionData['json'][]).slice(0, 1);
	});
}
