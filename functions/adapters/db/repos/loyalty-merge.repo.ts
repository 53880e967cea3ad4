/**
 * The loyalty side of a merge (and of its undo), run in the merge's transaction after the plain row moves of
 * MERGE_STEPS (so the absorbed customer's coupons are already the survivor's):
 * - points: the ledger is append-only, so each live earn-year bucket of the absorbed customer leaves it in a
 *   `transfer` line and arrives on the survivor in another, same earn year (expiry stays right), both keyed
 *   `merge:<merge>:…`; undo appends the mirror pair keyed `unmerge:<merge>:…`. The absorbed side gets back all it
 *   brought; the member holding the points now gives back only what they still have (`cutTakes`): what they used
 *   meanwhile is not clawed back (the chain bears it), so an undo never leaves anyone owing points. Points of an
 *   earn year that has expired since move neither way: they expired where they were.
 * - new-member coupon, once per person: of the person's unused ones the survivor's own earliest stays, the rest
 *   become `voided` (tagged with the merge, so undo makes them available again). Used ones are never touched.
 * - per-member issue counters (coupon_member_counts): the survivor's count becomes the sum, so a per-member limit
 *   counts the person; undo takes the absorbed customer's count (which nothing changes meanwhile) off again.
 * - an order that reached the survivor after the merge through the absorbed customer's card or account goes back
 *   with that record on undo, and what it earned goes with it (`ordersBack`, keyed `unmerge:<merge>:order:<order>:…`).
 */
import { type SQL, sql } from 'drizzle-orm';
import { earnYearOf, pointsExpiryAt, pointsState } from '../../../../shared/points/points.rules.js';
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
/** what the member is not asked to give back, said on the line that takes the rest */
const notTakenBack = (note: string, used: number) => `${note}（其中 ${used} 积分合并后已使用，不再扣回）`;

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
  // a take cut to nothing (cutTakes) writes no line: the ledger holds no zero lines
  const lines = unordered.filter((l) => l.points !== 0).sort((a, b) => Number(b.points > 0) - Number(a.points > 0));
  if (lines.length === 0) return;
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

/** What an undo does to points: `back` goes to the absorbed customer, `used` of it the member is not asked for. */
export interface UndoPoints {
  /** points the absorbed customer gets back: what it brought in and what its card earned since, still live */
  back: number;
  /** of what the member gives back for them, the points they had used meanwhile: not clawed back, the chain bears them */
  used: number;
}

/**
 * One return of points by an undo: its lines (the absorbed customer's, and the walk down later merges), of which
 * `take` is the one on `holder`, the member holding the points now, cut by `cutTakes` to what they still have.
 */
interface Return {
  lines: TransferLine[];
  take: TransferLine | null;
  holder: string;
  /** the earn year the holder got the points in (null: no year, a debt): the oldest are cut first */
  year: number | null;
  /** the take's note when part of it is not taken */
  usedNote: (used: number) => string;
}

/** Whether points of `year` (null: no year, a debt) have expired by `now`. */
const expiredBy = (year: number | null, now: Date) => year !== null && pointsExpiryAt(year).getTime() <= now.getTime();

/**
 * Cuts each holder's takes to what the holder still has: what they were given goes back, but never more than their
 * balance (with what the same undo gives them counted first), so the undo leaves no one owing points they did not
 * run up. The member's own points pay first; what they cannot pay is what they used of the points given back, and
 * that is cut from the oldest years first (points are spent oldest first). Changes the takes' points and notes;
 * returns the points not taken, which the chain bears. `balances`: each holder's balance now.
 */
function cutTakes(returns: readonly Return[], balances: ReadonlyMap<string, number>): number {
  let borne = 0;
  for (const holder of new Set(returns.map((r) => r.holder))) {
    const mine = returns.filter((r) => r.holder === holder && r.take);
    const credits = mine.reduce((sum, r) => sum + Math.max(0, r.take?.points ?? 0), 0);
    const debits = mine
      .filter((r) => (r.take?.points ?? 0) < 0)
      .sort((a, b) => (a.year ?? Number.POSITIVE_INFINITY) - (b.year ?? Number.POSITIVE_INFINITY));
    const wanted = debits.reduce((sum, r) => sum - (r.take?.points ?? 0), 0);
    let short = Math.max(0, wanted - Math.max(0, (balances.get(holder) ?? 0) + credits));
    for (const r of debits) {
      const take = r.take;
      if (!take || short === 0) break;
      const used = Math.min(short, -take.points);
      take.points += used;
      take.note = r.usedNote(used);
      short -= used;
      borne += used;
    }
  }
  return borne;
}

/** Each customer's balance now (the member pages' replay: expiries due are gone). */
async function balancesOf(conn: Conn, customerIds: Iterable<string>, now: Date): Promise<Map<string, number>> {
  const ids = [...new Set(customerIds)];
  const balances = new Map(ids.map((id) => [id, 0]));
  if (ids.length === 0) return balances;
  const ledger = await rows<{
    customer_id: string;
    kind: string;
    points: number;
    earn_year: number | null;
    occurred_at: string;
  }>(
    conn,
    sql`select customer_id, kind, points, earn_year, occurred_at::text from points_ledger
        where customer_id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))
        order by occurred_at, id`,
  );
  for (const id of ids) {
    const state = pointsState(
      ledger
        .filter((l) => l.customer_id === id)
        .map((l) => ({
          kind: l.kind as 'earn',
          points: Number(l.points),
          earnYear: l.earn_year === null ? null : Number(l.earn_year),
          occurredAt: new Date(l.occurred_at),
        })),
      now,
    );
    balances.set(id, state.balance);
  }
  return balances;
}

/**
 * The undo's returns of what the merge moved (its `merge:<merge>:…` group, the lines carried into it since
 * included): each pair of lines goes back, the absorbed side's mirrored in full, the survivor's walked down the
 * later merges to it (`merge:<later>:undo:<this>:…`) and mirrored; a pair of an earn year that has expired since
 * moves neither way. The amount is the absorbed side's line: the survivor's may have been cut by an earlier undo
 * walking through this merge.
 */
async function undoReturns(conn: Conn, m: LoyaltyMergeInput): Promise<Return[]> {
  // every line of the group is on one side or the other: read through their ledgers (a prefix LIKE on the entry key
  // alone cannot use its index under a non-C collation)
  const moved = await rows<{
    customer_id: string;
    points: number;
    earn_year: number | null;
    entry_key: string;
    occurred_at: string;
  }>(
    conn,
    sql`select customer_id, points, earn_year, entry_key, occurred_at::text from points_ledger
        where customer_id in (${m.mergedId}, ${m.survivorId}) and entry_key like ${`merge:${m.mergeId}:%`}
        order by id`,
  );
  if (moved.length === 0) return [];
  const hops = await liveHopsFrom(conn, m.survivorId);
  const holder = hops.at(-1)?.to ?? m.survivorId;
  const prefix = `merge:${m.mergeId}:`;
  // the two lines of one transfer: `out:<x>` and `in:<x>` (the merge, a line carried after it), or `…:out` and
  // `…:in` (an undo walking through this merge)
  const pairs = new Map<string, { absorbed?: (typeof moved)[number]; survivor?: (typeof moved)[number] }>();
  for (const l of moved) {
    const tail = l.entry_key.slice(prefix.length);
    const id = /^(out|in):/.test(tail) ? tail.replace(/^(out|in):/, '') : tail.replace(/:(out|in)$/, '');
    const pair = pairs.get(id) ?? {};
    if (l.customer_id === m.mergedId) pair.absorbed = l;
    else pair.survivor = l;
    pairs.set(id, pair);
  }
  const returns: Return[] = [];
  for (const { absorbed, survivor } of pairs.values()) {
    const first = absorbed ?? survivor;
    if (!first) continue;
    // what the survivor side got: as the absorbed side gave it
    const points = absorbed ? -Number(absorbed.points) : Number(survivor?.points);
    const earnYear = first.earn_year === null ? null : Number(first.earn_year);
    // a line without a year credits the year it was written in (pointsState); a debt has none
    const year = earnYear ?? (points > 0 && survivor ? earnYearOf(new Date(survivor.occurred_at)) : null);
    if (expiredBy(year, m.now)) continue;
    const lines: TransferLine[] = [];
    let take: TransferLine | null = null;
    if (absorbed) {
      lines.push({
        customerId: m.mergedId,
        points,
        earnYear,
        entryKey: `un${absorbed.entry_key}`,
        note: '撤销会员合并，积分退回原会员卡',
      });
    }
    if (survivor) {
      const tail = survivor.entry_key.slice(prefix.length);
      // walk the points back down the chain of later merges to the survivor first
      for (const hop of hops) {
        const key = `merge:${hop.mergeId}:undo:${m.mergeId}:${tail}`;
        const to: TransferLine = {
          customerId: hop.to,
          points: -points,
          earnYear,
          entryKey: `${key}:in`,
          note: UNDO_NOTE,
        };
        lines.push(to, { customerId: hop.from, points, earnYear, entryKey: `${key}:out`, note: UNDO_NOTE });
        if (hop.to === holder) take = to;
      }
      const back: TransferLine = {
        customerId: m.survivorId,
        points: -points,
        earnYear,
        entryKey: `un${survivor.entry_key}`,
        note: UNDO_NOTE,
      };
      lines.push(back);
      take ??= back;
    }
    returns.push({ lines, take, holder, year, usedNote: (used) => notTakenBack(UNDO_NOTE, used) });
  }
  return returns;
}

/**
 * The returns of the points of orders an undo sends back to the absorbed customer: taken from where each order's
 * points were last put (`orderPointsHome`) and, when that customer was merged on since, walked back down those
 * merges in their own groups first (as `undoReturns` does). A refunded order's points are gone already, and one
 * of an earn year that has expired since moves neither way.
 */
async function ordersBackReturns(conn: Conn, m: LoyaltyMergeInput, orderIds: readonly string[]): Promise<Return[]> {
  if (orderIds.length === 0) return [];
  const reversed = new Set(
    (
      await rows<{ order_id: string }>(
        conn,
        sql`select order_id from points_ledger where entry_key in (
          select 'reverse:' || jsonb_array_elements_text(${JSON.stringify(orderIds)}::jsonb))`,
      )
    ).map((r) => r.order_id),
  );
  const returns: Return[] = [];
  for (const home of await orderPointsHomes(conn, orderIds)) {
    if (reversed.has(home.orderId) || home.customerId === m.mergedId || expiredBy(home.earnYear, m.now)) continue;
    const { orderId, points, earnYear } = home;
    const hops = await liveHopsFrom(conn, home.customerId);
    const lines: TransferLine[] = [];
    let take: TransferLine | null = null;
    for (const hop of hops) {
      const key = `merge:${hop.mergeId}:undo:${m.mergeId}:order:${orderId}`;
      const to: TransferLine = {
        customerId: hop.to,
        points: -points,
        earnYear,
        entryKey: `${key}:in`,
        note: ORDER_BACK_NOTE,
        orderId,
      };
      lines.push(to, {
        customerId: hop.from,
        points,
        earnYear,
        entryKey: `${key}:out`,
        note: ORDER_BACK_NOTE,
        orderId,
      });
      take = to;
    }
    const out: TransferLine = {
      customerId: home.customerId,
      points: -points,
      earnYear,
      entryKey: orderBackKey(m.mergeId, orderId, 'out'),
      note: ORDER_BACK_NOTE,
      orderId,
    };
    lines.push(out, {
      customerId: m.mergedId,
      points,
      earnYear,
      entryKey: orderBackKey(m.mergeId, orderId, 'in'),
      note: '撤销会员合并，这张会员卡的消费积分退回',
      orderId,
    });
    returns.push({
      lines,
      take: take ?? out,
      holder: hops.at(-1)?.to ?? home.customerId,
      year: earnYear,
      usedNote: (used) => notTakenBack(ORDER_BACK_NOTE, used),
    });
  }
  return returns;
}

/**
 * The orders undoing the merge sends back to the absorbed customer (undoMerge in identity.repo.ts, the same
 * statement without the update): those that reached the survivor, or a later survivor, after the merge through a
 * member record the merge moved.
 */
async function ordersGoingBack(conn: Conn, m: LoyaltyMergeInput): Promise<string[]> {
  const found = await rows<{ id: string }>(
    conn,
    sql`with recursive up (id, depth) as (
        select ${m.survivorId}::text, 0
        union all
        select x.survivor_id, up.depth + 1 from up
        join identity_merges x on x.merged_id = up.id and x.undone_at is null
        where up.depth < 100
      )
      select o.id from orders o
      join source_records r on o.source = r.source and o.member_source_id = r.source_id
      join identity_merge_moves mv on mv.row_id = r.id and mv.merge_id = ${m.mergeId} and mv.table_name = 'source_records'
      where o.customer_id in (select id from up)
        -- the orders the merge moved itself go back by its move log, with the points they earned before it
        and not exists (select 1 from identity_merge_moves mo
          where mo.merge_id = ${m.mergeId} and mo.table_name = 'orders' and mo.row_id = o.id)
      order by o.id`,
  );
  return found.map((o) => o.id);
}

/** Locks the holders' rows as a spend does (pointsRepo.lockCustomer): a till spending their points waits for the undo. */
async function lockHolders(conn: Conn, returns: readonly Return[]): Promise<void> {
  const ids = [...new Set(returns.filter((r) => r.take).map((r) => r.holder))].sort();
  if (ids.length === 0) return;
  await conn.execute(sql`select id from customers
    where id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)) order by id for no key update`);
}

/**
 * Cuts the returns to what their holders have now and writes them; the points not taken back. A return written
 * already (a replay) is left out whole: its take may have been cut to nothing then, a line never written, and the
 * holder's balance now must not decide it again.
 */
async function giveBack(conn: Conn, all: Return[], now: Date): Promise<number> {
  if (all.length === 0) return 0;
  const keys = all.flatMap((r) => r.lines.map((l) => l.entryKey));
  const written = new Set(
    (
      await rows<{ entry_key: string }>(
        conn,
        sql`select entry_key from points_ledger
            where entry_key in (select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb))`,
      )
    ).map((r) => r.entry_key),
  );
  const returns = all.filter((r) => !r.lines.some((l) => written.has(l.entryKey)));
  if (returns.length === 0) return 0;
  await lockHolders(conn, returns);
  const borne = cutTakes(
    returns,
    await balancesOf(
      conn,
      returns.map((r) => r.holder),
      now,
    ),
  );
  await appendTransfers(
    conn,
    returns.flatMap((r) => r.lines),
    now,
  );
  return borne;
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
   * B gets back all it brought in; C, who holds the points now, only what C still has (`cutTakes`).
   */
  async undo(conn: Conn, m: LoyaltyMergeInput): Promise<void> {
    const hops = await liveHopsFrom(conn, m.survivorId);
    await giveBack(conn, await undoReturns(conn, m), m.now);

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
   * only what they still hold; the member holding them gives back only what they still have. The lines carry the
   * order, so a refund afterwards finds its points with it.
   */
  async ordersBack(conn: Conn, m: LoyaltyMergeInput, orderIds: readonly string[]): Promise<void> {
    await giveBack(conn, await ordersBackReturns(conn, m, orderIds), m.now);
  },

  /**
   * What undoing the merge now would do to points, for HQ to read before it decides: the same returns and cuts as
   * `undo` and `ordersBack`, written nowhere. Nothing when the merge moved no points and no order would go back.
   */
  async undoPreview(conn: Conn, m: LoyaltyMergeInput): Promise<UndoPoints> {
    const returns = await undoReturns(conn, m);
    const orders = await ordersGoingBack(conn, m);
    if (returns.length === 0 && orders.length === 0) return { back: 0, used: 0 };
    const later = await ordersBackReturns(conn, m, orders);
    const balances = await balancesOf(
      conn,
      [...returns, ...later].map((r) => r.holder),
      m.now,
    );
    let used = cutTakes(returns, balances);
    // the orders' points go back after the transfers, from what those left the holders
    for (const l of returns.flatMap((r) => r.lines)) {
      const before = balances.get(l.customerId);
      if (before !== undefined) balances.set(l.customerId, before + l.points);
    }
    used += cutTakes(later, balances);
    const back = [...returns, ...later]
      .flatMap((r) => r.lines)
      .filter((l) => l.customerId === m.mergedId)
      .reduce((sum, l) => sum + l.points, 0);
    return { back, used };
  },

  /**
   * What the undo of the merge did to points, read from the lines it wrote (`unmerge:<merge>:…`, and those walked
   * down later merges, `merge:<later>:undo:<merge>:…`), all on the absorbed customer, the survivor and the
   * customers it was merged into since: every line comes in a pair but the takes cut short, so their sum is what
   * the chain bore.
   */
  async undone(conn: Conn, m: { mergeId: string; survivorId: string; mergedId: string }): Promise<UndoPoints> {
    const hops = await liveHopsFrom(conn, m.survivorId);
    const customers = [m.mergedId, m.survivorId, ...hops.map((h) => h.to)];
    const [r] = await rows<{ back: number; used: number }>(
      conn,
      sql`select coalesce(sum(points) filter (where customer_id = ${m.mergedId}), 0)::int as back,
            coalesce(sum(points), 0)::int as used
          from points_ledger
          where customer_id in (select jsonb_array_elements_text(${JSON.stringify(customers)}::jsonb))
            and ((split_part(entry_key, ':', 1) = 'unmerge' and split_part(entry_key, ':', 2) = ${m.mergeId})
              or (split_part(entry_key, ':', 1) = 'merge' and split_part(entry_key, ':', 3) = 'undo'
                and split_part(entry_key, ':', 4) = ${m.mergeId}))`,
    );
    return { back: Number(r?.back ?? 0), used: Number(r?.used ?? 0) };
  },
};
