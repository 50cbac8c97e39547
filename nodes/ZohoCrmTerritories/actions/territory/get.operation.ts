import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { territoryLocator } from '../common.descriptions';
import { toZohoId } from '../../helpers/ids';
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
		const value = this.getNodeParameter('territoryId', itemIndex, '', { extractValue: true });
		const territoryId = toZohoId(this.getNode(), itemIndex, 'territory ID', value);

		const body = await zohoGet.call(this, `/settings/territories/${territoryId}`, {}, itemIndex);
		return ((body?.territories ?? []) as INodeExecutionData['json'][]).slice(0, 1);
	});
}
