/**
 * `upload`: what 数据导入 on the staff pages does with a store's export. A fresh database gets a base of N demo
 * members through the file import (bulk linker), vacuumed as a live base is; then the POS cards of further demo
 * people, in the Chinese POS export format (`pos-legacy`: 会员卡号, 姓名, 手机号…), go through `runUpload` in steps
 * as the upload and continue endpoints run it (per-record linking against the base; each step stops after the
 * batch that passes `--step-ms`, the server's IMPORT_STEP_MS), timed. Each step is one request, so the slowest
 * step must stay well inside the function's 60 s (vercel.json). Baseline, same database and run: INSERT … SELECT of
 * the uploaded records and their identities into tables of the same shape and indexes, the floor of writing them.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase } from '../../functions/adapters/db/client.js';
import { importFile, readRows } from '../../functions/app/identity/import-file.js';
import { uploadMapping } from '../../functions/app/identity/import-mappings.js';
import { runUpload } from '../../functions/app/identity/upload-import.js';
import { IMPORT_LIMITS } from '../../shared/contracts/identity.js';
import { generateDemo, writeIdentityTruthCsv } from '../demo/generate.js';
import { loadDemoFixtures } from '../demo/load.js';
import { openScratchDatabase } from '../identity/drop-database.js';
import { type Flags, flagNumber } from './flags.js';
import { requireDatabaseUrl, round } from './harness.js';

const FUNCTION_LIMIT_SECONDS = 60;

const csvCell = (v: unknown) => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export async function uploadBench(flags: Flags): Promise<Record<string, unknown>> {
  const members = flagNumber(flags, 'members', 20_000);
  const rowsWanted = flagNumber(flags, 'rows', 20_000);
  const stepMs = flagNumber(flags, 'step-ms', 20_000);
  const seed = flagNumber(flags, 'seed', 1);
  const now = new Date('2025-06-30T16:00:00Z');
  const mapping = uploadMapping('pos-legacy');
  if (!mapping) throw new Error('the pos-legacy upload format is missing');
  const scratch = await openScratchDatabase({ ...requireDatabaseUrl(), prefix: 'medloop_bench', label: 'upload' });
  const database = scratch.database;
  const dir = await mkdtemp(join(tmpdir(), 'medloop-upload-'));
  try {
    await migrateDatabase(database);
    await loadDemoFixtures(database);
    // enough further people for the upload's POS cards (about 1.1 POS cards per person)
    const extra = Math.ceil(rowsWanted / 0.9);
    const data = generateDemo({ seed, members: members + extra, now });
    const truthFile = join(dir, 'truth.csv');
    await writeIdentityTruthCsv(data, truthFile);
    const { rows } = readRows(await readFile(truthFile, 'utf8'), 'csv');
    const persons = new Map<string, number>();
    for (const r of rows) if (!persons.has(String(r.person_id))) persons.set(String(r.person_id), persons.size);
    const inBase = (r: Record<string, unknown>) => (persons.get(String(r.person_id)) ?? 0) < members;
    const header = Object.keys(rows[0]);
    const baseFile = join(dir, 'base.csv');
    const baseRows = rows.filter(inBase);
    await writeFile(
      baseFile,
      [header.join(','), ...baseRows.map((r) => header.map((h) => csvCell(r[h])).join(','))].join('\n'),
    );
    console.log(`upload: base of ${members} members (${baseRows.length} records, file import, bulk linker)`);
    const base = await importFile(database, { file: baseFile, now });
    console.log(`  ${base.imported} records, ${base.merges} merges in ${base.seconds.toFixed(1)} s`);
    // a live base has been vacuumed by autovacuum long since; a freshly bulk-loaded one has no visibility map
    await database.exec('vacuum (analyze)');

    // the store's export: POS cards of people the base does not hold yet, in the POS's own columns
    const cols = mapping.mapping.fields;
    const exportColumns = ['会员卡号', '姓名', '性别', '生日', '手机号', '地址', '门店编号', '最近消费日期'];
    const ours: Record<string, string> = {
      会员卡号: 'source_id',
      姓名: 'name',
      性别: 'gender',
      生日: 'birthday',
      手机号: 'phone',
      地址: 'address',
      门店编号: 'store_code',
      最近消费日期: 'last_active',
    };
    for (const c of exportColumns)
      if (!Object.values(cols).includes(c)) throw new Error(`pos-legacy no longer reads ${c}`);
    const uploadRows = rows.filter((r) => !inBase(r) && r.source === 'pos').slice(0, rowsWanted);
    const content = [
      exportColumns.join(','),
      ...uploadRows.map((r) => exportColumns.map((c) => csvCell(r[ours[c]])).join(',')),
    ].join('\n');
    const bytes = Buffer.byteLength(content, 'utf8');
    console.log(
      `upload: ${uploadRows.length} POS cards, ${(bytes / 1e6).toFixed(2)} MB (limit ${IMPORT_LIMITS.bytes / 1e6} MB)`,
    );
    const t0 = performance.now();
    const steps: number[] = [];
    const s = { rows: 0, created: 0, linked: 0, held: 0, rejected: 0 };
    for (let done = 0, complete = false; !complete; ) {
      const started = performance.now();
      const r = await runUpload(database, mapping, { fileName: 'store-export.csv', content }, now, {
        skipRows: done,
        shouldStop: () => performance.now() - started >= stepMs,
      });
      steps.push((performance.now() - started) / 1000);
      for (const k of Object.keys(s) as (keyof typeof s)[]) s[k] += r.summary[k];
      done = r.rowsDone;
      complete = r.complete;
      console.log(`  step ${steps.length}: ${done} of ${uploadRows.length} rows in ${steps.at(-1)?.toFixed(2)} s`);
    }
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `  ${s.created} created, ${s.linked} linked, ${s.held} held, ${s.rejected} rejected in ${seconds.toFixed(2)} s`,
    );

    console.log('upload: baseline, INSERT … SELECT of the uploaded records and their identities into tables like them');
    const ids = JSON.stringify(uploadRows.map((r) => String(r.source_id)));
    await database.exec(`create table bench_records (like source_records including all);
      create table bench_identities (like identities including all)`);
    const b0 = performance.now();
    await database.exec(
      `insert into bench_records select * from source_records
        where source = 'pos' and source_id in (select jsonb_array_elements_text($1::jsonb))`,
      [ids],
    );
    await database.exec(
      `insert into bench_identities select * from identities
        where source = 'pos' and source_id in (select jsonb_array_elements_text($1::jsonb))`,
      [ids],
    );
    const baseline = (performance.now() - b0) / 1000;
    await database.exec('drop table bench_records; drop table bench_identities');
    console.log(`  ${baseline.toFixed(3)} s`);
    return {
      bench: 'upload',
      driver: database.driver,
      base_members: members,
      base_records: base.imported,
      rows: s.rows,
      file_mb: round(bytes / 1e6, 2),
      created: s.created,
      linked: s.linked,
      held: s.held,
      rejected: s.rejected,
      seconds: round(seconds),
      rows_per_second: Math.round(s.rows / Math.max(seconds, 0.001)),
      steps: steps.length,
      step_ms: stepMs,
      slowest_step_seconds: round(Math.max(...steps)),
      limit_seconds: FUNCTION_LIMIT_SECONDS,
      baseline_seconds: round(baseline, 3),
      ratio: round(seconds / Math.max(baseline, 0.001)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await scratch.close();
  }
}
