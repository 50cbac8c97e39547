import type { INodeProperties } from 'n8n-workflow';

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

export function batchingOptions(): INodeProperties {
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
