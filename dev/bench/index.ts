/**
 * npm run bench -- NAME [--flags]
 *   api         [--connections 100] [--duration 10]
 *   demo-load   [--members 100000] [--seed 1] [--concurrency 3] [--pglite]
 *   redemption  [--connections 100] [--requests 20000] [--duration 10]
 *   order-import [--members 20000] [--batch 500]
 *   upload      [--members 20000] [--rows 20000] [--step-ms 20000]
 *   review      [--members 100000] [--rounds 20] [--from medloop_bench_…]
 * Needs DATABASE_URL (and NEON_WS_PROXY for a local server): `npm run pg:start` prints both.
 */
import { apiBench } from './api.bench.js';
import { demoLoadBench } from './demo-load.bench.js';
import { type Registry, runFromCommandLine } from './harness.js';
import { identityBench } from './identity.bench.js';
import { orderImportBench } from './order-import.bench.js';
import { redemptionBench } from './redemption.bench.js';
import { reviewBench } from './review.bench.js';
import { uploadBench } from './upload.bench.js';

const BENCHES: Registry = {
  identity: {
    description: 'bulk-link N members from scratch vs count(distinct value); incremental p99 (--members 1000000)',
    run: identityBench,
  },
  api: { description: 'GET /api/health under load vs GET /api/ping (autocannon)', run: apiBench },
  'demo-load': { description: 'generate + bulk-load N demo members vs a generate_series insert', run: demoLoadBench },
  'order-import': {
    description: "import N members' POS and mall orders from a line-per-row export vs INSERT … SELECT of the same rows",
    run: orderImportBench,
  },
  upload: {
    description:
      "a store's POS export at the page upload's row limit, per-record linking against N members, vs INSERT … SELECT",
    run: uploadBench,
  },
  review: {
    description:
      "会员合并建议's queues (page + total, store scope, phone search) on N linked members vs count(*) of the open holds",
    run: reviewBench,
  },
  redemption: {
    description: 'POST /api/pos/redeem (signed, distinct coupons) under load vs GET /api/ping (autocannon)',
    run: redemptionBench,
  },
};

await runFromCommandLine('bench', BENCHES, process.argv.slice(2));
