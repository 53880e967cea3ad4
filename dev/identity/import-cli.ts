/**
 * npm run import -- --source pos --file F [--mapping M.json] [--format csv|jsonl] [--linking bulk|incremental]
 *                   [--refused OUT]
 * npm run import -- --kind orders --file F [--source pos|mall] [--mapping M.json] [--format csv|jsonl] [--refused OUT]
 * The initial migration of a POS or mall export, through the same ingest path as the partner API.
 * Member records (the default): then the bulk linker. Without --source the mapping's source column names each
 * row's source. Progress on stdout, then the summary (imported, linked, held, rejected with reasons) as the last
 * line, one JSON object. At the end it computes and stores the data-quality report per source (what HQ's
 * 数据对接状态 page shows) and prints it.
 * Orders (`--kind orders`, or a mapping with "kind": "orders"): one row per item sold; each order lands once and
 * goes to its member's customer (or waits for the member's record); the summary lists rejected rows with reasons.
 * `--refused OUT` writes the refused rows (every row of a refused order) to OUT in the file's own columns plus
 * 拒收原因, to correct and import again with the same mapping.
 * Database: DATABASE_URL (+ NEON_WS_PROXY locally) or the embedded PGlite in PGLITE_DIR (.data/pglite), refused
 * with exit code 1 while another process (`npm start`) has that folder open (dev/pglite-lock.ts). A database without
 * stores is refused up front (every row's store_code would be unknown): load the stores and catalogue first.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { type Database, migrateDatabase } from '../../functions/adapters/db/client.js';
import { detectFileEncoding, type FileEncoding } from '../../functions/app/identity/file-encoding.js';
import {
  FieldMappingSchema,
  ImportColumnsDuplicateError,
  importFile,
} from '../../functions/app/identity/import-file.js';
import { DEFAULT_ORDER_MAPPING, importOrdersFile } from '../../functions/app/identity/import-orders.js';
import { computeQuality, IMPORT_ACTOR } from '../../functions/app/identity/quality.js';
import { fileText, refusedRowsFile } from '../../functions/app/identity/refused-rows.js';
import { ORDER_SOURCES, type OrderSource } from '../../shared/identity/order.js';
import { RECORD_SOURCES, type RecordSource } from '../../shared/identity/record.js';
import { parseFlags } from '../bench/flags.js';
import { DEMO_PRODUCTS } from '../demo/catalogue.js';
import { DEMO_STORES } from '../demo/fixtures.js';
import { databaseConfigFromEnv, describeDatabase, exitOnDatabaseError, openLocalDatabase } from '../local-database.js';

const flags = parseFlags(process.argv.slice(2));
const file = flags.values.get('file');
const source = flags.values.get('source');
const mappingFile = flags.values.get('mapping');
const linking = flags.values.get('linking') ?? 'bulk';
const mapping = mappingFile ? FieldMappingSchema.parse(JSON.parse(await readFile(mappingFile, 'utf8'))) : undefined;
const kind = flags.values.get('kind') ?? mapping?.kind ?? 'records';
const sources: readonly string[] = kind === 'orders' ? ORDER_SOURCES : RECORD_SOURCES;
if (
  !file ||
  (source && !sources.includes(source)) ||
  !['bulk', 'incremental'].includes(linking) ||
  !['records', 'orders'].includes(kind)
) {
  console.error(
    `usage: npm run import -- --file F [--source ${RECORD_SOURCES.join('|')}] [--mapping config/import-mappings/X.json] [--format csv|jsonl] [--encoding auto|utf-8|gbk] [--linking bulk|incremental]\n` +
      `       npm run import -- --kind orders --file F [--source ${ORDER_SOURCES.join('|')}] [--mapping config/import-mappings/X.json] [--format csv|jsonl]\n` +
      "       either with --refused OUT: the refused rows, in the file's own columns and 拒收原因, to correct and import again",
  );
  process.exit(2);
}
const encodingFlag = flags.values.get('encoding') ?? 'auto';
if (!['auto', 'utf-8', 'gbk', 'gb18030'].includes(encodingFlag)) {
  console.error('--encoding is auto (the default), utf-8 or gbk');
  process.exit(2);
}
// Chinese Excel's CSV and most POS exports are GBK: read as such unless the file is all UTF-8
const encoding: FileEncoding =
  encodingFlag === 'auto' ? await detectFileEncoding(file) : encodingFlag === 'utf-8' ? 'utf-8' : 'gb18030';
if (encoding !== 'utf-8') console.log(`${file}: not UTF-8, read as GBK (GB18030)`);
const format = (flags.values.get('format') ?? (/\.jsonl?$/i.test(file) ? 'jsonl' : 'csv')) as 'csv' | 'jsonl';
const refusedOut = flags.values.get('refused');
const refused = refusedOut ? refusedRowsFile(format) : undefined;
let database: Database;
let where = '';
try {
  const config = databaseConfigFromEnv();
  where = describeDatabase(config);
  database = await openLocalDatabase(config);
} catch (error) {
  // the PGlite folder is open in another process (npm start), or a variable is wrong: one line, exit 1
  exitOnDatabaseError(error, 'import: ');
  throw error;
}
try {
  await migrateDatabase(database);
  if (!(await hasStores())) {
    // a fresh database (`npm run pg:start`, a new Neon branch): each row's store_code would be refused as unknown
    console.error(
      `import: nothing imported: ${where} has no stores, so every row naming a store would be refused (unknown store_code).\n` +
        `Load the chain's stores and catalogue first: \`npm run demo -- --members 0\` loads the demo chain's ${DEMO_STORES.length} stores, ${DEMO_PRODUCTS.length} products and partner keys (no members); then import again.`,
    );
    process.exitCode = 1;
  } else {
    if (kind === 'orders') await importOrders();
    else await importRecords();
    if (refusedOut && refused) {
      const { header, body } = refused.parts();
      await writeFile(refusedOut, fileText(format, header + body));
      console.error(`${refused.rows} refused row${refused.rows === 1 ? '' : 's'} written to ${refusedOut}`);
    }
  }
} catch (error) {
  // the header names a column the mapping reads twice: refused before any row went in (the upload's
  // IMPORT_COLUMNS_DUPLICATE)
  if (!(error instanceof ImportColumnsDuplicateError)) throw error;
  console.error(
    `${file}: nothing imported: ${error.message}. Delete or rename the extra column${error.columns.length === 1 ? '' : 's'} and import again.`,
  );
  process.exitCode = 1;
} finally {
  await database.close();
}

async function hasStores(): Promise<boolean> {
  const [row] = await database.exec('select exists (select 1 from stores) as any');
  return row?.any === true;
}

async function importRecords(): Promise<void> {
  let last = 0;
  const summary = await importFile(database, {
    file: file as string,
    encoding,
    source: (source ?? mapping?.source) as RecordSource | undefined,
    mapping,
    format,
    refused,
    linking: linking as 'bulk' | 'incremental',
    now: new Date(),
    onProgress: (p) => {
      const t = performance.now();
      if (p.step === 'import' && t - last < 2000 && p.bytes < p.totalBytes) return;
      last = t;
      console.log(
        p.step === 'import'
          ? `  ${p.rows} rows read (${Math.round((100 * p.bytes) / Math.max(1, p.totalBytes))} % of the file)`
          : `  linking: ${p.step}`,
      );
    },
  });
  console.log(
    `done in ${summary.seconds.toFixed(1)} s: ${summary.imported} imported (${summary.created} new, ${summary.updated} updated, ${summary.unchanged} unchanged), ${summary.linked} linked, ${summary.held} held, ${summary.rejected} rejected`,
  );
  for (const [reason, n] of Object.entries(summary.rejectReasons)) console.log(`  rejected ${n}: ${reason}`);
  // kept with a value that failed its check (an impossible date left empty, a phone never linked on)
  for (const [flag, n] of Object.entries(summary.flags)) console.log(`  flagged ${n}: ${flag}`);
  for (const w of summary.warnings.slice(0, 20))
    console.log(`  flagged row ${w.row}${w.id ? ` (${w.id})` : ''}: ${w.flag} in ${w.column ?? '?'}: ${w.value ?? ''}`);
  const { report } = await computeQuality(database.db, {
    actorId: IMPORT_ACTOR,
    now: () => new Date(),
    minIntervalMs: 0,
  });
  const pct = (n: number, of: number) => (of > 0 ? `${((100 * n) / of).toFixed(1)} %` : '—');
  console.log(`data quality per source (the whole base, ${report.durationMs} ms):`);
  for (const q of report.sources) {
    const f = q.completeness;
    console.log(
      `  ${q.source}: ${q.records} records; phones valid ${pct(q.phones.valid, q.records)}, invalid ${q.phones.invalid}, placeholder or store phone ${q.phones.blocked}, missing ${q.phones.missing}; emails invalid ${q.emails.invalid}; sharing a phone ${pct(q.duplicates.sharedPhone, q.records)}, linked to another record of the source ${pct(q.duplicates.sameCustomer, q.records)}; filled in: real name ${pct(f.realName, q.records)}, birthday ${pct(f.birthday, q.records)}, gender ${pct(f.gender, q.records)}, city ${pct(f.city, q.records)}, store ${pct(f.store, q.records)}, last active ${pct(f.lastActive, q.records)}`,
    );
    // the stores whose counters typed the most unusable phones, worst share first (the page lists them all)
    const worst = [...(q.stores ?? [])]
      .map((x) => ({ ...x, unusable: x.phones.invalid + x.phones.blocked + x.phones.missing }))
      .filter((x) => x.unusable > 0)
      .sort((a, b) => b.unusable / b.records - a.unusable / a.records || b.records - a.records)
      .slice(0, 5);
    for (const x of worst)
      console.log(
        `    ${x.storeName}: ${x.records} records, phone unusable ${pct(x.unusable, x.records)} (placeholder or store phone ${x.phones.blocked}, invalid ${x.phones.invalid}, missing ${x.phones.missing})`,
      );
  }
  process.stdout.write(`${JSON.stringify({ ...summary, quality: report.sources })}\n`);
}

async function importOrders(): Promise<void> {
  let last = 0;
  const summary = await importOrdersFile(database, {
    file: file as string,
    encoding,
    source: (source ?? mapping?.source) as OrderSource | undefined,
    mapping: mapping ?? DEFAULT_ORDER_MAPPING,
    format,
    refused,
    now: new Date(),
    onProgress: (p) => {
      const t = performance.now();
      if (t - last < 2000 && p.bytes < p.totalBytes) return;
      last = t;
      console.log(`  ${p.rows} rows read (${Math.round((100 * p.bytes) / Math.max(1, p.totalBytes))} % of the file)`);
    },
  });
  const m = summary.members;
  console.log(
    `done in ${summary.seconds.toFixed(1)} s: ${summary.rows} rows, ${summary.orders} orders: ${summary.created} new, ${summary.unchanged} already there, ${summary.rejected} rejected; members: ${m.known} known, ${m.waiting} waiting for their card or account, ${m.none} without a member; ${summary.unknownSkuLines} line${summary.unknownSkuLines === 1 ? '' : 's'} with a SKU not in the catalogue`,
  );
  for (const r of summary.rejections.slice(0, 20))
    console.log(`  rejected row ${r.row}${r.externalId ? ` (order ${r.externalId})` : ''}: ${r.reason}`);
  if (summary.rejected > 20)
    console.log(`  … ${summary.rejected - 20} more (all in the summary below and quarantined)`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
