/** The points ledger (append-only) and the spend figures tiers are computed from. No rules here. */
import { and, desc, eq, gte, isNull, sql } from 'drizzle-orm';
import { orders } from '../schema.js';
import { pointsLedger } from '../schema-loyalty.js';
import type { Executor } from './coupon.repo.js';
import { rows } from './identity.repo.js';

export type PointsLedgerRow = typeof pointsLedger.$inferSelect;
export type PointsLedgerInsert = typeof pointsLedger.$inferInsert;

/** One live merge on the way from a customer to the one holding its rows now: `from` was absorbed into `to`. */
export interface MergeHop {
  mergeId: string;
  from: string;
  to: string;
}

/** The customer holding another's points now (see `lockOwner`), and the merges that lead there. */
export interface PointsOwner {
  id: string;
  closed: boolean;
  hops: MergeHop[];
}

/**
 * The live merges from `customerId` to `ownerId`, oldest first, share-locked (an undo locks its merge for update
 * first); null when they no longer lead there (an undo committed meanwhile: read again).
 */
async function mergePath(ex: Executor, customerId: string, ownerId: string): Promise<MergeHop[] | null> {
  if (customerId === ownerId) return [];
  const hops = await rows<{ merge_id: string; from_id: string; to_id: string }>(
    ex,
    sql`with recursive path (depth, merge_id, from_id, to_id) as (
        select 1, m.id, m.merged_id, m.survivor_id from identity_merges m
        where m.merged_id = ${customerId} and m.undone_at is null
        union all
        select p.depth + 1, m.id, m.merged_id, m.survivor_id from path p
        join identity_merges m on m.merged_id = p.to_id and m.undone_at is null
        where p.depth < 100
      )
      select merge_id, from_id, to_id from path order by depth`,
  );
  if (hops.at(-1)?.to_id !== ownerId) return null;
  const ids = JSON.stringify(hops.map((h) => h.merge_id));
  const locked = await rows<{ id: string }>(
    ex,
    sql`select id from identity_merges
      where id in (select jsonb_array_elements_text(${ids}::jsonb)) and undone_at is null for share`,
  );
  if (locked.length !== hops.length) return null;
  return hops.map((h) => ({ mergeId: h.merge_id, from: h.from_id, to: h.to_id }));
}

export const pointsRepo = {
  async ledger(ex: Executor, customerId: string): Promise<PointsLedgerRow[]> {
    return ex
      .select()
      .from(pointsLedger)
      .where(eq(pointsLedger.customerId, customerId))
      .orderBy(pointsLedger.occurredAt, pointsLedger.id);
  },

  async recent(ex: Executor, customerId: string, limit: number): Promise<PointsLedgerRow[]> {
    return ex
      .select()
      .from(pointsLedger)
      .where(eq(pointsLedger.customerId, customerId))
      .orderBy(desc(pointsLedger.occurredAt), desc(pointsLedger.id))
      .limit(limit);
  },

  /** Appends a line unless its entry key was already written; true when appended. */
  async append(ex: Executor, line: Omit<PointsLedgerInsert, 'id' | 'createdAt'>): Promise<boolean> {
    const rows = await ex
      .insert(pointsLedger)
      .values(line)
      .onConflictDoNothing({ target: pointsLedger.entryKey })
      .returning({ id: pointsLedger.id });
    return rows.length === 1;
  },

  async byEntryKey(ex: Executor, entryKey: string): Promise<PointsLedgerRow | null> {
    const [row] = await ex.select().from(pointsLedger).where(eq(pointsLedger.entryKey, entryKey)).limit(1);
    return row ?? null;
  },

  /** A till's spends (`spend:<spend>`) sent with this receipt number at this store, oldest first. */
  async tillSpendsOfOrder(ex: Executor, storeId: string, externalOrderId: string): Promise<PointsLedgerRow[]> {
    return ex
      .select()
      .from(pointsLedger)
      .where(
        and(
          eq(pointsLedger.storeId, storeId),
          eq(pointsLedger.externalOrderId, externalOrderId),
          eq(pointsLedger.kind, 'spend'),
        ),
      )
      .orderBy(pointsLedger.id);
  },

  /**
   * Serialises the member's spends (two tills or counters spending the same points: each checks the balance, then
   * writes), until the transaction ends. `no key update`, not `update`:
   * a sale's transaction has already inserted its order, whose foreign key holds a key-share lock on the member's
   * row, and two such transactions each waiting to raise theirs to `for update` would deadlock.
   */
  async lockCustomer(ex: Executor, customerId: string): Promise<void> {
    await ex.execute(sql`select id from customers where id = ${customerId} for no key update`);
  },

  /**
   * Who holds `customerId`'s points, orders and coupons now: the customer itself, or the survivor it was merged into
   * (`customers.merged_into` names the last one), with the live merges on the way there, oldest first. The owner's
   * row is locked `for no key update` (as `lockCustomer`) and those merges `for share` until the transaction ends:
   * a closure of the owner, a merge of the owner into another, or an undo of one of those merges waits for this
   * transaction, or this one waits and reads the outcome (then follows again). `closed`: the owner closed the account
   * (注销会员); its points were zeroed and its coupons voided then, and nothing gives either back after. Every refund
   * and counter write takes this lock first, before any order or redemption row: a closure locks the customer, then
   * its rows, and the other way round the two deadlocked. Null when there is no such customer.
   */
  async lockOwner(ex: Executor, customerId: string): Promise<PointsOwner | null> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const [start] = await rows<{ owner: string }>(
        ex,
        sql`select coalesce(merged_into, id) as owner from customers where id = ${customerId}`,
      );
      if (!start) return null;
      const [owner] = await rows<{ status: string; merged_into: string | null }>(
        ex,
        sql`select status, merged_into from customers where id = ${start.owner} for no key update`,
      );
      if (!owner) return null;
      // merged on since it was read: follow again
      if (owner.merged_into !== null) continue;
      const hops = await mergePath(ex, customerId, start.owner);
      if (hops) return { id: start.owner, closed: owner.status === 'closed', hops };
    }
    throw new Error(`customer ${customerId}: its merges kept changing while being followed`);
  },

  async balance(ex: Executor, customerId: string): Promise<number> {
    const [row] = await ex
      .select({ n: sql<number>`coalesce(sum(${pointsLedger.points}), 0)::int` })
      .from(pointsLedger)
      .where(eq(pointsLedger.customerId, customerId));
    return Number(row?.n ?? 0);
  },

  /**
   * What a member paid since `since` (all sources) less what was refunded, for the rolling-12-month tier: a sale
   * refunded live (a till's void, the counter taking it back: `refunded_at`) counts nothing, an imported return
   * (`kind = 'return'`) takes its amount off.
   */
  async spendSince(ex: Executor, customerId: string, since: Date): Promise<number> {
    const [row] = await ex
      .select({
        n: sql<number>`greatest(coalesce(sum(case when ${orders.kind} = 'return' then -${orders.paidFen}
                                                 else ${orders.paidFen} end), 0), 0)::bigint`,
      })
      .from(orders)
      .where(and(eq(orders.customerId, customerId), gte(orders.orderedAt, since), isNull(orders.refundedAt)));
    return Number(row?.n ?? 0);
  },
};
