/**
 * `loyaltyMergeRepo.merge` for many merges at once (the bulk linker): the same rows as calling it for each merge of
 * `merges` (a relation with merge_id, survivor, loser) in merge-id order after all the row moves, in three
 * statements plus one read instead of four round trips per merge.
 * - points: each absorbed ledger is replayed with the same rules and its transfer pairs are appended merge by merge,
 *   credits first within a merge, so the lines get the ids (and the replay order) the per-merge calls give them.
 * - new-member coupons: called one by one, a merge voids every coupon it brought as soon as the survivor holds
 *   another live one, its own or one a LATER merge brought (an earlier merge's were voided by that merge already,
 *   since this one's were there). So the survivor's own coupon wins; failing that the last merge keeps its earliest.
 * - per-member issue counters: the survivor's count plus the sum of its absorbed customers' counts.
 */
import { type SQL, sql } from 'drizzle-orm';
import { pointsState } from '../../../../shared/points/points.rules.js';
import type { Tx } from '../client.js';
import { NEW_MEMBER_VOID_REASON } from './loyalty-merge.repo.js';

async function rows<T>(conn: Tx, query: SQL): Promise<T[]> {
  return ((await conn.execute(query)) as unknown as { rows: T[] }).rows;
}

interface Line {
  customer_id: string;
  points: number;
  entry_key: string;
  earn_year: number | null;
  note: string;
}

/** lines per statement: keeps each JSON parameter a few MB */
const CHUNK = 20_000;

export async function loyaltyMergeAll(conn: Tx, merges: SQL, now: Date): Promise<void> {
  const at = now.toISOString();

  // points: the absorbed ledgers, merge by merge in the order the per-merge calls run
  const ledger = await rows<{
    merge_id: string;
    survivor: string;
    loser: string;
    kind: string;
    points: number;
    earn_year: number | null;
    occurred_at: string;
  }>(
    conn,
    sql`select m.merge_id, m.survivor, m.loser, p.kind, p.points, p.earn_year, p.occurred_at::text
        from ${merges} m join points_ledger p on p.customer_id = m.loser
        order by m.merge_id, p.occurred_at, p.id`,
  );
  const lines: Line[] = [];
  for (let i = 0; i < ledger.length; ) {
    const m = ledger[i];
    let j = i;
    while (j < ledger.length && ledger[j].merge_id === m.merge_id) j++;
    const state = pointsState(
      ledger.slice(i, j).map((l) => ({
        kind: l.kind as 'earn',
        points: Number(l.points),
        earnYear: l.earn_year === null ? null : Number(l.earn_year),
        occurredAt: new Date(l.occurred_at),
      })),
      now,
    );
    const mine: Line[] = [];
    const pair = (suffix: string, points: number, earnYear: number | null) => {
      mine.push({
        customer_id: m.loser,
        points: -points,
        earn_year: earnYear,
        entry_key: `merge:${m.merge_id}:out:${suffix}`,
        note: '会员合并，积分转入合并后的会员',
      });
      mine.push({
        customer_id: m.survivor,
        points,
        earn_year: earnYear,
        entry_key: `merge:${m.merge_id}:in:${suffix}`,
        note: '会员合并，积分从另一会员卡转入',
      });
    };
    for (const b of state.buckets) pair(String(b.earnYear), b.points, b.earnYear);
    if (state.debt > 0) pair('debt', -state.debt, null);
    // credits first within a merge (a stable sort, as appendTransfers does)
    mine.sort((a, b) => Number(b.points > 0) - Number(a.points > 0));
    lines.push(...mine);
    i = j;
  }
  for (let k = 0; k < lines.length; k += CHUNK) {
    await conn.execute(sql`insert into points_ledger (customer_id, kind, points, entry_key, earn_year, note, occurred_at)
      select x.v->>'customer_id', 'transfer', (x.v->>'points')::int, x.v->>'entry_key', (x.v->>'earn_year')::int,
        x.v->>'note', ${at}::timestamptz
      from jsonb_array_elements(${JSON.stringify(lines.slice(k, k + CHUNK))}::jsonb) with ordinality as x(v, ord)
      order by x.ord
      on conflict (entry_key) do nothing`);
  }

  // once per person (see the header): the live new-member coupons each merge brought to its survivor, ranked
  // within the merge, with the survivor's last such merge (a temp table: statistics, and an index for the lookup)
  await conn.execute(sql`create temp table lk_nm on commit drop as
    select m.merge_id, m.survivor, cp.id,
      row_number() over (partition by m.merge_id order by cp.issued_at, cp.id) as n,
      max(m.merge_id) over (partition by m.survivor) as last
    from ${merges} m
    join identity_merge_moves mv on mv.merge_id = m.merge_id and mv.table_name = 'coupons'
    join coupons cp on cp.id = mv.row_id
    where cp.customer_id = m.survivor and cp.reason = 'new_member' and cp.status = 'available'
      and cp.valid_until > ${at}::timestamptz`);
  await conn.execute(sql`alter table lk_nm add primary key (id)`);
  await conn.execute(sql`analyze lk_nm`);
  await conn.execute(sql`update coupons x set status = 'voided', voided_at = ${at}::timestamptz,
      void_reason = ${NEW_MEMBER_VOID_REASON}, voided_by_merge = b.merge_id
    from lk_nm b
    where x.id = b.id and (b.n > 1 or b.merge_id <> b.last or exists (
      select 1 from coupons o where o.customer_id = b.survivor and o.status = 'available'
        and o.valid_until > ${at}::timestamptz and o.reason = 'new_member'
        and not exists (select 1 from lk_nm o2 where o2.id = o.id)))`);

  await conn.execute(sql`insert into coupon_member_counts (template_id, customer_id, issued)
    select k.template_id, m.survivor, sum(k.issued)::int from coupon_member_counts k join ${merges} m on m.loser = k.customer_id
    group by k.template_id, m.survivor
    on conflict (template_id, customer_id) do update set issued = coupon_member_counts.issued + excluded.issued`);
}
