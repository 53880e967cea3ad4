/** The points ledger (append-only) and the spend figures tiers are computed from. No rules here. */
import { and, desc, eq, gte, sql } from 'drizzle-orm';
import { orders } from '../schema.js';
import { pointsLedger } from '../schema-loyalty.js';
import type { Executor } from './coupon.repo.js';

export type PointsLedgerRow = typeof pointsLedger.$inferSelect;
export type PointsLedgerInsert = typeof pointsLedger.$inferInsert;

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

  /**
   * Serialises the member's spends (two tills or counters spending the same points: each checks the balance, then
   * writes), until the transaction ends. `no key update`, not `update`:
   * a sale's transaction has already inserted its order, whose foreign key holds a key-share lock on the member's
   * row, and two such transactions each waiting to raise theirs to `for update` would deadlock.
   */
  /**
   * Whether the customer closed the account (注销会员): its points were zeroed and its coupons voided then, and
   * nothing gives either back after. The row is share-locked to the end of the transaction: a closure (which locks
   * it for update) waits for a void in flight, or the void waits for the closure and sees it.
   */
  async customerClosed(ex: Executor, customerId: string): Promise<boolean> {
    const rows = await ex.execute(sql`select status from customers where id = ${customerId} for share`);
    return (rows as unknown as { rows: { status: string }[] }).rows[0]?.status === 'closed';
  },

  async lockCustomer(ex: Executor, customerId: string): Promise<void> {
    await ex.execute(sql`select id from customers where id = ${customerId} for no key update`);
  },

  async balance(ex: Executor, customerId: string): Promise<number> {
    const [row] = await ex
      .select({ n: sql<number>`coalesce(sum(${pointsLedger.points}), 0)::int` })
      .from(pointsLedger)
      .where(eq(pointsLedger.customerId, customerId));
    return Number(row?.n ?? 0);
  },

  /** What a member paid since `since` (all sources) less what was refunded on returns, for the rolling-12-month tier. */
  async spendSince(ex: Executor, customerId: string, since: Date): Promise<number> {
    const [row] = await ex
      .select({
        n: sql<number>`greatest(coalesce(sum(case when ${orders.kind} = 'return' then -${orders.paidFen}
                                                 else ${orders.paidFen} end), 0), 0)::bigint`,
      })
      .from(orders)
      .where(and(eq(orders.customerId, customerId), gte(orders.orderedAt, since)));
    return Number(row?.n ?? 0);
  },
};
