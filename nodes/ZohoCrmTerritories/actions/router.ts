import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import * as territory from './territory';
import * as user from './user';

const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

type Operation = (
	this: IExecuteFunctions,
	items: INodeExecutionData[],
) => Promise<INodeExecutionData[]>;

const operations: Record<string, Record<string, Operation>> = {
	territory: {
		addUsers: territory.addUsers.execute,
		get: territory.get.execute,
		getMany: territory.getMany.execute,
		getUsers: territory.getUsers.execute,
		removeUsers: territory.removeUsers.execute,
	},
	user: {
		getMany: user.getMany.execute,
	},
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	// Hidden for the Custom API Call resource, so read with a fallback.
	const operation = this.getNodeParameter('operation', 0, '') as string;

	// n8n's editor offers "Custom API Call" for every node with a credential.
	if (resource === CUSTOM_API_CALL || operation === CUSTOM_API_CALL) {
		throw new NodeOperationError(
			this.getNode(),
			'Custom API calls are made with the HTTP Request node',
			{
				description:
					'Add an HTTP Request node, set Authentication to "Predefined Credential Type" and pick Zoho CRM Territories OAuth2 API: it sends the request with this credential.',
			},
		);
	}

	const run = operations[resource]?.[operation];
	if (!run) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of the resource "${resource}" is not supported`,
		);
	}
	return [await run.call(this, items)];
}
