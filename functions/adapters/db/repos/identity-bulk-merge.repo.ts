/**
 * The merge phase of the bulk linker (identity-bulk.repo.ts): from the settled labels (lk_lab, lk_rec, lk_edge) to
 * one logged merge per losing customer, exactly what `identityRepo.merge` would write for each of them in merge-id
 * order, but as one statement per table instead of several per merge:
 * - each table is updated once, joined to the loser map, and the same statement logs the moved rows for undo
 *   (`with u as (update … returning …) insert into identity_merge_moves …`: no second pass over the table);
 * - reconciling hooks run set-based (`MergeHook.mergeAll`), or per merge only where `concerns` says so.
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
}

/** The bulk linker's merges; returns how many (one per losing customer). Leaves lk_loser for later statements. */
export async function bulkMerge(tx: Tx, o: BulkMergeOptions): Promise<number> {
  const now = o.now.toISOString();
  o.step('merges: survivors');
  // survivor of each label: the order `survivorOf` keeps (registered first, then the oldest, then the smallest id)
  await tx.execute(sql`create temp table lk_cust on commit drop as
    select distinct lb.l, r.customer_id from lk_lab lb join lk_rec r on r.n = lb.n`);
  await tx.execute(sql`create temp table lk_loser on commit drop as
    with s as (
      select distinct on (lc.l) lc.l, lc.customer_id as survivor from lk_cust lc join customers c on c.id = lc.customer_id
      order by lc.l, (c.registered_at is null), c.created_at, c.id
    ), v as (
      select lb.l, jsonb_agg(distinct e.via) as via from lk_edge e join lk_lab lb on lb.n = e.b group by lb.l
    )
    select lc.customer_id as loser, s.survivor, 'mrg_' || ${o.job} || lpad((row_number() over (order by lc.customer_id))::text, 9, '0') as merge_id,
      coalesce(v.via, '[]'::jsonb) as via
    from lk_cust lc join s on s.l = lc.l left join v on v.l = lc.l where lc.customer_id <> s.survivor`);
  await tx.execute(sql`alter table lk_loser add primary key (loser)`);
  await tx.execute(sql`analyze lk_loser`);
  const [{ n: merges }] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from lk_loser`);
  if (merges === 0) return 0;

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
    insert into identity_merge_moves (merge_id, table_name, row_id, from_customer_id)
    select merge_id, 'source_records', id, loser from u`);

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
  return merges;
}
