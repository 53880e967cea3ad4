/**
 * Loyalty: coupon templates and issued coupons, POS redemptions, the append-only points ledger, and the stored
 * answers of idempotent POS requests. Conventions as in schema.ts: text ids with a kind prefix, money in integer
 * fen, timestamptz, check constraints, unique indexes for every idempotency key.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { customers, orders, partnerKeys, staff, stores } from './schema.js';

export const COUPON_KINDS = ['amount_off', 'percent_off'] as const;
export const COUPON_VALIDITY_KINDS = ['fixed', 'relative'] as const;
/** active ↔ paused → ended: only an active template issues; coupons already issued stay valid whatever the status */
export const COUPON_TEMPLATE_STATUSES = ['active', 'paused', 'ended'] as const;

export const couponTemplates = pgTable(
  'coupon_templates',
  {
    id: text('id').primaryKey(),
    /** stable business code (NEW_MEMBER, BIRTHDAY_GOLD…): what sign-up, campaigns and staff refer to */
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** optional note shown with the coupon (e.g. 春季慢病关怀活动专享) */
    description: text('description'),
    kind: text('kind', { enum: COUPON_KINDS }).notNull(),
    /** amount_off: fen taken off */
    amountOffFen: integer('amount_off_fen'),
    /** percent_off: percent taken off (15 = 15% off, i.e. 八五折) */
    percentOff: integer('percent_off'),
    /** percent_off: the most a coupon can take off, in fen; null = no cap */
    maxDiscountFen: integer('max_discount_fen'),
    /** 满减: the eligible amount must reach this (fen); 0 = no threshold */
    thresholdFen: integer('threshold_fen').notNull().default(0),
    validityKind: text('validity_kind', { enum: COUPON_VALIDITY_KINDS }).notNull(),
    validFrom: timestamp('valid_from', { withTimezone: true }),
    validUntil: timestamp('valid_until', { withTimezone: true }),
    /** relative validity: valid through the end (Asia/Shanghai) of the N-th business day after issue */
    validDays: integer('valid_days'),
    /** null = unlimited */
    totalStock: integer('total_stock'),
    /** counted only for templates with a stock, so unlimited templates never lock this row on issue */
    issuedCount: integer('issued_count').notNull().default(0),
    /** null = unlimited per member */
    perMemberLimit: integer('per_member_limit'),
    /** stores where it may be redeemed; empty = every store */
    storeIds: text('store_ids').array().notNull().default(sql`'{}'::text[]`),
    /** product categories it discounts; empty = every category */
    categories: text('categories').array().notNull().default(sql`'{}'::text[]`),
    /** prescription drugs are excluded from discounts unless the template explicitly includes them */
    includeRx: boolean('include_rx').notNull().default(false),
    /** the store that owns a store-scoped template (managed by its store manager); null = chain-wide (HQ) */
    ownerStoreId: text('owner_store_id').references(() => stores.id),
    status: text('status', { enum: COUPON_TEMPLATE_STATUSES }).notNull().default('active'),
    createdBy: text('created_by').references(() => staff.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('coupon_templates_code_uq').on(t.code),
    index('coupon_templates_owner_idx').on(t.ownerStoreId),
    check(
      'coupon_templates_kind_ck',
      sql`(${t.kind} = 'amount_off' and ${t.amountOffFen} > 0 and ${t.percentOff} is null)
        or (${t.kind} = 'percent_off' and ${t.percentOff} between 1 and 99 and ${t.amountOffFen} is null)`,
    ),
    check(
      'coupon_templates_validity_ck',
      sql`(${t.validityKind} = 'fixed' and ${t.validFrom} is not null and ${t.validUntil} > ${t.validFrom})
        or (${t.validityKind} = 'relative' and ${t.validDays} between 1 and 3660)`,
    ),
    check('coupon_templates_status_ck', sql`${t.status} in ('active', 'paused', 'ended')`),
    check(
      'coupon_templates_amounts_ck',
      sql`${t.thresholdFen} >= 0 and (${t.maxDiscountFen} is null or ${t.maxDiscountFen} > 0)
        and (${t.totalStock} is null or ${t.totalStock} >= 0) and ${t.issuedCount} >= 0
        and (${t.totalStock} is null or ${t.issuedCount} <= ${t.totalStock})
        and (${t.perMemberLimit} is null or ${t.perMemberLimit} >= 1)`,
    ),
  ],
);

/** voided: taken out of use by the system (e.g. a merge leaving a person two new-member coupons), never a used one */
export const COUPON_STATUSES = ['available', 'redeemed', 'voided'] as const;
export const COUPON_ISSUE_REASONS = ['new_member', 'manual', 'campaign', 'birthday'] as const;

/** One issued coupon. "Expired" is not a status: it is `valid_until` in the past, so nothing has to flip it. */
export const coupons = pgTable(
  'coupons',
  {
    id: text('id').primaryKey(),
    templateId: text('template_id')
      .notNull()
      .references(() => couponTemplates.id),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    /** the coupon's own redemption code (16 digits, Luhn check digit), shown as a barcode */
    code: text('code').notNull(),
    status: text('status', { enum: COUPON_STATUSES }).notNull().default('available'),
    validFrom: timestamp('valid_from', { withTimezone: true }).notNull(),
    validUntil: timestamp('valid_until', { withTimezone: true }).notNull(),
    reason: text('reason', { enum: COUPON_ISSUE_REASONS }).notNull(),
    /** the caller's idempotency key: issuing twice with one key yields one coupon */
    issueKey: text('issue_key').notNull(),
    issuedStoreId: text('issued_store_id').references(() => stores.id),
    issuedBy: text('issued_by'),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    redeemedAt: timestamp('redeemed_at', { withTimezone: true }),
    redeemedStoreId: text('redeemed_store_id').references(() => stores.id),
    voidedAt: timestamp('voided_at', { withTimezone: true }),
    /** shown in the wallet, e.g. 合并会员，新人券仅保留一张 */
    voidReason: text('void_reason'),
    /** the merge that voided it: undoing that merge makes it available again */
    voidedByMerge: text('voided_by_merge'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('coupons_code_uq').on(t.code),
    uniqueIndex('coupons_issue_key_uq').on(t.issueKey),
    // not on status: a redemption (or a void) changes only status and its timestamps, none of them indexed, so the
    // UPDATE stays on its page (heap-only, no index entry; the table keeps free space, migration 0019); a member's
    // handful of coupons is filtered by status after the lookup
    index('coupons_customer_idx').on(t.customerId, t.validUntil),
    index('coupons_template_idx').on(t.templateId),
    check('coupons_validity_ck', sql`${t.validUntil} > ${t.validFrom}`),
    check(
      'coupons_redeemed_ck',
      sql`(${t.status} = 'redeemed') = (${t.redeemedAt} is not null and ${t.redeemedStoreId} is not null)`,
    ),
    check(
      'coupons_voided_ck',
      sql`(${t.status} = 'voided') = (${t.voidedAt} is not null and ${t.voidReason} is not null)`,
    ),
  ],
);

/** Per-member issue counter: `insert … on conflict do update … where issued < limit` enforces the limit atomically. */
export const couponMemberCounts = pgTable(
  'coupon_member_counts',
  {
    templateId: text('template_id')
      .notNull()
      .references(() => couponTemplates.id),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    issued: integer('issued').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.templateId, t.customerId] }),
    // a merge sums the absorbed customer's counters into the survivor's (`where customer_id = …`)
    index('coupon_member_counts_customer_idx').on(t.customerId),
    check('coupon_member_counts_ck', sql`${t.issued} >= 0`),
  ],
);

export const REDEMPTION_STATUSES = ['redeemed', 'voided'] as const;

export const couponRedemptions = pgTable(
  'coupon_redemptions',
  {
    id: text('id').primaryKey(),
    couponId: text('coupon_id')
      .notNull()
      .references(() => coupons.id),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id),
    keyId: text('key_id').references(() => partnerKeys.id),
    /** who redeemed it on the staff pages' counter (扫码核销); null for a till's redemption (key_id) */
    staffId: text('staff_id').references(() => staff.id),
    /** the POS's order number, so a void can name the order instead of our id */
    externalOrderId: text('external_order_id'),
    orderAmountFen: integer('order_amount_fen').notNull(),
    discountFen: integer('discount_fen').notNull(),
    status: text('status', { enum: REDEMPTION_STATUSES }).notNull().default('redeemed'),
    redeemedAt: timestamp('redeemed_at', { withTimezone: true }).notNull(),
    voidedAt: timestamp('voided_at', { withTimezone: true }),
    /** whether the void gave the coupon back (false when it had expired by then) */
    couponReturned: boolean('coupon_returned'),
    createdAt: createdAt(),
  },
  (t) => [
    // a second safety net under the conditional UPDATE: one live redemption per coupon
    uniqueIndex('coupon_redemptions_live_uq')
      .on(t.couponId)
      .where(sql`${t.status} = 'redeemed'`),
    index('coupon_redemptions_store_idx').on(t.storeId, t.redeemedAt),
    index('coupon_redemptions_order_idx').on(t.storeId, t.externalOrderId),
    // the few redemptions voided without giving their coupon back (it had expired): the wallet shows such a coupon
    // as not returned, not as used on an order since refunded; a redemption (status redeemed) enters no entry
    index('coupon_redemptions_unreturned_idx')
      .on(t.couponId)
      .where(sql`${t.status} = 'voided' and ${t.couponReturned} = false`),
    check('coupon_redemptions_amounts_ck', sql`${t.orderAmountFen} >= 0 and ${t.discountFen} >= 0`),
    check('coupon_redemptions_void_ck', sql`(${t.status} = 'voided') = (${t.voidedAt} is not null)`),
    // a till's redemption or the counter's, never both
    check('coupon_redemptions_channel_ck', sql`${t.keyId} is null or ${t.staffId} is null`),
  ],
);

/** transfer: a merge (or its undo) moving one earn-year bucket between two customers, in pairs tagged `merge:<id>` */
export const POINTS_KINDS = ['earn', 'spend', 'expire', 'reverse', 'adjust', 'transfer'] as const;

/**
 * Append-only points ledger (a trigger refuses UPDATE and DELETE). The balance is the sum of `points`.
 * `entry_key` makes every write idempotent: `earn:<order>`, `reverse:<order>`, `expire:<customer>:<year>`,
 * `merge:<merge>:<out|in>:<year>` and `unmerge:<merge>:<out|in>:<year>`, `unmerge:<merge>:order:<order>:<out|in>`
 * (an undone merge sending back an order that came after it, with its points).
 */
export const pointsLedger = pgTable(
  'points_ledger',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    kind: text('kind', { enum: POINTS_KINDS }).notNull(),
    /** signed: earn > 0; spend, expire, reverse < 0 (a reversed spend is > 0) */
    points: integer('points').notNull(),
    entryKey: text('entry_key').notNull(),
    orderId: text('order_id').references(() => orders.id),
    storeId: text('store_id').references(() => stores.id),
    /**
     * a till's spend (`spend:<spend>`): the receipt number it was sent with, so that the till's void of that order
     * gives the points back (the order itself usually arrives after the payment: `order_id` is null then)
     */
    externalOrderId: text('external_order_id'),
    /** Asia/Shanghai calendar year the points were earned in: they expire at the end of the following year */
    earnYear: integer('earn_year'),
    note: text('note').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('points_ledger_entry_uq').on(t.entryKey),
    index('points_ledger_customer_idx').on(t.customerId, t.occurredAt),
    // an order's lines: where its points are now (a refund, an undone merge sending the order back)
    index('points_ledger_order_idx')
      .on(t.orderId)
      .where(sql`${t.orderId} is not null`),
    // a till's spends of one order at one store: what its void gives back
    index('points_ledger_till_order_idx')
      .on(t.storeId, t.externalOrderId)
      .where(sql`${t.externalOrderId} is not null`),
    check('points_ledger_nonzero_ck', sql`${t.points} <> 0`),
    check(
      'points_ledger_sign_ck',
      sql`(${t.kind} = 'earn' and ${t.points} > 0 and ${t.earnYear} is not null)
        or (${t.kind} in ('spend','expire') and ${t.points} < 0)
        or ${t.kind} in ('reverse','adjust','transfer')`,
    ),
  ],
);

/**
 * Stored answers of idempotent partner requests (POS redeem, void, order ingest). The row is inserted in the
 * same transaction as the work, so a concurrent retry waits on the unique index and then reads the first answer.
 */
export const partnerRequests = pgTable(
  'partner_requests',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    keyId: text('key_id')
      .notNull()
      .references(() => partnerKeys.id),
    operation: text('operation').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    /** sha-256 of the canonical request body: the same key with another body is a conflict, not a replay */
    requestHash: text('request_hash').notNull(),
    /** null only while the first request is in flight, which nobody else sees: it is one transaction */
    status: integer('status'),
    response: jsonb('response'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('partner_requests_key_uq').on(t.keyId, t.operation, t.idempotencyKey)],
);

/**
 * Stored answers of the staff pages' idempotent writes (the counter's redeem and void), as partner_requests are for
 * partner systems: the first answer to (staff member, operation, key) is stored in the work's transaction, and a
 * retried request gets it back.
 */
export const staffRequests = pgTable(
  'staff_requests',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    staffId: text('staff_id')
      .notNull()
      .references(() => staff.id),
    operation: text('operation').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status'),
    response: jsonb('response'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('staff_requests_key_uq').on(t.staffId, t.operation, t.idempotencyKey)],
);
