import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// n8n-workflow's ESM build does not load; one CommonJS copy keeps `instanceof` checks true.
const n8nWorkflow = require.resolve('n8n-workflow');

export default defineConfig({
	resolve: { alias: { 'n8n-workflow': n8nWorkflow } },
	test: {
		globalSetup: ['test/globalSetup.ts'],
		projects: [
			{
				extends: true,
				test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000 },
			},
			{
				extends: true,
				test: {
					name: 'integration',
					include: ['test/integration/**/*.test.ts'],
					testTimeout: 60_000,
				},
			},
			{
				extends: true,
				test: { name: 'faults', include: ['test/faults/**/*.test.ts'], testTimeout: 180_000 },
			},
			{
				extends: true,
				test: {
					name: 'e2e',
					include: ['test/e2e/**/*.test.ts', 'test/package/**/*.test.ts'],
					testTimeout: 600_000,
					hookTimeout: 600_000,
					fileParallelism: false,
				},
			},
		],
	},
});
