import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { idInZohoUrl } from '../helpers/ids';
import { zohoPickerRequest } from './pickerRequest';

/** A territory holds at most 100 users, so a few pages always cover it. */
const MAX_MEMBER_PAGES = 5;

/** An org with more users than this is better served by typing IDs than by a list. */
const MAX_USER_PAGES = 10;

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

	const options: INodePropertyOptions[] = [];
	for (let page = 1; page <= MAX_MEMBER_PAGES; page++) {
		const body = await zohoPickerRequest.call(this, `/settings/territories/${territoryId}/users`, {
			page,
			per_page: 200,
		});
		for (const user of (body?.users ?? []) as IDataObject[]) {
			options.push(userOption(user));
		}
		if ((body?.info as IDataObject | undefined)?.more_records !== true) break;
	}
	return options;
}

/** Active users of the org, to pick whom to add to a territory. */
export async function getActiveUsers(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const options: INodePropertyOptions[] = [];
	for (let page = 1; page <= MAX_USER_PAGES; page++) {
		const body = await zohoPickerRequest.call(this, '/users', {
			type: 'ActiveUsers',
			page,
			per_page: 200,
		});
		for (const user of (body?.users ?? []) as IDataObject[]) options.push(userOption(user));
		if ((body?.info as IDataObject | undefined)?.more_records !== true) return options;
	}
	// Say that the list is cut rather than let a missing user look absent from the org.
	options.push({
		name: `Not all users are listed (more than ${options.length}): use Select Users → By ID for the others`,
		value: '',
	});
	return options;
}
