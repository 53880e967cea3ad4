/**
 * What the staff pages' counter (扫码核销) stores and reads: its idempotent answers (staff_requests, the same shape as
 * posRepo's claim / stored / complete over partner_requests), its redemptions, a store's redemptions and coupon-less
 * sales of a day, and the catalogue a sale's medicines are added from.
 */
import {
  type AnyColumn,
  and,
  asc,
  desc,
  eq,
  gte,
  ilike,
  inArray,
  isNull,
  lt,
  ne,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import { customers, orderLines, orders, partnerKeys, products, staff } from '../schema.js';
import { integrationLog } from '../schema-identity.js';
import { couponRedemptions, coupons, couponTemplates, staffRequests } from '../schema-loyalty.js';
import type { Executor } from './coupon.repo.js';
import { realNameOf } from './member.repo.js';

type LedgerKey = { keyId: string; operation: string; idempotencyKey: string };

/** `keyId` is the staff member's id: each clerk's retry keys are their own. */
export const staffRequestLedger = {
  async claim(ex: Executor, key: LedgerKey & { requestHash: string }): Promise<number | null> {
    const rows = await ex
      .insert(staffRequests)
      .values({
        staffId: key.keyId,
        operation: key.operation,
        idempotencyKey: key.idempotencyKey,
        requestHash: key.requestHash,
      })
      .onConflictDoNothing({
        target: [staffRequests.staffId, staffRequests.operation, staffRequests.idempotencyKey],
      })
      .returning({ id: staffRequests.id });
    return rows[0]?.id ?? null;
  },

  async stored(
    ex: Executor,
    key: LedgerKey,
  ): Promise<{ requestHash: string; status: number | null; response: unknown } | null> {
    const [row] = await ex
      .select({
        requestHash: staffRequests.requestHash,
        status: staffRequests.status,
        response: staffRequests.response,
      })
      .from(staffRequests)
      .where(
        and(
          eq(staffRequests.staffId, key.keyId),
          eq(staffRequests.operation, key.operation),
          eq(staffRequests.idempotencyKey, key.idempotencyKey),
        ),
      )
      .limit(1);
    return row ?? null;
  },

  async complete(ex: Executor, id: number, status: number, response: unknown): Promise<void> {
    await ex.update(staffRequests).set({ status, response }).where(eq(staffRequests.id, id));
  },
};

/** `%`, `_` and `\` typed by a clerk are searched for as themselves. */
const likeEscape = (q: string) => q.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The member's real name as the newest record gives it, else the name they go by (the caller masks it). */
/**
 * The points an order earned (`earn:<order>`) or was paid with (`spend:<order>`), as a positive number, 0 when none;
 * `orderId` is the order's id as SQL (a column, or a subquery).
 */
const orderPoints = (entry: 'earn' | 'spend', orderId: SQL | AnyColumn) =>
  sql<number>`coalesce((select abs(l.points) from points_ledger l where l.entry_key = ${`${entry}:`} || ${orderId}), 0)::int`;

const customerNameOf = (customerId: AnyColumn) =>
  sql<string | null>`coalesce(${realNameOf(customerId)}, ${customers.displayName})`;

/**
 * The member's phone as the member summary picks it (verified first, then the most recently seen), for telling apart
 * members without a name (the caller masks it: 138****5678).
 */
const customerPhoneOf = (customerId: AnyColumn) =>
  sql<string | null>`(select i.value from identities i where i.customer_id = ${customerId} and i.kind = 'phone'
    order by i.verified desc, i.last_seen_at desc limit 1)`;

export const counterRepo = {
  /**
   * The catalogue by name, generic name or SKU, for adding a sale's medicines: a SKU or a name that starts with the
   * words first, then by name. The catalogue is a chain's few thousand SKUs: a scan of it is a few milliseconds.
   */
  async searchProducts(ex: Executor, q: string, limit: number) {
    const contains = `%${likeEscape(q)}%`;
    return ex
      .select({
        sku: products.sku,
        name: products.name,
        genericName: products.genericName,
        category: products.category,
        rx: products.rx,
        priceFen: products.priceFen,
      })
      .from(products)
      .where(or(ilike(products.name, contains), ilike(products.genericName, contains), ilike(products.sku, contains)))
      .orderBy(
        sql`(${products.sku} ilike ${likeEscape(q)} or ${products.genericName} ilike ${`${likeEscape(q)}%`}) desc`,
        asc(products.name),
      )
      .limit(limit);
  },

  /** The catalogue entries of these SKUs (the ones not in it are missing from the map). */
  async catalogue(ex: Executor, skus: readonly string[]) {
    if (skus.length === 0)
      return new Map<string, { id: string; name: string; rx: boolean; priceFen: number; category: string }>();
    const rows = await ex
      .select({
        id: products.id,
        sku: products.sku,
        name: products.name,
        rx: products.rx,
        priceFen: products.priceFen,
        category: products.category,
      })
      .from(products)
      .where(inArray(products.sku, [...skus]));
    return new Map(rows.map(({ sku, ...p }) => [sku, p]));
  },

  /** A sale's lines as the counter shows them, in their order. */
  async saleLines(ex: Executor, orderId: string) {
    return ex
      .select({
        sku: orderLines.sku,
        name: sql<string>`coalesce(${products.name}, ${orderLines.productName}, ${orderLines.sku})`,
        rx: sql<boolean>`coalesce(${products.rx}, false)`,
        quantity: orderLines.quantity,
        unitPriceFen: orderLines.unitPriceFen,
        amountFen: orderLines.amountFen,
      })
      .from(orderLines)
      .leftJoin(products, eq(products.id, orderLines.productId))
      .where(eq(orderLines.orderId, orderId))
      .orderBy(asc(orderLines.lineNo));
  },

  /** Whether a till reports this store's sales: an active (unrevoked) POS key bound to the store. */
  async tillConnected(ex: Executor, storeId: string): Promise<boolean> {
    const [row] = await ex
      .select({ id: partnerKeys.id })
      .from(partnerKeys)
      .where(and(eq(partnerKeys.source, 'pos'), eq(partnerKeys.storeId, storeId), isNull(partnerKeys.revokedAt)))
      .limit(1);
    return !!row;
  },

  /**
   * When this store's till last got through to MedLoop (any POS call from the store's key that did not fail), as
   * HQ's integration health reads it; null when it never has.
   */
  async tillLastOkAt(ex: Executor, storeId: string): Promise<Date | null> {
    const [row] = await ex
      .select({ at: sql<string | null>`max(${integrationLog.at})::text` })
      .from(integrationLog)
      .where(
        and(eq(integrationLog.storeId, storeId), eq(integrationLog.source, 'pos'), ne(integrationLog.status, 'failed')),
      );
    return row?.at ? new Date(row.at) : null;
  },

  /**
   * Takes the coupon for this redemption if it is still available and valid now: of any number of concurrent
   * attempts (counter or till) exactly one gets true.
   */
  async takeCoupon(ex: Executor, couponId: string, storeId: string, now: Date): Promise<boolean> {
    const rows = await ex
      .update(coupons)
      .set({ status: 'redeemed', redeemedAt: now, redeemedStoreId: storeId })
      .where(
        and(
          eq(coupons.id, couponId),
          eq(coupons.status, 'available'),
          sql`${coupons.validFrom} <= ${now.toISOString()}::timestamptz`,
          sql`${coupons.validUntil} > ${now.toISOString()}::timestamptz`,
        ),
      )
      .returning({ id: coupons.id });
    return rows.length === 1;
  },

  /**
   * The day's coupon-less sales recorded at a store's counter (their number is `<salePrefix><clerk>:<key>`; a sale
   * with a coupon is `<salePrefix><redemption>`: see counter.ts), with the points each earned and whether they were
   * taken back.
   */
  async couponlessSalesOfStore(
    ex: Executor,
    v: { storeId: string; from: Date; to: Date; limit: number; salePrefix: string },
  ) {
    const { storeId, from, to, limit, salePrefix } = v;
    return ex
      .select({
        orderId: orders.id,
        orderedAt: orders.orderedAt,
        recordedBy: orders.recordedBy,
        staffName: staff.name,
        customerName: customerNameOf(orders.customerId),
        customerPhone: customerPhoneOf(orders.customerId),
        orderAmountFen: orders.totalFen,
        pointsEarned: orderPoints('earn', orders.id),
        pointsSpent: orderPoints('spend', orders.id),
        // one taking-back writes both lines (what it earned back, what it spent returned) or the one there is
        takenBack: sql<boolean>`exists (select 1 from points_ledger l
          where l.entry_key in ('reverse:' || ${orders.id}, 'unspend:' || ${orders.id}))`,
      })
      .from(orders)
      .innerJoin(customers, eq(customers.id, orders.customerId))
      .leftJoin(staff, eq(staff.id, orders.recordedBy))
      .where(
        and(
          eq(orders.storeId, storeId),
          eq(orders.source, 'pos'),
          gte(orders.orderedAt, from),
          lt(orders.orderedAt, to),
          sql`${orders.recordedBy} is not null and starts_with(${orders.externalId}, ${salePrefix} || ${orders.recordedBy} || ':')`,
        ),
      )
      .orderBy(desc(orders.orderedAt), desc(orders.id))
      .limit(limit);
  },

  /**
   * The redemptions at a store in [from, to), newest first, with the coupon's template and the member's name (the
   * caller masks it), who redeemed it at the counter, and the points of the sale recorded with it there (its order is
   * `salePrefix` + the redemption's id): earned and spent, 0 when none was recorded.
   */
  async redemptionsOfStore(
    ex: Executor,
    v: { storeId: string; from: Date; to: Date; limit: number; salePrefix: string },
  ) {
    const { storeId, from, to, limit, salePrefix } = v;
    // the redemption's sale, recorded at the counter
    const sale = sql`(select o.id from orders o where o.source = 'pos' and o.external_id = ${salePrefix} || ${couponRedemptions.id})`;
    return ex
      .select({
        id: couponRedemptions.id,
        couponId: couponRedemptions.couponId,
        template: couponTemplates,
        customerName: customerNameOf(couponRedemptions.customerId),
        customerPhone: customerPhoneOf(couponRedemptions.customerId),
        memberClosed: sql<boolean>`${customers.status} = 'closed'`,
        orderAmountFen: couponRedemptions.orderAmountFen,
        discountFen: couponRedemptions.discountFen,
        redeemedAt: couponRedemptions.redeemedAt,
        status: couponRedemptions.status,
        couponReturned: couponRedemptions.couponReturned,
        staffId: couponRedemptions.staffId,
        staffName: staff.name,
        pointsEarned: orderPoints('earn', sale),
        pointsSpent: orderPoints('spend', sale),
      })
      .from(couponRedemptions)
      .innerJoin(coupons, eq(coupons.id, couponRedemptions.couponId))
      .innerJoin(couponTemplates, eq(couponTemplates.id, coupons.templateId))
      .innerJoin(customers, eq(customers.id, couponRedemptions.customerId))
      .leftJoin(staff, eq(staff.id, couponRedemptions.staffId))
      .where(
        and(
          eq(couponRedemptions.storeId, storeId),
          gte(couponRedemptions.redeemedAt, from),
          lt(couponRedemptions.redeemedAt, to),
        ),
      )
      .orderBy(desc(couponRedemptions.redeemedAt), desc(couponRedemptions.id))
      .limit(limit);
  },

  /** The day's live redemptions at a store and their discount, counter and till together. */
  async dayTotals(ex: Executor, storeId: string, from: Date, to: Date) {
    const [row] = await ex
      .select({
        redemptions: sql<number>`count(*)::int`,
        discountFen: sql<number>`coalesce(sum(${couponRedemptions.discountFen}), 0)::int`,
      })
      .from(couponRedemptions)
      .where(
        and(
          eq(couponRedemptions.storeId, storeId),
          eq(couponRedemptions.status, 'redeemed'),
          gte(couponRedemptions.redeemedAt, from),
          lt(couponRedemptions.redeemedAt, to),
        ),
      );
    return { redemptions: Number(row?.redemptions ?? 0), discountFen: Number(row?.discountFen ?? 0) };
  },
};
