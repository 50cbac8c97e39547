import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, ZohoSimulator } from '../simulator/server';
import { simulatorCredential, type CredentialStore } from './harness';

export interface Setup {
	sim: ZohoSimulator;
	store: CredentialStore;
	token: string;
	refreshToken: string;
}

export async function startSim(
	options: Parameters<typeof ZohoSimulator.start>[0] = {},
): Promise<Setup> {
	const sim = await ZohoSimulator.start(options);
	const store = simulatorCredential(sim);
	const pair = store.data.oauthTokenData as { access_token: string; refresh_token: string };
	sim.clearLog();
	return { sim, store, token: pair.access_token, refreshToken: pair.refresh_token };
}

/** A second local server that records what reaches it and answers 200 {}. */
export interface Sink {
	url: string;
	hits: Array<{ method: string; url: string; headers: IncomingHttpHeaders }>;
	stop: () => Promise<void>;
}

export async function startSink(): Promise<Sink> {
	const hits: Sink['hits'] = [];
	const server: Server = createServer((req, res) => {
		hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
		req.resume();
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end('{"users":[]}');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		hits,
		stop: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

export { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET };
