/**
 * `identity`: labelled source records go through the product's own batch import and linker (importFile → ingest →
 * bulk link), then the result is scored pairwise against the labels: precision (pairs placed in one customer that
 * are one person), recall (pairs of one person placed in one customer), records held for review, false merges
 * (customers holding more than one person). Without --input: the demo generator's ground truth.
 *
 * Also `recall_ceiling`: the recall a linker could reach at all without merging on weak evidence (which the product
 * never does): same-person pairs joined by a chain of shared usable identifiers (valid, not blocked, within the
 * per-value limits). Pairs beyond it share nothing but a name or a birthday — a family member's phone on the card,
 * a placeholder, no phone at all — and are for the member or a reviewer, not the linker.
 *
 *   npm run eval -- identity [--input FILE.csv] [--out FILE] [--members 100000] [--seed 1] [--pglite] [--explain [--examples N] [--cache FILE]]
 *     [--incremental [--order arrival|shuffle]]
 *
 * --incremental scores the incremental linker instead of the bulk job: the same records go through the product's
 * ingest path one record per call (ingestAndLog, linking inside the ingest transaction), in arrival order (by
 * last_active, then record id; records without a date first) or, with --order shuffle, shuffled by --seed.
 *
 * --explain prints the pairs within the ceiling that the linker left apart, by category (dev/identity/recall-gaps.ts),
 * and the merges that joined two people, by the kind of link that made them (dev/identity/false-merges.ts);
 * with --cache FILE it also saves what it read, for dev/identity/recall-gaps-cli.ts to replay rule changes on.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { type Database, migrateDatabase, openDatabase } from '../../functions/adapters/db/client.js';
import { rows } from '../../functions/adapters/db/repos/identity.repo.js';
import {
  DEFAULT_MAPPING,
  type ImportSummary,
  importFile,
  importTally,
  mapRow,
  readRows,
} from '../../functions/app/identity/import-file.js';
import { ingestAndLog } from '../../functions/app/identity/ingest.js';
import { shanghaiDay } from '../../functions/app/identity/link-record.js';
import { LINK_LIMITS } from '../../shared/identity/link.rules.js';
import { RECORD_SOURCES, type RecordSource } from '../../shared/identity/record.js';
import { refusal } from '../../shared/identity/refusal.js';
import { type Flags, flagBoolean, flagNumber, flagString, UsageError } from '../bench/flags.js';
import { round } from '../bench/harness.js';
import { generateDemo, writeIdentityTruthCsv } from '../demo/generate.js';
import { loadDemoFixtures } from '../demo/load.js';
import { Rng } from '../demo/prng.js';
import { openScratchDatabase } from '../identity/drop-database.js';
import { explainFalseMerges, printFalseMerges } from '../identity/false-merges.js';
import { explainRecallGaps, printRecallGaps } from '../identity/recall-gaps.js';

const DEMO_NOW = new Date('2025-06-30T16:00:00Z');

export interface PairScore {
  records: number;
  precision: number;
  recall: number;
  truePairs: number;
  predictedPairs: number;
  correctPairs: number;
  falseMerges: number;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

/** Pairwise scores of a clustering (record → customer) against the truth (record → person). */
export function scorePairs(truth: ReadonlyMap<string, string>, predicted: ReadonlyMap<string, string>): PairScore {
  const byCustomer = new Map<string, number>();
  const byPerson = new Map<string, number>();
  const byBoth = new Map<string, number>();
  const personsOf = new Map<string, Set<string>>();
  for (const [record, person] of truth) {
    const customer = predicted.get(record) ?? `unlinked:${record}`;
    byCustomer.set(customer, (byCustomer.get(customer) ?? 0) + 1);
    byPerson.set(person, (byPerson.get(person) ?? 0) + 1);
    const both = `${customer}\u0000${person}`;
    byBoth.set(both, (byBoth.get(both) ?? 0) + 1);
    const set = personsOf.get(customer) ?? new Set();
    set.add(person);
    personsOf.set(customer, set);
  }
  let predictedPairs = 0;
  let truePairs = 0;
  let correctPairs = 0;
  for (const n of byCustomer.values()) predictedPairs += pairs(n);
  for (const n of byPerson.values()) truePairs += pairs(n);
  for (const n of byBoth.values()) correctPairs += pairs(n);
  let falseMerges = 0;
  for (const s of personsOf.values()) if (s.size > 1) falseMerges += 1;
  return {
    records: truth.size,
    precision: predictedPairs === 0 ? 1 : correctPairs / predictedPairs,
    recall: truePairs === 0 ? 1 : correctPairs / truePairs,
    truePairs,
    predictedPairs,
    correctPairs,
    falseMerges,
  };
}

/** Connected components of records sharing a usable identifier value (union-find), as record → component. */
export function identifierComponents(links: readonly { recordId: string; key: string }[]): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    for (let y = x; y !== root; ) {
      const next = parent.get(y) as string;
      parent.set(y, root);
      y = next;
    }
    return root;
  };
  const add = (x: string) => {
    if (!parent.has(x)) parent.set(x, x);
  };
  for (const { recordId, key } of links) {
    add(recordId);
    add(`key:${key}`);
    const a = find(recordId);
    const b = find(`key:${key}`);
    if (a !== b) parent.set(a, b);
  }
  const out = new Map<string, string>();
  for (const { recordId } of links) out.set(recordId, find(recordId));
  return out;
}

/** The order records arrive in for --incremental: by last activity then record id, or shuffled by a seed. */
export function arrivalOrder<T extends Record<string, unknown>>(
  table: readonly T[],
  order: 'arrival' | 'shuffle',
  seed: number,
): T[] {
  const out = [...table];
  if (order === 'shuffle') {
    const rng = new Rng(seed);
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
  const key = (r: T) => `${String(r.last_active ?? '')}\u0000${String(r.record_id ?? '')}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Every record through the product's ingest path, one record per call, linked incrementally as it lands. */
async function ingestOneByOne(
  database: Database,
  table: readonly Record<string, unknown>[],
  now: Date,
  onProgress: (done: number, total: number) => void,
): Promise<ImportSummary> {
  const started = performance.now();
  const tally = importTally();
  let done = 0;
  for (const row of table) {
    const { source, record } = mapRow(row, DEFAULT_MAPPING);
    done += 1;
    if (!source || !(RECORD_SOURCES as readonly string[]).includes(source)) {
      tally.reject(refusal('record_source_unknown', { got: source ?? '' }), done);
      continue;
    }
    const s = await ingestAndLog(database, {
      source: source as RecordSource,
      records: [record],
      linking: 'incremental',
      keyId: null,
      requestId: null,
      storeId: null,
      operation: 'eval.incremental',
      now,
    });
    tally.add(s);
    onProgress(done, table.length);
  }
  const [stats] = await rows<{ merges: number; undone: number; suggestions: number }>(
    database.db,
    sql`select (select count(*)::int from identity_merges where undone_at is null) as merges,
               (select count(*)::int from identity_merges where undone_at is not null) as undone,
               (select count(*)::int from merge_suggestions) as suggestions`,
  );
  if (stats.undone > 0) console.log(`  ${stats.undone} merges undone by the linker`);
  return tally.summary({
    file: '(one record per call)',
    rows: table.length,
    merges: stats.merges,
    suggestions: stats.suggestions,
    seconds: (performance.now() - started) / 1000,
  });
}

export async function identityEval(flags: Flags): Promise<Record<string, unknown>> {
  const input = flagString(flags, 'input');
  const out = flagString(flags, 'out');
  const members = flagNumber(flags, 'members', 100_000);
  const seed = flagNumber(flags, 'seed', 1);
  const explain = flagBoolean(flags, 'explain');
  const examples = flagNumber(flags, 'examples', 0);
  const cache = flagString(flags, 'cache');
  const incremental = flagBoolean(flags, 'incremental');
  const order = flagString(flags, 'order', 'arrival');
  if (order !== 'arrival' && order !== 'shuffle') throw new UsageError('--order must be arrival or shuffle');
  const usePglite = flagBoolean(flags, 'pglite') || !process.env.DATABASE_URL;
  const temp = await mkdtemp(join(tmpdir(), 'medloop-eval-'));
  let database: Database | null = null;
  let cleanup = async () => {};
  try {
    let file = input;
    if (!file) {
      file = join(temp, 'truth.csv');
      console.log(`identity: generating the demo ground truth for ${members} members (seed ${seed})`);
      const n = await writeIdentityTruthCsv(generateDemo({ seed, members, now: DEMO_NOW }), file);
      console.log(`  ${n} source records`);
    }
    const text = await readFile(file, 'utf8');
    const table = readRows(text, 'csv').rows;
    const truth = new Map<string, string>();
    const recordOf = new Map<string, string>();
    let latest = '0000-00-00';
    for (const r of table) {
      const recordId = String(r.record_id ?? '');
      truth.set(recordId, String(r.person_id ?? ''));
      recordOf.set(`${r.source}\u0000${String(r.source_id ?? '').trim()}`, recordId);
      const la = String(r.last_active ?? '');
      if (/^\d{4}-\d{2}-\d{2}$/.test(la) && la > latest) latest = la;
    }
    // "today" for dormancy: the day after the file's latest activity, so a file scores the same on any day
    const now = input
      ? new Date(Date.parse(`${latest === '0000-00-00' ? '2025-06-30' : latest}T00:00:00Z`) + 86_400_000)
      : DEMO_NOW;

    if (usePglite) {
      console.log('identity: in-memory PGlite');
      database = await openDatabase({ kind: 'pglite' });
      const db = database;
      cleanup = () => db.close();
    } else {
      const scratch = await openScratchDatabase({
        url: process.env.DATABASE_URL as string,
        wsProxy: process.env.NEON_WS_PROXY || undefined,
        prefix: 'medloop_eval',
        label: 'identity',
      });
      database = scratch.database;
      cleanup = scratch.close;
    }
    await migrateDatabase(database);
    await loadDemoFixtures(database);
    let last = 0;
    const summary = incremental
      ? await ingestOneByOne(database, arrivalOrder(table, order, seed), now, (done, total) => {
          const t = performance.now();
          if (t - last < 5000 && done < total) return;
          last = t;
          console.log(`  ingested ${done}/${total} one by one (${order} order), linked incrementally`);
        })
      : await importFile(database, {
          file,
          mapping: DEFAULT_MAPPING,
          linking: 'bulk',
          now,
          onProgress: (p) => {
            const t = performance.now();
            if (p.step === 'import' && t - last < 5000) return;
            last = t;
            console.log(p.step === 'import' ? `  imported ${p.rows} rows` : `  linking: ${p.step}`);
          },
        });
    console.log(
      `  import ${summary.seconds.toFixed(1)} s: ${summary.imported} imported, ${summary.rejected} rejected, ${summary.merges} merges, ${summary.held} held, ${summary.suggestions} suggestions`,
    );
    const linked = await rows<{ source: string; source_id: string; customer_id: string }>(
      database.db,
      sql`select source, source_id, customer_id from source_records`,
    );
    const predicted = new Map<string, string>();
    for (const r of linked) {
      const recordId = recordOf.get(`${r.source}\u0000${r.source_id}`);
      if (recordId) predicted.set(recordId, r.customer_id);
    }
    // records waiting for a person's word, as the review queues count them: an open hold whose record is not
    // already with its candidate (the incremental linker can join the two through another record later; the hold
    // row then stays open but no queue shows it); `open_rows` counts every open row
    const heldRows = await rows<{ n: number; open_rows: number }>(
      database.db,
      sql`select count(distinct h.record_id) filter (where r.customer_id <> coalesce(c.merged_into, c.id))::int as n,
            count(distinct h.record_id)::int as open_rows
          from held_links h join source_records r on r.id = h.record_id
            join customers c on c.id = h.candidate_customer_id
          where h.status = 'open'`,
    );
    const score = scorePairs(truth, predicted);
    const usable = await rows<{ source: string; source_id: string; key: string }>(
      database.db,
      sql`with v as (
            select i.kind, i.value, i.source, i.source_id, count(*) over (partition by i.kind, i.value) as c
            from identities i where i.quality = 'valid'
              and not exists (select 1 from blocked_values b where b.kind = i.kind and b.value = i.value)
          )
          select source, source_id, kind || ':' || value as key from v
          where c <= case when kind = 'phone' then ${LINK_LIMITS.phoneRecords}::int else ${LINK_LIMITS.keyRecords}::int end`,
    );
    const components = identifierComponents(
      usable.flatMap((u) => {
        const recordId = recordOf.get(`${u.source}\u0000${u.source_id}`);
        return recordId ? [{ recordId, key: u.key }] : [];
      }),
    );
    const ceiling = scorePairs(truth, components);
    if (explain) {
      const gaps = await explainRecallGaps({
        db: database,
        truth,
        recordOf,
        components,
        today: shanghaiDay(now),
        examples,
        cache,
      });
      printRecallGaps(gaps);
      printFalseMerges(await explainFalseMerges({ db: database, truth, recordOf, examples }));
      const replica = scorePairs(truth, gaps.replica);
      console.log(
        `  TypeScript rules replayed: precision ${round(replica.precision, 5)}, recall ${round(replica.recall, 5)}, ${replica.falseMerges} customers mix persons`,
      );
    }
    if (out) {
      const w = createWriteStream(out, { encoding: 'utf8' });
      w.write('record_id,customer_id\n');
      for (const recordId of truth.keys()) w.write(`${recordId},${predicted.get(recordId) ?? ''}\n`);
      w.end();
      await once(w, 'finish');
      console.log(`  wrote ${out}`);
    }
    console.log(
      `  pairs: ${score.truePairs} true, ${score.predictedPairs} predicted, ${score.correctPairs} correct; ${score.falseMerges} customers mix persons`,
    );
    return {
      eval: 'identity',
      linker: incremental ? `incremental (${order})` : 'bulk',
      records: score.records,
      precision: round(score.precision, 5),
      recall: round(score.recall, 5),
      recall_ceiling: round(ceiling.recall, 5),
      held_for_review: Number(heldRows[0]?.n ?? 0),
      held_open_rows: Number(heldRows[0]?.open_rows ?? 0),
      false_merges: score.falseMerges,
      rejected: summary.rejected,
      suggestions: summary.suggestions,
      merges: summary.merges,
      seconds: round(summary.seconds, 1),
    };
  } finally {
    await cleanup();
    await rm(temp, { recursive: true, force: true });
  }
}
