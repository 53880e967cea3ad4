/** What the POS endpoints store: idempotent request answers, ingested orders and their lines. No rules here. */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { customers, identities, orderLines, orders, products, stores } from '../schema.js';
import { couponRedemptions, partnerRequests } from '../schema-loyalty.js';
import type { Executor } from './coupon.repo.js';

export type OrderRow = typeof orders.$inferSelect;

export const posRepo = {
  /**
   * Claims an idempotency key inside the caller's transaction. A concurrent request with the same key waits on the
   * unique index until this transaction ends: it then finds the stored answer (commit) or claims the key (rollback).
   */
  async claim(
    ex: Executor,
    key: { keyId: string; operation: string; idempotencyKey: string; requestHash: string },
  ): Promise<number | null> {
    const rows = await ex
      .insert(partnerRequests)
      .values(key)
      .onConflictDoNothing({
        target: [partnerRequests.keyId, partnerRequests.operation, partnerRequests.idempotencyKey],
      })
      .returning({ id: partnerRequests.id });
    return rows[0]?.id ?? null;
  },

  async stored(
    ex: Executor,
    key: { keyId: string; operation: string; idempotencyKey: string },
  ): Promise<{ requestHash: string; status: number | null; response: unknown } | null> {
    const [row] = await ex
      .select({
        requestHash: partnerRequests.requestHash,
        status: partnerRequests.status,
        response: partnerRequests.response,
      })
      .from(partnerRequests)
      .where(
        and(
          eq(partnerRequests.keyId, key.keyId),
          eq(partnerRequests.operation, key.operation),
          eq(partnerRequests.idempotencyKey, key.idempotencyKey),
        ),
      )
      .limit(1);
    return row ?? null;
  },

  async complete(ex: Executor, id: number, status: number, response: unknown): Promise<void> {
    await ex.update(partnerRequests).set({ status, response }).where(eq(partnerRequests.id, id));
  },

  async storeExists(ex: Executor, storeId: string): Promise<{ id: string; regionId: string; name: string } | null> {
    const [row] = await ex
      .select({ id: stores.id, regionId: stores.regionId, name: stores.name })
      .from(stores)
      .where(eq(stores.id, storeId))
      .limit(1);
    return row ?? null;
  },

  /** The customer behind a POS card number, following merges; null when the card is unknown or unlinked. */
  async customerOfPosCard(ex: Executor, cardNo: string): Promise<string | null> {
    const [row] = await ex
      .select({ id: sql<string | null>`coalesce(${customers.mergedInto}, ${customers.id})` })
      .from(identities)
      .innerJoin(customers, eq(customers.id, identities.customerId))
      .where(and(eq(identities.kind, 'pos_card'), eq(identities.value, cardNo), eq(identities.source, 'pos')))
      .limit(1);
    return row?.id ?? null;
  },

  async productsBySku(
    ex: Executor,
    skus: readonly string[],
  ): Promise<Map<string, { id: string; rx: boolean; category: string }>> {
    if (skus.length === 0) return new Map();
    const rows = await ex
      .select({ id: products.id, sku: products.sku, rx: products.rx, category: products.category })
      .from(products)
      .where(inArray(products.sku, [...new Set(skus)]));
    return new Map(rows.map((r) => [r.sku, { id: r.id, rx: r.rx, category: r.category }]));
  },

  /**
   * The order, or false when (source, store, external id) already exists: a replayed ingest lands once. An order
   * number is its store's: another store's sale with the same number is an order of its own.
   */
  async insertOrderOnce(ex: Executor, values: typeof orders.$inferInsert): Promise<boolean> {
    const rows = await ex
      .insert(orders)
      .values(values)
      .onConflictDoNothing({ target: [orders.source, orders.externalId, orders.storeId] })
      .returning({ id: orders.id });
    return rows.length === 1;
  },

  async orderById(ex: Executor, id: string): Promise<OrderRow | null> {
    const [row] = await ex.select().from(orders).where(eq(orders.id, id)).limit(1);
    return row ?? null;
  },

  /**
   * Locks the order (two takings-back of one sale are one, and an attach in flight is waited for) if it is still
   * `customerId`'s (null: no customer yet), which the caller has locked first. Null, and nothing locked, when it is
   * not: a merge or a card's record moved it since it was read.
   */
  async orderForUpdate(ex: Executor, id: string, customerId: string | null): Promise<OrderRow | null> {
    const [row] = await ex
      .select()
      .from(orders)
      .where(and(eq(orders.id, id), sql`${orders.customerId} is not distinct from ${customerId}`))
      .for('update')
      .limit(1);
    return row ?? null;
  },

  /**
   * The order of this number at `storeId` (null: an order without a store, the mall's). An order number is its
   * store's receipt number, so a till's lookup names its own store: two stores may hold the same number, and one
   * store's order or member is never another's answer (the counter's own sales, `counter:<redemption>`, included:
   * a till at another store could send that number).
   */
  async orderByExternalId(
    ex: Executor,
    source: OrderRow['source'],
    externalId: string,
    storeId: string | null,
  ): Promise<OrderRow | null> {
    const [row] = await ex
      .select()
      .from(orders)
      .where(
        and(
          eq(orders.source, source),
          eq(orders.externalId, externalId),
          sql`${orders.storeId} is not distinct from ${storeId}`,
        ),
      )
      .limit(1);
    return row ?? null;
  },

  /**
   * The whole sale was refunded (a till's void, the counter taking it back): it no longer counts towards the tier
   * (`refunded_at`, kept from the first refund), and earns nothing when its card arrives later.
   */
  async markRefunded(ex: Executor, orderId: string, now: Date): Promise<void> {
    await ex
      .update(orders)
      .set({ pointsOnAttach: null, refundedAt: sql`coalesce(${orders.refundedAt}, ${now.toISOString()}::timestamptz)` })
      .where(eq(orders.id, orderId));
  },

  async insertLines(ex: Executor, lines: (typeof orderLines.$inferInsert)[]): Promise<void> {
    if (lines.length > 0) await ex.insert(orderLines).values(lines);
  },

  /** Live redemptions of one POS order at one store, locked for the void (`lock`: the default) or only read. */
  async liveRedemptionsOfOrder(ex: Executor, storeId: string, externalOrderId: string, lock = true) {
    const query = ex
      .select()
      .from(couponRedemptions)
      .where(
        and(
          eq(couponRedemptions.storeId, storeId),
          eq(couponRedemptions.externalOrderId, externalOrderId),
          eq(couponRedemptions.status, 'redeemed'),
        ),
      );
    return lock ? query.for('update') : query;
  },
};
