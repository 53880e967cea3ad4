/**
 * npm run import -- --source pos --file F [--mapping M.json] [--format csv|jsonl] [--linking bulk|incremental]
 * The initial migration of a POS or mall export, through the same ingest path as the partner API, then the bulk
 * linker. Without --source the mapping's source column names each row's source. Progress on stdout, then the
 * summary (imported, linked, held, rejected with reasons) as the last line, one JSON object.
 * Database: DATABASE_URL (+ NEON_WS_PROXY locally) or the embedded PGlite in PGLITE_DIR (.data/pglite).
 */
import { readFile } from 'node:fs/promises';
import { migrateDatabase, openDatabase } from '../../functions/adapters/db/client.js';
import { FieldMappingSchema, importFile } from '../../functions/app/identity/import-file.js';
import { RECORD_SOURCES, type RecordSource } from '../../shared/identity/record.js';
import { parseFlags } from '../bench/flags.js';

const flags = parseFlags(process.argv.slice(2));
const file = flags.values.get('file');
const source = flags.values.get('source');
const mappingFile = flags.values.get('mapping');
const linking = flags.values.get('linking') ?? 'bulk';
if (
  !file ||
  (source && !(RECORD_SOURCES as readonly string[]).includes(source)) ||
  !['bulk', 'incremental'].includes(linking)
) {
  console.error(
    `usage: npm run import -- --file F [--source ${RECORD_SOURCES.join('|')}] [--mapping config/import-mappings/X.json] [--format csv|jsonl] [--linking bulk|incremental]`,
  );
  process.exit(2);
}
const mapping = mappingFile ? FieldMappingSchema.parse(JSON.parse(await readFile(mappingFile, 'utf8'))) : undefined;
const url = process.env.DATABASE_URL;
const database = await openDatabase(
  url
    ? { kind: 'neon', url, wsProxy: process.env.NEON_WS_PROXY || undefined }
    : { kind: 'pglite', dataDir: process.env.PGLITE_DIR ?? '.data/pglite' },
);
try {
  await migrateDatabase(database);
  let last = 0;
  const summary = await importFile(database, {
    file,
    source: source as RecordSource | undefined,
    mapping,
    format: flags.values.get('format') as 'csv' | 'jsonl' | undefined,
    linking: linking as 'bulk' | 'incremental',
    now: new Date(),
    onProgress: (p) => {
      const t = performance.now();
      if (p.step === 'import' && t - last < 2000 && p.done < p.total) return;
      last = t;
      console.log(p.step === 'import' ? `  imported ${p.done}/${p.total} rows` : `  linking: ${p.step}`);
    },
  });
  console.log(
    `done in ${summary.seconds.toFixed(1)} s: ${summary.imported} imported (${summary.created} new, ${summary.updated} updated, ${summary.unchanged} unchanged), ${summary.linked} linked, ${summary.held} held, ${summary.rejected} rejected`,
  );
  for (const [reason, n] of Object.entries(summary.rejectReasons)) console.log(`  rejected ${n}: ${reason}`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  await database.close();
}
