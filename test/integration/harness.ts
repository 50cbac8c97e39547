import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { ExecutionLifecycleHooks, LoadOptionsContext, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
	NodeHelpers,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type IDataObject,
	type ILoadOptionsFunctions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { ZohoCrmTerritoriesOAuth2Api } from '../../credentials/ZohoCrmTerritoriesOAuth2Api.credentials';
import { ZohoCrmTerritories } from '../../nodes/ZohoCrmTerritories/ZohoCrmTerritories.node';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, type ZohoSimulator } from '../simulator/server';

/** Every line a node logs through n8n's logger during the tests of one file. */
export const loggedLines: Array<{ level: string; message: string; meta?: unknown }> = [];

function capture(level: string) {
	return (message: string, meta?: unknown) => loggedLines.push({ level, message, meta });
}

const capturingLogger = {
	error: capture('error'),
	warn: capture('warn'),
	info: capture('info'),
	debug: capture('debug'),
	scoped: () => capturingLogger,
};
Container.set(Logger, capturingLogger as unknown as Logger);

export const NODE_TYPE = 'n8n-nodes-zoho-crm-territories.zohoCrmTerritories';
const SOURCE_TYPE = 'test.items';
const CREDENTIAL = { id: 'cred-1', name: 'Zoho (simulator)' };
const credentialType = new ZohoCrmTerritoriesOAuth2Api();

/** The fields the credential inherits from n8n's oAuth2Api and that the node reads. */
const inheritedProperties: INodeProperties[] = [
	{ displayName: 'Client ID', name: 'clientId', type: 'string', default: '' },
	{ displayName: 'Client Secret', name: 'clientSecret', type: 'string', default: '' },
];

/**
 * Keeps one credential as n8n's credentials helper would: hidden fields always take the type's
 * defaults (expressions over the visible fields), and refreshed tokens are stored back.
 */
export class CredentialStore extends ICredentialsHelper {
	data: ICredentialDataDecryptedObject;

	tokenUpdates = 0;

	constructor(data: ICredentialDataDecryptedObject) {
		super();
		this.data = structuredClone(data);
	}

	getParentTypes(): string[] {
		return ['oAuth2Api'];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(_credentials: ICredentialDataDecryptedObject, _type: string, options: never) {
		return options;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used by the node');
	}

	getCredentialsProperties(): INodeProperties[] {
		return [...inheritedProperties, ...credentialType.properties];
	}

	async getDecrypted(): Promise<ICredentialDataDecryptedObject> {
		const properties = this.getCredentialsProperties();
		const stored = { ...this.data };
		for (const property of properties) if (property.type === 'hidden') delete stored[property.name];
		const withDefaults = NodeHelpers.getNodeParameters(
			properties,
			stored as INodeParameters,
			true,
			false,
			null,
			null,
		) as INodeParameters;
		const workflow = new Workflow({
			nodes: [],
			connections: {},
			active: false,
			nodeTypes: nodeTypesFor([]),
		});
		const mockNode: INode = {
			id: 'c',
			name: '',
			type: 'mock',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		const resolved = workflow.expression.getComplexParameterValue(
			mockNode,
			withDefaults,
			'internal',
			{},
			undefined,
			undefined,
			withDefaults,
		) as ICredentialDataDecryptedObject;
		return { ...resolved, oauthTokenData: structuredClone(this.data.oauthTokenData) };
	}

	async updateCredentials(
		_details: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	) {
		this.data = structuredClone(data);
	}

	async updateCredentialsOauthTokenData(
		_details: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	) {
		this.tokenUpdates++;
		this.data = { ...this.data, oauthTokenData: structuredClone(data.oauthTokenData) };
	}
}

/** The credential as a user fills it in for the simulator, connected with a token it issued. */
export function simulatorCredential(simulator: ZohoSimulator): CredentialStore {
	return new CredentialStore({
		dataCenter: 'custom',
		customAccountsUrl: simulator.url,
		customApiUrl: simulator.url,
		clientId: DEFAULT_CLIENT_ID,
		clientSecret: DEFAULT_CLIENT_SECRET,
		oauthTokenData: { ...simulator.issueToken(), token_type: 'Bearer' },
	});
}

function sourceNodeType(items: IDataObject[]): INodeType {
	return {
		description: {
			displayName: 'Items',
			name: SOURCE_TYPE,
			group: ['input'],
			version: 1,
			description: 'Emits fixed items',
			defaults: { name: 'Items' },
			inputs: [],
			outputs: ['main'],
			properties: [],
		},
		async execute() {
			return [items.map((json) => ({ json }))];
		},
	};
}

function nodeTypesFor(items: IDataObject[]): INodeTypes {
	const types: Record<string, INodeType> = {
		[NODE_TYPE]: new ZohoCrmTerritories(),
		[SOURCE_TYPE]: sourceNodeType(items),
	};
	return {
		getByName: (type) => types[type],
		getByNameAndVersion: (type) => types[type] as INodeType,
		getKnownTypes: () => ({}),
	};
}

function additionalDataFor(store: CredentialStore): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: store,
		hooks: new ExecutionLifecycleHooks('manual', 'exec-1', {
			id: 'wf-1',
			name: 'test',
			active: false,
			nodes: [],
			connections: {},
			createdAt: new Date(),
			updatedAt: new Date(),
			isArchived: false,
			activeVersionId: null,
		} as never),
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		getRunExecutionData: async () => undefined,
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		formBaseUrl: 'http://127.0.0.1/form',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1/form-test',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1/mcp-test',
		currentNodeExecutionIndex: 0,
		variables: {},
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not used');
		},
		getRuntimeCredential: async () => undefined,
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface NodeRun {
	/** Items of each output of the Zoho node (main, then the error output when enabled). */
	outputs: INodeExecutionData[][];
	/** The node's error when the run stopped on it. */
	error?: Error & { description?: string; context?: IDataObject };
	run: IRun;
}

export interface RunOptions {
	store: CredentialStore;
	parameters: INodeParameters;
	items?: IDataObject[];
	onError?: INode['onError'];
}

function zohoNode(parameters: INodeParameters, onError?: INode['onError']): INode {
	return {
		id: 'zoho',
		name: 'Zoho',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [200, 0],
		parameters,
		credentials: { zohoCrmTerritoriesOAuth2Api: CREDENTIAL },
		onError,
	};
}

/** Runs Items → Zoho CRM Territories through n8n's own WorkflowExecute. */
export async function runZohoNode(options: RunOptions): Promise<NodeRun> {
	const items = options.items ?? [{}];
	const workflow = new Workflow({
		id: 'wf-1',
		nodes: [
			{
				id: 'items',
				name: 'Items',
				type: SOURCE_TYPE,
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			zohoNode(options.parameters, options.onError),
		],
		connections: { Items: { main: [[{ node: 'Zoho', type: 'main', index: 0 }]] } },
		active: false,
		nodeTypes: nodeTypesFor(items),
	});

	const execution = new WorkflowExecute(additionalDataFor(options.store), 'manual');
	const run = await execution.run({ workflow, startNode: workflow.getNode('Items') ?? undefined });
	const taskData = run.data.resultData.runData.Zoho?.[0];
	return {
		outputs: (taskData?.data?.main ?? []).map((output) => output ?? []),
		error: (taskData?.error ?? run.data.resultData.error) as NodeRun['error'],
		run,
	};
}

/** Calls one of the node's editor list methods as the editor would. */
export async function loadEditorList(
	store: CredentialStore,
	parameters: INodeParameters,
	call: (context: LoadOptionsContext, node: ZohoCrmTerritories) => Promise<unknown>,
): Promise<unknown> {
	const node = zohoNode(parameters);
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: nodeTypesFor([]),
	});
	const additionalData = additionalDataFor(store);
	additionalData.currentNodeParameters = parameters;
	const context = new LoadOptionsContext(workflow, node, additionalData, 'parameters.territoryId');
	return await call(context, new ZohoCrmTerritories());
}

/** The territory picker's search, as the editor runs it on Remove Users. */
export async function searchTerritories(
	store: CredentialStore,
	filter?: string,
	paginationToken?: string,
): Promise<unknown> {
	return await loadEditorList(
		store,
		{
			resource: 'territory',
			operation: 'removeUsers',
			territoryId: { __rl: true, mode: 'list', value: '' },
			userSelection: 'list',
		},
		async (context, node) =>
			await node.methods.listSearch.searchTerritories.call(
				context as unknown as ILoadOptionsFunctions,
				filter,
				paginationToken,
			),
	);
}

export function jsonOf(items: INodeExecutionData[]): IDataObject[] {
	return items.map((item) => item.json);
}

/** Remove Users with its territory and users given by ID (values or expressions). */
export function removeUsersParameters(
	territoryId: string,
	userIds: unknown,
	options: object = {},
): INodeParameters {
	return {
		resource: 'territory',
		operation: 'removeUsers',
		territoryId: { __rl: true, mode: 'id', value: territoryId },
		userSelection: 'ids',
		userIds: userIds as string,
		options: { ...options },
	};
}

export function addUsersParameters(
	territoryId: string,
	userIds: unknown,
	options: object = {},
): INodeParameters {
	return { ...removeUsersParameters(territoryId, userIds, options), operation: 'addUsers' };
}
