import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** n8n-core writes its settings under N8N_USER_FOLDER as soon as it loads: give it a scratch one. */
export default function setup(): () => void {
	const folder = mkdtempSync(join(tmpdir(), 'zoho-territories-n8n-'));
	process.env.N8N_USER_FOLDER = folder;
	process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
	return () => rmSync(folder, { recursive: true, force: true });
}
