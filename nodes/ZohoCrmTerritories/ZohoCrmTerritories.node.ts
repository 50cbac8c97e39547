import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { router } from './actions/router';
import * as territory from './actions/territory';
import * as user from './actions/user';
import { listSearch, loadOptions } from './methods';

const mainConnection = [NodeConnectionTypes.Main];

export class ZohoCrmTerritories implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Zoho CRM Territories',
		name: 'zohoCrmTerritories',
		icon: {
			light: 'file:../../icons/zohoCrmTerritories.svg',
			dark: 'file:../../icons/zohoCrmTerritories.dark.svg',
		},
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Manage Zoho CRM territories and their members',
		defaults: { name: 'Zoho CRM Territories' },
		usableAsTool: true,
		inputs: mainConnection,
		outputs: mainConnection,
		credentials: [{ name: 'zohoCrmTerritoriesOAuth2Api', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Territory', value: 'territory' },
					{ name: 'User', value: 'user' },
				],
				default: 'territory',
			},
			...territory.description,
			...user.description,
		],
	};

	methods = { listSearch, loadOptions };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
