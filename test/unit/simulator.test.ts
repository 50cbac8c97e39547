import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { defaultOrg, generatedOrg, type OrgFixture } from '../simulator/fixture';
import {
	DEFAULT_CLIENT_ID,
	DEFAULT_CLIENT_SECRET,
	ZohoSimulator,
	type SimulatorStartOptions,
} from '../simulator/server';

const JSON_TYPE = 'application/json;charset=UTF-8';
const REDIRECT_URI = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';

const seed = defaultOrg();
const territoryNamed = (name: string) => {
	const territory = seed.territories.find((candidate) => candidate.name === name);
	if (!territory) throw new Error(`No territory ${name} in the seed org`);
	return territory;
};
const NORTH_AMERICA = territoryNamed('North America');
const US_EAST = territoryNamed('US East');
const APAC = territoryNamed('APAC');
const memberIds = new Set(seed.territories.flatMap((territory) => territory.members));
const OUTSIDER = seed.users.find((user) => !memberIds.has(user.id) && user.status === 'active');
const OUTSIDER_ID = OUTSIDER?.id ?? '';
const UNKNOWN_USER_ID = '4150868000009999999';
const UNKNOWN_TERRITORY_ID = '4150868000009999991';

interface ApiAnswer {
	status: number;
	headers: Headers;
	text: string;
	json: unknown;
}

interface CallOptions {
	token?: string | null;
	body?: unknown;
	headers?: Record<string, string>;
	signal?: AbortSignal;
}

async function call(
	sim: ZohoSimulator,
	method: string,
	path: string,
	options: CallOptions = {},
): Promise<ApiAnswer> {
	const headers: Record<string, string> = { ...options.headers };
	if (options.token) headers.Authorization = `Zoho-oauthtoken ${options.token}`;
	let body: string | undefined;
	if (options.body !== undefined) {
		body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
		headers['Content-Type'] = 'application/json';
	}

	const response = await fetch(`${sim.url}${path}`, {
		method,
		headers,
		body,
		signal: options.signal,
		redirect: 'manual',
	});
	const text = await response.text();
	let json: unknown;
	try {
		json = text === '' ? undefined : JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: response.status, headers: response.headers, text, json };
}

async function tokenRequest(
	sim: ZohoSimulator,
	fields: Record<string, string>,
	headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
	const response = await fetch(`${sim.url}/oauth/v2/token`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
		body: new URLSearchParams(fields).toString(),
	});
	expect(response.status).toBe(200);
	return (await response.json()) as Record<string, unknown>;
}

async function authorize(sim: ZohoSimulator, extra: Record<string, string> = {}): Promise<URL> {
	const query = new URLSearchParams({
		response_type: 'code',
		client_id: DEFAULT_CLIENT_ID,
		redirect_uri: REDIRECT_URI,
		scope: 'ZohoCRM.settings.territories.ALL,ZohoCRM.users.READ',
		state: 'state-42',
		...extra,
	});
	const response = await fetch(`${sim.url}/oauth/v2/auth?${query}`, { redirect: 'manual' });
	expect(response.status).toBe(302);
	return new URL(response.headers.get('location') ?? '');
}

function exchangeCode(sim: ZohoSimulator, code: string, clientSecret = DEFAULT_CLIENT_SECRET) {
	return tokenRequest(sim, {
		grant_type: 'authorization_code',
		client_id: DEFAULT_CLIENT_ID,
		client_secret: clientSecret,
		code,
		redirect_uri: REDIRECT_URI,
	});
}

function refresh(sim: ZohoSimulator, refreshToken: string) {
	return tokenRequest(sim, {
		grant_type: 'refresh_token',
		client_id: DEFAULT_CLIENT_ID,
		client_secret: DEFAULT_CLIENT_SECRET,
		refresh_token: refreshToken,
	});
}

const removePath = (territoryId: string, ids: string[]) =>
	`/crm/v7/settings/territories/${territoryId}/users?ids=${ids.join(',')}`;

function invalidToken() {
	return {
		code: 'INVALID_TOKEN',
		details: {},
		message: 'invalid oauth token',
		status: 'error',
	};
}

function useSimulator(options: () => SimulatorStartOptions = () => ({})) {
	const context = { sim: undefined as unknown as ZohoSimulator, token: '' };
	beforeEach(async () => {
		context.sim = await ZohoSimulator.start({ port: 0, ...options() });
		context.token = context.sim.issueToken().access_token;
	});
	afterEach(async () => {
		await context.sim.stop();
	});
	return context;
}

describe('seed org fixture', () => {
	it('has a root territory, a hierarchy, an empty territory and 0 to 12 members', () => {
		const org = defaultOrg();
		const roots = org.territories.filter((territory) => territory.reporting_to === null);
		expect(roots).toHaveLength(1);
		expect(org.territories.length).toBeGreaterThanOrEqual(6);
		expect(org.territories.some((territory) => territory.members.length === 0)).toBe(true);
		expect(Math.max(...org.territories.map((territory) => territory.members.length))).toBe(12);
		const grandchildren = org.territories.filter(
			(territory) => territory.reporting_to !== null && territory.reporting_to !== roots[0].id,
		);
		expect(grandchildren.length).toBeGreaterThan(0);
	});

	it('has about 30 users with 18- and 19-digit string IDs that a JSON number would corrupt', () => {
		const { users } = defaultOrg();
		expect(users).toHaveLength(30);
		expect(users.every((user) => /^\d{18,19}$/.test(user.id))).toBe(true);
		expect(users.some((user) => user.id.length === 18)).toBe(true);
		expect(users.every((user) => String(Number(user.id)) !== user.id)).toBe(true);
		expect(new Set(users.map((user) => user.status))).toEqual(new Set(['active', 'disabled']));
	});

	it('returns a fresh copy on every call', () => {
		const first = defaultOrg();
		first.territories[0].members.push('x');
		expect(defaultOrg().territories[0].members).not.toContain('x');
	});

	it('generates a large deterministic org with 19-digit IDs', () => {
		const org = generatedOrg({ territories: 50, usersPerTerritory: 20, spareUsers: 5 });
		expect(org.territories).toHaveLength(50);
		expect(org.users).toHaveLength(50 * 20 + 5);
		expect(org.users.every((user) => /^\d{19}$/.test(user.id))).toBe(true);
		expect(org.territories.every((territory) => /^\d{19}$/.test(territory.id))).toBe(true);
		expect(org.territories.filter((territory) => territory.reporting_to === null)).toHaveLength(1);
		expect(generatedOrg({ territories: 50, usersPerTerritory: 20, spareUsers: 5 })).toEqual(org);
	});
});

describe('OAuth endpoints', () => {
	const context = useSimulator();

	it('redirects to redirect_uri with code, state, location and accounts-server', async () => {
		const redirect = await authorize(context.sim, { access_type: 'offline', prompt: 'consent' });
		expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT_URI);
		expect(redirect.searchParams.get('code')).toMatch(/^[0-9a-f]+$/);
		expect(redirect.searchParams.get('state')).toBe('state-42');
		expect(redirect.searchParams.get('location')).toBe('us');
		expect(redirect.searchParams.get('accounts-server')).toBe(context.sim.url);
	});

	it('exchanges a code for a token pair naming the simulator as api_domain', async () => {
		const redirect = await authorize(context.sim, { access_type: 'offline', prompt: 'consent' });
		const grant = await exchangeCode(context.sim, redirect.searchParams.get('code') ?? '');
		expect(grant).toEqual({
			access_token: expect.stringMatching(/^[0-9a-f]{64}$/),
			refresh_token: expect.stringMatching(/^[0-9a-f]{64}$/),
			api_domain: context.sim.url,
			token_type: 'Bearer',
			expires_in: 3600,
		});
		const answer = await call(context.sim, 'GET', '/crm/v7/users', {
			token: grant.access_token as string,
		});
		expect(answer.status).toBe(200);
	});

	it('issues no refresh token without access_type=offline', async () => {
		const redirect = await authorize(context.sim);
		const grant = await exchangeCode(context.sim, redirect.searchParams.get('code') ?? '');
		expect(grant.access_token).toBeTypeOf('string');
		expect(grant).not.toHaveProperty('refresh_token');
	});

	it('issues no refresh token on a re-authorization without prompt=consent', async () => {
		const first = await authorize(context.sim, { access_type: 'offline' });
		const firstGrant = await exchangeCode(context.sim, first.searchParams.get('code') ?? '');
		expect(firstGrant).toHaveProperty('refresh_token');

		const second = await authorize(context.sim, { access_type: 'offline' });
		const secondGrant = await exchangeCode(context.sim, second.searchParams.get('code') ?? '');
		expect(secondGrant).not.toHaveProperty('refresh_token');

		const third = await authorize(context.sim, { access_type: 'offline', prompt: 'consent' });
		const thirdGrant = await exchangeCode(context.sim, third.searchParams.get('code') ?? '');
		expect(thirdGrant).toHaveProperty('refresh_token');
	});

	it('reports a wrong client secret as HTTP 200 with error invalid_client', async () => {
		const redirect = await authorize(context.sim);
		const grant = await exchangeCode(context.sim, redirect.searchParams.get('code') ?? '', 'nope');
		expect(grant).toEqual({ error: 'invalid_client' });
	});

	it('reports an unknown or reused code as HTTP 200 with error invalid_code', async () => {
		expect(await exchangeCode(context.sim, 'deadbeef')).toEqual({ error: 'invalid_code' });

		const redirect = await authorize(context.sim);
		const code = redirect.searchParams.get('code') ?? '';
		expect(await exchangeCode(context.sim, code)).toHaveProperty('access_token');
		expect(await exchangeCode(context.sim, code)).toEqual({ error: 'invalid_code' });
	});

	it('accepts the client credentials through HTTP Basic', async () => {
		const { refresh_token } = context.sim.issueToken();
		const basic = Buffer.from(`${DEFAULT_CLIENT_ID}:${DEFAULT_CLIENT_SECRET}`).toString('base64');
		const grant = await tokenRequest(
			context.sim,
			{ grant_type: 'refresh_token', refresh_token },
			{ Authorization: `Basic ${basic}` },
		);
		expect(grant.access_token).toBeTypeOf('string');
	});

	it('refreshes without returning a new refresh token and counts the grant', async () => {
		const pair = context.sim.issueToken();
		const grant = await refresh(context.sim, pair.refresh_token);
		expect(grant).toEqual({
			access_token: expect.stringMatching(/^[0-9a-f]{64}$/),
			api_domain: context.sim.url,
			token_type: 'Bearer',
			expires_in: 3600,
		});
		expect(grant.access_token).not.toBe(pair.access_token);
		expect(context.sim.stats).toMatchObject({ tokenRequests: 1, refreshGrants: 1 });

		const again = await refresh(context.sim, pair.refresh_token);
		expect(again.access_token).toBeTypeOf('string');
	});

	it('reports an unknown refresh token as HTTP 200 with error invalid_code', async () => {
		expect(await refresh(context.sim, 'feedface')).toEqual({ error: 'invalid_code' });
		expect(context.sim.stats.refreshGrants).toBe(1);
	});

	it('refuses refresh grants with a chosen error until told otherwise', async () => {
		const { refresh_token } = context.sim.issueToken();
		context.sim.refuseRefresh('invalid_code');
		expect(await refresh(context.sim, refresh_token)).toEqual({ error: 'invalid_code' });

		context.sim.refuseRefresh(null);
		expect(await refresh(context.sim, refresh_token)).toHaveProperty('access_token');
		expect(context.sim.stats.refreshGrants).toBe(2);
	});
});

describe('access tokens on API calls', () => {
	const context = useSimulator();

	it('answers 401 INVALID_TOKEN without a token or with an unknown one', async () => {
		const missing = await call(context.sim, 'GET', '/crm/v7/users');
		expect(missing.status).toBe(401);
		expect(missing.json).toEqual(invalidToken());
		expect(missing.headers.get('content-type')).toBe(JSON_TYPE);

		const unknown = await call(context.sim, 'GET', '/crm/v7/users', { token: 'abc123' });
		expect(unknown.status).toBe(401);
		expect(unknown.json).toEqual(invalidToken());
	});

	it('accepts the Bearer scheme as well as Zoho-oauthtoken', async () => {
		const answer = await call(context.sim, 'GET', '/crm/v7/users', {
			headers: { Authorization: `Bearer ${context.token}` },
		});
		expect(answer.status).toBe(200);
	});

	it('rejects every token issued so far after expireAccessTokens, but not later ones', async () => {
		const pair = context.sim.issueToken();
		context.sim.expireAccessTokens();
		for (const token of [context.token, pair.access_token]) {
			const answer = await call(context.sim, 'GET', '/crm/v7/users', { token });
			expect(answer.status).toBe(401);
			expect(answer.json).toEqual(invalidToken());
		}

		const grant = await refresh(context.sim, pair.refresh_token);
		const answer = await call(context.sim, 'GET', '/crm/v7/users', {
			token: grant.access_token as string,
		});
		expect(answer.status).toBe(200);
	});

	it('logs token labels and never a raw token, code or client secret', async () => {
		const redirect = await authorize(context.sim, { access_type: 'offline', prompt: 'consent' });
		const code = redirect.searchParams.get('code') ?? '';
		const grant = await exchangeCode(context.sim, code);
		const refreshed = await refresh(context.sim, grant.refresh_token as string);
		await call(context.sim, 'GET', '/crm/v7/users', { token: context.token });
		await call(context.sim, 'GET', '/crm/v7/users', { token: refreshed.access_token as string });

		const log = context.sim.requests;
		const apiCalls = log.filter((entry) => entry.path === '/crm/v7/users');
		expect(apiCalls.map((entry) => entry.tokenLabel)).toEqual([
			context.sim.labelOf(context.token),
			context.sim.labelOf(refreshed.access_token as string),
		]);
		expect(apiCalls[0].tokenLabel).toBe('token#1');
		expect(apiCalls[1].tokenLabel).toMatch(/^token#\d+$/);

		const text = JSON.stringify(log);
		const secrets = [
			context.token,
			code,
			grant.access_token,
			grant.refresh_token,
			refreshed.access_token,
			DEFAULT_CLIENT_SECRET,
		];
		for (const secret of secrets) expect(text).not.toContain(secret);
		const refreshEntry = log.find(
			(entry) => (entry.body as Record<string, string> | undefined)?.grant_type === 'refresh_token',
		);
		expect(refreshEntry?.body).toMatchObject({ refresh_token: 'refresh#2' });
	});

	it('expires access tokens after accessTokenTtlSec', async () => {
		const sim = await ZohoSimulator.start({ accessTokenTtlSec: 0 });
		try {
			const answer = await call(sim, 'GET', '/crm/v7/users', {
				token: sim.issueToken().access_token,
			});
			expect(answer.status).toBe(401);
		} finally {
			await sim.stop();
		}
	});
});

describe('territory and user reads', () => {
	let sim: ZohoSimulator;
	let token: string;
	beforeAll(async () => {
		sim = await ZohoSimulator.start({ port: 0 });
		token = sim.issueToken().access_token;
	});
	afterAll(async () => {
		await sim.stop();
	});

	it('lists territories with string IDs, the root reporting to null', async () => {
		const answer = await call(sim, 'GET', '/crm/v7/settings/territories', { token });
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
		const body = answer.json as { territories: Record<string, unknown>[]; info: unknown };
		expect(body.territories).toHaveLength(seed.territories.length);
		expect(body.info).toEqual({ per_page: 200, count: 6, page: 1, more_records: false });
		const root = body.territories.find((territory) => territory.reporting_to === null);
		expect(root).toMatchObject({ name: 'Global', manager: { id: seed.users[0].id } });
		expect(body.territories.find((territory) => territory.id === US_EAST.id)).toMatchObject({
			manager: null,
			reporting_to: { id: NORTH_AMERICA.id, name: 'North America' },
		});
		expect(answer.text).toContain(`"id":"${NORTH_AMERICA.id}"`);
	});

	it('pages territories with more_records over three pages, then answers 204', async () => {
		const pages = [];
		for (const page of [1, 2, 3]) {
			const answer = await call(
				sim,
				'GET',
				`/crm/v7/settings/territories?page=${page}&per_page=2`,
				{
					token,
				},
			);
			pages.push(answer.json as { territories: { id: string }[]; info: unknown });
		}
		expect(pages.map((page) => page.info)).toEqual([
			{ per_page: 2, count: 2, page: 1, more_records: true },
			{ per_page: 2, count: 2, page: 2, more_records: true },
			{ per_page: 2, count: 2, page: 3, more_records: false },
		]);
		const ids = pages.flatMap((page) => page.territories.map((territory) => territory.id));
		expect(ids).toEqual(seed.territories.map((territory) => territory.id));

		const beyond = await call(sim, 'GET', '/crm/v7/settings/territories?page=4&per_page=2', {
			token,
		});
		expect(beyond.status).toBe(204);
		expect(beyond.text).toBe('');
	});

	it('rejects per_page above 200 and filters by ids up to 100', async () => {
		const tooMany = await call(sim, 'GET', '/crm/v7/settings/territories?per_page=201', { token });
		expect(tooMany.status).toBe(400);
		expect(tooMany.json).toMatchObject({
			code: 'INVALID_DATA',
			details: { param_name: 'per_page' },
		});

		const filtered = await call(
			sim,
			'GET',
			`/crm/v7/settings/territories?ids=${APAC.id},${US_EAST.id}`,
			{ token },
		);
		const body = filtered.json as { territories: { id: string }[] };
		expect(body.territories.map((territory) => territory.id).sort()).toEqual(
			[APAC.id, US_EAST.id].sort(),
		);

		const ids = Array.from({ length: 101 }, (_, index) => String(index + 1)).join(',');
		const over = await call(sim, 'GET', `/crm/v7/settings/territories?ids=${ids}`, { token });
		expect(over.status).toBe(400);
		expect(over.json).toMatchObject({ code: 'LIMIT_EXCEEDED' });

		const none = await call(
			sim,
			'GET',
			`/crm/v7/settings/territories?ids=${UNKNOWN_TERRITORY_ID}`,
			{
				token,
			},
		);
		expect(none.status).toBe(204);
	});

	it('gets one territory, and answers an unknown one with resource_path_index 2', async () => {
		const answer = await call(sim, 'GET', `/crm/v7/settings/territories/${US_EAST.id}`, { token });
		expect(answer.json).toMatchObject({ territories: [{ id: US_EAST.id, name: 'US East' }] });

		const unknown = await call(sim, 'GET', `/crm/v7/settings/territories/${UNKNOWN_TERRITORY_ID}`, {
			token,
		});
		expect(unknown.status).toBe(400);
		expect(unknown.json).toEqual({
			code: 'INVALID_DATA',
			details: { resource_path_index: 2 },
			message: 'the given territory id seems to be invalid',
			status: 'error',
		});
	});

	it('lists territory members in order and pages them over three pages', async () => {
		const all = await call(sim, 'GET', `/crm/v7/settings/territories/${NORTH_AMERICA.id}/users`, {
			token,
		});
		const users = (all.json as { users: Record<string, unknown>[] }).users;
		expect(users.map((user) => user.id)).toEqual(NORTH_AMERICA.members);
		expect(users[0]).toMatchObject({ name: expect.any(String), email: expect.any(String) });

		const infos = [];
		for (const page of [1, 2, 3]) {
			const answer = await call(
				sim,
				'GET',
				`/crm/v7/settings/territories/${NORTH_AMERICA.id}/users?page=${page}&per_page=5`,
				{ token },
			);
			infos.push((answer.json as { info: unknown }).info);
		}
		expect(infos).toEqual([
			{ per_page: 5, count: 5, page: 1, more_records: true },
			{ per_page: 5, count: 5, page: 2, more_records: true },
			{ per_page: 5, count: 2, page: 3, more_records: false },
		]);
	});

	it('answers 204 with an empty body for a territory without members', async () => {
		const answer = await call(sim, 'GET', `/crm/v7/settings/territories/${APAC.id}/users`, {
			token,
		});
		expect(answer.status).toBe(204);
		expect(answer.text).toBe('');
	});

	it('filters users by type and pages them', async () => {
		const active = await call(sim, 'GET', '/crm/v7/users?type=ActiveUsers', { token });
		const activeUsers = (active.json as { users: { status: string }[] }).users;
		expect(activeUsers.length).toBe(seed.users.filter((user) => user.status === 'active').length);
		expect(activeUsers.every((user) => user.status === 'active')).toBe(true);

		const disabled = await call(sim, 'GET', '/crm/v7/users?type=DeactiveUsers', { token });
		expect((disabled.json as { users: unknown[] }).users).toHaveLength(3);

		const admins = await call(sim, 'GET', '/crm/v7/users?type=AdminUsers', { token });
		expect((admins.json as { users: { id: string }[] }).users.map((user) => user.id)).toEqual([
			seed.users[0].id,
		]);

		const pageThree = await call(sim, 'GET', '/crm/v7/users?type=AllUsers&page=3&per_page=12', {
			token,
		});
		expect((pageThree.json as { info: unknown }).info).toEqual({
			per_page: 12,
			count: 6,
			page: 3,
			more_records: false,
		});

		const unknownType = await call(sim, 'GET', '/crm/v7/users?type=Robots', { token });
		expect(unknownType.status).toBe(400);
	});

	it('answers 404 INVALID_URL_PATTERN for another API version or an unknown path', async () => {
		for (const path of ['/crm/v8/settings/territories', '/crm/v7/settings/teritories', '/']) {
			const answer = await call(sim, 'GET', path, { token });
			expect(answer.status).toBe(404);
			expect(answer.json).toMatchObject({ code: 'INVALID_URL_PATTERN', status: 'error' });
		}
	});

	it('answers 400 INVALID_REQUEST_METHOD for a wrong method on a known path', async () => {
		const cases: [string, string][] = [
			['POST', `/crm/v7/settings/territories/${US_EAST.id}/users`],
			['GET', `/crm/v7/settings/territories/${US_EAST.id}/users/${OUTSIDER_ID}`],
			['DELETE', '/crm/v7/settings/territories'],
		];
		for (const [method, path] of cases) {
			const answer = await call(sim, method, path, { token });
			expect(answer.status).toBe(400);
			expect(answer.json).toMatchObject({ code: 'INVALID_REQUEST_METHOD', status: 'error' });
		}
	});
});

describe('removing users from a territory', () => {
	const context = useSimulator();
	const [first, second, third] = NORTH_AMERICA.members;

	it('answers 200 with one SUCCESS entry per user, in the order asked', async () => {
		const answer = await call(context.sim, 'DELETE', removePath(NORTH_AMERICA.id, [third, first]), {
			token: context.token,
		});
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
		expect(answer.json).toEqual({
			users: [third, first].map((id) => ({
				code: 'SUCCESS',
				details: { id },
				message: 'Given User Removed from the mentioned territory Successfully',
				status: 'success',
			})),
		});
		expect(context.sim.membersOf(NORTH_AMERICA.id)).toEqual(
			NORTH_AMERICA.members.filter((id) => id !== first && id !== third),
		);
	});

	it('answers 400 with per-user INVALID_DATA when every user fails', async () => {
		const ids = [OUTSIDER_ID, UNKNOWN_USER_ID, 'not-an-id'];
		const answer = await call(context.sim, 'DELETE', removePath(NORTH_AMERICA.id, ids), {
			token: context.token,
		});
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({
			users: [
				{
					code: 'INVALID_DATA',
					details: { id: OUTSIDER_ID },
					message: 'Given user is not a member of this territory.',
					status: 'error',
				},
				{
					code: 'INVALID_DATA',
					details: { id: UNKNOWN_USER_ID },
					message: 'the given user id given seems to be invalid',
					status: 'error',
				},
				{
					code: 'INVALID_DATA',
					details: { id: 'not-an-id' },
					message: 'the given user id given seems to be invalid',
					status: 'error',
				},
			],
		});
	});

	it('answers a mix of successes and failures with 207 by default', async () => {
		const answer = await call(
			context.sim,
			'DELETE',
			removePath(NORTH_AMERICA.id, [first, OUTSIDER_ID]),
			{ token: context.token },
		);
		expect(answer.status).toBe(207);
		const users = (answer.json as { users: { status: string }[] }).users;
		expect(users.map((user) => user.status)).toEqual(['success', 'error']);
	});

	it('answers a mix with 200 when mixedStatus is 200', async () => {
		context.sim.setOption('mixedStatus', 200);
		const answer = await call(
			context.sim,
			'DELETE',
			removePath(NORTH_AMERICA.id, [first, OUTSIDER_ID]),
			{ token: context.token },
		);
		expect(answer.status).toBe(200);
		expect((answer.json as { users: unknown[] }).users).toHaveLength(2);
	});

	it('nests the result array when usersShape is nested', async () => {
		context.sim.setOption('usersShape', 'nested');
		const answer = await call(
			context.sim,
			'DELETE',
			removePath(NORTH_AMERICA.id, [first, second]),
			{ token: context.token },
		);
		const body = answer.json as { users: { details: { id: string } }[][] };
		expect(body.users).toHaveLength(1);
		expect(body.users[0].map((entry) => entry.details.id)).toEqual([first, second]);
	});

	it('treats an id repeated in one ids string once', async () => {
		const answer = await call(
			context.sim,
			'DELETE',
			removePath(NORTH_AMERICA.id, [first, second, first]),
			{ token: context.token },
		);
		expect(answer.status).toBe(200);
		expect((answer.json as { users: unknown[] }).users).toHaveLength(2);
	});

	it('puts the unknown-territory error inside users on the ids path', async () => {
		const answer = await call(context.sim, 'DELETE', removePath(UNKNOWN_TERRITORY_ID, [first]), {
			token: context.token,
		});
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({
			users: [
				{
					code: 'INVALID_DATA',
					details: { resource_path_index: 2 },
					message: 'the given territory id seems to be invalid',
					status: 'error',
				},
			],
		});
	});

	it('removes one user on the single-user path', async () => {
		const path = `/crm/v7/settings/territories/${NORTH_AMERICA.id}/users/${first}`;
		const answer = await call(context.sim, 'DELETE', path, { token: context.token });
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({ users: [{ code: 'SUCCESS', details: { id: first } }] });

		const again = await call(context.sim, 'DELETE', path, { token: context.token });
		expect(again.status).toBe(400);
		expect(again.json).toMatchObject({
			users: [{ code: 'INVALID_DATA', message: 'Given user is not a member of this territory.' }],
		});
	});

	it('puts unknown territory (index 2) and user (index 4) at the top level', async () => {
		const badTerritory = await call(
			context.sim,
			'DELETE',
			`/crm/v7/settings/territories/${UNKNOWN_TERRITORY_ID}/users/${first}`,
			{ token: context.token },
		);
		expect(badTerritory.status).toBe(400);
		expect(badTerritory.json).toEqual({
			code: 'INVALID_DATA',
			details: { resource_path_index: 2 },
			message: 'the given territory id seems to be invalid',
			status: 'error',
		});

		const badUser = await call(
			context.sim,
			'DELETE',
			`/crm/v7/settings/territories/${NORTH_AMERICA.id}/users/${UNKNOWN_USER_ID}`,
			{ token: context.token },
		);
		expect(badUser.status).toBe(400);
		expect(badUser.json).toEqual({
			code: 'INVALID_DATA',
			details: { resource_path_index: 4 },
			message: 'the given user id given seems to be invalid',
			status: 'error',
		});
	});

	it('answers REQUIRED_PARAM_MISSING without ids', async () => {
		const answer = await call(
			context.sim,
			'DELETE',
			`/crm/v7/settings/territories/${NORTH_AMERICA.id}/users`,
			{ token: context.token },
		);
		expect(answer.status).toBe(400);
		expect(answer.json).toMatchObject({
			code: 'REQUIRED_PARAM_MISSING',
			details: { param_name: 'ids' },
			status: 'error',
		});
	});

	it('accepts an ids string of 500 characters and answers INVALID_REQUEST beyond that', async () => {
		// 25 IDs of 19 digits and 24 commas make 499 characters; a 20-digit last ID makes 500.
		const unknownIds = Array.from(
			{ length: 24 },
			(_, index) => `41508680009${String(index).padStart(8, '0')}`,
		);
		const ids = [first, ...unknownIds.slice(0, 23), `${unknownIds[23]}7`];
		expect(ids.join(',')).toHaveLength(500);
		const accepted = await call(context.sim, 'DELETE', removePath(NORTH_AMERICA.id, ids), {
			token: context.token,
		});
		expect(accepted.status).toBe(207);
		expect((accepted.json as { users: unknown[] }).users).toHaveLength(25);
		expect(context.sim.membersOf(NORTH_AMERICA.id)).not.toContain(first);

		const tooLong = await call(
			context.sim,
			'DELETE',
			removePath(NORTH_AMERICA.id, [second, ...ids.slice(1)]).concat('7'),
			{ token: context.token },
		);
		expect(tooLong.status).toBe(400);
		expect(tooLong.json).toMatchObject({ code: 'INVALID_REQUEST', status: 'error' });
		expect(context.sim.membersOf(NORTH_AMERICA.id)).toContain(second);
	});
});

describe('adding users to a territory', () => {
	const context = useSimulator();
	const usersPath = `/crm/v7/settings/territories/${US_EAST.id}/users`;

	it('answers per user SUCCESS, DUPLICATE_DATA and INVALID_DATA, with 207 for the mix', async () => {
		const member = US_EAST.members[0];
		const answer = await call(context.sim, 'PUT', usersPath, {
			token: context.token,
			body: { users: [{ id: OUTSIDER_ID }, { id: member }, { id: UNKNOWN_USER_ID }] },
		});
		expect(answer.status).toBe(207);
		expect(answer.json).toEqual({
			users: [
				{
					code: 'SUCCESS',
					details: { id: OUTSIDER_ID },
					message: 'Given User Added to the mentioned territory Successfully',
					status: 'success',
				},
				{
					code: 'DUPLICATE_DATA',
					details: { id: member },
					message: 'Given user is already a member of this territory.',
					status: 'error',
				},
				{
					code: 'INVALID_DATA',
					details: { id: UNKNOWN_USER_ID },
					message: 'the given user id given seems to be invalid',
					status: 'error',
				},
			],
		});
		expect(context.sim.membersOf(US_EAST.id)).toEqual([...US_EAST.members, OUTSIDER_ID]);
		expect(context.sim.requests.at(-1)?.body).toEqual({
			users: [{ id: OUTSIDER_ID }, { id: member }, { id: UNKNOWN_USER_ID }],
		});
	});

	it('adds one user on the single-user path and rejects an unknown user with index 4', async () => {
		const added = await call(context.sim, 'PUT', `${usersPath}/${OUTSIDER_ID}`, {
			token: context.token,
		});
		expect(added.status).toBe(200);
		expect(added.json).toMatchObject({
			users: [{ code: 'SUCCESS', details: { id: OUTSIDER_ID } }],
		});

		const unknown = await call(context.sim, 'PUT', `${usersPath}/${UNKNOWN_USER_ID}`, {
			token: context.token,
		});
		expect(unknown.status).toBe(400);
		expect(unknown.json).toMatchObject({ details: { resource_path_index: 4 } });
	});

	it('rejects more than 100 entries, a body without users and a body that is not JSON', async () => {
		const many = Array.from({ length: 101 }, () => ({ id: OUTSIDER_ID }));
		const tooMany = await call(context.sim, 'PUT', usersPath, {
			token: context.token,
			body: { users: many },
		});
		expect(tooMany.status).toBe(400);
		expect(tooMany.json).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 100 } });

		const missing = await call(context.sim, 'PUT', usersPath, { token: context.token, body: {} });
		expect(missing.json).toMatchObject({ code: 'REQUIRED_PARAM_MISSING' });

		const broken = await call(context.sim, 'PUT', usersPath, {
			token: context.token,
			body: '{"users":',
		});
		expect(broken.status).toBe(400);
		expect(broken.json).toMatchObject({ code: 'INVALID_DATA' });
	});

	it('rejects a user ID sent as a JSON number', async () => {
		const answer = await call(context.sim, 'PUT', usersPath, {
			token: context.token,
			body: `{"users":[{"id":${OUTSIDER_ID}}]}`,
		});
		expect(answer.status).toBe(400);
		expect(answer.json).toMatchObject({
			users: [{ code: 'INVALID_DATA', details: { expected_data_type: 'string' } }],
		});
	});

	it('puts the unknown-territory error inside users on the bulk path', async () => {
		const answer = await call(
			context.sim,
			'PUT',
			`/crm/v7/settings/territories/${UNKNOWN_TERRITORY_ID}/users`,
			{
				token: context.token,
				body: { users: [{ id: OUTSIDER_ID }] },
			},
		);
		expect(answer.status).toBe(400);
		expect(answer.json).toMatchObject({ users: [{ details: { resource_path_index: 2 } }] });
	});
});

describe('the 100-user territory limit', () => {
	const org: OrgFixture = generatedOrg({ territories: 1, usersPerTerritory: 99, spareUsers: 3 });
	const territory = org.territories[0];
	const spare = org.users.slice(-3).map((user) => user.id);
	const context = useSimulator(() => ({ org }));

	it('answers LIMIT_EXCEEDED with details.limit 100 past 100 users', async () => {
		const answer = await call(
			context.sim,
			'PUT',
			`/crm/v7/settings/territories/${territory.id}/users`,
			{
				token: context.token,
				body: { users: spare.map((id) => ({ id })) },
			},
		);
		expect(answer.status).toBe(207);
		const users = (answer.json as { users: Record<string, unknown>[] }).users;
		expect(users.map((user) => user.code)).toEqual(['SUCCESS', 'LIMIT_EXCEEDED', 'LIMIT_EXCEEDED']);
		expect(users[1]).toMatchObject({ details: { id: spare[1], limit: 100 }, status: 'error' });
		expect(context.sim.membersOf(territory.id)).toHaveLength(100);
	});

	it('counts a manager who is not listed as a member', async () => {
		const withoutManager = territory.members.filter((id) => id !== territory.manager);
		context.sim.setMembers(territory.id, [...withoutManager, spare[0]]);
		const answer = await call(
			context.sim,
			'PUT',
			`/crm/v7/settings/territories/${territory.id}/users/${spare[1]}`,
			{ token: context.token },
		);
		expect(answer.status).toBe(400);
		expect(answer.json).toMatchObject({ users: [{ code: 'LIMIT_EXCEEDED' }] });
	});
});

describe('org-level switches', () => {
	const context = useSimulator();

	it('answers TERRITORY_NOT_ENABLED or FEATURE_NOT_ENABLED without territories', async () => {
		context.sim.setOption('territoryManagement', false);
		const members = await call(
			context.sim,
			'DELETE',
			removePath(NORTH_AMERICA.id, [NORTH_AMERICA.members[0]]),
			{ token: context.token },
		);
		expect(members.status).toBe(403);
		expect(members.json).toMatchObject({ code: 'TERRITORY_NOT_ENABLED', status: 'error' });

		const list = await call(context.sim, 'GET', '/crm/v7/settings/territories', {
			token: context.token,
		});
		expect(list.status).toBe(400);
		expect(list.json).toMatchObject({ code: 'FEATURE_NOT_ENABLED', status: 'error' });

		const users = await call(context.sim, 'GET', '/crm/v7/users', { token: context.token });
		expect(users.status).toBe(200);
		expect(context.sim.membersOf(NORTH_AMERICA.id)).toEqual(NORTH_AMERICA.members);
	});

	it('answers 401 OAUTH_SCOPE_MISMATCH on every API call when the scope is missing', async () => {
		context.sim.setOption('missingScope', true);
		for (const path of ['/crm/v7/users', '/crm/v7/settings/territories']) {
			const answer = await call(context.sim, 'GET', path, { token: context.token });
			expect(answer.status).toBe(401);
			expect(answer.json).toMatchObject({ code: 'OAUTH_SCOPE_MISMATCH', status: 'error' });
		}
	});

	it('rejects an unknown option or a wrong value', () => {
		expect(() => context.sim.setOption('mixedStatus', 201 as 200)).toThrow();
		expect(() => context.sim.setOption('nope' as 'latencyMs', 1)).toThrow();
	});
});

describe('concurrency and latency', () => {
	const context = useSimulator(() => ({ maxConcurrent: 2, latencyMs: 150 }));

	it('answers 429 TOO_MANY_REQUESTS without Retry-After beyond maxConcurrent requests', async () => {
		const answers = await Promise.all(
			Array.from({ length: 5 }, () =>
				call(context.sim, 'GET', '/crm/v7/users', { token: context.token }),
			),
		);
		const statuses = answers.map((answer) => answer.status).sort();
		expect(statuses).toEqual([200, 200, 429, 429, 429]);
		const rejected = answers.find((answer) => answer.status === 429);
		expect(rejected?.json).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 'error' });
		expect(rejected?.headers.get('retry-after')).toBeNull();
		// Rejected calls are answered at once, so not all five need overlap.
		expect(context.sim.stats.maxInFlight).toBeGreaterThanOrEqual(3);
		expect(context.sim.stats.apiRequests).toBe(5);
	});

	it('counts the most API requests in flight at once', async () => {
		context.sim.setOption('maxConcurrent', Infinity);
		await Promise.all(
			Array.from({ length: 4 }, () =>
				call(context.sim, 'GET', '/crm/v7/users', { token: context.token }),
			),
		);
		expect(context.sim.stats.maxInFlight).toBe(4);

		context.sim.clearLog();
		expect(context.sim.requests).toEqual([]);
		expect(context.sim.stats).toEqual({
			apiRequests: 0,
			tokenRequests: 0,
			refreshGrants: 0,
			maxInFlight: 0,
		});
	});

	it('delays API answers by latencyMs but not token calls', async () => {
		const apiStarted = Date.now();
		await call(context.sim, 'GET', '/crm/v7/users', { token: context.token });
		expect(Date.now() - apiStarted).toBeGreaterThanOrEqual(140);

		const tokenStarted = Date.now();
		await refresh(context.sim, context.sim.issueToken().refresh_token);
		expect(Date.now() - tokenStarted).toBeLessThan(140);
	});

	it('takes new latency and limits at run time', async () => {
		context.sim.setOption('latencyMs', 0);
		context.sim.setOption('maxConcurrent', 10);
		const answers = await Promise.all(
			Array.from({ length: 5 }, () =>
				call(context.sim, 'GET', '/crm/v7/users', { token: context.token }),
			),
		);
		expect(answers.every((answer) => answer.status === 200)).toBe(true);
	});
});

describe('scripted faults', () => {
	const context = useSimulator();
	const member = NORTH_AMERICA.members[0];
	const removeOne = () =>
		call(context.sim, 'DELETE', removePath(NORTH_AMERICA.id, [member]), { token: context.token });
	const listUsers = () => call(context.sim, 'GET', '/crm/v7/users', { token: context.token });

	it('answers 429 with Retry-After when asked, as many times as asked, then normally', async () => {
		context.sim.fault({ kind: '429', retryAfterSec: 7, times: 2 });
		const first = await listUsers();
		const second = await listUsers();
		const third = await listUsers();
		expect([first.status, second.status, third.status]).toEqual([429, 429, 200]);
		expect(first.headers.get('retry-after')).toBe('7');
		expect(first.json).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
		expect(context.sim.requests.map((entry) => entry.fault)).toEqual(['429', '429', undefined]);
	});

	it('answers 500 INTERNAL_ERROR, or INTERNAL_SERVER_ERROR with an empty message', async () => {
		context.sim.fault({ kind: '500' });
		context.sim.fault({ kind: '500', variant: 'INTERNAL_SERVER_ERROR' });
		const first = await removeOne();
		const second = await removeOne();
		expect(first.status).toBe(500);
		expect(first.json).toMatchObject({ code: 'INTERNAL_ERROR', status: 'error' });
		expect(second.json).toEqual({
			code: 'INTERNAL_SERVER_ERROR',
			details: {},
			message: '',
			status: 'error',
		});
		expect(context.sim.membersOf(NORTH_AMERICA.id)).toContain(member);
	});

	it('answers 503 without changing anything', async () => {
		context.sim.fault({ kind: '503' });
		expect((await removeOne()).status).toBe(503);
		expect(context.sim.membersOf(NORTH_AMERICA.id)).toContain(member);
	});

	it('drops the connection without applying the call', async () => {
		context.sim.fault({ kind: 'drop' });
		await expect(removeOne()).rejects.toThrow();
		expect(context.sim.membersOf(NORTH_AMERICA.id)).toContain(member);
		expect(context.sim.requests.at(-1)).toMatchObject({ status: 'dropped', fault: 'drop' });
	});

	it('drops the connection after applying the call', async () => {
		context.sim.fault({ kind: 'drop-after-apply' });
		await expect(removeOne()).rejects.toThrow();
		expect(context.sim.membersOf(NORTH_AMERICA.id)).not.toContain(member);
		expect(context.sim.requests.at(-1)).toMatchObject({
			status: 'dropped',
			intendedStatus: 200,
			fault: 'drop-after-apply',
		});
	});

	it('delays the answer and applies the call after the delay', async () => {
		context.sim.fault({ kind: 'delay', delayMs: 200 });
		const started = Date.now();
		const answer = await removeOne();
		expect(answer.status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(190);
	});

	it('applies a delayed call even when the client gave up waiting', async () => {
		context.sim.fault({ kind: 'delay', delayMs: 300 });
		await expect(
			call(context.sim, 'DELETE', removePath(NORTH_AMERICA.id, [member]), {
				token: context.token,
				signal: AbortSignal.timeout(50),
			}),
		).rejects.toThrow();
		expect(context.sim.membersOf(NORTH_AMERICA.id)).toContain(member);

		await new Promise((resolve) => setTimeout(resolve, 400));
		expect(context.sim.membersOf(NORTH_AMERICA.id)).not.toContain(member);
		expect(context.sim.requests.at(-1)).toMatchObject({
			status: 'dropped',
			intendedStatus: 200,
			fault: 'delay',
		});
	});

	it('expires every access token before handling the request', async () => {
		context.sim.fault({ kind: 'expire-token' });
		const first = await listUsers();
		expect(first.status).toBe(401);
		expect(first.json).toEqual(invalidToken());
		expect((await listUsers()).status).toBe(401);
	});

	it('answers 200 with an HTML page, an empty body or JSON cut half-way', async () => {
		context.sim.fault({ kind: 'html' });
		context.sim.fault({ kind: 'empty-200' });
		context.sim.fault({ kind: 'truncated' });

		const html = await removeOne();
		expect(html.status).toBe(200);
		expect(html.headers.get('content-type')).toContain('text/html');
		expect(html.text).toContain('<html');

		const empty = await removeOne();
		expect(empty.status).toBe(200);
		expect(empty.text).toBe('');

		const truncated = await removeOne();
		expect(truncated.status).toBe(200);
		expect(truncated.text.startsWith('{"users":[')).toBe(true);
		expect(() => JSON.parse(truncated.text)).toThrow();
		expect(context.sim.membersOf(NORTH_AMERICA.id)).toContain(member);
	});

	it('changes state behind a replaced answer when the rule says apply', async () => {
		context.sim.fault({ kind: 'truncated', apply: true });
		expect((await removeOne()).status).toBe(200);
		expect(context.sim.membersOf(NORTH_AMERICA.id)).not.toContain(member);
	});

	it('answers any status and body asked for', async () => {
		context.sim.fault({
			kind: 'status',
			status: 403,
			body: { code: 'NO_PERMISSION', details: {}, message: 'permission denied', status: 'error' },
		});
		const answer = await removeOne();
		expect(answer.status).toBe(403);
		expect(answer.json).toMatchObject({ code: 'NO_PERMISSION' });
	});

	it('echoes the request headers, Authorization included, without logging them', async () => {
		context.sim.fault({ kind: 'echo-auth' });
		const answer = await listUsers();
		expect(answer.status).toBe(400);
		expect(answer.text).toContain(context.token);
		expect(JSON.stringify(context.sim.requests)).not.toContain(context.token);
		expect(context.sim.requests.at(-1)).toMatchObject({
			fault: 'echo-auth',
			tokenLabel: 'token#1',
		});
	});

	it('fires only on requests that match method and path, first rule first', async () => {
		context.sim.fault({ kind: '503', match: { method: 'delete', path: /\/users$/ } });
		context.sim.fault({ kind: '500', match: { method: 'DELETE' } });
		context.sim.fault({ kind: '429', match: { path: '/crm/v7/users' } });

		expect(
			(await call(context.sim, 'GET', `/crm/v7/settings/territories`, { token: context.token }))
				.status,
		).toBe(200);
		expect((await removeOne()).status).toBe(503);
		expect((await listUsers()).status).toBe(429);
		expect((await removeOne()).status).toBe(500);
		expect((await removeOne()).status).toBe(200);
	});
});

describe('lifecycle', () => {
	it('closes the server and its keep-alive sockets on stop', async () => {
		const sim = await ZohoSimulator.start();
		const { access_token } = sim.issueToken();
		expect((await call(sim, 'GET', '/crm/v7/users', { token: access_token })).status).toBe(200);
		const url = sim.url;
		await sim.stop();
		await expect(fetch(`${url}/crm/v7/users`)).rejects.toThrow();
	});

	it('starts from the CLI, prints the listening line and stops on SIGTERM', async () => {
		const require = createRequire(import.meta.url);
		const child = spawn(
			process.execPath,
			[require.resolve('tsx/cli'), 'test/simulator/cli.ts', '--port', '0'],
			{
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		try {
			let output = '';
			child.stdout.setEncoding('utf8');
			const listening = new Promise<string>((resolve) => {
				child.stdout.on('data', (chunk: string) => {
					output += chunk;
					const match = /^Zoho simulator listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(output);
					if (match && output.includes('Refresh token')) resolve(match[1]);
				});
			});
			const url = await listening;
			expect(output.split('\n')[0]).toMatch(
				/^Zoho simulator listening on http:\/\/127\.0\.0\.1:\d+$/,
			);

			const refreshToken = /Refresh token\s+([0-9a-f]+)/.exec(output)?.[1] ?? '';
			const response = await fetch(`${url}/oauth/v2/token`, {
				method: 'POST',
				body: new URLSearchParams({
					grant_type: 'refresh_token',
					client_id: DEFAULT_CLIENT_ID,
					client_secret: DEFAULT_CLIENT_SECRET,
					refresh_token: refreshToken,
				}),
			});
			expect(await response.json()).toHaveProperty('access_token');

			child.kill('SIGTERM');
			const [code] = await once(child, 'exit');
			expect(code).toBe(0);
		} finally {
			if (child.exitCode === null) child.kill('SIGKILL');
		}
	});
});
