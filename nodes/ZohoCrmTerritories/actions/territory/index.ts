import type { INodeProperties } from 'n8n-workflow';

import * as removeUsers from './removeUsers.operation';

export { removeUsers };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['territory'] } },
		options: [
			{
				name: 'Remove Users',
				value: 'removeUsers',
				description: 'Remove one or many users from a territory',
				action: 'Remove users from a territory',
			},
		],
		default: 'removeUsers',
	},
	...removeUsers.description,
];
