import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { returnAllOrLimit } from '../common.descriptions';
import { readLimit, readPages } from '../../helpers/paging';
import { runPerItem } from '../../helpers/perItem';

const showForGetMany = { show: { resource: ['territory'], operation: ['getMany'] } };

export const description: INodeProperties[] = [
	...returnAllOrLimit(showForGetMany),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: showForGetMany,
		options: [
			{
				displayName: 'Name Contains',
				name: 'name',
				type: 'string',
				default: '',
				description: 'Only territories whose name contains this text, ignoring case',
			},
		],
	},
];

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await runPerItem.call(this, items, async (itemIndex) => {
		const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
		const needle = String(filters.name ?? '')
			.trim()
			.toLowerCase();

		// Zoho has no name filter for territories, so the pages are filtered here.
		return await readPages.call(this, {
			path: '/settings/territories',
			key: 'territories',
			limit: readLimit.call(this, itemIndex),
			keep: needle
				? (territory) =>
						String(territory.name ?? '')
							.toLowerCase()
							.includes(needle)
				: undefined,
			itemIndex,
		});
	});
}
