import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { idInZohoUrl } from '../helpers/ids';
import { readPages } from '../helpers/paging';
import { PICKER_RETRY_POLICY } from './pickerRequest';

/** An org with more users than this is better served by typing IDs than by a list. */
const MAX_LISTED_USERS = 2000;

function userOption(user: IDataObject): INodePropertyOptions {
	const name = String(user.full_name ?? user.name ?? user.id);
	return { name: user.email ? `${name} (${String(user.email)})` : name, value: String(user.id) };
}

export async function getTerritoryMembers(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const value = String(this.getCurrentNodeParameter('territoryId', { extractValue: true }) ?? '');
	const territoryId = idInZohoUrl(value.trim()) ?? value.trim();
	// Until a territory is chosen there are no members to offer.
	if (!/^[0-9]{1,19}$/.test(territoryId)) return [];

	const members = await readPages.call(
		this,
		{ path: `/settings/territories/${territoryId}/users`, key: 'users' },
		PICKER_RETRY_POLICY,
	);
	return members.map(userOption);
}

/** Active users of the org, to pick whom to add to a territory. */
export async function getActiveUsers(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const users = await readPages.call(
		this,
		{ path: '/users', qs: { type: 'ActiveUsers' }, key: 'users', limit: MAX_LISTED_USERS + 1 },
		PICKER_RETRY_POLICY,
	);
	const options = users.slice(0, MAX_LISTED_USERS).map(userOption);
	if (users.length > MAX_LISTED_USERS) {
		// Say that the list is cut rather than let a missing user look absent from the org.
		options.push({
			name: `Not all users are listed (more than ${MAX_LISTED_USERS}): use Select Users → By ID for the others`,
			value: '',
		});
	}
	return options;
}
