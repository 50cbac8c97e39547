// Packs the package as npm would publish it and lints the tarball's contents with n8n's own
// community-package scanner (the checks n8n runs before it lists a package), offline.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { analyzePackage } from '@n8n/scan-community-package/scanner/scanner.mjs';

const workDir = mkdtempSync(join(tmpdir(), 'zoho-territories-scan-'));
try {
	execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', workDir], {
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	const tarball = readdirSync(workDir).find((name) => name.endsWith('.tgz'));
	execFileSync('tar', ['-xzf', tarball], { cwd: workDir });

	const result = await analyzePackage(join(workDir, 'package'));
	if (!result.passed) {
		process.stderr.write(`${result.message}\n${result.details ?? ''}\n`);
		process.exitCode = 1;
	} else {
		process.stdout.write('n8n community package scan of the packed tarball: no violations\n');
	}
} finally {
	rmSync(workDir, { recursive: true, force: true });
}
