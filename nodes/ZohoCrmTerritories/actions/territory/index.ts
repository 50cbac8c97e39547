import type { INodeProperties } from 'n8n-workflow';

import * as addUsers from './addUsers.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as getUsers from './getUsers.operation';
import * as removeUsers from './removeUsers.operation';

export { addUsers, get, getMany, getUsers, removeUsers };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['territory'] } },
		options: [
			{
				name: 'Add Users',
				value: 'addUsers',
				description: 'Add one or many users to a territory',
				action: 'Add users to a territory',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get a territory by ID',
				action: 'Get a territory',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: "List the org's territories, optionally by name",
				action: 'Get many territories',
			},
			{
				name: 'Get Users',
				value: 'getUsers',
				description: 'List the members of a territory',
				action: 'Get users of a territory',
			},
			{
				name: 'Remove Users',
				value: 'removeUsers',
				description: 'Remove one or many users from a territory',
				action: 'Remove users from a territory',
			},
		],
		default: 'removeUsers',
	},
	...addUsers.description,
	...get.description,
	...getMany.description,
	...getUsers.description,
	...removeUsers.description,
];
