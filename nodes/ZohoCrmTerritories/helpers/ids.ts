import { NodeOperationError, type IExecuteFunctions, type INode } from 'n8n-workflow';

/** Zoho record and user IDs are 18-19 digit decimal strings, far above Number.MAX_SAFE_INTEGER. */
const ZOHO_ID = /^[0-9]{1,19}$/;

/** A Zoho CRM page URL, as users paste it; the record's ID is read from its path. */
export const ZOHO_URL = '^(https?://[^/?#]*zoho[^/?#]*/.*)$';

/** An 18-19 digit ID, as a Zoho CRM URL must end in. */
const FULL_ZOHO_ID = /^[0-9]{18,19}$/;

/**
 * The last all-digit segment of a Zoho CRM URL's path, which is where Zoho puts the record's
 * ID; undefined when the text is not a Zoho URL.
 */
export function idInZohoUrl(text: string): string | undefined {
	if (!new RegExp(ZOHO_URL, 'i').test(text)) return undefined;
	let path: string;
	try {
		path = new URL(text).pathname;
	} catch {
		return undefined;
	}
	return (
		path
			.split('/')
			.filter((segment) => /^[0-9]+$/.test(segment))
			.at(-1) ?? ''
	);
}

function describeValue(value: unknown): string {
	if (typeof value === 'string') return JSON.stringify(value);
	if (value === null || value === undefined) return String(value);
	if (typeof value === 'object') {
		const text = JSON.stringify(value) ?? String(value);
		return text.length > 80 ? `${text.slice(0, 77)}...` : text;
	}
	return String(value);
}

function refuse(node: INode, itemIndex: number, field: string, value: unknown, fix: string) {
	return new NodeOperationError(
		node,
		`Invalid ${field} ${describeValue(value)} in item ${itemIndex}`,
		{
			itemIndex,
			description: fix,
		},
	);
}

function refuseNumber(node: INode, itemIndex: number, field: string, value: number) {
	if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
		return refuse(
			node,
			itemIndex,
			field,
			value,
			`The number ${value} is above Number.MAX_SAFE_INTEGER (9007199254740991), so it has already ` +
				'lost its last digits and is not the ID Zoho sent. Keep Zoho IDs as text from where they ' +
				'come from (for example read them as strings, not through a number field).',
		);
	}
	return refuse(
		node,
		itemIndex,
		field,
		value,
		`Zoho IDs are text of 18-19 digits; pass it as a string, for example "${String(value)}".`,
	);
}

/** Checks one ID and returns it as a string of ASCII digits, or throws an error naming the item. */
export function toZohoId(node: INode, itemIndex: number, field: string, value: unknown): string {
	if (typeof value === 'number') throw refuseNumber(node, itemIndex, field, value);
	if (typeof value !== 'string') {
		throw refuse(node, itemIndex, field, value, 'Give the ID as text of 18-19 digits.');
	}

	const trimmed = value.trim();
	const fromUrl = idInZohoUrl(trimmed);
	if (fromUrl !== undefined && !FULL_ZOHO_ID.test(fromUrl)) {
		throw refuse(
			node,
			itemIndex,
			field,
			value,
			'The URL does not end in an 18-19 digit Zoho ID. Open the record in Zoho CRM and copy its URL again, or give the ID itself.',
		);
	}
	const id = fromUrl ?? trimmed;
	if (id === '') {
		throw refuse(
			node,
			itemIndex,
			field,
			value,
			'The ID is empty. Give the ID as text of 18-19 digits.',
		);
	}
	if (!ZOHO_ID.test(id)) {
		throw refuse(
			node,
			itemIndex,
			field,
			value,
			'A Zoho ID is made of the digits 0-9 only (18-19 of them), with no sign, decimal point, ' +
				'letters or slashes. Copy it from Zoho CRM, or pick it from the list.',
		);
	}
	return id;
}

function fromListEntry(node: INode, itemIndex: number, field: string, entry: unknown): string {
	// An entry may be a user object, as output by a node that lists users.
	if (entry !== null && typeof entry === 'object' && !Array.isArray(entry) && 'id' in entry) {
		return toZohoId(node, itemIndex, field, (entry as { id: unknown }).id);
	}
	if (Array.isArray(entry)) {
		throw refuse(node, itemIndex, field, entry, 'Give a flat list of IDs, not a list of lists.');
	}
	return toZohoId(node, itemIndex, field, entry);
}

/**
 * Reads a list of IDs given as text separated by commas, spaces or new lines, or as an array
 * (of IDs or of objects with an `id`). Each ID appears once in the result, in first-seen order.
 */
export function toZohoIdList(
	node: INode,
	itemIndex: number,
	field: string,
	value: unknown,
): string[] {
	let entries: unknown[];
	if (typeof value === 'string') {
		entries = value
			.split(',')
			.map((part) => part.trim())
			.flatMap((part) => (part === '' ? [''] : part.split(/\s+/)));
		// A single trailing separator ("1, 2,") is a common paste and harmless.
		if (entries.length > 1 && entries[entries.length - 1] === '') entries.pop();
		if (entries.length === 1 && entries[0] === '') entries = [];
	} else if (Array.isArray(value)) {
		entries = value;
	} else if (value === null || value === undefined) {
		entries = [];
	} else {
		entries = [value];
	}

	if (entries.length === 0) {
		throw refuse(
			node,
			itemIndex,
			field,
			value,
			'Give at least one user ID: text separated by commas, spaces or new lines, or an array.',
		);
	}

	const ids = entries.map((entry) => fromListEntry(node, itemIndex, field, entry));
	return [...new Set(ids)];
}

/** The Territory field of an item (ID, URL or picked from the list), checked. */
export function readTerritoryId(this: IExecuteFunctions, itemIndex: number): string {
	const value = this.getNodeParameter('territoryId', itemIndex, '', { extractValue: true });
	return toZohoId(this.getNode(), itemIndex, 'territory ID', value);
}
