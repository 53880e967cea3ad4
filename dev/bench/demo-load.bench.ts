/**
 * `demo-load`: generate and bulk-load N members into a fresh database, compared with the server inserting the same
 * number of order-line-shaped rows from generate_series in the same database: the floor no client-side loader can
 * beat, so the ratio says how much the generator, the wire and the foreign keys add.
 */

import { type Database, migrateDatabase, openDatabase } from '../../functions/adapters/db/client.js';
import { generateDemo } from '../demo/generate.js';
import { loadDemo } from '../demo/load.js';
import { openScratchDatabase } from '../identity/drop-database.js';
import { type Flags, flagBoolean, flagNumber } from './flags.js';
import { requireDatabaseUrl, round } from './harness.js';

export async function demoLoadBench(flags: Flags): Promise<Record<string, unknown>> {
  const members = flagNumber(flags, 'members', 100_000);
  const seed = flagNumber(flags, 'seed', 1);
  const usePglite = flagBoolean(flags, 'pglite');
  const concurrency = flags.values.has('concurrency') ? flagNumber(flags, 'concurrency', 3) : undefined;
  // a fixed "now" keeps the bench's data identical run to run
  const now = new Date('2025-06-30T16:00:00Z');

  let database: Database;
  let cleanup: () => Promise<void>;
  if (usePglite) {
    console.log('demo-load: in-memory PGlite');
    database = await openDatabase({ kind: 'pglite' });
    cleanup = () => database.close();
  } else {
    const scratch = await openScratchDatabase({ ...requireDatabaseUrl(), prefix: 'medloop_bench', label: 'demo-load' });
    database = scratch.database;
    cleanup = scratch.close;
  }

  try {
    await migrateDatabase(database);
    console.log(`demo-load: generating and loading ${members} members (seed ${seed})`);
    let lastPrint = 0;
    const result = await loadDemo(database, generateDemo({ seed, members, now }), {
      concurrency,
      onProgress: (p) => {
        if (p.seconds - lastPrint < 5) return;
        lastPrint = p.seconds;
        console.log(`  ${p.persons} members, ${p.orderLines} order lines, ${p.seconds.toFixed(1)} s`);
      },
    });
    const lines = result.inserted.orderLines;
    console.log(
      `  loaded ${result.inserted.customers} customers, ${lines} order lines in ${result.seconds.toFixed(2)} s`,
    );

    console.log(`demo-load: baseline, generate_series of ${lines} order-line-shaped rows`);
    await database.exec(
      `create table bench_baseline_lines (
        id bigserial primary key, order_id text not null, line_no integer not null, product_id text, sku text not null,
        quantity integer not null, unit_price_fen integer not null, amount_fen integer not null,
        unique (order_id, line_no))`,
    );
    const t0 = performance.now();
    await database.exec(
      `insert into bench_baseline_lines (order_id, line_no, product_id, sku, quantity, unit_price_fen, amount_fen)
       select 'ord_' || lpad((g / 3)::text, 12, '0'), 1 + g % 3, 'prd_md100001', 'MD100001', 1, 1700, 1700
       from generate_series(0, $1::int - 1) g`,
      [lines],
    );
    const baseline = (performance.now() - t0) / 1000;
    await database.exec('drop table bench_baseline_lines');
    console.log(`  ${baseline.toFixed(2)} s`);
    return {
      bench: 'demo-load',
      driver: database.driver,
      members,
      customers: result.inserted.customers,
      orders: result.inserted.orders,
      order_lines: lines,
      seconds: round(result.seconds),
      baseline_seconds: round(baseline),
      ratio: round(result.seconds / Math.max(baseline, 0.001)),
    };
  } finally {
    await cleanup();
  }
}
