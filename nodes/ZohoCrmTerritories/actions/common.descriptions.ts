import type { INodeProperties } from 'n8n-workflow';

import { ZOHO_URL } from '../helpers/ids';

export const territoryLocator: INodeProperties = {
	displayName: 'Territory',
	name: 'territoryId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The territory to work on',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a territory...',
			typeOptions: {
				searchListMethod: 'searchTerritories',
				searchable: true,
			},
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'https://crm.zoho.com/crm/org123456/settings/territories/4150868000000225013',
			extractValue: { type: 'regex', regex: ZOHO_URL },
			validation: [
				{
					type: 'regex',
					properties: {
						regex: ZOHO_URL,
						errorMessage: 'A Zoho CRM URL whose path ends in the 18-19 digit territory ID',
					},
				},
			],
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: '4150868000000225013',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^\\s*[0-9]{1,19}\\s*$',
						errorMessage: 'A territory ID is 18-19 digits, such as 4150868000000225013',
					},
				},
			],
		},
	],
};

type Show = { show: Record<string, string[]> };

/** The fields of Add Users and Remove Users: the territory, its users and the batching options. */
export function userBatchFields(
	displayOptions: Show,
	list: { method: string; description: string },
): INodeProperties[] {
	return [
		{ ...territoryLocator, displayOptions },
		...userFields(displayOptions, list),
		{ ...batchingOptions(), displayOptions },
	];
}

/** Users given by ID (text, list or array) or picked from a list the API serves. */
function userFields(
	displayOptions: Show,
	list: { method: string; description: string },
): INodeProperties[] {
	return [
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
				{ name: 'From List', value: 'list', description: list.description },
			],
			default: 'ids',
			displayOptions,
		},
		{
			displayName: 'User IDs',
			name: 'userIds',
			type: 'string',
			default: '',
			required: true,
			placeholder: '4150868000000225001, 4150868000000225002',
			description:
				'Zoho user IDs separated by commas, spaces or new lines, or an expression that returns an array of IDs (or of users with an ID). Zoho CRM user page URLs work too.',
			displayOptions: { show: { ...displayOptions.show, userSelection: ['ids'] } },
		},
		{
			displayName: 'User Names or IDs',
			name: 'userList',
			type: 'multiOptions',
			typeOptions: {
				loadOptionsMethod: list.method,
				loadOptionsDependsOn: ['territoryId.value'],
			},
			default: [],
			required: true,
			description:
				'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			displayOptions: { show: { ...displayOptions.show, userSelection: ['list'] } },
		},
	];
}

export function returnAllOrLimit(displayOptions: Show): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions,
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { ...displayOptions.show, returnAll: [false] } },
		},
	];
}

function batchingOptions(): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 25 },
				default: 2,
				description:
					'How many requests may be in flight at once. Zoho allows 5 to 25 concurrent calls per org depending on the edition, shared with everything else that uses the API; the node halves this when Zoho answers 429.',
			},
			{
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 10 },
				default: 4,
				description:
					'How often a request is retried after a 429, a 5xx or a lost connection, with growing, jittered waits (Retry-After is honoured)',
			},
			{
				displayName: 'Timeout (Ms)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1000 },
				default: 30000,
				description: 'How long to wait for one answer from Zoho before retrying',
			},
		],
	};
}
