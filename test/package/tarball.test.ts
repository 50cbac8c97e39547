import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The categories n8n's node panel knows. */
const N8N_CATEGORIES = [
	'AI',
	'Analytics',
	'Communication',
	'Core Nodes',
	'Data & Storage',
	'Development',
	'Finance & Accounting',
	'HITL',
	'Marketing',
	'Miscellaneous',
	'Productivity',
	'Sales',
	'Utility',
];

let workDir: string;
let tarballBytes: number;
let files: string[];
const packageDir = () => join(workDir, 'package');

function listFiles(dir: string, prefix = ''): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory()
			? listFiles(path, `${prefix}${name}/`)
			: [`${prefix}${name}`];
	});
}

beforeAll(() => {
	workDir = mkdtempSync(join(tmpdir(), 'zoho-territories-pack-'));
	execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', workDir], {
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	const tarball = readdirSync(workDir).find((name) => name.endsWith('.tgz'))!;
	tarballBytes = statSync(join(workDir, tarball)).size;
	execFileSync('tar', ['-xzf', tarball], { cwd: workDir });
	files = listFiles(packageDir());
	process.stdout.write(`packed tarball: ${tarballBytes} bytes, ${files.length} files\n`);
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('the published tarball', () => {
	it('holds only dist/, the README, the licence and package.json', () => {
		const outside = files.filter(
			(file) =>
				!file.startsWith('dist/') && !['README.md', 'LICENSE.md', 'package.json'].includes(file),
		);
		expect(outside).toEqual([]);
		expect(files).toContain('README.md');
		expect(files).toContain('LICENSE.md');
	});

	it('holds every file the n8n block names', () => {
		const manifest = JSON.parse(readFileSync(join(packageDir(), 'package.json'), 'utf8'));
		const named = [...manifest.n8n.nodes, ...manifest.n8n.credentials] as string[];
		expect(named.length).toBe(2);
		for (const path of named) expect(files).toContain(path);
	});

	it('ships the light and dark icons that the node and credential point at', () => {
		const nodeSource = readFileSync(
			join(packageDir(), 'dist/nodes/ZohoCrmTerritories/ZohoCrmTerritories.node.js'),
			'utf8',
		);
		const icons = [...nodeSource.matchAll(/file:([^'"]+\.svg)/g)].map((match) => match[1]);
		expect(icons).toHaveLength(2);
		for (const icon of icons) {
			expect(files).toContain(join('dist/nodes/ZohoCrmTerritories', icon));
			expect(
				readFileSync(join(packageDir(), 'dist/nodes/ZohoCrmTerritories', icon), 'utf8'),
			).toMatch(/^<svg/);
		}
	});

	it("has a codex file whose categories are n8n's", () => {
		const codex = JSON.parse(
			readFileSync(
				join(packageDir(), 'dist/nodes/ZohoCrmTerritories/ZohoCrmTerritories.node.json'),
				'utf8',
			),
		);
		expect(codex.node).toBe('n8n-nodes-zoho-crm-territories.zohoCrmTerritories');
		expect(codex.categories.length).toBeGreaterThan(0);
		for (const category of codex.categories) expect(N8N_CATEGORIES).toContain(category);
	});

	it('brings no runtime dependency and no copy of n8n-workflow', () => {
		const manifest = JSON.parse(readFileSync(join(packageDir(), 'package.json'), 'utf8'));
		expect(manifest.dependencies ?? {}).toEqual({});
		expect(manifest.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(files.some((file) => file.includes('node_modules'))).toBe(false);
	});

	it('stays small', () => {
		expect(tarballBytes).toBeLessThan(200_000);
	});
});
