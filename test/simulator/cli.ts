/**
 * Runs the Zoho simulator until SIGINT or SIGTERM:
 *   npx tsx test/simulator/cli.ts [--port N] [--latency MS] [--max-concurrent N]
 */
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, ZohoSimulator } from './server';

interface CliOptions {
	port: number;
	latencyMs: number;
	maxConcurrent: number;
}

const USAGE = 'Usage: tsx test/simulator/cli.ts [--port N] [--latency MS] [--max-concurrent N]';

function parseArguments(args: string[]): CliOptions {
	const options: CliOptions = { port: 0, latencyMs: 0, maxConcurrent: Infinity };
	const flags: Record<string, { key: keyof CliOptions; minimum: number }> = {
		'--port': { key: 'port', minimum: 0 },
		'--latency': { key: 'latencyMs', minimum: 0 },
		'--max-concurrent': { key: 'maxConcurrent', minimum: 1 },
	};

	for (let index = 0; index < args.length; index++) {
		const [name, inlineValue] = args[index].split('=', 2);
		const flag = Object.hasOwn(flags, name) ? flags[name] : undefined;
		if (!flag) throw new Error(`Unknown argument ${args[index]}`);
		const text = inlineValue ?? args[++index];
		const value = Number(text);
		if (text === undefined || !Number.isInteger(value) || value < flag.minimum) {
			throw new Error(`${name} needs a whole number of at least ${flag.minimum}`);
		}
		options[flag.key] = value;
	}
	return options;
}

async function main(): Promise<void> {
	let options: CliOptions;
	try {
		options = parseArguments(process.argv.slice(2));
	} catch (error) {
		console.error(error instanceof Error ? error.message : String(error));
		console.error(USAGE);
		process.exit(2);
	}

	const simulator = await ZohoSimulator.start({
		port: options.port,
		latencyMs: options.latencyMs,
		maxConcurrent: options.maxConcurrent,
	});
	const tokens = simulator.issueToken();

	console.log(`Zoho simulator listening on ${simulator.url}`);
	console.log('Credential: Data Centre "Custom Host", with');
	console.log(`  Custom Accounts URL  ${simulator.url}`);
	console.log(`  Custom API URL       ${simulator.url}`);
	console.log(`  Client ID            ${DEFAULT_CLIENT_ID}`);
	console.log(`  Client Secret        ${DEFAULT_CLIENT_SECRET}`);
	console.log(`  Refresh token        ${tokens.refresh_token}`);
	console.log('The authorization page redirects at once, without a login screen.');

	const shutDown = () => {
		void simulator.stop().then(() => process.exit(0));
	};
	process.once('SIGINT', shutDown);
	process.once('SIGTERM', shutDown);
}

void main();
