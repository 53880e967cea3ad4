/**
 * The core schema. Public ids are text with a kind prefix (`cus_`, `sto_`, `stf_`…) so logs are greppable;
 * money is integer fen (1/100 yuan) so no float ever touches an amount; every timestamp is timestamptz.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

import { createdAt, IDENTITY_KINDS, SOURCES, updatedAt } from './columns.js';

export { IDENTITY_KINDS, SOURCES };

export const regions = pgTable('regions', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const stores = pgTable(
  'stores',
  {
    id: text('id').primaryKey(),
    /** the chain's own store number, printed on receipts and used by POS exports */
    code: text('code').notNull(),
    name: text('name').notNull(),
    regionId: text('region_id')
      .notNull()
      .references(() => regions.id),
    city: text('city').notNull(),
    district: text('district').notNull(),
    address: text('address').notNull(),
    latitude: doublePrecision('latitude').notNull(),
    longitude: doublePrecision('longitude').notNull(),
    phone: text('phone'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('stores_code_uq').on(t.code), index('stores_region_idx').on(t.regionId)],
);

export const STAFF_ROLES = ['clerk', 'pharmacist', 'store_manager', 'regional_manager', 'hq_admin'] as const;
export const STAFF_STATUSES = ['invited', 'active', 'disabled'] as const;

export const staff = pgTable(
  'staff',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** canonical mainland mobile (11 digits): the invitation is by phone, proven once with WeChat's phone code */
    phone: text('phone').notNull(),
    role: text('role', { enum: STAFF_ROLES }).notNull(),
    storeId: text('store_id').references(() => stores.id),
    regionId: text('region_id').references(() => regions.id),
    status: text('status', { enum: STAFF_STATUSES }).notNull().default('invited'),
    openid: text('openid'),
    unionid: text('unionid'),
    /** bumped on disable or role change: every staff token carries it, so old tokens stop working at once */
    tokenVersion: integer('token_version').notNull().default(1),
    invitedBy: text('invited_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('staff_phone_uq').on(t.phone),
    uniqueIndex('staff_openid_uq').on(t.openid),
    index('staff_store_idx').on(t.storeId),
    check(
      'staff_scope_ck',
      sql`(${t.role} in ('clerk','pharmacist','store_manager') and ${t.storeId} is not null)
        or (${t.role} = 'regional_manager' and ${t.regionId} is not null)
        or ${t.role} = 'hq_admin'`,
    ),
  ],
);

/** closed: the member closed their account (注销会员); the row stays as an erased tombstone the kept orders point at */
export const CUSTOMER_STATUSES = ['active', 'merged', 'closed'] as const;

/** One row per person: the unified customer id. */
export const customers = pgTable(
  'customers',
  {
    id: text('id').primaryKey(),
    displayName: text('display_name'),
    gender: text('gender', { enum: ['male', 'female', 'unknown'] })
      .notNull()
      .default('unknown'),
    birthday: date('birthday'),
    /**
     * when the member typed the birthday in the mini-program (once; a correction is made at a store); null when it
     * came from the chain's records. A birthday typed in its own month earns the birthday benefit from the next year.
     */
    birthdaySetAt: timestamp('birthday_set_at', { withTimezone: true }),
    homeStoreId: text('home_store_id').references(() => stores.id),
    /** set when the person signed up as a member (phone authorised), not when a POS card was merely seen */
    registeredAt: timestamp('registered_at', { withTimezone: true }),
    status: text('status', { enum: CUSTOMER_STATUSES }).notNull().default('active'),
    mergedInto: text('merged_into'),
    /** when the member closed the account: the personal data was erased then (functions/app/members/close-account.ts) */
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('customers_home_store_idx').on(t.homeStoreId),
    // a merge re-points customers merged into the absorbed one earlier (`where merged_into = …`): merged ones only
    index('customers_merged_into_idx')
      .on(t.mergedInto)
      .where(sql`${t.mergedInto} is not null`),
  ],
);

export const IDENTITY_QUALITIES = ['valid', 'invalid', 'blocked'] as const;

/**
 * Every identifier a source record ever told us, normalised, with where it came from. One row per
 * (kind, value, source, source_id): a family phone typed on three POS cards is three rows, one per card, so
 * linking can see that three people share it instead of silently keeping the first. The owning source record is
 * `source_records (source, source_id)`; `customer_id` always follows that record's customer.
 */
export const identities = pgTable(
  'identities',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id').references(() => customers.id),
    kind: text('kind', { enum: IDENTITY_KINDS }).notNull(),
    /** normalised value (canonical phone, lower-case email…) — what linking compares */
    value: text('value').notNull(),
    rawValue: text('raw_value'),
    /** proven by the platform (WeChat phone code, openid) rather than typed at a counter */
    verified: boolean('verified').notNull().default(false),
    /** invalid (not a mobile, bad syntax) and blocked (placeholder, store counter phone) values never link */
    quality: text('quality', { enum: IDENTITY_QUALITIES }).notNull().default('valid'),
    source: text('source', { enum: SOURCES }).notNull(),
    /** the source's own record id (POS card number, mall account, openid): with source, the owning record */
    sourceId: text('source_id').notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('identities_kind_value_source_record_uq').on(t.kind, t.value, t.source, t.sourceId),
    index('identities_customer_idx').on(t.customerId),
    // no index on value alone: every lookup names the kind too, which the unique index above leads with
    index('identities_record_idx').on(t.source, t.sourceId),
  ],
);

export const products = pgTable(
  'products',
  {
    id: text('id').primaryKey(),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    genericName: text('generic_name').notNull(),
    /** WHO ATC code, e.g. C09CA01 (losartan); chronic-condition tags are derived from its prefix */
    atcCode: text('atc_code'),
    rx: boolean('rx').notNull().default(false),
    category: text('category').notNull(),
    packSize: integer('pack_size').notNull(),
    dailyDose: numeric('daily_dose', { precision: 8, scale: 2 }),
    /** days one pack lasts at the labelled dose; null for acute or as-needed products */
    daysSupply: integer('days_supply'),
    priceFen: integer('price_fen').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('products_sku_uq').on(t.sku), index('products_atc_idx').on(t.atcCode)],
);

export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    source: text('source', { enum: SOURCES }).notNull(),
    /**
     * The source system's order number: unique per source and store (orders_source_store_external_uq), so a replayed
     * ingest lands once. A till numbers its own receipts: two stores may print the same number for two sales.
     */
    externalId: text('external_id').notNull(),
    storeId: text('store_id').references(() => stores.id),
    customerId: text('customer_id').references(() => customers.id),
    totalFen: integer('total_fen').notNull(),
    discountFen: integer('discount_fen').notNull().default(0),
    paidFen: integer('paid_fen').notNull(),
    orderedAt: timestamp('ordered_at', { withTimezone: true }).notNull(),
    /**
     * The member the source gave the order to, in the source's own terms: its source record's source_id (the POS
     * card number, the mall account). Kept even when that record is not known yet, so the order finds its customer
     * when the record arrives (an export of orders before one of members, a card opened at a till offline).
     */
    memberSourceId: text('member_source_id'),
    /**
     * A sale, or a return (退货) from an order import: amounts positive either way, so a member's spend is the sales
     * less the returns. A live till refund is a void of the sale (/api/pos/void), not a return row.
     */
    kind: text('kind', { enum: ['sale', 'return'] })
      .notNull()
      .default('sale'),
    /** a return's original order number in its source (原单号), when the export gives it */
    originalExternalId: text('original_external_id'),
    /**
     * sha256 of the order as received (file import and order API; a till's live order since the QA walk, marked
     * `till:`, ingest-orders.ts sameOrderContents); a replay with other contents is refused
     */
    payloadHash: text('payload_hash'),
    /**
     * Points a live till order will earn once its member is known: set when the till sends a card MedLoop does not
     * know yet (the points as the rules stood at the sale), credited when the card's record arrives within
     * LATE_EARN_DAYS of the sale, cleared when the order is refunded first. Null for history and mall orders, and for
     * a till's sale already older than LATE_EARN_DAYS when it arrives (history too).
     */
    pointsOnAttach: integer('points_on_attach'),
    /** who recorded the sale on the staff pages' counter (a store whose till is not connected); null otherwise */
    recordedBy: text('recorded_by').references(() => staff.id),
    /**
     * When the whole sale was refunded live: a till's void of the order, or the counter taking back its sale (with its
     * redemption or alone). The order stays in the purchase history (GSP), its points are reversed, and it no longer
     * counts towards the member's tier. Null for a sale that stands (an imported return is an order of its own).
     */
    refundedAt: timestamp('refunded_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    // per store: two stores' tills may print one receipt number (the first store's sale answered the second's and
    // took its member's points: a QA walk). Nulls not distinct: an order without a store (the mall's, history
    // without a store code) is still unique on its source's number. The store last, so a lookup by number alone
    // (a store's few orders of one number) still reads an index range.
    unique('orders_source_store_external_uq')
      .on(t.source, t.externalId, t.storeId)
      .nullsNotDistinct(),
    index('orders_customer_idx').on(t.customerId, t.orderedAt),
    index('orders_store_idx').on(t.storeId, t.orderedAt),
    // the orders still waiting for their member's record: a record's ingest finds its own in an index range
    index('orders_waiting_member_idx')
      .on(t.source, t.memberSourceId)
      .where(sql`${t.customerId} is null and ${t.memberSourceId} is not null`),
    // a card's (an account's) last sale that stands, the linker's and the reviews' last activity (identity.repo.ts
    // lastActiveSql): one backward probe per record, whoever the order's customer is now
    index('orders_member_sales_idx')
      .on(t.source, t.memberSourceId, t.orderedAt)
      .where(sql`${t.memberSourceId} is not null and ${t.kind} = 'sale' and ${t.refundedAt} is null`),
    check('orders_amounts_ck', sql`${t.totalFen} >= 0 and ${t.discountFen} >= 0 and ${t.paidFen} >= 0`),
  ],
);

export const orderLines = pgTable(
  'order_lines',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    lineNo: integer('line_no').notNull(),
    productId: text('product_id').references(() => products.id),
    sku: text('sku').notNull(),
    /** the name the source printed, kept when the SKU is not in the catalogue */
    productName: text('product_name'),
    quantity: integer('quantity').notNull(),
    unitPriceFen: integer('unit_price_fen').notNull(),
    amountFen: integer('amount_fen').notNull(),
  },
  (t) => [
    uniqueIndex('order_lines_order_line_uq').on(t.orderId, t.lineNo),
    index('order_lines_product_idx').on(t.productId),
    check('order_lines_qty_ck', sql`${t.quantity} > 0 and ${t.amountFen} >= 0`),
  ],
);

/**
 * Append-only record of every staff read of a member's record and every sensitive change (PIPL).
 * A trigger (migration 0001) refuses UPDATE, DELETE and TRUNCATE for every role.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorKind: text('actor_kind', { enum: ['staff', 'member', 'pos', 'system'] }).notNull(),
    actorId: text('actor_id').notNull(),
    action: text('action').notNull(),
    customerId: text('customer_id'),
    storeId: text('store_id'),
    reason: text('reason'),
    requestId: text('request_id'),
    details: jsonb('details'),
  },
  (t) => [index('audit_customer_idx').on(t.customerId, t.at), index('audit_actor_idx').on(t.actorId, t.at)],
);

export const PARTNER_SOURCES = ['pos', 'mall', 'wecom'] as const;

/**
 * Keys of partner systems that call MedLoop server-to-server (a store's POS, the online mall, WeCom). Requests
 * are signed with HMAC-SHA256 over the exact bytes; the secret is shared, so it is stored to verify with.
 * A POS key is bound to its store: it can only act for that store.
 */
export const partnerKeys = pgTable(
  'partner_keys',
  {
    id: text('id').primaryKey(),
    source: text('source', { enum: PARTNER_SOURCES }).notNull(),
    storeId: text('store_id').references(() => stores.id),
    secret: text('secret').notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    index('partner_keys_store_idx').on(t.storeId),
    check('partner_keys_pos_store_ck', sql`${t.source} <> 'pos' or ${t.storeId} is not null`),
    check('partner_keys_secret_ck', sql`length(${t.secret}) >= 32`),
  ],
);
export * from './schema-identity.js';
export * from './schema-loyalty.js';
export * from './schema-onboarding.js';
