/**
 * `order-import`: the initial migration's purchase history. A fresh database gets the demo's member records for N
 * members through the file import (bulk linker), then their POS and mall orders as an orders export (one row per
 * item sold, yuan, Beijing time) through `importOrdersFile`, timed; then the same file again (every order a
 * replay). Baseline, same database and run: copying the imported orders and lines into tables of the same shape
 * and indexes with one INSERT … SELECT each, the floor of writing those rows at all. Also checks that every order
 * whose member was imported found its customer.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase } from '../../functions/adapters/db/client.js';
import { importFile } from '../../functions/app/identity/import-file.js';
import { importOrdersFile } from '../../functions/app/identity/import-orders.js';
import { generateDemo, writeIdentityTruthCsv, writeOrdersCsv } from '../demo/generate.js';
import { loadDemoFixtures } from '../demo/load.js';
import { openScratchDatabase } from '../identity/drop-database.js';
import { type Flags, flagNumber } from './flags.js';
import { requireDatabaseUrl, round } from './harness.js';

export async function orderImportBench(flags: Flags): Promise<Record<string, unknown>> {
  const members = flagNumber(flags, 'members', 20_000);
  const seed = flagNumber(flags, 'seed', 1);
  const batchSize = flagNumber(flags, 'batch', 500);
  const now = new Date('2025-06-30T16:00:00Z');
  const scratch = await openScratchDatabase({
    ...requireDatabaseUrl(),
    prefix: 'medloop_bench',
    label: 'order-import',
  });
  const database = scratch.database;
  const dir = await mkdtemp(join(tmpdir(), 'medloop-orders-'));
  try {
    await migrateDatabase(database);
    await loadDemoFixtures(database);
    const data = generateDemo({ seed, members, now });
    const recordsFile = join(dir, 'members.csv');
    const ordersFile = join(dir, 'orders.csv');
    const records = await writeIdentityTruthCsv(data, recordsFile);
    const exported = await writeOrdersCsv(data, ordersFile);
    console.log(`  export: ${records} member records, ${exported.orders} orders in ${exported.rows} rows`);

    console.log('order-import: member records (file import, bulk linker)');
    const r = await importFile(database, { file: recordsFile, now });
    console.log(`  ${r.imported} records, ${r.merges} merges in ${r.seconds.toFixed(1)} s`);

    console.log(`order-import: orders (${batchSize} per batch)`);
    // the import streams the file: its memory should not grow with the file
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 50);
    const o = await importOrdersFile(database, { file: ordersFile, now, batchSize });
    clearInterval(sampler);
    const fileMb = (await stat(ordersFile)).size / 2 ** 20;
    console.log(
      `  file ${fileMb.toFixed(1)} MB; resident memory ${(rssBefore / 2 ** 20).toFixed(0)} MB before, at most ${(rssPeak / 2 ** 20).toFixed(0)} MB during`,
    );
    console.log(
      `  ${o.created} orders created, ${o.rejected} rejected, members ${JSON.stringify(o.members)} in ${o.seconds.toFixed(2)} s`,
    );
    if (o.rejected > 0) console.log(`  first rejection: ${JSON.stringify(o.rejections[0])}`);

    console.log('order-import: the same file again (replays)');
    const replay = await importOrdersFile(database, { file: ordersFile, now, batchSize });
    console.log(`  ${replay.unchanged} unchanged, ${replay.created} created in ${replay.seconds.toFixed(2)} s`);

    const [check] = await database.exec(
      `select count(*)::int as orders,
              count(*) filter (where customer_id is null and member_source_id is not null)::int as waiting,
              (select count(*)::int from order_lines) as lines
         from orders`,
    );

    console.log('order-import: baseline, INSERT … SELECT of the same orders and lines into tables like them');
    await database.exec(`create table bench_orders (like orders including all);
      create table bench_order_lines (like order_lines including all)`);
    const t0 = performance.now();
    await database.exec(`insert into bench_orders select * from orders`);
    await database.exec(`insert into bench_order_lines select * from order_lines`);
    const baseline = (performance.now() - t0) / 1000;
    await database.exec('drop table bench_orders; drop table bench_order_lines');
    console.log(`  ${baseline.toFixed(2)} s`);
    return {
      bench: 'order-import',
      driver: database.driver,
      members,
      orders: o.created,
      rows: o.rows,
      lines: Number(check.lines),
      rejected: o.rejected,
      orders_waiting_for_a_member: Number(check.waiting),
      seconds: round(o.seconds),
      orders_per_second: Math.round(o.created / Math.max(o.seconds, 0.001)),
      file_mb: round(fileMb, 1),
      rss_before_mb: Math.round(rssBefore / 2 ** 20),
      rss_peak_mb: Math.round(rssPeak / 2 ** 20),
      replay_seconds: round(replay.seconds),
      baseline_seconds: round(baseline),
      ratio: round(o.seconds / Math.max(baseline, 0.001)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await scratch.close();
  }
}
