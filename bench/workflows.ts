/**
 * The three routes as n8n workflows: the same Manual Trigger and Code node feeding either this
 * node or n8n's own HTTP Request node.
 */
import type { WorkflowToImport } from '../test/e2e/n8n';
import { CREDENTIAL_TYPE, NODE_TYPE, SIMULATOR_CREDENTIAL } from '../test/e2e/removeUsersExample';
import type { InputItem } from './workloads';

export type RouteKey =
	'node' | 'httpPerUser' | 'httpPerUserBatchingDefaults' | 'httpPerUserSpaced' | 'httpPerItem';

export const ROUTE_KEYS: RouteKey[] = [
	'node',
	'httpPerUser',
	'httpPerUserBatchingDefaults',
	'httpPerUserSpaced',
	'httpPerItem',
];

export const ROUTE_LABELS: Record<RouteKey, string> = {
	node: 'this node (Remove Users)',
	httpPerUser: 'HTTP Request, one DELETE per user',
	httpPerUserBatchingDefaults: 'HTTP Request, one DELETE per user, Batching at its defaults',
	httpPerUserSpaced: 'HTTP Request, one DELETE per user, Batching spaced for Zoho',
	httpPerItem: 'HTTP Request, one ids DELETE per item',
};

/**
 * The HTTP Request node's Batching option: it sleeps `batchIntervalMs` before every
 * `batchSize`-th item, without waiting for the requests already sent.
 */
export interface HttpBatching {
	batchSize: number;
	batchIntervalMs: number;
}

/** What the HTTP Request node's Batching option holds once added, in n8n 2.41.1. */
export const N8N_BATCHING_DEFAULTS: HttpBatching = { batchSize: 50, batchIntervalMs: 1000 };

export interface RouteSetup {
	/** The node's Concurrency option, set to the limit Zoho enforces. */
	zohoConcurrency: number;
	/** Only for httpPerUserSpaced. */
	batching?: HttpBatching;
}

/** The node each route measures, by name in its workflow. */
export const MEASURED_NODE = 'Remove Users';

const INPUT_NODE = 'Users To Remove';
const SPLIT_NODE = 'One Item Per User';

/** The newest HTTP Request version in n8n 2.41.1 (also its default). */
export const HTTP_REQUEST_TYPE_VERSION = 4.5;

const credentials = {
	[CREDENTIAL_TYPE]: { id: SIMULATOR_CREDENTIAL.id, name: SIMULATOR_CREDENTIAL.name },
};

interface NodeJson extends Record<string, unknown> {
	name: string;
}

function node(
	name: string,
	type: string,
	typeVersion: number,
	parameters: Record<string, unknown>,
	index: number,
	extra: Record<string, unknown> = {},
): NodeJson {
	return {
		id: `b0000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
		name,
		type,
		typeVersion,
		position: [index * 220, 0],
		parameters,
		...extra,
	};
}

/** A Code node that returns the items as a literal; IDs stay strings. */
function inputNode(items: InputItem[], index: number): NodeJson {
	const json = JSON.stringify(items.map((item) => ({ json: item })));
	return node(INPUT_NODE, 'n8n-nodes-base.code', 2, { jsCode: `return ${json};\n` }, index);
}

function httpDelete(
	url: string,
	index: number,
	query?: Record<string, string>,
	batching?: HttpBatching,
): NodeJson {
	const parameters: Record<string, unknown> = {
		method: 'DELETE',
		url,
		authentication: 'predefinedCredentialType',
		nodeCredentialType: CREDENTIAL_TYPE,
		// Retries and every other option stay at n8n's defaults; batching only when given.
		options: batching
			? {
					batching: {
						batch: { batchSize: batching.batchSize, batchInterval: batching.batchIntervalMs },
					},
				}
			: {},
	};
	if (query) {
		parameters.sendQuery = true;
		parameters.queryParameters = {
			parameters: Object.entries(query).map(([name, value]) => ({ name, value })),
		};
	}
	return node(
		MEASURED_NODE,
		'n8n-nodes-base.httpRequest',
		HTTP_REQUEST_TYPE_VERSION,
		parameters,
		index,
		{
			credentials,
		},
	);
}

function perUserNodes(territories: string, batching?: HttpBatching): NodeJson[] {
	return [
		node(
			SPLIT_NODE,
			'n8n-nodes-base.splitOut',
			1,
			{
				fieldToSplitOut: 'userIds',
				include: 'selectedOtherFields',
				fieldsToInclude: 'territoryId',
				options: { destinationFieldName: 'userId' },
			},
			2,
		),
		httpDelete(
			`=${territories}/{{ $json.territoryId }}/users/{{ $json.userId }}`,
			3,
			undefined,
			batching,
		),
	];
}

function routeNodes(route: RouteKey, apiUrl: string, setup: RouteSetup): NodeJson[] {
	const territories = `${apiUrl}/crm/v7/settings/territories`;
	switch (route) {
		case 'node':
			return [
				node(
					MEASURED_NODE,
					NODE_TYPE,
					1,
					{
						resource: 'territory',
						operation: 'removeUsers',
						territoryId: { __rl: true, mode: 'id', value: '={{ $json.territoryId }}' },
						userSelection: 'ids',
						userIds: '={{ $json.userIds }}',
						options: { concurrency: setup.zohoConcurrency },
					},
					2,
					{ credentials },
				),
			];
		case 'httpPerUser':
			return perUserNodes(territories);
		case 'httpPerUserBatchingDefaults':
			return perUserNodes(territories, N8N_BATCHING_DEFAULTS);
		case 'httpPerUserSpaced':
			if (!setup.batching) throw new Error('The spaced route needs its batching settings');
			return perUserNodes(territories, setup.batching);
		case 'httpPerItem':
			return [
				httpDelete(`=${territories}/{{ $json.territoryId }}/users`, 2, {
					ids: "={{ $json.userIds.join(',') }}",
				}),
			];
	}
}

export function buildWorkflow(
	id: string,
	route: RouteKey,
	items: InputItem[],
	apiUrl: string,
	setup: RouteSetup,
): WorkflowToImport {
	const nodes = [
		node('Start', 'n8n-nodes-base.manualTrigger', 1, {}, 0),
		inputNode(items, 1),
		...routeNodes(route, apiUrl, setup),
	];
	const connections: Record<string, unknown> = {};
	for (let index = 0; index + 1 < nodes.length; index++) {
		connections[nodes[index].name] = {
			main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]],
		};
	}
	return {
		id,
		name: `Benchmark: ${ROUTE_LABELS[route]}`,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
	};
}
