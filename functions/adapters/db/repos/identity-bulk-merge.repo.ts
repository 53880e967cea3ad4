/**
 * The merge phase of the bulk linker (identity-bulk.repo.ts): from the settled labels (lk_lab, lk_rec, lk_edge) to
 * one logged merge per losing customer, exactly what `identityRepo.merge` would write for each of them in merge-id
 * order, but as one statement per table instead of several per merge:
 * - each table is updated once, joined to the loser map, and the same statement logs the moved rows for undo
 *   (`with u as (update … returning …) insert into identity_merge_moves …`: no second pass over the table);
 * - reconciling hooks run set-based (`MergeHook.mergeAll`), or per merge only where `concerns` says so;
 * - when the merges move a large share of all records (an initial migration: a third of them at 10^6 members), the
 *   secondary indexes of the written tables and the foreign keys on the written columns are set aside before the
 *   writes and put back after: millions of random insertions into indexes larger than the buffer cache, and a key
 *   lookup per written row, cost more than one sorted build per index and one validating join per key. That takes
 *   the tables exclusively until the job commits (all locks in one statement), so a large re-link is a maintenance
 *   operation (an import); a re-link that moves little keeps the row-level path and its row locks.
 * Same transaction and temp tables as the rest of the job.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { rows } from './identity.repo.js';
import { MERGE_HOOKS, MERGE_STEPS } from './merge-steps.js';

export interface BulkMergeOptions {
  now: Date;
  job: string;
  actorId: string;
  step: (name: string) => void;
  /**
   * rebuild the rewritten tables' secondary indexes when at least this share of all source records moves
   * (default REBUILD_SHARE; 0 always, above 1 never)
   */
  rebuildShare?: number;
}

/**
 * Break-even, measured at 10^5 and 10^6 members with a third of the records moving: the UPDATEs, log inserts and key
 * checks cost ≈ 1.7× the rebuild (10^6: 80 s in place against 28 s set aside plus 30 s rebuilding), and the rebuild
 * cost does not shrink with fewer moves, so setting aside pays from about a fifth of the records moving. Measured
 * on packed pages; with free space (migration 0017) the updates are HOT and only the updated columns' indexes are
 * rebuilt (10^6: 28 → 9 s with the keys), which makes setting aside cheaper still: the threshold is conservative.
 */
export const REBUILD_SHARE = 0.2;

/** every kind of link an edge of the bulk linker records (lk_edge.via, checked there), in byte order */
export const VIAS = [
  'existing',
  'mall_account',
  'openid',
  'phone',
  'pos_card',
  'unionid',
  'verified_phone',
  'wecom_id',
] as const;

/**
 * What the merge phase writes in bulk: each table, the columns it writes whose foreign keys are checked row by row
 * (one lookup and a key-share lock on the referenced row per written row), the columns its UPDATE sets (none for the
 * logs, which are only inserted into), and how to tell the share of its rows the merges write: the share of source
 * records moved, or (the logs) the rows added against the rows there.
 */
const WRITTEN = [
  { table: 'source_records', columns: ['customer_id'], updates: ['customer_id', 'updated_at'], share: 'records' },
  { table: 'identities', columns: ['customer_id'], updates: ['customer_id'], share: 'records' },
  { table: 'customers', columns: [], updates: ['status', 'merged_into', 'updated_at'], share: 'records' },
  { table: 'identity_merges', columns: ['survivor_id', 'merged_id'], updates: [], share: 'merges' },
  { table: 'identity_merge_moves', columns: ['merge_id'], updates: [], share: 'moves' },
] as const;

/**
 * Sets aside the secondary indexes (those no constraint owns) of `tables` and their foreign keys on the written
 * columns, after locking the tables and every table those keys reference; returns what puts them back: each index
 * built again, each key added again (one validating join instead of a lookup per row).
 *
 * An updated table whose pages have room for the new versions of the rows it moves (`hot`: source_records,
 * identities and customers are filled to 70 %, migration 0017) loses only the indexes on the columns its UPDATE
 * sets: with none of them indexed, an update is a heap-only tuple (HOT) that stays on its page and touches no
 * index, so the other indexes (their keys unchanged) need neither a rebuild nor an entry per moved row. A row whose
 * page is full moves and gets its index entries in place, correct either way. Packed pages (a table written before
 * that migration) would move every row: there every secondary index goes, as before.
 */
async function setAside(
  tx: Tx,
  tables: readonly (typeof WRITTEN)[number][],
  hot: ReadonlySet<string>,
): Promise<() => Promise<void>> {
  const spec = JSON.stringify(
    tables.map((t) => ({ t: t.table, cols: t.columns, upd: t.updates, hot: hot.has(t.table) && t.updates.length > 0 })),
  );
  const found = await rows<{ kind: 'index' | 'fkey'; tbl: string; name: string; def: string; refs: string | null }>(
    tx,
    sql`with t as (select * from jsonb_to_recordset(${spec}::jsonb) as x(t text, cols jsonb, upd jsonb, hot boolean)),
        w as (select t, jsonb_array_elements_text(cols) as col from t)
      select 'index' as kind, t.t as tbl, i.relname as name, pg_get_indexdef(x.indexrelid) as def, null as refs
      from t join pg_index x on x.indrelid = t.t::regclass join pg_class i on i.oid = x.indexrelid
      where not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid)
        -- an index depends on each column it keys, computes or filters on
        and (not t.hot or exists (select 1 from pg_depend d join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
          where d.classid = 'pg_class'::regclass and d.objid = x.indexrelid and d.refclassid = 'pg_class'::regclass
            and d.refobjid = t.t::regclass and a.attname in (select jsonb_array_elements_text(t.upd))))
      union all
      select distinct 'fkey', w.t, c.conname, pg_get_constraintdef(c.oid), c.confrelid::regclass::text
      from w join pg_attribute a on a.attrelid = w.t::regclass and a.attname = w.col
        join pg_constraint c on c.conrelid = w.t::regclass and c.contype = 'f' and a.attnum = any(c.conkey)
      order by 1, 2, 3`,
  );
  // every lock at once, in one order: written tables first, then what their keys reference
  const locked = [...new Set([...tables.map((t) => t.table), ...found.flatMap((f) => (f.refs ? [f.refs] : []))])];
  await tx.execute(
    sql`lock table ${sql.join(
      locked.map((t) => sql.identifier(t)),
      sql`, `,
    )} in access exclusive mode`,
  );
  for (const f of found) {
    if (f.kind === 'index') await tx.execute(sql`drop index ${sql.identifier(f.name)}`);
    else await tx.execute(sql`alter table ${sql.identifier(f.tbl)} drop constraint ${sql.identifier(f.name)}`);
  }
  return async () => {
    for (const f of found) {
      if (f.kind === 'index') await tx.execute(sql.raw(f.def));
      else
        await tx.execute(
          sql`alter table ${sql.identifier(f.tbl)} add constraint ${sql.identifier(f.name)} ${sql.raw(f.def)}`,
        );
    }
  };
}

/**
 * Whether the pages of `table` have room for new versions of `share` of its rows, measured on the rows themselves
 * (their size against the pages holding them; a 1 % sample of the pages of a large table): an UPDATE can then keep
 * them on their pages (HOT) when it changes no indexed column.
 */
async function pagesHaveRoom(tx: Tx, table: string, share: number): Promise<boolean> {
  const [{ pages: total, block }] = await rows<{ pages: number; block: number }>(
    tx,
    sql`select (pg_relation_size(${table}::regclass) / current_setting('block_size')::int)::int as pages,
      current_setting('block_size')::int as block`,
  );
  const sample = total > 2000 ? sql`tablesample system (1) repeatable (0)` : sql``;
  // on a page: a 24-byte header, then per row a 4-byte line pointer and the row (its header included)
  const [r] = await rows<{ pages: number; bytes: number }>(
    tx,
    sql`select count(distinct (ctid::text::point)[0])::int as pages, coalesce(sum(pg_column_size(x.*) + 4), 0)::float8 as bytes
      from ${sql.identifier(table)} x ${sample}`,
  );
  if (!r || r.pages === 0) return false;
  const used = Number(r.bytes) / (r.pages * (Number(block) - 24));
  return 1 - used >= share * used;
}

/** The bulk linker's merges; returns how many (one per losing customer). Leaves lk_loser for later statements. */
export async function bulkMerge(tx: Tx, o: BulkMergeOptions): Promise<number> {
  const now = o.now.toISOString();
  o.step('merges: survivors');
  // survivor of each label: the order `survivorOf` keeps (registered first, then the oldest, then the smallest id)
  // each customer in a component, with how many records it has (all of them are in its component)
  await tx.execute(sql`create temp table lk_cust on commit drop as
    select lb.l, r.customer_id, count(*)::int as recs from lk_lab lb join lk_rec r on r.n = lb.n group by lb.l, r.customer_id`);
  await tx.execute(sql`analyze lk_cust`);
  // the evidence's kinds of link per component: one flag per kind (a hashed GROUP BY) instead of jsonb_agg(distinct),
  // which sorts every edge; the array lists them in the order that sort gives (VIAS is in byte order, and every
  // collation orders these lower-case words alike)
  const vias = sql.raw(
    `array_to_json(array_remove(array[${VIAS.map((v, i) => `case when v.k${i} then '${v}' end`).join(', ')}], null))::jsonb`,
  );
  const flags = sql.raw(VIAS.map((v, i) => `bool_or(e.via = '${v}') as k${i}`).join(', '));
  await tx.execute(sql`create temp table lk_loser on commit drop as
    with s as (
      -- each component's customers with the first of them in that order: one sort, no join back to a survivor list
      select lc.l, lc.customer_id, lc.recs, first_value(lc.customer_id) over (partition by lc.l
          order by (c.registered_at is null), c.created_at, c.id) as survivor
      from lk_cust lc join customers c on c.id = lc.customer_id
    ), v as (
      select lb.l, ${flags} from lk_edge e join lk_lab lb on lb.n = e.b group by lb.l
    )
    -- merge ids by customer id in byte order (collate "C": the ids are lower-case letters, digits and one '_', so
    -- every collation orders them alike, and bytes compare without strcoll)
    select s.customer_id as loser, s.survivor, s.recs,
      'mrg_' || ${o.job} || lpad((row_number() over (order by s.customer_id collate "C"))::text, 9, '0') as merge_id,
      coalesce(${vias}, '[]'::jsonb) as via
    from s left join v on v.l = s.l where s.customer_id <> s.survivor`);
  await tx.execute(sql`alter table lk_loser add primary key (loser)`);
  await tx.execute(sql`analyze lk_loser`);
  const [{ n: merges }] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from lk_loser`);
  if (merges === 0) return 0;

  // rows the merges will move, against all records and against the log tables' sizes: worth setting indexes and
  // row-checked keys aside only when the share is large (an initial migration)
  const [size] = await rows<{ moved: number; total: number; merges: number; moves: number }>(
    tx,
    sql`select (select sum(recs) from lk_loser)::int as moved, (select count(*) from lk_rec)::int as total,
        (select greatest(reltuples, 0)::bigint from pg_class where oid = 'identity_merges'::regclass) as merges,
        (select greatest(reltuples, 0)::bigint from pg_class where oid = 'identity_merge_moves'::regclass) as moves
`,
  );
  const share = o.rebuildShare ?? REBUILD_SHARE;
  const large = (written: number, existing: number) => written > 0 && written >= share * (existing + written);
  const aside = WRITTEN.filter((w) =>
    w.share === 'merges'
      ? large(merges, Number(size.merges))
      : w.share === 'moves'
        ? large(size.moved, Number(size.moves))
        : large(size.moved, size.total - size.moved),
  );
  let restore: (() => Promise<void>) | null = null;
  if (aside.length > 0) {
    o.step('merges: set indexes aside');
    const hot = new Set<string>();
    for (const w of aside)
      if (w.updates.length > 0 && (await pagesHaveRoom(tx, w.table, size.moved / size.total))) hot.add(w.table);
    restore = await setAside(tx, aside, hot);
  }

  o.step('merges: log');
  await tx.execute(sql`insert into identity_merges (id, survivor_id, merged_id, rule, evidence, actor_kind, actor_id, created_at)
    select merge_id, survivor, loser, 'bulk', jsonb_build_object('job', ${o.job}::text, 'via', via), 'system', ${o.actorId}, ${now}::timestamptz
    from lk_loser`);

  o.step('merges: source records');
  await tx.execute(sql`with u as (
      update source_records r set customer_id = lo.survivor, updated_at = ${now}::timestamptz
      from lk_loser lo where r.customer_id = lo.loser
      returning lo.merge_id, r.id, lo.loser
    )
    -- in the log's key order: each insert lands on the key's rightmost page (no descent, no split in the middle)
    insert into identity_merge_moves (merge_id, table_name, row_id, from_customer_id)
    select merge_id, 'source_records', id, loser from u order by merge_id collate "C", id collate "C"`);

  o.step('merges: identities');
  await tx.execute(
    sql`update identities i set customer_id = lo.survivor from lk_loser lo where i.customer_id = lo.loser`,
  );

  o.step('merges: moved tables');
  for (const s of MERGE_STEPS) {
    const t = sql.raw(s.table);
    const idc = sql.raw(s.idColumn);
    const cc = sql.raw(s.customerColumn);
    await tx.execute(sql`with u as (
        update ${t} x set ${cc} = lo.survivor from lk_loser lo where x.${cc} = lo.loser
        returning lo.merge_id, x.${idc} as row_id, lo.loser
      )
      insert into identity_merge_moves (merge_id, table_name, row_id, from_customer_id)
      select merge_id, ${s.table}, row_id, loser from u`);
  }

  o.step('merges: hooks');
  const at = o.now;
  for (const hook of MERGE_HOOKS) {
    if (hook.mergeAll) {
      await hook.mergeAll(tx, sql.raw('lk_loser'), at);
      continue;
    }
    // reconciling steps without a set-based form run per merge, only where there is something
    const todo = await rows<{ merge_id: string; survivor: string; loser: string }>(
      tx,
      sql`select lo.merge_id, lo.survivor, lo.loser from lk_loser lo
          where ${hook.concerns(sql`lo.merge_id`, sql`lo.loser`)} order by lo.merge_id`,
    );
    for (const x of todo) {
      await hook.merge(tx, { mergeId: x.merge_id, survivorId: x.survivor, mergedId: x.loser, now: at });
    }
  }

  o.step('merges: customers');
  // the absorbed customers, and customers merged into them before, now point at the survivor
  await tx.execute(sql`update customers c set status = 'merged', merged_into = lo.survivor, updated_at = ${now}::timestamptz
    from lk_loser lo where c.id = lo.loser`);
  await tx.execute(
    sql`update customers c set merged_into = lo.survivor from lk_loser lo where c.merged_into = lo.loser`,
  );

  if (restore) {
    o.step('merges: indexes and keys back');
    await restore();
  }
  return merges;
}
