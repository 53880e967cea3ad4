/**
 * `identity`: link N demo members (≈1.6 source records and ≈2.3 identities per member's record) from scratch with
 * the bulk linker on real PostgreSQL, next to a plain `select count(distinct value) from identities` on the same
 * data in the same run; then the incremental linker: single new records ingested one per transaction (half of them
 * sharing a phone and name with an existing card, so they link), p99 latency; then the time of one data-quality
 * report per source on the linked base (`quality_report_seconds`).
 *
 *   npm run bench -- identity [--members 1000000] [--seed 1] [--incremental 300] [--orders] [--pglite]
 *
 * `--orders` loads the members' POS and mall orders too (≈8 per member at the demo's defaults): the job then reads
 * every card's last sale (its dormancy) and its merges move the losers' orders, as on a chain's real history; without
 * it the orders table is empty, as when the members are migrated before their history.
 *
 * For looking into the job (EXPLAIN ANALYZE, repeated runs on the same data): `--load-only` loads a database and
 * keeps it unlinked (its name is printed), `--from NAME` copies that database (CREATE DATABASE … TEMPLATE) instead of
 * loading, `--keep` leaves the linked database behind instead of dropping it.
 */
import { type Database, migrateDatabase, openDatabase } from '../../functions/adapters/db/client.js';
import { ingestBatch } from '../../functions/app/identity/ingest.js';
import { linkAll } from '../../functions/app/identity/link-all.js';
import { computeQuality, IMPORT_ACTOR } from '../../functions/app/identity/quality.js';
import { generateDemo } from '../demo/generate.js';
import { loadDemo } from '../demo/load.js';
import { openScratchDatabase } from '../identity/drop-database.js';
import { type Flags, flagBoolean, flagNumber, flagString, UsageError } from './flags.js';
import { requireDatabaseUrl, round } from './harness.js';

export async function identityBench(flags: Flags): Promise<Record<string, unknown>> {
  const members = flagNumber(flags, 'members', 1_000_000);
  const seed = flagNumber(flags, 'seed', 1);
  const incremental = flagNumber(flags, 'incremental', 300);
  const usePglite = flagBoolean(flags, 'pglite');
  const loadOnly = flagBoolean(flags, 'load-only');
  const from = flagString(flags, 'from');
  const withOrders = flagBoolean(flags, 'orders');
  const keep = flagBoolean(flags, 'keep') || loadOnly;
  if (from !== undefined && !/^medloop_bench_[a-z0-9_]+$/.test(from))
    throw new UsageError('--from names a database the bench made (medloop_bench_…)');
  if (usePglite && (loadOnly || from !== undefined || keep))
    throw new UsageError('--load-only, --from and --keep need PostgreSQL');
  if (withOrders && from !== undefined)
    throw new UsageError('--orders is for a load: a copy (--from) has the orders of the database it copies');
  const now = new Date('2025-06-30T16:00:00Z');

  let database: Database;
  let cleanup: () => Promise<void>;
  if (usePglite) {
    database = await openDatabase({ kind: 'pglite' });
    cleanup = () => database.close();
  } else {
    const scratch = await openScratchDatabase({
      ...requireDatabaseUrl(),
      prefix: 'medloop_bench',
      label: 'identity',
      template: from,
      keep,
    });
    database = scratch.database;
    cleanup = scratch.close;
  }
  try {
    await migrateDatabase(database);
    let identities: number;
    let orders: number;
    if (from === undefined) {
      console.log(
        `identity: loading ${members} members (records and identities, ${withOrders ? 'and their orders' : 'no orders'})`,
      );
      let lastPrint = 0;
      const loaded = await loadDemo(database, generateDemo({ seed, members, now }), {
        skipOrders: !withOrders,
        onProgress: (p) => {
          if (p.seconds - lastPrint < 10) return;
          lastPrint = p.seconds;
          console.log(`  ${p.persons} members, ${p.identities} identities, ${p.seconds.toFixed(0)} s`);
        },
      });
      identities = loaded.inserted.identities;
      orders = loaded.inserted.orders;
      console.log(
        `  ${loaded.inserted.sourceRecords} records, ${identities} identities, ${loaded.inserted.orders} orders in ${loaded.seconds.toFixed(1)} s`,
      );
      await database.exec('analyze');
      if (loadOnly) return { bench: 'identity', loaded: true, members, identities, orders };
    } else {
      const [c] = await database.exec(
        'select (select count(*) from identities)::int as identities, (select count(*) from orders)::int as orders',
      );
      identities = Number(c.identities);
      orders = Number(c.orders);
      console.log(`identity: copied ${from} (${identities} identities, ${orders} orders)`);
      await database.exec('analyze');
    }

    console.log('identity: bulk link from scratch');
    const started = performance.now();
    const link = await linkAll(database, {
      now,
      onProgress: (s) => console.log(`  ${((performance.now() - started) / 1000).toFixed(2)} s: ${s}`),
    });
    console.log(
      `  ${link.seconds.toFixed(2)} s: ${link.edges} edges, ${link.rounds} rounds, ${link.merges} merges, ${link.holds} holds, ${link.suggestions} suggestions; last sales by ${link.lastSales}`,
    );
    console.log('  seconds per step:');
    for (const [name, seconds] of Object.entries(link.steps))
      console.log(`    ${seconds.toFixed(2).padStart(6)}  ${name}`);

    console.log('identity: baseline select count(distinct value) from identities');
    const t0 = performance.now();
    const [distinct] = await database.exec('select count(distinct value)::int as n from identities');
    const baseline = (performance.now() - t0) / 1000;
    console.log(`  ${baseline.toFixed(2)} s (${distinct.n} distinct values)`);

    console.log(`identity: incremental, ${incremental} single-record ingests`);
    const anchors = await database.exec(
      `select name, phone, store_id from source_records where source = 'pos' and name_kind = 'real' and phone is not null
       order by id limit $1`,
      [Math.ceil(incremental / 2)],
    );
    const latencies: number[] = [];
    for (let i = 0; i < incremental; i++) {
      const a = anchors[i % Math.max(1, anchors.length)];
      const shares = i % 2 === 0 && a;
      const record = shares
        ? { sourceId: `bench_mall_${i}`, mallAccount: `bench_mall_${i}`, name: String(a.name), phone: String(a.phone) }
        : {
            sourceId: `bench_mall_${i}`,
            mallAccount: `bench_mall_${i}`,
            name: '新顾客',
            phone: `199${String(10_000_000 + i).slice(-8)}`,
          };
      const t = performance.now();
      await database.db.transaction((tx) =>
        ingestBatch(tx, {
          source: 'mall',
          records: [record],
          linking: 'incremental',
          keyId: null,
          requestId: null,
          now,
        }),
      );
      latencies.push(performance.now() - t);
    }
    latencies.sort((x, y) => x - y);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    console.log(`  p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms`);

    // the data-quality report per source HQ asks for (one pass over every record), on the same linked base
    console.log('identity: data-quality report per source');
    const q0 = performance.now();
    await computeQuality(database.db, { actorId: IMPORT_ACTOR, now: () => now, minIntervalMs: 0 });
    const qualitySeconds = (performance.now() - q0) / 1000;
    console.log(`  ${qualitySeconds.toFixed(2)} s`);
    return {
      bench: 'identity',
      driver: database.driver,
      // a copy's members are not known here (the --members flag did not load it)
      members: from === undefined ? members : null,
      records: link.records,
      identities,
      orders,
      last_sales: link.lastSales,
      seconds: round(link.seconds),
      baseline_seconds: round(baseline),
      ratio: round(link.seconds / Math.max(baseline, 0.001)),
      merges: link.merges,
      incremental_p50_ms: round(p(0.5)),
      incremental_p99_ms: round(p(0.99)),
      quality_report_seconds: round(qualitySeconds),
    };
  } finally {
    // a failed cleanup must not hide the bench's own error
    await cleanup().catch((err: unknown) => console.error('identity: cleanup failed', err));
  }
}
