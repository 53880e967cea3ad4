/**
 * npm run bench -- NAME [--flags]
 *   api         [--connections 100] [--duration 10]
 *   demo-load   [--members 100000] [--seed 1] [--concurrency 3] [--pglite]
 * Needs DATABASE_URL (and NEON_WS_PROXY for a local server): `npm run pg:start` prints both.
 */
import { apiBench } from './api.bench.js';
import { demoLoadBench } from './demo-load.bench.js';
import { type Registry, runFromCommandLine } from './harness.js';

const BENCHES: Registry = {
  api: { description: 'GET /api/health under load vs GET /api/ping (autocannon)', run: apiBench },
  'demo-load': { description: 'generate + bulk-load N demo members vs a generate_series insert', run: demoLoadBench },
};

await runFromCommandLine('bench', BENCHES, process.argv.slice(2));
