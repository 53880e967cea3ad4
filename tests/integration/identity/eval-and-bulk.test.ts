/**
 * The evaluation command on our adversarial file (shared family phones, placeholders, a store's counter phone,
 * format noise, typos, a recycled number, a WeChat user born on the day of one card on a family phone, a dormant
 * card by its birthday, twins), and the bulk linker against the incremental one on the same data.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFlags } from '../../../dev/bench/flags.js';
import { generateDemo, writeIdentityTruthCsv } from '../../../dev/demo/generate.js';
import { loadDemoFixtures } from '../../../dev/demo/load.js';
import { identityEval } from '../../../dev/eval/identity.eval.js';
import { type Database, migrateDatabase, openDatabase } from '../../../functions/adapters/db/client.js';
import { importFile } from '../../../functions/app/identity/import-file.js';

const ADVERSARIAL = fileURLToPath(new URL('../../fixtures/identity-adversarial.csv', import.meta.url));
const temp = await mkdtemp(join(tmpdir(), 'medloop-identity-'));
afterAll(() => rm(temp, { recursive: true, force: true }));

describe('npm run eval -- identity --input tests/fixtures/identity-adversarial.csv', () => {
  it('merges nobody wrongly and holds the family phone', async () => {
    const out = join(temp, 'out.csv');
    const figures = await identityEval(parseFlags(['identity', '--input', ADVERSARIAL, '--out', out, '--pglite']));
    expect(figures).toMatchObject({ eval: 'identity', records: 70, false_merges: 0, rejected: 1 });
    expect(figures.precision).toBeGreaterThanOrEqual(0.999);
    expect(figures.recall).toBeGreaterThanOrEqual(0.8);
    expect(figures.held_for_review).toBeGreaterThanOrEqual(5);
  }, 60_000);
});

async function partitionAfterImport(file: string, linking: 'bulk' | 'incremental', now: Date): Promise<string[]> {
  const database: Database = await openDatabase({ kind: 'pglite' });
  try {
    await migrateDatabase(database);
    await loadDemoFixtures(database);
    await importFile(database, { file, linking, now, batchSize: 100 });
    const rows = await database.exec(
      `select string_agg(source || ':' || source_id, ',' order by source, source_id) as members
       from source_records group by customer_id order by 1`,
    );
    return rows.map((r) => String(r.members));
  } finally {
    await database.close();
  }
}

describe('bulk and incremental linking', () => {
  it('produce the same customers on the demo ground truth', async () => {
    const now = new Date('2025-06-30T16:00:00Z');
    const file = join(temp, 'truth.csv');
    await writeIdentityTruthCsv(generateDemo({ seed: 5, members: 300, now }), file);
    const bulk = await partitionAfterImport(file, 'bulk', now);
    const incremental = await partitionAfterImport(file, 'incremental', now);
    expect(incremental.length).toBe(bulk.length);
    expect(incremental).toEqual(bulk);
  }, 120_000);
});
