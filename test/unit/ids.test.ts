import type { INode } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { toZohoId, toZohoIdList } from '../../nodes/ZohoCrmTerritories/helpers/ids';

const node = { name: 'Zoho', type: 'zoho', typeVersion: 1 } as INode;
const A = '4150868000000225001';
const B = '4150868000000225002';

function refusal(run: () => unknown): { message: string; description: string } {
	try {
		run();
	} catch (error) {
		const { message, description } = error as { message: string; description: string };
		return { message, description };
	}
	throw new Error('expected the value to be refused');
}

describe('user ID lists', () => {
	it.each([
		['commas', `${A},${B}`],
		['commas and spaces', `${A}, ${B}`],
		['new lines', `${A}\n${B}\n`],
		['spaces and tabs', `  ${A}\t ${B} `],
		['a trailing comma', `${A}, ${B},`],
	])('reads IDs separated by %s', (_, text) => {
		expect(toZohoIdList(node, 0, 'user ID', text)).toEqual([A, B]);
	});

	it('reads an array of IDs and of user objects from an expression', () => {
		expect(toZohoIdList(node, 0, 'user ID', [A, { id: B, full_name: 'x' }])).toEqual([A, B]);
	});

	it('keeps each user once, in first-seen order', () => {
		expect(toZohoIdList(node, 0, 'user ID', `${B}, ${A}, ${B}`)).toEqual([B, A]);
	});

	it('refuses an empty entry between commas and names the item', () => {
		const { message } = refusal(() => toZohoIdList(node, 3, 'user ID', `${A},,${B}`));
		expect(message).toBe('Invalid user ID "" in item 3');
	});

	it('refuses an empty field with a fix', () => {
		const { message, description } = refusal(() => toZohoIdList(node, 0, 'user ID', '  '));
		expect(message).toContain('in item 0');
		expect(description).toMatch(/at least one user ID/);
	});

	it('refuses a list of lists', () => {
		expect(refusal(() => toZohoIdList(node, 1, 'user ID', [[A]])).description).toMatch(/flat list/);
	});
});

describe('single IDs', () => {
	it('trims surrounding white space', () => {
		expect(toZohoId(node, 0, 'territory ID', ` ${A}\n`)).toBe(A);
	});

	it('calls out a number that already lost digits', () => {
		const { message, description } = refusal(() =>
			toZohoId(node, 2, 'territory ID', 4150868000000225013),
		);
		expect(message).toBe('Invalid territory ID 4150868000000225000 in item 2');
		expect(description).toMatch(/MAX_SAFE_INTEGER.*lost its last digits/);
	});

	it('asks for a string when given a safe number', () => {
		expect(refusal(() => toZohoId(node, 0, 'user ID', 42)).description).toMatch(/"42"/);
	});

	it.each([
		['-4150868000000225001'],
		['+4150868000000225001'],
		['4150868000000225.01'],
		['4.15e18'],
		['0x3b9aca00'],
		['٤١٥٠٨٦٨٠٠٠٠٠٠٢٢٥٠٠١'],
		['1/../../users'],
		['4150868000000225001%2F'],
		['4150868000000225001?ids=1'],
		['4150868000000225001#x'],
		['41508680000002250011234'],
	])('refuses %s before any request', (value) => {
		const { message, description } = refusal(() => toZohoId(node, 0, 'user ID', value));
		expect(message).toBe(`Invalid user ID ${JSON.stringify(value)} in item 0`);
		expect(description).toMatch(/digits/);
	});

	it.each([[null], [undefined], [{ name: 'x' }], [true]])('refuses %s', (value) => {
		expect(refusal(() => toZohoId(node, 0, 'user ID', value)).message).toMatch(/in item 0$/);
	});
});
