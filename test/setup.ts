import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core writes its settings under N8N_USER_FOLDER as soon as it loads.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'zoho-territories-n8n-'));
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
