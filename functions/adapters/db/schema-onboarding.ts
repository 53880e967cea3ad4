/**
 * Onboarding: store sign-up QR codes, the idempotent phone-code exchange, sign-up attribution, consent
 * records and the short-lived member codes the POS scans. Conventions as in schema.ts.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { customers, identities, staff, stores } from './schema.js';

/**
 * A store's sign-up code (wxacode.getUnlimited). WeChat's unlimited codes never expire but generation is
 * rate-limited, so each (store, inviting clerk) is generated once and the PNG kept here for printing.
 */
export const signupQrCodes = pgTable(
  'signup_qr_codes',
  {
    id: text('id').primaryKey(),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id),
    /** the inviting clerk, or null for the store's own code */
    clerkStaffId: text('clerk_staff_id').references(() => staff.id),
    /** what the code carries (shared/onboarding/scene.ts), at most 32 characters */
    scene: text('scene').notNull(),
    page: text('page').notNull(),
    /** the image bytes as base64 (drizzle has no bytea; base64 reads the same on PGlite and Neon) */
    pngBase64: text('png_base64').notNull(),
    /** read from the bytes' magic number: WeChat answers JPEG unless asked for a transparent background */
    contentType: text('content_type', { enum: ['image/png', 'image/jpeg'] })
      .notNull()
      .default('image/png'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // one code per store and clerk; the store's own code (no clerk) counts as one key too
    uniqueIndex('signup_qr_store_clerk_uq').on(t.storeId, sql`coalesce(${t.clerkStaffId}, '')`),
    uniqueIndex('signup_qr_scene_uq').on(t.scene),
    check('signup_qr_scene_ck', sql`length(${t.scene}) between 1 and 32`),
  ],
);

export const PHONE_EXCHANGE_STATUSES = ['pending', 'done', 'failed'] as const;

/**
 * One row per getPhoneNumber code sent to WeChat, keyed by a hash of the code (the code itself is a credential
 * for five minutes). Each code is single-use and WeChat bills every successful call, so a retried request with
 * the same code is answered from here; the table is also the count of billed calls.
 */
export const phoneCodeExchanges = pgTable(
  'phone_code_exchanges',
  {
    codeHash: text('code_hash').primaryKey(),
    /** the WeChat login (openid identity) that presented the code; another caller replaying it gets nothing */
    identityId: text('identity_id')
      .notNull()
      .references(() => identities.id),
    status: text('status', { enum: PHONE_EXCHANGE_STATUSES }).notNull().default('pending'),
    /** canonical 11-digit mainland mobile, once WeChat answered */
    phone: text('phone'),
    countryCode: text('country_code'),
    /** our error code when WeChat refused the code, so a retry gets the same answer without a second call */
    errorCode: text('error_code'),
    /** requests answered from this row instead of a second WeChat call */
    replays: integer('replays').notNull().default(0),
    createdAt: createdAt(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    index('phone_code_exchanges_created_idx').on(t.createdAt),
    // the hourly limit per WeChat login (PHONE_CODES_PER_HOUR)
    index('phone_code_exchanges_identity_idx').on(t.identityId, t.createdAt),
    check('phone_code_exchanges_done_ck', sql`${t.status} <> 'done' or ${t.phone} is not null`),
  ],
);

/**
 * Who brought a member in: the store whose QR code was scanned and the inviting clerk. One row per person
 * (the first sign-up wins), so a second WeChat account of the same person is not counted twice.
 */
export const signupAttributions = pgTable(
  'signup_attributions',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    storeId: text('store_id').references(() => stores.id),
    clerkStaffId: text('clerk_staff_id').references(() => staff.id),
    /** null once the member closed the account (their identities are erased; the store's credit stays) */
    identityId: text('identity_id').references(() => identities.id),
    scene: text('scene'),
    /** false when the sign-up linked to a customer the POS or another account already knew */
    newCustomer: boolean('new_customer').notNull(),
    signedUpAt: timestamp('signed_up_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('signup_attributions_customer_uq').on(t.customerId),
    index('signup_attributions_store_idx').on(t.storeId, t.signedUpAt),
    index('signup_attributions_clerk_idx').on(t.clerkStaffId, t.signedUpAt),
  ],
);

export const CONSENT_PURPOSES = ['service', 'marketing', 'health_data'] as const;
/** closure: withdrawn when the member closed the account */
export const CONSENT_SOURCES = ['signup', 'settings', 'closure'] as const;

/**
 * Append-only (a trigger refuses UPDATE/DELETE): every grant and withdrawal, with the version of the text the
 * member saw. PIPL asks for separate consent for sensitive data (health) and for proof of what was agreed when.
 * A member's current choice is the latest row per purpose.
 */
export const consentRecords = pgTable(
  'consent_records',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    purpose: text('purpose', { enum: CONSENT_PURPOSES }).notNull(),
    granted: boolean('granted').notNull(),
    /** version of the wording shown (shared/onboarding/consent.ts) */
    version: text('version').notNull(),
    source: text('source', { enum: CONSENT_SOURCES }).notNull(),
    identityId: text('identity_id'),
    requestId: text('request_id'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('consent_records_customer_idx').on(t.customerId, t.purpose, t.id)],
);

/**
 * Short-lived member codes shown as QR + Code128 on the member home. The page refreshes every 60 s and a code
 * lives about 90 s, so a screenshot is useless soon after; a cron purges expired rows.
 */
export const memberCodes = pgTable(
  'member_codes',
  {
    /** 18 digits: fits Code128 and every POS scanner */
    code: text('code').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    identityId: text('identity_id').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('member_codes_expires_idx').on(t.expiresAt),
    index('member_codes_identity_idx').on(t.identityId, t.issuedAt),
    check('member_codes_code_ck', sql`${t.code} ~ '^[0-9]{18}$'`),
    check('member_codes_expiry_ck', sql`${t.expiresAt} > ${t.issuedAt}`),
  ],
);

/**
 * What is kept of a closed account, one row per phone it had: a keyed digest of the phone (HMAC, not the number:
 * 11 digits hash back in minutes without a key) and whether the person had had their new-member coupon. A sign-up
 * with that phone later is a new member, but the coupon is once per person: the welcome page says why there is
 * none. Nothing else about the person is kept here.
 */
export const closedMemberPhones = pgTable(
  'closed_member_phones',
  {
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    phoneDigest: text('phone_digest').notNull(),
    hadNewMemberCoupon: boolean('had_new_member_coupon').notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.customerId, t.phoneDigest] }),
    index('closed_member_phones_digest_idx').on(t.phoneDigest),
  ],
);
