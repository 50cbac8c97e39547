/**
 * The packed node in n8n's editor, in a real headless Chromium (Debian's /usr/bin/chromium,
 * driven by playwright-core): a person adds the node, picks Territory → Remove Users and the
 * credential, picks a territory and two of its members from the lists the simulator serves,
 * and saves. Screenshots go to test-results/ and docs/.
 *
 * Needs `apt-get install -y chromium` and the playwright-core package.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, selectors, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { defaultOrg } from '../simulator/fixture';
import { ZohoSimulator } from '../simulator/server';
import { N8nSandbox, REPO_ROOT } from './n8n';
import { queryN8nDatabase, startN8nMain, stopAll, type N8nMain } from './n8nServer';
import { NODE_TYPE, SIMULATOR_CREDENTIAL, simulatorCredential } from './removeUsersExample';
import { useInstalledPackage } from './workflowSandbox';

const TEST_TIMEOUT_MS = 420_000;
/** Hard deadline of n8n and of Chromium; both are stopped long before, test or no test. */
const PROCESS_DEADLINE_S = 480;
/** Any single wait for the page: an element, a list, a navigation. */
const STEP_TIMEOUT_MS = 30_000;

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	// No name but 127.0.0.1 resolves, so the browser cannot even look up another host.
	'--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

const SCREENSHOT = join(REPO_ROOT, 'test-results', 'editor-remove-users.png');
const README_SCREENSHOT = join(REPO_ROOT, 'docs', 'editor-remove-users.png');
const LOG_FOLDER = join(REPO_ROOT, 'test-results', 'editor');

const org = defaultOrg();
const TERRITORY = org.territories.find((territory) => territory.name === 'US West')!;
const userNamed = (fullName: string) => org.users.find((user) => user.full_name === fullName)!;
/** One 19-digit and one 18-digit ID: the picker must keep both exactly. */
const PICKED_USERS = [userNamed('Oscar Dubois'), userNamed('Bilal Chaudhry')];
const optionLabel = (user: { full_name: string; email: string }) =>
	`${user.full_name} (${user.email})`;

const OWNER = { email: 'owner@example.com', firstName: 'Olive', lastName: 'Owner' };

/** What a MutationObserver in the page saw of n8n's toasts (element-plus notifications). */
interface SeenToast {
	type: string;
	title: string;
	message: string;
}

/**
 * Runs in the page before n8n's own scripts: records every toast as it appears, so that one
 * that is gone again by the time the test looks is still counted. The type is element-plus's
 * icon class (el-notification--error, --warning, --success, --info).
 */
const TOAST_RECORDER = `
window.seenToasts = [];
(() => {
	const record = (element) => {
		const icon = element.querySelector('[class*="el-notification--"]');
		const type = /el-notification--(\\w+)/.exec(icon ? icon.className : '');
		const text = (selector) => (element.querySelector(selector)?.textContent ?? '').trim();
		window.seenToasts.push({
			type: type ? type[1] : 'unknown',
			title: text('.el-notification__title'),
			message: text('.el-notification__content'),
		});
	};
	new MutationObserver((mutations) => {
		for (const mutation of mutations) {
			for (const node of mutation.addedNodes) {
				if (node.nodeType !== 1) continue;
				if (node.classList.contains('el-notification')) record(node);
				node.querySelectorAll('.el-notification').forEach(record);
			}
		}
	}).observe(document, { childList: true, subtree: true });
})();
`;

let sim: ZohoSimulator | undefined;
let sandbox: N8nSandbox | undefined;
let main: N8nMain | undefined;
let browser: LaunchedBrowser | undefined;
let lastPage: Page | undefined;

beforeAll(() => {
	if (!existsSync(CHROMIUM)) {
		throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
	}
	selectors.setTestIdAttribute('data-test-id');
});

const installed = useInstalledPackage();

beforeEach(async () => {
	sim = await ZohoSimulator.start({ port: 0 });
	const { installation, packed } = installed();
	sandbox = await N8nSandbox.create(installation, packed);
	await sandbox.importCredentials([simulatorCredential(sim, sim.issueToken())]);
});

afterEach(async () => {
	// What the page showed last, for a look after a failure.
	await lastPage
		?.screenshot({ path: join(LOG_FOLDER, 'last-page.png'), timeout: 10_000 })
		.catch(() => undefined);
	lastPage = undefined;
	await browser?.close();
	await stopAll([main?.process]);
	await main?.process.saveLog(join(LOG_FOLDER, 'n8n-main.log'));
	await sandbox?.dispose();
	await sim?.stop();
	browser = undefined;
	main = undefined;
	sandbox = undefined;
	sim = undefined;
});

/** Chromium in a persistent context on a new, empty profile folder, under a hard deadline. */
interface LaunchedBrowser {
	context: BrowserContext;
	/** URLs the page tried to reach outside n8n; each was refused. */
	blocked: string[];
	close(): Promise<void>;
}

async function launchBrowser(allowedOrigin: string): Promise<LaunchedBrowser> {
	const folder = await mkdtemp(join(tmpdir(), 'zoho-territories-chromium-'));
	const profile = join(folder, 'profile');
	await mkdir(profile);
	// `timeout` gives Chromium a deadline and its own process group, whose ID the script notes.
	const pidFile = join(folder, 'pid');
	const launcher = join(folder, 'chromium.sh');
	await writeFile(
		launcher,
		[
			'#!/bin/sh',
			`echo $$ > '${pidFile}'`,
			`exec timeout --kill-after=10 ${PROCESS_DEADLINE_S} '${CHROMIUM}' "$@"`,
			'',
		].join('\n'),
	);
	await chmod(launcher, 0o700);

	const killGroup = async () => {
		const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
		if (pid > 0) {
			try {
				process.kill(-pid, 'SIGKILL');
			} catch {
				// Already gone.
			}
		}
	};

	let context: BrowserContext;
	try {
		context = await chromium.launchPersistentContext(profile, {
			executablePath: launcher,
			headless: true,
			chromiumSandbox: false,
			args: CHROMIUM_FLAGS,
			viewport: { width: 1440, height: 900 },
			timeout: 60_000,
			env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: folder, TZ: 'UTC' },
		});
	} catch (error) {
		await killGroup();
		await rm(folder, { recursive: true, force: true });
		throw error;
	}

	const blocked: string[] = [];
	await context.route('**/*', async (route) => {
		const url = route.request().url();
		if (url.startsWith(`${allowedOrigin}/`) || url === allowedOrigin) {
			await route.continue();
			return;
		}
		const { protocol, host, pathname } = new URL(url);
		blocked.push(`${protocol}//${host}${pathname}`);
		await route.abort('blockedbyclient');
	});
	await context.addInitScript({ content: TOAST_RECORDER });

	return {
		context,
		blocked,
		async close() {
			const closed = context.close().then(() => 'closed' as const);
			const late = new Promise<'late'>((resolveLate) =>
				setTimeout(() => resolveLate('late'), 15_000),
			);
			if ((await Promise.race([closed, late])) === 'late') await killGroup();
			await killGroup();
			await rm(folder, { recursive: true, force: true });
		},
	};
}

async function setUpOwner(url: string, password: string): Promise<void> {
	const response = await fetch(`${url}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ ...OWNER, password }),
		signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
	});
	const text = await response.text();
	if (response.status !== 200) {
		throw new Error(`POST /rest/owner/setup answered ${response.status}: ${text.slice(0, 300)}`);
	}
}

async function signIn(page: Page, url: string, password: string): Promise<void> {
	await page.goto(`${url}/signin`);
	await page.getByTestId('emailOrLdapLoginId').locator('input').fill(OWNER.email);
	await page.getByTestId('password').locator('input').fill(password);
	await page.getByTestId('form-submit-button').click();
	await page.waitForURL(/\/(home|workflows)/, { timeout: STEP_TIMEOUT_MS });
}

/** Picks `option` from the dropdown of the parameter `name` in the node details view. */
async function chooseOption(page: Page, name: string, option: string | RegExp): Promise<void> {
	await page.getByTestId('ndv').getByTestId(`parameter-input-${name}`).click();
	await page.getByRole('option', { name: option }).click();
}

/**
 * Opens a dropdown and waits for its first entry. A click that lands while n8n is still
 * settling the parameter it just revealed (the member list right after "From List") does not
 * open it: so it clicks again, with longer waits, three times at most. An empty list never
 * shows an entry and fails. Returns the clicks it took.
 */
async function openList(trigger: Locator, entries: Locator, what: string): Promise<number> {
	const waits = [4_000, 10_000, 20_000];
	for (let attempt = 1; ; attempt++) {
		await trigger.click();
		try {
			await entries.first().waitFor({ timeout: waits[attempt - 1] });
			return attempt;
		} catch (error) {
			if (attempt >= waits.length) {
				const total = waits.reduce((sum, wait) => sum + wait, 0) / 1000;
				throw new Error(`${what} showed no entry within ${total} s (empty list?)`, {
					cause: error,
				});
			}
		}
	}
}

async function errorsShownIn(page: Page): Promise<string[]> {
	const ndv = page.getByTestId('ndv');
	const shown: string[] = [];
	for (const testId of ['rlc-error-container', 'node-error-callout', 'node-error-card']) {
		for (const text of await ndv.getByTestId(testId).allInnerTexts())
			shown.push(`${testId}: ${text}`);
	}
	for (const name of ['territoryId', 'userList']) {
		const issues = ndv.getByTestId(`${name}-parameter-input-issues-container`);
		if (await issues.isVisible()) shown.push(`issues on ${name}: ${await issues.innerText()}`);
	}
	return shown;
}

interface SavedNode {
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

async function savedZohoNode(box: N8nSandbox, workflowId: string): Promise<SavedNode | undefined> {
	const rows = await queryN8nDatabase(
		box,
		`SELECT nodes FROM workflow_entity WHERE id = '${workflowId.replace(/[^A-Za-z0-9]/g, '')}'`,
	);
	const nodes = rows[0] ? (JSON.parse(String(rows[0].nodes)) as SavedNode[]) : [];
	return nodes.find((node) => node.type === NODE_TYPE);
}

describe('the node in the n8n editor, in headless Chromium', () => {
	it(
		'adds Remove Users, picks the credential, a territory and two members from the lists',
		async () => {
			const box = sandbox!;
			const bootStarted = Date.now();
			main = await startN8nMain(box, {
				timeoutSeconds: PROCESS_DEADLINE_S,
				env: { N8N_SECURE_COOKIE: 'false' },
			});
			const password = `Zz9-${randomBytes(12).toString('hex')}`;
			await setUpOwner(main.url, password);

			const bootMs = Date.now() - bootStarted;
			const browserStarted = Date.now();
			browser = await launchBrowser(main.url);
			const page = browser.context.pages()[0] ?? (await browser.context.newPage());
			lastPage = page;
			page.setDefaultTimeout(STEP_TIMEOUT_MS);
			page.setDefaultNavigationTimeout(60_000);
			await signIn(page, main.url, password);

			// A new workflow; the node from the node creator, its Remove Users action.
			await page.goto(`${main.url}/workflow/new`);
			await page.getByTestId('canvas-add-button').click();
			await page.getByTestId('node-creator-search-bar').fill('Zoho CRM Territories');
			const creator = page.getByTestId('node-creator');
			await creator
				.getByTestId('item-iterator-item')
				.filter({ hasText: 'Zoho CRM Territories' })
				.first()
				.click();
			await creator
				.getByTestId('item-iterator-item')
				.filter({ hasText: 'Remove users from a territory' })
				.click();
			const ndv = page.getByTestId('ndv');
			await ndv.waitFor();

			// The credential, from the node's own credential list.
			await ndv.getByTestId('node-credentials-select').click();
			const credentialOption = page.getByRole('option', { name: SIMULATOR_CREDENTIAL.name });
			await credentialOption.click();
			await expect
				.poll(
					async () =>
						await ndv.getByTestId('node-credentials-select').locator('input').inputValue(),
				)
				.toBe(SIMULATOR_CREDENTIAL.name);

			// Territory → Remove Users, chosen in the parameters as well.
			await chooseOption(page, 'resource', /^Territory$/);
			await chooseOption(page, 'operation', /^Remove Users/);
			const shownValue = async (name: string) =>
				await ndv.getByTestId(`parameter-input-${name}`).locator('input').first().inputValue();
			expect(await shownValue('resource')).toBe('Territory');
			expect(await shownValue('operation')).toBe('Remove Users');

			// The territory, from the list the simulator serves.
			const locator = ndv.getByTestId('resource-locator-territoryId');
			await locator.getByTestId('rlc-mode-selector').click();
			await page.getByRole('option', { name: /^From list$/i }).click();
			const territoryItems = page.getByTestId('rlc-item');
			const territoryClicks = await openList(
				locator.getByTestId('rlc-input'),
				territoryItems,
				'The Territory "From List" picker',
			);
			expect(await territoryItems.allInnerTexts()).toEqual(org.territories.map((t) => t.name));
			await territoryItems.filter({ hasText: new RegExp(`^${TERRITORY.name}$`) }).click();
			await expect
				.poll(async () => await locator.getByTestId('rlc-input').inputValue())
				.toBe(TERRITORY.name);

			// Two users, from the territory's member list.
			await chooseOption(page, 'userSelection', /^From List/);
			const userOptions = page.getByRole('option');
			const userListClicks = await openList(
				ndv.getByTestId('parameter-input-userList'),
				userOptions,
				'The member list of User Names or IDs',
			);
			const members = TERRITORY.members.map((id) => org.users.find((user) => user.id === id)!);
			expect(await userOptions.allInnerTexts()).toEqual(members.map(optionLabel));
			for (const user of PICKED_USERS) {
				await page.getByRole('option', { name: optionLabel(user), exact: true }).click();
			}
			// Closes the dropdown without leaving the node.
			await ndv.getByTestId('tab-params').click();
			const chosen = ndv.getByTestId('parameter-input-userList').locator('.el-tag');
			await expect
				.poll(async () => await chosen.allInnerTexts())
				.toEqual(PICKED_USERS.map(optionLabel));

			await expect.poll(async () => await page.getByRole('option').count()).toBe(0);

			expect(await errorsShownIn(page)).toEqual([]);
			await mkdir(join(REPO_ROOT, 'test-results'), { recursive: true });
			await page.screenshot({ path: SCREENSHOT, animations: 'disabled' });
			await mkdir(join(REPO_ROOT, 'docs'), { recursive: true });
			await copyFile(SCREENSHOT, README_SCREENSHOT);

			// Saved as a person would: n8n keeps the IDs behind the names, 18 digits included.
			await ndv.getByTestId('ndv-close-button').click();
			await ndv.waitFor({ state: 'hidden' });
			await page.keyboard.press('Control+s');
			await page.waitForURL(/\/workflow\/[A-Za-z0-9]+$/, { timeout: STEP_TIMEOUT_MS });
			const workflowId = new URL(page.url()).pathname.split('/').pop()!;
			// On a loaded machine the last parameter change can reach the workflow just after the
			// save that created it; a second save, as a user would make on seeing the change
			// marked unsaved, stores it (and changes nothing otherwise).
			await page.waitForTimeout(2_000);
			await page.keyboard.press('Control+s');
			// n8n may store an earlier state of the new workflow first; wait for the saved one.
			await expect
				.poll(async () => (await savedZohoNode(box, workflowId))?.parameters, {
					timeout: STEP_TIMEOUT_MS,
				})
				.toMatchObject({
					territoryId: {
						__rl: true,
						mode: 'list',
						value: TERRITORY.id,
						cachedResultName: 'US West',
					},
					userSelection: 'list',
					userList: PICKED_USERS.map((user) => user.id),
				});
			const saved = (await savedZohoNode(box, workflowId))!;
			expect(saved.parameters.resource ?? 'territory').toBe('territory');
			expect(saved.parameters.operation ?? 'removeUsers').toBe('removeUsers');
			expect(saved.credentials).toEqual({
				zohoCrmTerritoriesOAuth2Api: {
					id: SIMULATOR_CREDENTIAL.id,
					name: SIMULATOR_CREDENTIAL.name,
				},
			});

			// The pickers read and never wrote; no toast said anything went wrong.
			const calls = sim!.requests.map((request) => `${request.method} ${request.path}`);
			expect(calls).toContain('GET /crm/v7/settings/territories');
			expect(calls).toContain(`GET /crm/v7/settings/territories/${TERRITORY.id}/users`);
			expect(calls.filter((call) => !call.startsWith('GET '))).toEqual([]);
			const toasts = (await page.evaluate('window.seenToasts || []')) as SeenToast[];
			expect(toasts.filter((toast) => toast.type === 'error' || toast.type === 'warning')).toEqual(
				[],
			);
			expect(await errorsShownIn(page)).toEqual([]);

			process.stderr.write(
				`[editor] n8n ready in ${(bootMs / 1000).toFixed(1)} s, editor steps ` +
					`${((Date.now() - browserStarted) / 1000).toFixed(1)} s; clicks to open the ` +
					`territory list ${territoryClicks}, the member list ${userListClicks}; ` +
					`${calls.length} simulator calls; toasts: ${JSON.stringify(toasts)}; ` +
					`requests refused outside n8n: ${JSON.stringify([...new Set(browser.blocked)])}\n`,
			);
		},
		TEST_TIMEOUT_MS,
	);
});
