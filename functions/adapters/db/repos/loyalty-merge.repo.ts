/**
 * The loyalty side of a merge (and of its undo), run in the merge's transaction after the plain row moves of
 * MERGE_STEPS (so the absorbed customer's coupons are already the survivor's):
 * - points: the ledger is append-only, so each live earn-year bucket of the absorbed customer leaves it in a
 *   `transfer` line and arrives on the survivor in another, same earn year (expiry stays right), both keyed
 *   `merge:<merge>:…`; undo appends the mirror pair keyed `unmerge:<merge>:…`.
 * - new-member coupon, once per person: of the person's unused ones the survivor's own earliest stays, the rest
 *   become `voided` (tagged with the merge, so undo makes them available again). Used ones are never touched.
 * - per-member issue counters (coupon_member_counts): the survivor's count becomes the sum, so a per-member limit
 *   counts the person; undo takes the absorbed customer's count (which nothing changes meanwhile) off again.
 * - an order that reached the survivor after the merge through the absorbed customer's card or account goes back
 *   with that record on undo, and what it earned goes with it (`ordersBack`, keyed `unmerge:<merge>:order:<order>:…`).
 */
import { type SQL, sql } from 'drizzle-orm';
import { pointsState } from '../../../../shared/points/points.rules.js';
import type { Db, Tx } from '../client.js';

type Conn = Db | Tx;

export interface LoyaltyMergeInput {
  mergeId: string;
  survivorId: string;
  mergedId: string;
  now: Date;
}

export const NEW_MEMBER_VOID_REASON = '合并会员，新人券仅保留一张';
const UNDO_NOTE = '撤销会员合并，转入的积分退回';
const ORDER_BACK_NOTE = '撤销会员合并，另一会员卡的消费积分退回该卡';

async function rows<T>(conn: Conn, query: SQL): Promise<T[]> {
  return ((await conn.execute(query)) as unknown as { rows: T[] }).rows;
}

interface TransferLine {
  customerId: string;
  points: number;
  earnYear: number | null;
  entryKey: string;
  note: string;
  orderId?: string;
}

/** One live merge on the way up from a customer: `from` was absorbed into `to`. */
interface Hop {
  mergeId: string;
  from: string;
  to: string;
}

/** The live merges from `customerId` up to the customer holding its rows now, oldest first. */
async function liveHopsFrom(conn: Conn, customerId: string): Promise<Hop[]> {
  const hops: Hop[] = [];
  for (let cur = customerId; hops.length < 100; ) {
    const [next] = await rows<{ id: string; survivor_id: string }>(
      conn,
      sql`select id, survivor_id from identity_merges where merged_id = ${cur} and undone_at is null
          order by created_at desc, id desc limit 1`,
    );
    if (!next) break;
    hops.push({ mergeId: next.id, from: cur, to: next.survivor_id });
    cur = next.survivor_id;
  }
  return hops;
}

/** The key of the line that brings an order's points to its customer when an undo sends the order back. */
const orderBackKey = (mergeId: string, orderId: string, side: 'out' | 'in') =>
  `unmerge:${mergeId}:order:${orderId}:${side}`;

/**
 * Where an order's points were last put: its earn line's customer, or, after an undo sent the order back to the
 * absorbed customer (`ordersBack`), that customer; with the amount and earn year. The points live on with whoever
 * that customer was merged into since. Null when the order earned nothing.
 */
export async function orderPointsHome(
  conn: Conn,
  orderId: string,
): Promise<{ customerId: string; points: number; earnYear: number | null } | null> {
  const [home] = await orderPointsHomes(conn, [orderId]);
  return home ?? null;
}

async function orderPointsHomes(conn: Conn, orderIds: readonly string[]) {
  const found = await rows<{ order_id: string; customer_id: string; points: number; earn_year: number | null }>(
    conn,
    sql`select distinct on (p.order_id) p.order_id, p.customer_id, p.points, p.earn_year
      from points_ledger p
      where p.order_id in (select jsonb_array_elements_text(${JSON.stringify(orderIds)}::jsonb))
        and (p.entry_key = 'earn:' || p.order_id
          or (p.kind = 'transfer' and p.entry_key = 'unmerge:' || split_part(p.entry_key, ':', 2) || ':order:'
            || p.order_id || ':in'))
      order by p.order_id, p.id desc`,
  );
  return found.map((f) => ({
    orderId: f.order_id,
    customerId: f.customer_id,
    points: Number(f.points),
    earnYear: f.earn_year === null ? null : Number(f.earn_year),
  }));
}

/**
 * All lines of one merge or undo share one instant, and the ledger replays same-instant lines in id order: credits
 * go first, so every debit finds its earn-year bucket filled (never FIFO-ing into another year or a debt).
 */
async function appendTransfers(conn: Conn, unordered: readonly TransferLine[], at: Date): Promise<void> {
  if (unordered.length === 0) return;
  const lines = [...unordered].sort((a, b) => Number(b.points > 0) - Number(a.points > 0));
  await conn.execute(sql`insert into points_ledger (customer_id, kind, points, entry_key, earn_year, order_id, note,
      occurred_at)
    select x.v->>'customer_id', 'transfer', (x.v->>'points')::int, x.v->>'entry_key', (x.v->>'earn_year')::int,
      x.v->>'order_id', x.v->>'note', ${at.toISOString()}::timestamptz
    from jsonb_array_elements(${JSON.stringify(
      lines.map((l) => ({
        customer_id: l.customerId,
        points: l.points,
        entry_key: l.entryKey,
        earn_year: l.earnYear,
        order_id: l.orderId ?? null,
        note: l.note,
      })),
    )}::jsonb) with ordinality as x(v, ord)
    order by x.ord
    on conflict (entry_key) do nothing`);
}

export const loyaltyMergeRepo = {
  /** Whether a merge (already moved) has loyalty data to reconcile: for the bulk linker's set-based merges. */
  concerns(mergeId: SQL, mergedId: SQL): SQL {
    return sql`(exists (select 1 from points_ledger p where p.customer_id = ${mergedId})
      or exists (select 1 from coupon_member_counts k where k.customer_id = ${mergedId})
      or exists (select 1 from identity_merge_moves mv join coupons cp on cp.id = mv.row_id
        where mv.merge_id = ${mergeId} and mv.table_name = 'coupons' and cp.reason = 'new_member'))`;
  },

  async merge(conn: Conn, m: LoyaltyMergeInput): Promise<void> {
    const at = m.now.toISOString();
    // one round trip for the coupons and the counters, which also reads the absorbed ledger (a second one only when
    // there are points to move): the three touch different tables, and the ledger read sees what it would alone
    const ledger = await rows<{ kind: string; points: number; earn_year: number | null; occurred_at: string }>(
      conn,
      // once per person: the survivor's own unused new-member coupon stays; the absorbed one(s) are voided, or,
      // when the survivor holds none, all but the earliest of them. Only coupons this merge brought in are ever
      // voided, so undoing one merge (also one of a bulk job's many) gives back exactly what it took.
      sql`with nm as (
          select cp.id, cp.issued_at, exists (select 1 from identity_merge_moves mv
            where mv.merge_id = ${m.mergeId} and mv.table_name = 'coupons' and mv.row_id = cp.id) as brought
          from coupons cp
          where cp.customer_id = ${m.survivorId} and cp.reason = 'new_member' and cp.status = 'available'
            and cp.valid_until > ${at}::timestamptz
        ), v as (
          select id, row_number() over (order by issued_at, id) as n from nm where brought
        ), voided as (
          update coupons x set status = 'voided', voided_at = ${at}::timestamptz,
            void_reason = ${NEW_MEMBER_VOID_REASON}, voided_by_merge = ${m.mergeId}
          from v where v.id = x.id and (v.n > 1 or exists (select 1 from nm where not nm.brought))
        ), counted as (
          insert into coupon_member_counts (template_id, customer_id, issued)
          select template_id, ${m.survivorId}, issued from coupon_member_counts where customer_id = ${m.mergedId}
          on conflict (template_id, customer_id) do update set issued = coupon_member_counts.issued + excluded.issued
        )
        select kind, points, earn_year, occurred_at::text from points_ledger where customer_id = ${m.mergedId}
        order by occurred_at, id`,
    );
    // points: replay the absorbed ledger (same rules as the member pages) and move what is left per earn year
    if (ledger.length > 0) {
      const state = pointsState(
        ledger.map((l) => ({
          kind: l.kind as 'earn',
          points: Number(l.points),
          earnYear: l.earn_year === null ? null : Number(l.earn_year),
          occurredAt: new Date(l.occurred_at),
        })),
        m.now,
      );
      const lines: TransferLine[] = [];
      const pair = (suffix: string, points: number, earnYear: number | null) => {
        lines.push({
          customerId: m.mergedId,
          points: -points,
          earnYear,
          entryKey: `merge:${m.mergeId}:out:${suffix}`,
          note: '会员合并，积分转入合并后的会员',
        });
        lines.push({
          customerId: m.survivorId,
          points,
          earnYear,
          entryKey: `merge:${m.mergeId}:in:${suffix}`,
          note: '会员合并，积分从另一会员卡转入',
        });
      };
      for (const b of state.buckets) pair(String(b.earnYear), b.points, b.earnYear);
      // a debt (points spent beyond what is left) is the person's too
      if (state.debt > 0) pair('debt', -state.debt, null);
      await appendTransfers(conn, lines, m.now);
    }
  },

  /**
   * Run before the row moves are put back. The survivor may have been merged on since (A took B, then C took A):
   * B's points are then taken back from C through the chain, each hop posted in that later merge's own group
   * (`merge:<later>:undo:<this>:…`), so undoing the later merge afterwards moves back only what it still holds.
   */
  async undo(conn: Conn, m: LoyaltyMergeInput): Promise<void> {
    const hops = await liveHopsFrom(conn, m.survivorId);
    const moved = await rows<{ customer_id: string; points: number; earn_year: number | null; entry_key: string }>(
      conn,
      sql`select customer_id, points, earn_year, entry_key from points_ledger
          where entry_key like ${`merge:${m.mergeId}:%`} order by id`,
    );
    const lines: TransferLine[] = [];
    for (const l of moved) {
      const points = Number(l.points);
      const earnYear = l.earn_year === null ? null : Number(l.earn_year);
      const tail = l.entry_key.slice(`merge:${m.mergeId}:`.length);
      if (l.customer_id !== m.mergedId) {
        // walk the points back down the chain of later merges to the survivor first
        for (const hop of hops) {
          const key = `merge:${hop.mergeId}:undo:${m.mergeId}:${tail}`;
          lines.push({ customerId: hop.to, points: -points, earnYear, entryKey: `${key}:in`, note: UNDO_NOTE });
          lines.push({ customerId: hop.from, points, earnYear, entryKey: `${key}:out`, note: UNDO_NOTE });
        }
      }
      lines.push({
        customerId: l.customer_id,
        points: -points,
        earnYear,
        entryKey: `un${l.entry_key}`,
        note: l.customer_id === m.mergedId ? '撤销会员合并，积分退回原会员卡' : UNDO_NOTE,
      });
    }
    await appendTransfers(conn, lines, m.now);

    // what this merge voided, and what it brought in that a later merge voided since: both leave with their owner
    await conn.execute(sql`update coupons set status = 'available', voided_at = null, void_reason = null,
      voided_by_merge = null
      where status = 'voided' and voided_by_merge is not null and (voided_by_merge = ${m.mergeId} or id in (
        select row_id from identity_merge_moves where merge_id = ${m.mergeId} and table_name = 'coupons'))`);

    // the absorbed count was added to the survivor and, through later merges, to each customer up the chain
    const path = [m.survivorId, ...hops.map((h) => h.to)];
    await conn.execute(sql`update coupon_member_counts s set issued = greatest(0, s.issued - a.issued)
      from coupon_member_counts a
      where a.customer_id = ${m.mergedId} and s.template_id = a.template_id
        and s.customer_id in (select jsonb_array_elements_text(${JSON.stringify(path)}::jsonb))`);
    await conn.execute(sql`delete from coupon_member_counts where issued = 0
      and customer_id in (select jsonb_array_elements_text(${JSON.stringify(path)}::jsonb))`);
  },

  /**
   * Run after the undo sent `orders` back to the absorbed customer (they had reached the survivor, or a later
   * survivor, after the merge, through the absorbed customer's card or account). What each earned, unless refunded,
   * goes with it: taken from where it was last put (`orderPointsHome`) and, when that customer was merged on since,
   * walked back down those merges in their own groups first (as `undo` does), so undoing them later moves back
   * only what they still hold. The lines carry the order, so a refund afterwards finds its points with it.
   */
  async ordersBack(conn: Conn, m: LoyaltyMergeInput, orderIds: readonly string[]): Promise<void> {
    if (orderIds.length === 0) return;
    const reversed = new Set(
      (
        await rows<{ order_id: string }>(
          conn,
          sql`select order_id from points_ledger where entry_key in (
            select 'reverse:' || jsonb_array_elements_text(${JSON.stringify(orderIds)}::jsonb))`,
        )
      ).map((r) => r.order_id),
    );
    const lines: TransferLine[] = [];
    for (const home of await orderPointsHomes(conn, orderIds)) {
      if (reversed.has(home.orderId) || home.customerId === m.mergedId) continue;
      const { orderId, points, earnYear } = home;
      for (const hop of await liveHopsFrom(conn, home.customerId)) {
        const key = `merge:${hop.mergeId}:undo:${m.mergeId}:order:${orderId}`;
        lines.push({
          customerId: hop.to,
          points: -points,
          earnYear,
          entryKey: `${key}:in`,
          note: ORDER_BACK_NOTE,
          orderId,
        });
        lines.push({ customerId: hop.from, points, earnYear, entryKey: `${key}:out`, note: ORDER_BACK_NOTE, orderId });
      }
      lines.push({
        customerId: home.customerId,
        points: -points,
        earnYear,
        entryKey: orderBackKey(m.mergeId, orderId, 'out'),
        note: ORDER_BACK_NOTE,
        orderId,
      });
      lines.push({
        customerId: m.mergedId,
        points,
        earnYear,
        entryKey: orderBackKey(m.mergeId, orderId, 'in'),
        note: '撤销会员合并，这张会员卡的消费积分退回',
        orderId,
      });
    }
    await appendTransfers(conn, lines, m.now);
  },
};
