import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	ADMINISTRATOR_PROFILE,
	defaultOrg,
	type OrgFixture,
	type OrgTerritory,
	type OrgUser,
} from './fixture';

export type { OrgFixture, OrgTerritory, OrgUser } from './fixture';

const JSON_TYPE = 'application/json;charset=UTF-8';
const HTML_TYPE = 'text/html;charset=UTF-8';
const API_VERSION = 'v7';
const MAX_PER_PAGE = 200;
const MAX_TERRITORY_IDS = 100;
const MAX_IDS_LENGTH = 500;
const MAX_USERS_PER_PUT = 100;
const TERRITORY_CAPACITY = 100;
const AUTH_CODE_TTL_MS = 120_000;

export const DEFAULT_CLIENT_ID = '1000.SIMULATORCLIENT0000000000000000';
export const DEFAULT_CLIENT_SECRET = 'simulator-client-secret-0123456789abcdef';

const MESSAGES = {
	removed: 'Given User Removed from the mentioned territory Successfully',
	added: 'Given User Added to the mentioned territory Successfully',
	notMember: 'Given user is not a member of this territory.',
	alreadyMember: 'Given user is already a member of this territory.',
	invalidUser: 'the given user id given seems to be invalid',
	invalidTerritory: 'the given territory id seems to be invalid',
	territoryFull: 'the territory already holds the maximum number of users',
};

export type MixedStatus = 200 | 207;
export type UsersShape = 'flat' | 'nested';

/** Switches that can change while the simulator runs, through `setOption`. */
export interface RuntimeOptions {
	/** HTTP status of an answer that mixes per-user successes and failures. */
	mixedStatus: MixedStatus;
	/** 'nested' wraps per-user results as `{"users":[[...]]}`, as some Zoho examples show. */
	usersShape: UsersShape;
	territoryManagement: boolean;
	missingScope: boolean;
	latencyMs: number;
	maxConcurrent: number;
}

export interface SimulatorStartOptions extends Partial<RuntimeOptions> {
	/** 0 picks a free port. */
	port?: number;
	org?: OrgFixture;
	accessTokenTtlSec?: number;
	clientId?: string;
	clientSecret?: string;
}

export interface RequestLogEntry {
	/** Arrival order, from 1; not reset by `clearLog`. */
	seq: number;
	method: string;
	/** Path without the query string. */
	path: string;
	/** First value of each query parameter; secrets of token requests are redacted. */
	query: Record<string, string>;
	/** 'pending' until answered; 'dropped' when no answer reached the client. */
	status: number | 'dropped' | 'pending';
	/** The status the simulator had computed when the answer was lost. */
	intendedStatus?: number;
	/** Label of the access token the call carried, or that a token request issued. */
	tokenLabel?: string;
	/** Parsed JSON (or raw text) of an API body; redacted form fields of a token request. */
	body?: unknown;
	startedAt: number;
	endedAt?: number;
	fault?: FaultKind;
}

export interface TokenPair {
	access_token: string;
	refresh_token: string;
	api_domain: string;
	token_type: 'Bearer';
	expires_in: number;
}

export interface SimulatorStats {
	apiRequests: number;
	tokenRequests: number;
	/** Refresh-token grants asked for, refused ones included. */
	refreshGrants: number;
	/** Most API requests in flight at once, rejected ones included. */
	maxInFlight: number;
}

export interface FaultMatch {
	method?: string;
	/** A string must equal the path (no query); a RegExp is tested against it. */
	path?: string | RegExp;
}

interface FaultBase {
	match?: FaultMatch;
	/** How many matching requests the rule fires on; default 1. */
	times?: number;
}

/** Faults that replace the answer. With `apply: true` the call still changes state. */
interface ReplacingFault extends FaultBase {
	apply?: boolean;
}

export type FaultRule =
	| (ReplacingFault & { kind: '429'; retryAfterSec?: number })
	| (ReplacingFault & { kind: '500'; variant?: 'INTERNAL_ERROR' | 'INTERNAL_SERVER_ERROR' })
	| (ReplacingFault & { kind: '503'; retryAfterSec?: number })
	| (FaultBase & { kind: 'drop' })
	| (FaultBase & { kind: 'drop-after-apply' })
	| (FaultBase & { kind: 'delay'; delayMs: number })
	| (FaultBase & { kind: 'expire-token' })
	| (ReplacingFault & { kind: 'html'; status?: number })
	| (ReplacingFault & { kind: 'empty-200' })
	| (ReplacingFault & { kind: 'truncated' })
	| (ReplacingFault & {
			kind: 'status';
			status: number;
			/** A string is sent as is; anything else as JSON; undefined sends no body. */
			body?: unknown;
			headers?: Record<string, string>;
	  })
	| (ReplacingFault & { kind: 'echo-auth' });

export type FaultKind = FaultRule['kind'];

interface ZohoErrorEntry {
	code: string;
	details: Record<string, unknown>;
	message: string;
	status: 'error';
}

interface ResultEntry {
	code: string;
	details: Record<string, unknown>;
	message: string;
	status: 'success' | 'error';
}

interface Answer {
	status: number;
	json?: unknown;
	text?: string;
	contentType?: string;
	headers?: Record<string, string>;
}

interface AccessTokenRecord {
	label: string;
	expiresAt: number;
	expired: boolean;
}

interface RefreshTokenRecord {
	label: string;
	clientId: string;
}

interface AuthCodeRecord {
	clientId: string;
	redirectUri: string;
	offline: boolean;
	consent: boolean;
	expiresAt: number;
}

interface PendingFault {
	rule: FaultRule;
	remaining: number;
}

type Memberships = Map<string, string[]>;

type RouteName = 'territories' | 'territory' | 'territoryUsers' | 'territoryUser' | 'users';

interface Route {
	name: RouteName;
	methods: string[];
	territoryId?: string;
	userId?: string;
}

interface ApiCall {
	route: Route;
	method: string;
	query: Record<string, string>;
	body: ReceivedBody;
}

interface ReceivedBody {
	raw: string;
	/** Undefined when the body is empty or not JSON. */
	json: unknown;
}

function zohoError(
	code: string,
	message: string,
	details: Record<string, unknown> = {},
): ZohoErrorEntry {
	return { code, details, message, status: 'error' };
}

function errorAnswer(status: number, error: ZohoErrorEntry): Answer {
	return { status, json: error };
}

function hashOf(secret: string): string {
	return createHash('sha256').update(secret).digest('hex');
}

function randomToken(): string {
	return randomBytes(32).toString('hex');
}

/** Own properties only, so a parameter named __proto__ stays a plain value. */
function firstValues(params: URLSearchParams): Record<string, string> {
	const values = new Map<string, string>();
	for (const [name, value] of params) {
		if (!values.has(name)) values.set(name, value);
	}
	return Object.fromEntries(values);
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', done);
		req.on('error', done);
		req.on('close', done);
	});
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch {
		return { ok: false };
	}
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cloneOrg(org: OrgFixture): OrgFixture {
	return JSON.parse(JSON.stringify(org)) as OrgFixture;
}

function validateOrg(org: OrgFixture): void {
	const userIds = new Set<string>();
	for (const user of org.users) {
		if (userIds.has(user.id)) throw new Error(`Duplicate user ID ${user.id} in the org fixture`);
		userIds.add(user.id);
	}

	const territoryIds = new Set(org.territories.map((territory) => territory.id));
	if (territoryIds.size !== org.territories.length) {
		throw new Error('Duplicate territory ID in the org fixture');
	}
	for (const territory of org.territories) {
		const unknownMember = territory.members.find((id) => !userIds.has(id));
		if (unknownMember) {
			throw new Error(`Territory ${territory.id} lists unknown member ${unknownMember}`);
		}
		if (territory.manager !== null && !userIds.has(territory.manager)) {
			throw new Error(`Territory ${territory.id} has unknown manager ${territory.manager}`);
		}
		if (territory.reporting_to !== null && !territoryIds.has(territory.reporting_to)) {
			throw new Error(`Territory ${territory.id} reports to unknown ${territory.reporting_to}`);
		}
	}
}

const USER_TYPES: Record<string, (user: OrgUser) => boolean> = {
	AllUsers: () => true,
	ActiveUsers: (user) => user.status === 'active',
	DeactiveUsers: (user) => user.status === 'disabled',
	ConfirmedUsers: (user) => user.confirm,
	NotConfirmedUsers: (user) => !user.confirm,
	DeletedUsers: () => false,
	ActiveConfirmedUsers: (user) => user.status === 'active' && user.confirm,
	AdminUsers: (user) => user.profile.name === ADMINISTRATOR_PROFILE.name,
	ActiveConfirmedAdmins: (user) =>
		user.status === 'active' && user.confirm && user.profile.name === ADMINISTRATOR_PROFILE.name,
};

/**
 * A Zoho CRM look-alike on 127.0.0.1: OAuth endpoints, the territory and user calls of the
 * v7 API, and scripted faults. It keeps every token as a hash and logs only its label.
 */
export class ZohoSimulator {
	private readonly server: Server;

	private readonly options: RuntimeOptions;

	private readonly clientId: string;

	private readonly clientSecret: string;

	private readonly accessTokenTtlSec: number;

	private readonly users = new Map<string, OrgUser>();

	private readonly territories = new Map<string, OrgTerritory>();

	private memberships: Memberships = new Map();

	private readonly accessTokens = new Map<string, AccessTokenRecord>();

	private readonly refreshTokens = new Map<string, RefreshTokenRecord>();

	private readonly authCodes = new Map<string, AuthCodeRecord>();

	private readonly faults: PendingFault[] = [];

	private readonly sleepers = new Set<() => void>();

	private log: RequestLogEntry[] = [];

	private counters: SimulatorStats = {
		apiRequests: 0,
		tokenRequests: 0,
		refreshGrants: 0,
		maxInFlight: 0,
	};

	private seq = 0;

	private accessTokenCount = 0;

	private refreshTokenCount = 0;

	/** API requests received and not yet answered, rejected ones included. */
	private inFlight = 0;

	/** API requests admitted past the concurrency limit and not yet answered. */
	private activeCalls = 0;

	private refreshRefusal: string | null = null;

	/** Zoho leaves out the refresh token on a re-authorization without prompt=consent. */
	private offlineGrantedBefore = false;

	private stopped = false;

	private constructor(options: SimulatorStartOptions) {
		this.options = {
			mixedStatus: options.mixedStatus ?? 207,
			usersShape: options.usersShape ?? 'flat',
			territoryManagement: options.territoryManagement ?? true,
			missingScope: options.missingScope ?? false,
			latencyMs: options.latencyMs ?? 0,
			maxConcurrent: options.maxConcurrent ?? Infinity,
		};
		this.clientId = options.clientId ?? DEFAULT_CLIENT_ID;
		this.clientSecret = options.clientSecret ?? DEFAULT_CLIENT_SECRET;
		this.accessTokenTtlSec = options.accessTokenTtlSec ?? 3600;

		const org = cloneOrg(options.org ?? defaultOrg());
		validateOrg(org);
		for (const user of org.users) this.users.set(user.id, user);
		for (const territory of org.territories) {
			this.territories.set(territory.id, territory);
			this.memberships.set(territory.id, [...territory.members]);
		}

		this.server = createServer((req, res) => this.onRequest(req, res));
	}

	static async start(options: SimulatorStartOptions = {}): Promise<ZohoSimulator> {
		const simulator = new ZohoSimulator(options);
		await new Promise<void>((resolve, reject) => {
			simulator.server.once('error', reject);
			simulator.server.listen(options.port ?? 0, '127.0.0.1', () => {
				simulator.server.off('error', reject);
				resolve();
			});
		});
		return simulator;
	}

	get url(): string {
		const address = this.server.address() as AddressInfo;
		return `http://127.0.0.1:${address.port}`;
	}

	get requests(): RequestLogEntry[] {
		return [...this.log];
	}

	get stats(): SimulatorStats {
		return { ...this.counters };
	}

	/** Empties the request log and resets the stats counters. */
	clearLog(): void {
		this.log = [];
		this.counters = { apiRequests: 0, tokenRequests: 0, refreshGrants: 0, maxInFlight: 0 };
	}

	async stop(): Promise<void> {
		this.stopped = true;
		for (const wake of [...this.sleepers]) wake();
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}

	membersOf(territoryId: string): string[] {
		return [...this.requireTerritoryMembers(territoryId)];
	}

	setMembers(territoryId: string, userIds: string[]): void {
		this.requireTerritoryMembers(territoryId);
		const unknown = userIds.find((id) => !this.users.has(id));
		if (unknown) throw new Error(`Unknown user ${unknown}`);
		this.memberships.set(territoryId, [...new Set(userIds)]);
	}

	issueToken(): TokenPair {
		const refreshToken = this.mintRefreshToken(this.clientId);
		return {
			access_token: this.mintAccessToken().token,
			refresh_token: refreshToken,
			api_domain: this.url,
			token_type: 'Bearer',
			expires_in: this.accessTokenTtlSec,
		};
	}

	/** The label the log uses for a token this simulator issued (access or refresh). */
	labelOf(token: string): string | undefined {
		const hash = hashOf(token);
		return this.accessTokens.get(hash)?.label ?? this.refreshTokens.get(hash)?.label;
	}

	expireAccessTokens(): void {
		for (const record of this.accessTokens.values()) record.expired = true;
	}

	refuseRefresh(errorCode: string | null): void {
		this.refreshRefusal = errorCode;
	}

	fault(rule: FaultRule): void {
		const times = rule.times ?? 1;
		if (!Number.isInteger(times) || times < 1) throw new RangeError('times must be 1 or more');
		this.faults.push({ rule, remaining: times });
	}

	clearFaults(): void {
		this.faults.length = 0;
	}

	setOption<K extends keyof RuntimeOptions>(name: K, value: RuntimeOptions[K]): void {
		const valid: Record<keyof RuntimeOptions, (candidate: unknown) => boolean> = {
			mixedStatus: (candidate) => candidate === 200 || candidate === 207,
			usersShape: (candidate) => candidate === 'flat' || candidate === 'nested',
			territoryManagement: (candidate) => typeof candidate === 'boolean',
			missingScope: (candidate) => typeof candidate === 'boolean',
			latencyMs: (candidate) => typeof candidate === 'number' && candidate >= 0,
			maxConcurrent: (candidate) => typeof candidate === 'number' && candidate >= 1,
		};
		if (!Object.hasOwn(valid, name)) throw new Error(`Unknown simulator option ${String(name)}`);
		if (!valid[name](value)) throw new Error(`Invalid value for ${name}: ${String(value)}`);
		this.options[name] = value;
	}

	private onRequest(req: IncomingMessage, res: ServerResponse): void {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const query = firstValues(url.searchParams);
		const entry: RequestLogEntry = {
			seq: ++this.seq,
			method: req.method ?? 'GET',
			path: url.pathname,
			query: url.pathname === '/oauth/v2/token' ? this.redactTokenFields(query) : query,
			status: 'pending',
			startedAt: Date.now(),
		};
		this.log.push(entry);

		const handling = url.pathname.startsWith('/oauth/')
			? this.handleOAuth(req, res, entry, url)
			: this.handleApi(req, res, entry);
		handling.catch((error: unknown) => {
			const message = error instanceof Error ? error.message : String(error);
			this.send(res, entry, errorAnswer(500, zohoError('INTERNAL_ERROR', message)));
		});
	}

	// ---- OAuth ------------------------------------------------------------------------------

	private async handleOAuth(
		req: IncomingMessage,
		res: ServerResponse,
		entry: RequestLogEntry,
		url: URL,
	): Promise<void> {
		if (url.pathname === '/oauth/v2/token') {
			this.counters.tokenRequests++;
			const rawBody = await readBody(req);
			const query = firstValues(url.searchParams);
			this.send(res, entry, this.handleTokenRequest(req, entry, query, rawBody));
			return;
		}

		await readBody(req);
		if (url.pathname === '/oauth/v2/auth' && req.method === 'GET') {
			this.send(res, entry, this.handleAuthorize(entry.query));
			return;
		}
		this.send(res, entry, { status: 404, json: { error: 'invalid_request' } });
	}

	private handleAuthorize(query: Record<string, string>): Answer {
		if (query.client_id !== this.clientId) {
			return { status: 400, contentType: HTML_TYPE, text: '<h1>Invalid Client</h1>' };
		}
		const redirect = URL.canParse(query.redirect_uri ?? '') ? new URL(query.redirect_uri) : null;
		if (!redirect) {
			return { status: 400, contentType: HTML_TYPE, text: '<h1>Invalid Redirect Uri</h1>' };
		}

		if (query.response_type !== 'code') {
			redirect.searchParams.set('error', 'unsupported_response_type');
		} else {
			const code = randomToken();
			this.authCodes.set(hashOf(code), {
				clientId: query.client_id,
				redirectUri: query.redirect_uri,
				offline: query.access_type === 'offline',
				consent: query.prompt === 'consent',
				expiresAt: Date.now() + AUTH_CODE_TTL_MS,
			});
			redirect.searchParams.set('code', code);
		}
		if (query.state !== undefined) redirect.searchParams.set('state', query.state);
		redirect.searchParams.set('location', 'us');
		redirect.searchParams.set('accounts-server', this.url);
		return { status: 302, headers: { Location: redirect.toString() } };
	}

	private handleTokenRequest(
		req: IncomingMessage,
		entry: RequestLogEntry,
		query: Record<string, string>,
		rawBody: string,
	): Answer {
		// Zoho's own examples put the fields in the query string; clients send a form body.
		const form = firstValues(new URLSearchParams(rawBody));
		const fields = { ...query, ...form };
		const basic = this.basicCredentials(req.headers.authorization);
		fields.client_id ??= basic?.clientId ?? '';
		fields.client_secret ??= basic?.clientSecret ?? '';
		entry.body = this.redactTokenFields(form);

		if (req.method !== 'POST') {
			return { status: 405, headers: { Allow: 'POST' }, json: { error: 'invalid_request' } };
		}
		if (fields.grant_type === 'refresh_token') this.counters.refreshGrants++;
		if (fields.client_id !== this.clientId || fields.client_secret !== this.clientSecret) {
			return { status: 200, json: { error: 'invalid_client' } };
		}

		if (fields.grant_type === 'authorization_code') return this.grantFromCode(entry, fields);
		if (fields.grant_type === 'refresh_token') return this.grantFromRefresh(entry, fields);
		return { status: 200, json: { error: 'unsupported_grant_type' } };
	}

	private grantFromCode(entry: RequestLogEntry, fields: Record<string, string>): Answer {
		// A code works once, whatever the outcome of the attempt.
		const hash = hashOf(fields.code ?? '');
		const code = this.authCodes.get(hash);
		this.authCodes.delete(hash);
		const usable =
			code !== undefined &&
			code.expiresAt >= Date.now() &&
			code.clientId === fields.client_id &&
			(fields.redirect_uri === undefined || fields.redirect_uri === code.redirectUri);
		if (!usable) return { status: 200, json: { error: 'invalid_code' } };

		const access = this.mintAccessToken();
		entry.tokenLabel = access.label;
		const withRefresh = code.offline && (code.consent || !this.offlineGrantedBefore);
		if (code.offline) this.offlineGrantedBefore = true;
		const refreshToken = withRefresh ? this.mintRefreshToken(code.clientId) : undefined;
		return {
			status: 200,
			json: {
				access_token: access.token,
				...(refreshToken ? { refresh_token: refreshToken } : {}),
				api_domain: this.url,
				token_type: 'Bearer',
				expires_in: this.accessTokenTtlSec,
			},
		};
	}

	private grantFromRefresh(entry: RequestLogEntry, fields: Record<string, string>): Answer {
		if (this.refreshRefusal !== null) {
			return { status: 200, json: { error: this.refreshRefusal } };
		}
		const record = this.refreshTokens.get(hashOf(fields.refresh_token ?? ''));
		if (!record || record.clientId !== fields.client_id) {
			return { status: 200, json: { error: 'invalid_code' } };
		}

		const access = this.mintAccessToken();
		entry.tokenLabel = access.label;
		return {
			status: 200,
			json: {
				access_token: access.token,
				api_domain: this.url,
				token_type: 'Bearer',
				expires_in: this.accessTokenTtlSec,
			},
		};
	}

	private basicCredentials(
		header: string | undefined,
	): { clientId: string; clientSecret: string } | undefined {
		const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
		if (!match) return undefined;
		const decoded = Buffer.from(match[1], 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		if (colon < 0) return undefined;
		const unescape = (text: string) => {
			try {
				return decodeURIComponent(text.replace(/\+/g, ' '));
			} catch {
				return text;
			}
		};
		return {
			clientId: unescape(decoded.slice(0, colon)),
			clientSecret: unescape(decoded.slice(colon + 1)),
		};
	}

	/** Token requests carry secrets: the log gets labels or a placeholder instead. */
	private redactTokenFields(fields: Record<string, string>): Record<string, string> {
		const redacted = { ...fields };
		if ('client_secret' in redacted) redacted.client_secret = '[redacted]';
		if ('code' in redacted) redacted.code = '[redacted]';
		if ('refresh_token' in redacted) {
			const record = this.refreshTokens.get(hashOf(redacted.refresh_token));
			redacted.refresh_token = record?.label ?? '[redacted]';
		}
		return redacted;
	}

	private mintAccessToken(): { token: string; label: string } {
		const token = randomToken();
		const label = `token#${++this.accessTokenCount}`;
		this.accessTokens.set(hashOf(token), {
			label,
			expiresAt: Date.now() + this.accessTokenTtlSec * 1000,
			expired: false,
		});
		return { token, label };
	}

	private mintRefreshToken(clientId: string): string {
		const token = randomToken();
		this.refreshTokens.set(hashOf(token), {
			label: `refresh#${++this.refreshTokenCount}`,
			clientId,
		});
		return token;
	}

	// ---- API request pipeline ---------------------------------------------------------------

	private async handleApi(
		req: IncomingMessage,
		res: ServerResponse,
		entry: RequestLogEntry,
	): Promise<void> {
		this.counters.apiRequests++;
		this.inFlight++;
		this.counters.maxInFlight = Math.max(this.counters.maxInFlight, this.inFlight);
		entry.tokenLabel = this.accessTokenOf(req.headers.authorization)?.label;

		// Zoho's concurrency limit rejects at once; a rejected call takes no slot.
		const admitted = this.activeCalls < this.options.maxConcurrent;
		if (admitted) this.activeCalls++;
		try {
			await this.answerApi(req, res, entry, admitted);
		} finally {
			this.inFlight--;
			if (admitted) this.activeCalls--;
		}
	}

	private async answerApi(
		req: IncomingMessage,
		res: ServerResponse,
		entry: RequestLogEntry,
		admitted: boolean,
	): Promise<void> {
		const fault = admitted ? this.takeFault(entry.method, entry.path) : undefined;
		entry.fault = fault?.kind;

		const rawBody = await readBody(req);
		const parsed = rawBody === '' ? undefined : parseJson(rawBody);
		if (parsed) entry.body = parsed.ok ? parsed.value : rawBody;
		if (!admitted) {
			this.send(res, entry, this.tooManyRequests());
			return;
		}

		const delayMs = fault?.kind === 'delay' ? fault.delayMs : 0;
		await this.sleep(this.options.latencyMs + delayMs);
		if (this.stopped) {
			this.markDropped(entry);
			return;
		}

		const received: ReceivedBody = { raw: rawBody, json: parsed?.ok ? parsed.value : undefined };
		const call = (memberships: Memberships) => this.process(req, entry, received, memberships);
		if (!fault || fault.kind === 'delay') {
			this.send(res, entry, call(this.memberships));
			return;
		}
		if (fault.kind === 'expire-token') {
			this.expireAccessTokens();
			this.send(res, entry, call(this.memberships));
			return;
		}
		if (fault.kind === 'drop') {
			req.socket.destroy();
			this.markDropped(entry);
			return;
		}
		if (fault.kind === 'drop-after-apply') {
			const lost = call(this.memberships);
			req.socket.destroy();
			this.markDropped(entry, lost.status);
			return;
		}

		// A dry run against a copy keeps the org unchanged unless the rule asks to apply.
		const real = call(fault.apply ? this.memberships : this.copyOfMemberships());
		this.send(res, entry, this.faultAnswer(fault, real, req));
	}

	private takeFault(method: string, path: string): FaultRule | undefined {
		const index = this.faults.findIndex(({ rule }) => {
			const match = rule.match ?? {};
			if (match.method && match.method.toUpperCase() !== method.toUpperCase()) return false;
			if (typeof match.path === 'string') return match.path === path;
			if (match.path instanceof RegExp) {
				match.path.lastIndex = 0;
				return match.path.test(path);
			}
			return true;
		});
		if (index < 0) return undefined;

		const pending = this.faults[index];
		pending.remaining--;
		if (pending.remaining === 0) this.faults.splice(index, 1);
		return pending.rule;
	}

	private faultAnswer(fault: FaultRule, real: Answer, req: IncomingMessage): Answer {
		switch (fault.kind) {
			case '429':
				return this.tooManyRequests(fault.retryAfterSec);
			case '500':
				return fault.variant === 'INTERNAL_SERVER_ERROR'
					? errorAnswer(500, zohoError('INTERNAL_SERVER_ERROR', ''))
					: errorAnswer(500, zohoError('INTERNAL_ERROR', 'Internal Server Error'));
			case '503':
				return {
					status: 503,
					contentType: HTML_TYPE,
					text: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>',
					headers: retryAfterHeader(fault.retryAfterSec),
				};
			case 'html':
				return {
					status: fault.status ?? 200,
					contentType: HTML_TYPE,
					text:
						'<!DOCTYPE html><html><head><title>Zoho CRM</title></head>' +
						'<body><h1>Zoho CRM is under maintenance</h1></body></html>',
				};
			case 'empty-200':
				return { status: 200, contentType: JSON_TYPE, text: '' };
			case 'truncated':
				return { status: 200, contentType: JSON_TYPE, text: truncatedJson(real) };
			case 'status':
				return statusFaultAnswer(fault.status, fault.body, fault.headers);
			case 'echo-auth':
				return this.echoHeaders(req);
			default:
				return real;
		}
	}

	private tooManyRequests(retryAfterSec?: number): Answer {
		return {
			status: 429,
			json: zohoError('TOO_MANY_REQUESTS', 'too many requests; please try again later'),
			headers: retryAfterHeader(retryAfterSec),
		};
	}

	/** Stands for a careless server or proxy that quotes the request back, secrets and all. */
	private echoHeaders(req: IncomingMessage): Answer {
		const lines = Object.entries(req.headers).map(
			([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : value}`,
		);
		return errorAnswer(
			400,
			zohoError('INVALID_REQUEST', `invalid request; headers received: ${lines.join('; ')}`, {
				headers: { ...req.headers },
			}),
		);
	}

	private copyOfMemberships(): Memberships {
		return new Map([...this.memberships].map(([id, members]) => [id, [...members]]));
	}

	/** Order of checks: token, scope, URL and method, territory feature, then the call itself. */
	private process(
		req: IncomingMessage,
		entry: RequestLogEntry,
		received: ReceivedBody,
		memberships: Memberships,
	): Answer {
		const tokenError = this.checkToken(req.headers.authorization);
		if (tokenError) return tokenError;
		if (this.options.missingScope) {
			return errorAnswer(
				401,
				zohoError('OAUTH_SCOPE_MISMATCH', 'invalid oauth scope to access this URL'),
			);
		}

		const route = this.resolveRoute(entry.path);
		if (!route) return urlPatternError();
		if (!route.methods.includes(entry.method)) {
			return errorAnswer(
				400,
				zohoError('INVALID_REQUEST_METHOD', 'The http request method type is not a valid one'),
			);
		}

		const featureError = this.checkTerritoryFeature(route.name);
		if (featureError) return featureError;

		const call: ApiCall = { route, method: entry.method, query: entry.query, body: received };
		return this.dispatch(call, memberships);
	}

	private accessTokenOf(header: string | undefined): AccessTokenRecord | undefined {
		const match = /^(?:Zoho-oauthtoken|Bearer)\s+(\S+)\s*$/i.exec(header ?? '');
		return match ? this.accessTokens.get(hashOf(match[1])) : undefined;
	}

	private checkToken(header: string | undefined): Answer | undefined {
		const record = this.accessTokenOf(header);
		if (record && !record.expired && record.expiresAt > Date.now()) return undefined;
		return errorAnswer(401, zohoError('INVALID_TOKEN', 'invalid oauth token'));
	}

	private resolveRoute(path: string): Route | undefined {
		const match = /^\/crm\/([^/]+)\/(.+)$/.exec(path);
		if (!match || match[1] !== API_VERSION) return undefined;
		const segments = match[2].split('/').map(decodeSegment);
		if (segments.some((segment) => segment === undefined || segment === '')) return undefined;

		const [first, second, territoryId, fourth, userId] = segments as string[];
		if (first === 'users' && segments.length === 1) return { name: 'users', methods: ['GET'] };
		if (first !== 'settings' || second !== 'territories') return undefined;
		if (segments.length === 2) return { name: 'territories', methods: ['GET'] };
		if (segments.length === 3) return { name: 'territory', methods: ['GET'], territoryId };
		if (fourth !== 'users') return undefined;
		if (segments.length === 4) {
			return { name: 'territoryUsers', methods: ['GET', 'PUT', 'DELETE'], territoryId };
		}
		if (segments.length === 5) {
			return { name: 'territoryUser', methods: ['PUT', 'DELETE'], territoryId, userId };
		}
		return undefined;
	}

	private checkTerritoryFeature(route: RouteName): Answer | undefined {
		if (this.options.territoryManagement || route === 'users') return undefined;
		if (route === 'territories' || route === 'territory') {
			return errorAnswer(
				400,
				zohoError('FEATURE_NOT_ENABLED', 'Territory management is not enabled for this org'),
			);
		}
		return errorAnswer(
			403,
			zohoError('TERRITORY_NOT_ENABLED', 'Territory management is not enabled for this org'),
		);
	}

	private dispatch(call: ApiCall, memberships: Memberships): Answer {
		const { route, method } = call;
		if (route.name === 'users') return this.listUsers(call.query, memberships);
		if (route.name === 'territories') return this.listTerritories(call.query);
		if (route.name === 'territory') return this.getTerritory(route.territoryId ?? '');
		if (route.name === 'territoryUsers' && method === 'GET') {
			return this.listMembers(route.territoryId ?? '', call.query, memberships);
		}
		if (route.name === 'territoryUsers' && method === 'PUT') {
			return this.addUsers(route.territoryId ?? '', call, memberships);
		}
		if (route.name === 'territoryUsers') {
			return this.removeUsers(route.territoryId ?? '', call.query, memberships);
		}
		if (method === 'PUT') {
			return this.addUser(route.territoryId ?? '', route.userId ?? '', memberships);
		}
		return this.removeUser(route.territoryId ?? '', route.userId ?? '', memberships);
	}

	// ---- Reads ------------------------------------------------------------------------------

	private listTerritories(query: Record<string, string>): Answer {
		let territories = [...this.territories.values()];
		if (query.ids) {
			const wanted = query.ids.split(',');
			if (wanted.length > MAX_TERRITORY_IDS) {
				return errorAnswer(
					400,
					zohoError('LIMIT_EXCEEDED', 'at most 100 territory ids can be asked at once', {
						param_name: 'ids',
						limit: MAX_TERRITORY_IDS,
					}),
				);
			}
			const wantedSet = new Set(wanted);
			territories = territories.filter((territory) => wantedSet.has(territory.id));
		}
		return this.pagedAnswer('territories', territories, query, (territory) =>
			this.territoryJson(territory),
		);
	}

	private getTerritory(territoryId: string): Answer {
		const territory = this.territories.get(territoryId);
		if (!territory) return invalidTerritoryAnswer();
		return { status: 200, json: { territories: [this.territoryJson(territory)] } };
	}

	private listMembers(
		territoryId: string,
		query: Record<string, string>,
		memberships: Memberships,
	): Answer {
		const members = memberships.get(territoryId);
		if (!members) return invalidTerritoryAnswer();
		return this.pagedAnswer('users', members, query, (userId) => {
			const user = this.users.get(userId) as OrgUser;
			return {
				id: user.id,
				name: user.full_name,
				full_name: user.full_name,
				email: user.email,
				status: user.status,
			};
		});
	}

	private listUsers(query: Record<string, string>, memberships: Memberships): Answer {
		const type = query.type ?? 'AllUsers';
		const tokenOwner = [...this.users.values()].find(USER_TYPES.ActiveConfirmedAdmins);
		const filter =
			type === 'CurrentUser'
				? (user: OrgUser) => user === tokenOwner
				: Object.hasOwn(USER_TYPES, type)
					? USER_TYPES[type]
					: undefined;
		if (!filter) {
			return errorAnswer(400, zohoError('INVALID_DATA', 'invalid data', { param_name: 'type' }));
		}
		const users = [...this.users.values()].filter(filter);
		return this.pagedAnswer('users', users, query, (user) => ({
			...user,
			territories: this.territoriesOfUser(user.id, memberships),
		}));
	}

	private pagedAnswer<T>(
		key: string,
		items: T[],
		query: Record<string, string>,
		toJson: (item: T) => unknown,
	): Answer {
		const page = parsePositiveInteger(query.page, 1);
		const perPage = parsePositiveInteger(query.per_page, MAX_PER_PAGE);
		if (page === undefined) return invalidParamAnswer('page');
		if (perPage === undefined || perPage > MAX_PER_PAGE) return invalidParamAnswer('per_page');

		const slice = items.slice((page - 1) * perPage, page * perPage);
		if (slice.length === 0) return { status: 204 };
		return {
			status: 200,
			json: {
				[key]: slice.map(toJson),
				info: {
					per_page: perPage,
					count: slice.length,
					page,
					more_records: page * perPage < items.length,
				},
			},
		};
	}

	private territoryJson(territory: OrgTerritory): Record<string, unknown> {
		const manager = territory.manager === null ? undefined : this.users.get(territory.manager);
		const parent =
			territory.reporting_to === null ? undefined : this.territories.get(territory.reporting_to);
		return {
			id: territory.id,
			name: territory.name,
			manager: manager ? { id: manager.id, name: manager.full_name } : null,
			reporting_to: parent ? { id: parent.id, name: parent.name } : null,
			permission_type: territory.permission_type,
			description: territory.description,
		};
	}

	private territoriesOfUser(userId: string, memberships: Memberships): unknown[] {
		return [...this.territories.values()]
			.filter((territory) => memberships.get(territory.id)?.includes(userId))
			.map((territory) => ({
				id: territory.id,
				name: territory.name,
				manager: territory.manager === userId,
			}));
	}

	// ---- Membership changes -----------------------------------------------------------------

	private removeUsers(
		territoryId: string,
		query: Record<string, string>,
		memberships: Memberships,
	): Answer {
		const ids = query.ids;
		if (ids === undefined || ids === '') {
			return missingParamAnswer('ids');
		}
		// Zoho caps the ids parameter at 500 characters, however many IDs that is.
		if (ids.length > MAX_IDS_LENGTH) {
			return errorAnswer(
				400,
				zohoError('INVALID_REQUEST', 'the ids parameter is longer than 500 characters', {
					param_name: 'ids',
					maximum_length: MAX_IDS_LENGTH,
				}),
			);
		}

		const members = memberships.get(territoryId);
		if (!members) return { status: 400, json: { users: [invalidTerritoryError()] } };
		const results = [...new Set(ids.split(','))].map((userId) =>
			this.removeMember(members, userId),
		);
		return this.resultsAnswer(results);
	}

	private removeUser(territoryId: string, userId: string, memberships: Memberships): Answer {
		const members = memberships.get(territoryId);
		if (!members) return invalidTerritoryAnswer();
		if (!this.users.has(userId)) return invalidUserAnswer();
		return this.resultsAnswer([this.removeMember(members, userId)]);
	}

	private removeMember(members: string[], userId: string): ResultEntry {
		if (!this.users.has(userId)) return failure('INVALID_DATA', userId, MESSAGES.invalidUser);
		const position = members.indexOf(userId);
		if (position < 0) return failure('INVALID_DATA', userId, MESSAGES.notMember);
		members.splice(position, 1);
		return success(userId, MESSAGES.removed);
	}

	private addUsers(territoryId: string, call: ApiCall, memberships: Memberships): Answer {
		if (call.body.raw !== '' && call.body.json === undefined) {
			return errorAnswer(400, zohoError('INVALID_DATA', 'the request body is not valid JSON'));
		}
		const entries = isRecord(call.body.json) ? call.body.json.users : undefined;
		if (!Array.isArray(entries) || entries.length === 0) {
			return missingParamAnswer('users');
		}
		if (entries.length > MAX_USERS_PER_PUT) {
			return errorAnswer(
				400,
				zohoError('LIMIT_EXCEEDED', 'at most 100 users can be added in one request', {
					api_name: 'users',
					limit: MAX_USERS_PER_PUT,
				}),
			);
		}

		const territory = this.territories.get(territoryId);
		const members = memberships.get(territoryId);
		if (!territory || !members) return { status: 400, json: { users: [invalidTerritoryError()] } };
		const results = entries.map((item: unknown) => {
			const userId = isRecord(item) ? item.id : undefined;
			if (userId === undefined || userId === null) {
				return failure('MANDATORY_NOT_FOUND', undefined, 'required field not found', {
					api_name: 'id',
				});
			}
			if (typeof userId !== 'string') {
				return failure('INVALID_DATA', undefined, 'invalid data', {
					api_name: 'id',
					expected_data_type: 'string',
				});
			}
			return this.addMember(territory, members, userId);
		});
		return this.resultsAnswer(results);
	}

	private addUser(territoryId: string, userId: string, memberships: Memberships): Answer {
		const territory = this.territories.get(territoryId);
		const members = memberships.get(territoryId);
		if (!territory || !members) return invalidTerritoryAnswer();
		if (!this.users.has(userId)) return invalidUserAnswer();
		return this.resultsAnswer([this.addMember(territory, members, userId)]);
	}

	private addMember(territory: OrgTerritory, members: string[], userId: string): ResultEntry {
		if (!this.users.has(userId)) return failure('INVALID_DATA', userId, MESSAGES.invalidUser);
		if (members.includes(userId)) return failure('DUPLICATE_DATA', userId, MESSAGES.alreadyMember);

		// The manager takes one of the 100 places even when not listed as a member.
		const managerOutside = territory.manager !== null && !members.includes(territory.manager);
		const occupied = members.length + (managerOutside ? 1 : 0);
		if (userId !== territory.manager && occupied >= TERRITORY_CAPACITY) {
			return failure('LIMIT_EXCEEDED', userId, MESSAGES.territoryFull, {
				limit: TERRITORY_CAPACITY,
			});
		}
		members.push(userId);
		return success(userId, MESSAGES.added);
	}

	private resultsAnswer(results: ResultEntry[]): Answer {
		const succeeded = results.filter((result) => result.status === 'success').length;
		let status: number = this.options.mixedStatus;
		if (succeeded === results.length) status = 200;
		if (succeeded === 0) status = 400;
		const users = this.options.usersShape === 'nested' ? [results] : results;
		return { status, json: { users } };
	}

	// ---- Plumbing ---------------------------------------------------------------------------

	private send(res: ServerResponse, entry: RequestLogEntry, answer: Answer): void {
		if (entry.status !== 'pending') return;
		if (res.destroyed || res.socket?.destroyed !== false) {
			this.markDropped(entry, answer.status);
			return;
		}

		let text = answer.text;
		let contentType = answer.contentType;
		if (answer.json !== undefined) {
			text = JSON.stringify(answer.json);
			contentType = JSON_TYPE;
		}
		const headers: Record<string, string | number> = { ...answer.headers };
		if (text !== undefined && answer.status !== 204) {
			headers['Content-Type'] = contentType ?? JSON_TYPE;
			headers['Content-Length'] = Buffer.byteLength(text);
		}
		res.writeHead(answer.status, headers);
		res.end(answer.status === 204 ? undefined : text);
		entry.status = answer.status;
		entry.endedAt = Date.now();
	}

	private markDropped(entry: RequestLogEntry, intendedStatus?: number): void {
		entry.status = 'dropped';
		if (intendedStatus !== undefined) entry.intendedStatus = intendedStatus;
		entry.endedAt = Date.now();
	}

	private sleep(ms: number): Promise<void> {
		if (ms <= 0 || this.stopped) return Promise.resolve();
		return new Promise((resolve) => {
			const wake = () => {
				clearTimeout(timer);
				this.sleepers.delete(wake);
				resolve();
			};
			const timer = setTimeout(wake, ms);
			this.sleepers.add(wake);
		});
	}

	private requireTerritoryMembers(territoryId: string): string[] {
		const members = this.memberships.get(territoryId);
		if (!members) throw new Error(`Unknown territory ${territoryId}`);
		return members;
	}
}

function success(userId: string, message: string): ResultEntry {
	return { code: 'SUCCESS', details: { id: userId }, message, status: 'success' };
}

function failure(
	code: string,
	userId: string | undefined,
	message: string,
	extraDetails: Record<string, unknown> = {},
): ResultEntry {
	const details = userId === undefined ? extraDetails : { id: userId, ...extraDetails };
	return { code, details, message, status: 'error' };
}

function invalidTerritoryError(): ZohoErrorEntry {
	return zohoError('INVALID_DATA', MESSAGES.invalidTerritory, { resource_path_index: 2 });
}

function invalidTerritoryAnswer(): Answer {
	return errorAnswer(400, invalidTerritoryError());
}

function missingParamAnswer(paramName: string): Answer {
	return errorAnswer(
		400,
		zohoError('REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
			param_name: paramName,
		}),
	);
}

function invalidUserAnswer(): Answer {
	return errorAnswer(
		400,
		zohoError('INVALID_DATA', MESSAGES.invalidUser, { resource_path_index: 4 }),
	);
}

function invalidParamAnswer(paramName: string): Answer {
	return errorAnswer(400, zohoError('INVALID_DATA', 'invalid data', { param_name: paramName }));
}

function urlPatternError(): Answer {
	return errorAnswer(
		404,
		zohoError('INVALID_URL_PATTERN', 'Please check if the URL trying to access is a correct one'),
	);
}

function parsePositiveInteger(text: string | undefined, fallback: number): number | undefined {
	if (text === undefined) return fallback;
	if (!/^\d+$/.test(text)) return undefined;
	const value = Number(text);
	return value >= 1 ? value : undefined;
}

function retryAfterHeader(retryAfterSec: number | undefined): Record<string, string> {
	return retryAfterSec === undefined ? {} : { 'Retry-After': String(retryAfterSec) };
}

/** The first half of the answer the call would have had (a stock one when that had no body). */
function truncatedJson(real: Answer): string {
	const text =
		real.json === undefined
			? '{"users":[{"code":"SUCCESS","details":{},"status":"success"}]}'
			: JSON.stringify(real.json);
	return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
}

function decodeSegment(segment: string): string | undefined {
	try {
		return decodeURIComponent(segment);
	} catch {
		return undefined;
	}
}

function statusFaultAnswer(
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): Answer {
	if (body === undefined) return { status, headers };
	if (typeof body === 'string') {
		return { status, headers, text: body, contentType: headers['Content-Type'] ?? JSON_TYPE };
	}
	return { status, headers, json: body };
}
