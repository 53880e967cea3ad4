/**
 * Coupon templates, issued coupons and redemptions. Every function takes the executor (the database or an open
 * transaction), so a use case composes them into one transaction. No business rules here: they live in
 * shared/coupons.
 */
import { and, asc, desc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import { textArrayLiteral } from '../array-literal.js';
import { batchInFlight, type Db, type Tx } from '../client.js';
import { customers, stores } from '../schema.js';
import { couponMemberCounts, couponRedemptions, coupons, couponTemplates } from '../schema-loyalty.js';
import { turnBatcher } from '../turn-batcher.js';

export type Executor = Db | Tx;
export type CouponTemplateRow = typeof couponTemplates.$inferSelect;
export type CouponTemplateInsert = typeof couponTemplates.$inferInsert;
export type CouponRow = typeof coupons.$inferSelect;
export type CouponInsert = typeof coupons.$inferInsert;
export type RedemptionRow = typeof couponRedemptions.$inferSelect;

export interface RedeemByCodeInput {
  keyId: string;
  idempotencyKey: string;
  requestHash: string;
  code: string;
  storeId: string;
  redemptionId: string;
  externalOrderId: string | null;
  orderAmountFen: number;
  now: Date;
  responseBase: Record<string, unknown>;
  /** text[]: an array, or a PostgreSQL array literal built once (redeem-templates.ts) */
  templateIds: string[] | string;
  fingerprints: string[] | string;
  discountFen: number[];
  eligibleFen: number[];
  headlines: string[] | string;
}

export type RedeemByCodeOutcome =
  | { outcome: 'redeemed'; response: unknown }
  | { outcome: 'used' }
  | OrderHasCoupon
  | { outcome: 'stored' | 'undecided'; stored: { requestHash: string; response: unknown } | null };

/**
 * 每单限用一张: the receipt (store, externalOrderId) already has a live redemption of another coupon, the one named
 * here; nothing was written (migration 0048).
 */
export interface OrderHasCoupon {
  outcome: 'order_has_coupon';
  couponId: string;
  redemptionId: string;
}

export const couponRepo = {
  async templateByCode(ex: Executor, code: string): Promise<CouponTemplateRow | null> {
    const [row] = await ex.select().from(couponTemplates).where(eq(couponTemplates.code, code)).limit(1);
    return row ?? null;
  },

  async templateById(ex: Executor, id: string): Promise<CouponTemplateRow | null> {
    const [row] = await ex.select().from(couponTemplates).where(eq(couponTemplates.id, id)).limit(1);
    return row ?? null;
  },

  /** Templates a staff member may see: chain-wide ones and those of the given stores (all when `storeIds` null). */
  async listTemplates(ex: Executor, storeIds: readonly string[] | null): Promise<CouponTemplateRow[]> {
    const where =
      storeIds === null
        ? undefined
        : storeIds.length === 0
          ? isNull(couponTemplates.ownerStoreId)
          : or(isNull(couponTemplates.ownerStoreId), inArray(couponTemplates.ownerStoreId, [...storeIds]));
    return ex.select().from(couponTemplates).where(where).orderBy(desc(couponTemplates.createdAt)).limit(500);
  },

  /** Inserts a template; false when its code is taken (nothing changed). */
  async insertTemplate(ex: Executor, values: CouponTemplateInsert): Promise<boolean> {
    const rows = await ex
      .insert(couponTemplates)
      .values(values)
      .onConflictDoNothing({ target: couponTemplates.code })
      .returning({ id: couponTemplates.id });
    return rows.length === 1;
  },

  /** The issue, or null when this idempotency key was already used (the caller then reads that coupon). */
  async insertCouponOnce(ex: Executor, values: CouponInsert): Promise<{ id: string } | null> {
    const rows = await ex
      .insert(coupons)
      .values(values)
      .onConflictDoNothing({ target: coupons.issueKey })
      .returning({ id: coupons.id });
    return rows[0] ?? null;
  },

  async couponByIssueKey(ex: Executor, issueKey: string): Promise<CouponRow | null> {
    const [row] = await ex.select().from(coupons).where(eq(coupons.issueKey, issueKey)).limit(1);
    return row ?? null;
  },

  /**
   * The first coupon of this kind the customer holds, whatever its key: after a merge the absorbed account's
   * new-member coupon is the person's, issued under the other customer's key. A voided one counts last.
   */
  async firstByReason(ex: Executor, customerId: string, reason: CouponRow['reason']): Promise<CouponRow | null> {
    const [row] = await ex
      .select()
      .from(coupons)
      .where(and(eq(coupons.customerId, customerId), eq(coupons.reason, reason)))
      .orderBy(sql`${coupons.status} = 'voided'`, asc(coupons.issuedAt), asc(coupons.id))
      .limit(1);
    return row ?? null;
  },

  /** Takes one unit of a limited stock atomically; false when sold out. */
  async takeStock(ex: Executor, templateId: string): Promise<boolean> {
    const rows = await ex
      .update(couponTemplates)
      .set({ issuedCount: sql`${couponTemplates.issuedCount} + 1` })
      .where(
        and(
          eq(couponTemplates.id, templateId),
          sql`(${couponTemplates.totalStock} is null or ${couponTemplates.issuedCount} < ${couponTemplates.totalStock})`,
        ),
      )
      .returning({ id: couponTemplates.id });
    return rows.length === 1;
  },

  /** Counts one more coupon of a template for a member, atomically under the limit; false at the limit. */
  async takeMemberQuota(ex: Executor, templateId: string, customerId: string, limit: number): Promise<boolean> {
    const rows = await ex
      .insert(couponMemberCounts)
      .values({ templateId, customerId, issued: 1 })
      .onConflictDoUpdate({
        target: [couponMemberCounts.templateId, couponMemberCounts.customerId],
        set: { issued: sql`${couponMemberCounts.issued} + 1` },
        setWhere: sql`${couponMemberCounts.issued} < ${limit}`,
      })
      .returning({ issued: couponMemberCounts.issued });
    return rows.length === 1 && rows[0].issued <= limit;
  },

  async couponWithTemplateByCode(
    ex: Executor,
    code: string,
  ): Promise<{ coupon: CouponRow; template: CouponTemplateRow } | null> {
    const [row] = await ex
      .select({ coupon: coupons, template: couponTemplates })
      .from(coupons)
      .innerJoin(couponTemplates, eq(couponTemplates.id, coupons.templateId))
      .where(eq(coupons.code, code))
      .limit(1);
    return row ?? null;
  },

  async couponWithTemplateById(
    ex: Executor,
    id: string,
  ): Promise<{ coupon: CouponRow; template: CouponTemplateRow } | null> {
    const [row] = await ex
      .select({ coupon: coupons, template: couponTemplates })
      .from(coupons)
      .innerJoin(couponTemplates, eq(couponTemplates.id, coupons.templateId))
      .where(eq(coupons.id, id))
      .limit(1);
    return row ?? null;
  },

  /** A member's coupons that are neither used nor expired, soonest-expiring first. */
  async availableCoupons(
    ex: Executor,
    customerId: string,
    now: Date,
  ): Promise<{ coupon: CouponRow; template: CouponTemplateRow }[]> {
    return ex
      .select({ coupon: coupons, template: couponTemplates })
      .from(coupons)
      .innerJoin(couponTemplates, eq(couponTemplates.id, coupons.templateId))
      .where(and(eq(coupons.customerId, customerId), eq(coupons.status, 'available'), gt(coupons.validUntil, now)))
      .orderBy(asc(coupons.validUntil))
      .limit(200);
  },

  /** Every coupon of a member, newest first (the wallet splits them into tabs). */
  async memberCoupons(ex: Executor, customerId: string): Promise<{ coupon: CouponRow; template: CouponTemplateRow }[]> {
    return ex
      .select({ coupon: coupons, template: couponTemplates })
      .from(coupons)
      .innerJoin(couponTemplates, eq(couponTemplates.id, coupons.templateId))
      .where(eq(coupons.customerId, customerId))
      .orderBy(desc(coupons.issuedAt))
      .limit(500);
  },

  /**
   * Of these (used) coupons, the ones whose order was refunded after they had expired: the void left them used, as
   * nothing can use them again, and gave them back to no one (coupon_redemptions_unreturned_idx).
   */
  async notReturnedOnRefund(ex: Executor, couponIds: readonly string[]): Promise<Set<string>> {
    if (couponIds.length === 0) return new Set();
    const rows = await ex
      .selectDistinct({ couponId: couponRedemptions.couponId })
      .from(couponRedemptions)
      .where(
        and(
          inArray(couponRedemptions.couponId, [...couponIds]),
          // the index's predicate, word for word, so the planner proves it
          sql`${couponRedemptions.status} = 'voided' and ${couponRedemptions.couponReturned} = false`,
        ),
      );
    return new Set(rows.map((r) => r.couponId));
  },

  /**
   * The one place a coupon becomes used: a conditional UPDATE, so of any number of concurrent attempts exactly one
   * finds the row still `available` (the others wait on its row lock, then see `redeemed` and update nothing).
   */
  async markRedeemed(ex: Executor, couponId: string, storeId: string, now: Date): Promise<boolean> {
    const rows = await ex
      .update(coupons)
      .set({ status: 'redeemed', redeemedAt: now, redeemedStoreId: storeId })
      .where(and(eq(coupons.id, couponId), eq(coupons.status, 'available'), gt(coupons.validUntil, now)))
      .returning({ id: coupons.id });
    return rows.length === 1;
  },

  /**
   * couponWithTemplateByCode for the POS hot path: a prepared statement, built once per database handle (the driver
   * then parses it once per connection), outside any transaction.
   */
  async couponWithTemplateByCodePrepared(
    db: Db,
    code: string,
  ): Promise<{ coupon: CouponRow; template: CouponTemplateRow } | null> {
    const [row] = await preparedFor(db).couponByCode.execute({ code });
    return row ?? null;
  },

  /**
   * A POS redemption the caller has already decided, written in one statement (pos_redeem_coupon, migrations 0011
   * and 0048): claims the idempotency key with its answer, takes the coupon if still available (else deletes the
   * claim again) and records the redemption. `stored`: the key was already used; its answer is returned for the
   * caller to replay. `order_has_coupon`: the receipt already has another coupon's live redemption (checked before
   * the claim: nothing written).
   */
  async redeemOnce(
    db: Db,
    input: {
      keyId: string;
      idempotencyKey: string;
      requestHash: string;
      response: unknown;
      couponId: string;
      customerId: string;
      storeId: string;
      redemptionId: string;
      externalOrderId: string | null;
      orderAmountFen: number;
      discountFen: number;
      now: Date;
    },
  ): Promise<
    | { outcome: 'redeemed' | 'used' }
    | OrderHasCoupon
    | { outcome: 'stored'; stored: { requestHash: string; response: unknown } | null }
  > {
    const [row] = await preparedFor(db).redeemOnce.execute({
      ...input,
      response: JSON.stringify(input.response),
      now: input.now.toISOString(),
    });
    if (row?.outcome === 'redeemed' || row?.outcome === 'used') return { outcome: row.outcome };
    if (row?.outcome === 'order_has_coupon') return orderHasCoupon(row.storedResponse);
    if (row?.outcome === 'stored' && row.storedHash !== null) {
      return { outcome: 'stored', stored: { requestHash: row.storedHash, response: row.storedResponse } };
    }
    // the key's row vanished between the conflict and the read: answerFromStored reports it
    return { outcome: 'stored', stored: null };
  },

  /**
   * Every template with its fingerprint (coupon_template_fingerprint, migration 0015: the row but issued_count and
   * updated_at), newest first: what the POS redemption's template cache holds.
   */
  async templatesWithFingerprint(
    db: Db,
    limit: number,
  ): Promise<{ template: CouponTemplateRow; fingerprint: string }[]> {
    return db
      .select({ template: couponTemplates, fingerprint: sql<string>`coupon_template_fingerprint(${couponTemplates})` })
      .from(couponTemplates)
      .orderBy(desc(couponTemplates.updatedAt), asc(couponTemplates.id))
      .limit(limit);
  },

  /**
   * A POS redemption by code in one statement (pos_redeem_coupon_by_code, migrations 0015 and 0048): the caller
   * passes, for each template that accepts the order (decided by the shared rules on the cached row of that
   * fingerprint), the discount, the eligible amount and the headline; the statement finds the coupon and writes only
   * when its template is one of those, unchanged, and the coupon is redeemable now. `undecided`: nothing written
   * (with the key's stored answer when it has one); the caller decides the slow way. `order_has_coupon`: nothing
   * written, the receipt already has another coupon (the key's stored answer, when it has one, comes as `stored`
   * instead). Calls of one event-loop turn beyond the free statement slots share statements (see redeemBatcherFor).
   */
  async redeemByCode(db: Db, input: RedeemByCodeInput): Promise<RedeemByCodeOutcome> {
    return redeemBatcherFor(db)(input);
  },

  /** One redemption by code: pos_redeem_coupon_by_code alone. */
  async redeemByCodeOne(db: Db, input: RedeemByCodeInput): Promise<RedeemByCodeOutcome> {
    const [row] = await preparedFor(db).redeemByCode.execute({
      ...input,
      responseBase: JSON.stringify(input.responseBase),
      now: input.now.toISOString(),
    });
    return redeemOutcome(row);
  },

  /**
   * Several redemptions by code in ONE statement and transaction, answered in order, with the effects of calling
   * pos_redeem_coupon_by_code for each in that order (each call sees the ones before it). An error rolls all back.
   */
  async redeemByCodeBatch(db: Db, inputs: readonly RedeemByCodeInput[]): Promise<RedeemByCodeOutcome[]> {
    const rows = await preparedFor(db).redeemByCodeBatch.execute({
      keyIds: inputs.map((i) => i.keyId),
      idempotencyKeys: inputs.map((i) => i.idempotencyKey),
      requestHashes: inputs.map((i) => i.requestHash),
      codes: inputs.map((i) => i.code),
      storeIds: inputs.map((i) => i.storeId),
      redemptionIds: inputs.map((i) => i.redemptionId),
      externalOrderIds: inputs.map((i) => i.externalOrderId),
      orderAmountFen: inputs.map((i) => i.orderAmountFen),
      nows: inputs.map((i) => i.now.toISOString()),
      responseBases: inputs.map((i) => JSON.stringify(i.responseBase)),
      templateIds: inputs.map((i) => textArray(i.templateIds)),
      fingerprints: inputs.map((i) => textArray(i.fingerprints)),
      discountFen: inputs.map((i) => intArray(i.discountFen)),
      eligibleFen: inputs.map((i) => intArray(i.eligibleFen)),
      headlines: inputs.map((i) => textArray(i.headlines)),
    });
    if (rows.length !== inputs.length || rows.some((row, i) => Number(row.ord) !== i + 1)) {
      throw new Error(`the redemption batch answered ${rows.length} rows for ${inputs.length} calls`);
    }
    return rows.map(redeemOutcome);
  },

  async markAvailable(ex: Executor, couponId: string): Promise<void> {
    await ex
      .update(coupons)
      .set({ status: 'available', redeemedAt: null, redeemedStoreId: null })
      .where(and(eq(coupons.id, couponId), eq(coupons.status, 'redeemed')));
  },

  async insertRedemption(ex: Executor, values: typeof couponRedemptions.$inferInsert): Promise<void> {
    await ex.insert(couponRedemptions).values(values);
  },

  /** The redemption, read without a lock (a void reads it to lock its member first, then locks it). */
  async redemptionById(ex: Executor, id: string): Promise<RedemptionRow | null> {
    const [row] = await ex.select().from(couponRedemptions).where(eq(couponRedemptions.id, id)).limit(1);
    return row ?? null;
  },

  /** Locks the redemption row so two concurrent voids cannot both return the coupon. */
  async redemptionForUpdate(ex: Executor, id: string): Promise<RedemptionRow | null> {
    const [row] = await ex.select().from(couponRedemptions).where(eq(couponRedemptions.id, id)).for('update').limit(1);
    return row ?? null;
  },

  async markVoided(ex: Executor, id: string, now: Date, couponReturned: boolean): Promise<void> {
    await ex
      .update(couponRedemptions)
      .set({ status: 'voided', voidedAt: now, couponReturned })
      .where(eq(couponRedemptions.id, id));
  },

  async storeIdsOfRegion(ex: Executor, regionId: string): Promise<string[]> {
    const rows = await ex.select({ id: stores.id }).from(stores).where(eq(stores.regionId, regionId));
    return rows.map((r) => r.id);
  },

  async customerExists(ex: Executor, customerId: string): Promise<boolean> {
    const [row] = await ex.select({ id: customers.id }).from(customers).where(eq(customers.id, customerId)).limit(1);
    return !!row;
  },

  async storeNames(ex: Executor, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await ex
      .select({ id: stores.id, name: stores.name })
      .from(stores)
      .where(inArray(stores.id, [...ids]));
    return new Map(rows.map((r) => [r.id, r.name]));
  },
};

type RedeemOutcomeName = 'redeemed' | 'used' | 'stored' | 'undecided' | 'order_has_coupon';

interface RedeemRow {
  outcome: RedeemOutcomeName;
  storedHash: string | null;
  /** the answer; for `order_has_coupon`, the receipt's redemption: { couponId, redemptionId } (migration 0048) */
  storedResponse: unknown;
}

function orderHasCoupon(found: unknown): OrderHasCoupon {
  const { couponId, redemptionId } = (found ?? {}) as { couponId?: unknown; redemptionId?: unknown };
  if (typeof couponId !== 'string' || typeof redemptionId !== 'string') {
    throw new Error(`order_has_coupon without the receipt's redemption: ${JSON.stringify(found)}`);
  }
  return { outcome: 'order_has_coupon', couponId, redemptionId };
}

function redeemOutcome(row: RedeemRow | undefined): RedeemByCodeOutcome {
  if (row?.outcome === 'redeemed') return { outcome: 'redeemed', response: row.storedResponse };
  if (row?.outcome === 'used') return { outcome: 'used' };
  if (row?.outcome === 'order_has_coupon') return orderHasCoupon(row.storedResponse);
  const stored =
    row?.storedHash != null && row.storedResponse != null
      ? { requestHash: row.storedHash, response: row.storedResponse }
      : null;
  return { outcome: row?.outcome === 'undecided' ? 'undecided' : 'stored', stored };
}

const textArray = (v: string[] | string) => (typeof v === 'string' ? v : textArrayLiteral(v));
const intArray = (v: readonly number[]) => `{${v.map((n) => Math.trunc(n)).join(',')}}`;

/**
 * POS redemptions by code that arrive in the same event-loop turn are spread over at most batchInFlight(db)
 * statements (client.ts, turn-batcher.ts); several calls share one only when there are more calls than free slots.
 * Such a statement is `unnest` of the calls' parameters with pos_redeem_coupon_by_code called for each in order
 * (lateral), in one transaction. Each call sees the ones before it, exactly as one by one: a coupon an earlier call
 * took is no longer redeemable ('undecided': the use case's slow path answers COUPON_USED), a receipt an earlier call
 * used refuses another coupon ('order_has_coupon', migration 0048: a refusal, not an error, so the batch's other
 * calls stand), a repeated idempotency key finds the first answer stored; across statements the conditional UPDATE
 * decides as before ('used'). Any error (a deadlock with another batch, say) rolls the batch back and its calls run
 * one by one. So a backlog after a pause reaches the database as a few statements, not as many concurrent ones on
 * few cores.
 */
export const REDEEM_BATCH_MAX = 64;

const redeemBatchers = new WeakMap<Db, (input: RedeemByCodeInput) => Promise<RedeemByCodeOutcome>>();

function redeemBatcherFor(db: Db): (input: RedeemByCodeInput) => Promise<RedeemByCodeOutcome> {
  let batcher = redeemBatchers.get(db);
  if (!batcher) {
    batcher = turnBatcher<RedeemByCodeInput, RedeemByCodeOutcome>({
      maxBatch: REDEEM_BATCH_MAX,
      maxInFlight: batchInFlight(db),
      runOne: (input) => couponRepo.redeemByCodeOne(db, input),
      runBatch: (inputs) => couponRepo.redeemByCodeBatch(db, inputs),
      onBatchError(error, size) {
        console.warn(`[pos] a batch of ${size} redemptions failed; running them one by one: ${String(error)}`);
      },
    });
    redeemBatchers.set(db, batcher);
  }
  return batcher;
}

/** The POS hot path's statements, prepared once per database handle. */
function prepare(db: Db) {
  const p = (name: string) => sql.placeholder(name);
  return {
    couponByCode: db
      .select({ coupon: coupons, template: couponTemplates })
      .from(coupons)
      .innerJoin(couponTemplates, eq(couponTemplates.id, coupons.templateId))
      .where(eq(coupons.code, p('code')))
      .limit(1)
      .prepare('pos_coupon_with_template_by_code'),
    redeemOnce: db
      .select({
        outcome: sql<'redeemed' | 'used' | 'stored' | 'order_has_coupon'>`outcome`,
        storedHash: sql<string | null>`stored_hash`,
        storedResponse: sql<unknown>`stored_response`,
      })
      .from(
        sql`pos_redeem_coupon(${p('keyId')}, ${p('idempotencyKey')}, ${p('requestHash')}, ${p('response')}::jsonb,
          ${p('couponId')}, ${p('customerId')}, ${p('storeId')}, ${p('redemptionId')}, ${p('externalOrderId')},
          ${p('orderAmountFen')}::integer, ${p('discountFen')}::integer, ${p('now')}::timestamptz)`,
      )
      .prepare('pos_redeem_coupon'),
    redeemByCode: db
      .select({
        outcome: sql<RedeemOutcomeName>`outcome`,
        storedHash: sql<string | null>`stored_hash`,
        storedResponse: sql<unknown>`stored_response`,
      })
      .from(
        sql`pos_redeem_coupon_by_code(${p('keyId')}, ${p('idempotencyKey')}, ${p('requestHash')}, ${p('code')},
          ${p('storeId')}, ${p('redemptionId')}, ${p('externalOrderId')}, ${p('orderAmountFen')}::integer,
          ${p('now')}::timestamptz, ${p('responseBase')}::jsonb, ${p('templateIds')}::text[],
          ${p('fingerprints')}::text[], ${p('discountFen')}::integer[], ${p('eligibleFen')}::integer[],
          ${p('headlines')}::text[])`,
      )
      .prepare('pos_redeem_coupon_by_code'),
    // every parameter a text[] (or integer[]) of one element per call; the per-call arrays travel as literals
    redeemByCodeBatch: db
      .select({
        ord: sql<number>`b.ord`,
        outcome: sql<RedeemOutcomeName>`r.outcome`,
        storedHash: sql<string | null>`r.stored_hash`,
        storedResponse: sql<unknown>`r.stored_response`,
      })
      .from(
        sql`unnest(${p('keyIds')}::text[], ${p('idempotencyKeys')}::text[], ${p('requestHashes')}::text[],
          ${p('codes')}::text[], ${p('storeIds')}::text[], ${p('redemptionIds')}::text[],
          ${p('externalOrderIds')}::text[], ${p('orderAmountFen')}::integer[], ${p('nows')}::text[],
          ${p('responseBases')}::text[], ${p('templateIds')}::text[], ${p('fingerprints')}::text[],
          ${p('discountFen')}::text[], ${p('eligibleFen')}::text[], ${p('headlines')}::text[])
          WITH ORDINALITY AS b(key_id, idempotency_key, request_hash, code, store_id, redemption_id,
            external_order_id, order_amount_fen, now, response_base, template_ids, fingerprints, discount_fen,
            eligible_fen, headlines, ord)
        CROSS JOIN LATERAL pos_redeem_coupon_by_code(b.key_id, b.idempotency_key, b.request_hash, b.code,
          b.store_id, b.redemption_id, b.external_order_id, b.order_amount_fen, b.now::timestamptz,
          b.response_base::jsonb, b.template_ids::text[], b.fingerprints::text[], b.discount_fen::integer[],
          b.eligible_fen::integer[], b.headlines::text[]) AS r`,
      )
      .orderBy(sql`b.ord`)
      .prepare('pos_redeem_coupons_by_code'),
  };
}

const preparedByDb = new WeakMap<Db, ReturnType<typeof prepare>>();

function preparedFor(db: Db): ReturnType<typeof prepare> {
  let prepared = preparedByDb.get(db);
  if (!prepared) {
    prepared = prepare(db);
    preparedByDb.set(db, prepared);
  }
  return prepared;
}
