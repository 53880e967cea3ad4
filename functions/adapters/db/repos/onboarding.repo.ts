import { and, asc, count, desc, eq, gte, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '../client.js';
import { customers, identities, staff, stores } from '../schema.js';
import {
  type CONSENT_PURPOSES,
  consentRecords,
  phoneCodeExchanges,
  signupAttributions,
  signupQrCodes,
} from '../schema-onboarding.js';

type Executor = Db | Tx;
type Purpose = (typeof CONSENT_PURPOSES)[number];

export interface StoreRow {
  id: string;
  code: string;
  name: string;
  address: string;
  regionId: string;
}

export interface QrCodeRow {
  id: string;
  storeId: string;
  clerkStaffId: string | null;
  clerkName: string | null;
  scene: string;
  page: string;
  pngBase64: string;
  contentType: 'image/png' | 'image/jpeg';
  createdAt: Date;
}

export interface PhoneExchangeRow {
  identityId: string;
  status: 'pending' | 'done' | 'failed';
  phone: string | null;
  countryCode: string | null;
  errorCode: string | null;
  createdAt: Date;
}

const storeColumns = {
  id: stores.id,
  code: stores.code,
  name: stores.name,
  address: stores.address,
  regionId: stores.regionId,
};

const qrColumns = {
  id: signupQrCodes.id,
  storeId: signupQrCodes.storeId,
  clerkStaffId: signupQrCodes.clerkStaffId,
  clerkName: staff.name,
  scene: signupQrCodes.scene,
  page: signupQrCodes.page,
  pngBase64: signupQrCodes.pngBase64,
  contentType: signupQrCodes.contentType,
  createdAt: signupQrCodes.createdAt,
};

export function createOnboardingRepo(db: Executor) {
  return {
    // ---- stores and staff ----

    async storeByCode(code: string): Promise<StoreRow | null> {
      const rows = await db.select(storeColumns).from(stores).where(eq(stores.code, code)).limit(1);
      return rows[0] ?? null;
    },

    async storeById(id: string): Promise<StoreRow | null> {
      const rows = await db.select(storeColumns).from(stores).where(eq(stores.id, id)).limit(1);
      return rows[0] ?? null;
    },

    /** Stores in a scope: one store, one region, or all (null, null). Ordered by store code. */
    async storesIn(scope: { storeId: string | null; regionId: string | null }): Promise<StoreRow[]> {
      const where = scope.storeId
        ? eq(stores.id, scope.storeId)
        : scope.regionId
          ? eq(stores.regionId, scope.regionId)
          : undefined;
      return db.select(storeColumns).from(stores).where(where).orderBy(asc(stores.code));
    },

    /** Staff working in a store who can invite customers (not disabled). */
    async staffOfStore(storeId: string) {
      return db
        .select({ staffId: staff.id, name: staff.name, role: staff.role, status: staff.status })
        .from(staff)
        .where(and(eq(staff.storeId, storeId), ne(staff.status, 'disabled')))
        .orderBy(asc(staff.name));
    },

    async staffById(id: string) {
      const rows = await db
        .select({ staffId: staff.id, name: staff.name, storeId: staff.storeId, status: staff.status })
        .from(staff)
        .where(eq(staff.id, id))
        .limit(1);
      return rows[0] ?? null;
    },

    // ---- sign-up QR codes ----

    async qrCodesOfStore(storeId: string): Promise<QrCodeRow[]> {
      return db
        .select(qrColumns)
        .from(signupQrCodes)
        .leftJoin(staff, eq(staff.id, signupQrCodes.clerkStaffId))
        .where(eq(signupQrCodes.storeId, storeId))
        .orderBy(sql`${signupQrCodes.clerkStaffId} is not null`, asc(staff.name));
    },

    async qrCodeFor(storeId: string, clerkStaffId: string | null): Promise<QrCodeRow | null> {
      const rows = await db
        .select(qrColumns)
        .from(signupQrCodes)
        .leftJoin(staff, eq(staff.id, signupQrCodes.clerkStaffId))
        .where(
          and(
            eq(signupQrCodes.storeId, storeId),
            clerkStaffId ? eq(signupQrCodes.clerkStaffId, clerkStaffId) : isNull(signupQrCodes.clerkStaffId),
          ),
        )
        .limit(1);
      return rows[0] ?? null;
    },

    async qrCodeByScene(scene: string): Promise<{ storeId: string; clerkStaffId: string | null } | null> {
      const rows = await db
        .select({ storeId: signupQrCodes.storeId, clerkStaffId: signupQrCodes.clerkStaffId })
        .from(signupQrCodes)
        .where(eq(signupQrCodes.scene, scene))
        .limit(1);
      return rows[0] ?? null;
    },

    /** false when another request stored a code for this (store, clerk) first, or the scene collided */
    async insertQrCode(row: {
      id: string;
      storeId: string;
      clerkStaffId: string | null;
      scene: string;
      page: string;
      pngBase64: string;
      contentType: 'image/png' | 'image/jpeg';
      createdBy: string;
      createdAt: Date;
    }): Promise<boolean> {
      const inserted = await db
        .insert(signupQrCodes)
        .values(row)
        .onConflictDoNothing()
        .returning({ id: signupQrCodes.id });
      return inserted.length === 1;
    },

    // ---- phone-code exchanges ----

    /** Claims a code for one WeChat call; false when a row for this code exists already. */
    async claimPhoneCode(codeHash: string, identityId: string, now: Date): Promise<boolean> {
      const inserted = await db
        .insert(phoneCodeExchanges)
        .values({ codeHash, identityId, status: 'pending', createdAt: now })
        .onConflictDoNothing({ target: phoneCodeExchanges.codeHash })
        .returning({ codeHash: phoneCodeExchanges.codeHash });
      return inserted.length === 1;
    },

    /** Takes over a pending claim whose owner died mid-call (older than `staleBefore`). */
    async reclaimStalePhoneCode(codeHash: string, now: Date, staleBefore: Date): Promise<boolean> {
      const rows = await db
        .update(phoneCodeExchanges)
        .set({ createdAt: now })
        .where(
          and(
            eq(phoneCodeExchanges.codeHash, codeHash),
            eq(phoneCodeExchanges.status, 'pending'),
            lt(phoneCodeExchanges.createdAt, staleBefore),
          ),
        )
        .returning({ codeHash: phoneCodeExchanges.codeHash });
      return rows.length === 1;
    },

    async phoneExchange(codeHash: string): Promise<PhoneExchangeRow | null> {
      const rows = await db
        .select({
          identityId: phoneCodeExchanges.identityId,
          status: phoneCodeExchanges.status,
          phone: phoneCodeExchanges.phone,
          countryCode: phoneCodeExchanges.countryCode,
          errorCode: phoneCodeExchanges.errorCode,
          createdAt: phoneCodeExchanges.createdAt,
        })
        .from(phoneCodeExchanges)
        .where(eq(phoneCodeExchanges.codeHash, codeHash))
        .limit(1);
      return rows[0] ?? null;
    },

    async completePhoneCode(
      codeHash: string,
      outcome: { phone: string; countryCode: string } | { errorCode: string },
      now: Date,
    ): Promise<void> {
      await db
        .update(phoneCodeExchanges)
        .set(
          'phone' in outcome
            ? { status: 'done', phone: outcome.phone, countryCode: outcome.countryCode, completedAt: now }
            : { status: 'failed', errorCode: outcome.errorCode, completedAt: now },
        )
        .where(eq(phoneCodeExchanges.codeHash, codeHash));
    },

    /** Drops a pending claim after a failure that may pass (network, busy), so a retry can try WeChat again. */
    /** Phone codes this WeChat login presented since `since` (each new one is a billed call to WeChat). */
    async phoneCodesSince(identityId: string, since: Date): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(phoneCodeExchanges)
        .where(and(eq(phoneCodeExchanges.identityId, identityId), gte(phoneCodeExchanges.createdAt, since)));
      return Number(row?.n ?? 0);
    },

    async releasePhoneCode(codeHash: string): Promise<void> {
      await db
        .delete(phoneCodeExchanges)
        .where(and(eq(phoneCodeExchanges.codeHash, codeHash), eq(phoneCodeExchanges.status, 'pending')));
    },

    async countPhoneReplay(codeHash: string): Promise<void> {
      await db
        .update(phoneCodeExchanges)
        .set({ replays: sql`${phoneCodeExchanges.replays} + 1` })
        .where(eq(phoneCodeExchanges.codeHash, codeHash));
    },

    // ---- identities and customers ----

    /** The unionid WeChat gave with this openid at login (the identity engineer keeps openid as its source_id). */
    async unionidOfOpenid(openid: string): Promise<string | null> {
      const rows = await db
        .select({ value: identities.value })
        .from(identities)
        .where(
          and(eq(identities.kind, 'unionid'), eq(identities.source, 'miniprogram'), eq(identities.sourceId, openid)),
        )
        .orderBy(desc(identities.lastSeenAt))
        .limit(1);
      return rows[0]?.value ?? null;
    },

    /** The registered customer behind this WeChat login, if the login already signed up. */
    async registeredCustomerOfIdentity(
      identityId: string,
    ): Promise<{ customerId: string; storeId: string | null } | null> {
      const rows = await db
        .select({
          customerId: sql<string>`coalesce(${customers.mergedInto}, ${customers.id})`,
          registeredAt: customers.registeredAt,
          storeId: customers.homeStoreId,
        })
        .from(identities)
        .innerJoin(customers, eq(customers.id, identities.customerId))
        .where(eq(identities.id, identityId))
        .limit(1);
      const row = rows[0];
      return row?.registeredAt ? { customerId: row.customerId, storeId: row.storeId } : null;
    },

    /** Whether any source knows this phone on a customer other than `exceptCustomerId`. */
    async phoneKnown(phone: string, exceptCustomerId: string | null): Promise<boolean> {
      const rows = await db
        .select({ n: count() })
        .from(identities)
        .where(
          and(
            eq(identities.kind, 'phone'),
            eq(identities.value, phone),
            sql`${identities.customerId} is not null`,
            exceptCustomerId ? ne(identities.customerId, exceptCustomerId) : undefined,
          ),
        );
      return Number(rows[0]?.n ?? 0) > 0;
    },

    /**
     * Who a verified phone is to us, for its owner's sign-up: `member` when a member (an active customer who signed
     * up) holds it verified, which the sign-up links to as the same person (a registered customer survives every
     * merge, and identities follow the survivor); else `store_card` when a POS card on another customer than
     * `exceptCustomerId` carries it; else `none`.
     */
    async phoneStanding(phone: string, exceptCustomerId: string | null): Promise<'member' | 'store_card' | 'none'> {
      const holders = (where: ReturnType<typeof and>) =>
        db
          .select({ n: count() })
          .from(identities)
          .innerJoin(customers, eq(customers.id, identities.customerId))
          .where(and(eq(identities.kind, 'phone'), eq(identities.value, phone), where));
      const [member] = await holders(
        and(eq(identities.verified, true), eq(customers.status, 'active'), sql`${customers.registeredAt} is not null`),
      );
      if (Number(member?.n ?? 0) > 0) return 'member';
      const [card] = await holders(
        and(
          eq(identities.source, 'pos'),
          eq(customers.status, 'active'),
          exceptCustomerId ? ne(customers.id, exceptCustomerId) : undefined,
        ),
      );
      return Number(card?.n ?? 0) > 0 ? 'store_card' : 'none';
    },

    /** Marks a customer as a signed-up member (first sign-up wins: date and home store are kept). */
    /** Registers the customer (once: the first time stands); whether they were a member already. */
    async markRegistered(customerId: string, storeId: string | null, now: Date): Promise<{ wasMember: boolean }> {
      const [before] = await db
        .select({ registeredAt: customers.registeredAt })
        .from(customers)
        .where(eq(customers.id, customerId))
        .for('update');
      await db
        .update(customers)
        .set({
          registeredAt: sql`coalesce(${customers.registeredAt}, ${now.toISOString()}::timestamptz)`,
          homeStoreId: sql`coalesce(${customers.homeStoreId}, ${storeId})`,
          updatedAt: now,
        })
        .where(eq(customers.id, customerId));
      return { wasMember: before?.registeredAt != null };
    },

    async customerStore(customerId: string): Promise<{ id: string; name: string } | null> {
      const rows = await db
        .select({ id: stores.id, name: stores.name })
        .from(customers)
        .innerJoin(stores, eq(stores.id, customers.homeStoreId))
        .where(eq(customers.id, customerId))
        .limit(1);
      return rows[0] ?? null;
    },

    /** Serialises sign-ups of one person (same phone) across concurrent requests, until the transaction ends. */
    async lockPerson(key: string): Promise<void> {
      await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`signup:${key}`}, 0))`);
    },

    // ---- attribution ----

    /** One row per person: the first sign-up's store and clerk keep the credit. */
    async attribute(row: {
      id: string;
      customerId: string;
      storeId: string | null;
      clerkStaffId: string | null;
      identityId: string;
      scene: string | null;
      newCustomer: boolean;
      signedUpAt: Date;
    }): Promise<boolean> {
      const inserted = await db
        .insert(signupAttributions)
        .values(row)
        .onConflictDoNothing({ target: signupAttributions.customerId })
        .returning({ id: signupAttributions.id });
      return inserted.length === 1;
    },

    /**
     * Sign-ups of one store in [from, to), per inviting clerk (null = the store's own code). A member who closed the
     * account no longer counts: one who closes and signs up again is one member, not two.
     *
     * 新顾客 vs 老顾客转会员 is worked out here, when the figures are read, not taken from the flag the sign-up stored
     * (`new_customer`, true unless the sign-up itself linked to a known customer). A sign-up is an existing
     * customer's when its member now holds a store (POS) or mall record that was taken in before the sign-up. Now,
     * because the cards often join later: the member confirms a held card (这是您在××店的会员卡吗?), a manager
     * confirms a suggestion, the bulk linker merges; and an undone merge takes the card back, making the sign-up new
     * again. The member is the attribution's customer or, once it was merged away, the one it was merged into
     * (`merged_into` always names the last survivor), and the records follow their customer through merges and
     * undos. Reading it here needs nothing from each of those paths (the merge hooks would have to keep a flag right
     * through merge, the bulk linker's set-based merges and undo, for a figure only this page shows), and it costs one
     * indexed probe of source_records per sign-up in the range.
     */
    async signupsByClerk(storeId: string, from: Date, to: Date) {
      const existingCustomer = sql`exists (
        select 1 from customers c
        join source_records r on r.customer_id = coalesce(c.merged_into, c.id)
        where c.id = ${signupAttributions.customerId} and r.source in ('pos', 'mall')
          and r.created_at < ${signupAttributions.signedUpAt})`;
      return db
        .select({
          staffId: signupAttributions.clerkStaffId,
          name: staff.name,
          signups: count(),
          newCustomers: sql<number>`count(*) filter (where not ${existingCustomer})`.mapWith(Number),
        })
        .from(signupAttributions)
        .leftJoin(staff, eq(staff.id, signupAttributions.clerkStaffId))
        .where(
          and(
            eq(signupAttributions.storeId, storeId),
            gte(signupAttributions.signedUpAt, from),
            lt(signupAttributions.signedUpAt, to),
            sql`not exists (select 1 from customers c where c.id = ${signupAttributions.customerId} and c.status = 'closed')`,
          ),
        )
        .groupBy(signupAttributions.clerkStaffId, staff.name)
        .orderBy(desc(count()));
    },

    // ---- consent ----

    async consentsOf(customerId: string) {
      return db
        .select({
          purpose: consentRecords.purpose,
          granted: consentRecords.granted,
          version: consentRecords.version,
          at: consentRecords.at,
        })
        .from(consentRecords)
        .where(eq(consentRecords.customerId, customerId))
        .orderBy(asc(consentRecords.id));
    },

    async appendConsents(
      records: Array<{
        customerId: string;
        purpose: Purpose;
        granted: boolean;
        version: string;
        source: 'signup' | 'settings' | 'closure';
        /** the member's WeChat identity; null when staff recorded it (an account closed at the store) */
        identityId: string | null;
        requestId: string | null;
        at: Date;
      }>,
    ): Promise<void> {
      if (records.length === 0) return;
      await db.insert(consentRecords).values(records);
    },

    async attributionsOf(customerIds: string[]) {
      if (customerIds.length === 0) return [];
      return db.select().from(signupAttributions).where(inArray(signupAttributions.customerId, customerIds));
    },
  };
}
export type OnboardingRepo = ReturnType<typeof createOnboardingRepo>;
