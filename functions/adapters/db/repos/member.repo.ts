import { type AnyColumn, and, desc, eq, sql } from 'drizzle-orm';
import { newId } from '../../ids.js';
import type { Db } from '../client.js';
import { customers, identities, stores } from '../schema.js';

/** The customer's real name as their newest source record with one gives it; null when none has (the caller masks it). */
export const realNameOf = (customerId: AnyColumn) =>
  sql<string | null>`(select r.name from source_records r where r.customer_id = ${customerId}
    and r.name_kind = 'real' order by r.last_active desc nulls last, r.id limit 1)`;

/**
 * The customer's gender: their own when known, else the one on the record their real name comes from (a confirmed
 * POS card's 男 where the WeChat side says nothing), so the greeting and the name agree.
 */
const genderOf = (customerId: AnyColumn, own: AnyColumn) =>
  sql<'male' | 'female' | 'unknown'>`case when ${own} <> 'unknown' then ${own} else coalesce(
    (select r.gender from source_records r where r.customer_id = ${customerId}
      and r.name_kind = 'real' order by r.last_active desc nulls last, r.id limit 1), 'unknown') end`;

export interface WeChatIdentity {
  identityId: string;
  customerId: string | null;
}

export interface MemberSummary {
  customerId: string;
  displayName: string | null;
  /**
   * The real name on the most recently active of the person's linked records (a POS card's 王波 where the WeChat
   * side is a nickname): what a clerk greets the customer by, masked. Null when no record has one.
   */
  realName: string | null;
  /** the customer's own, else the real name's record's (genderOf) */
  gender: 'male' | 'female' | 'unknown';
  phone: string | null;
  registeredAt: Date | null;
  homeStore: { id: string; name: string } | null;
}

export function createMemberRepo(db: Db) {
  return {
    /**
     * Records the WeChat user behind a login. The openid is its own source record (source 'miniprogram',
     * source_id = openid), so the unique (kind, value, source, source_id) makes concurrent logins of one openid
     * land on one row. The unionid is kept as its own identity of that record, for linking across the chain's apps.
     */
    async upsertWeChatLogin(openid: string, unionid: string | null, now: Date): Promise<WeChatIdentity> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(identities)
          .values({
            id: newId('idn', now.getTime()),
            kind: 'openid',
            value: openid,
            verified: true,
            source: 'miniprogram',
            sourceId: openid,
            lastSeenAt: now,
          })
          .onConflictDoUpdate({
            target: [identities.kind, identities.value, identities.source, identities.sourceId],
            set: { lastSeenAt: now },
          })
          .returning({ identityId: identities.id, customerId: identities.customerId });
        if (unionid) {
          await tx
            .insert(identities)
            .values({
              id: newId('idn', now.getTime()),
              kind: 'unionid',
              value: unionid,
              verified: true,
              source: 'miniprogram',
              sourceId: openid,
              customerId: row.customerId,
              lastSeenAt: now,
            })
            .onConflictDoUpdate({
              target: [identities.kind, identities.value, identities.source, identities.sourceId],
              set: { lastSeenAt: now },
            });
        }
        return row;
      });
    },

    /** The identity's customer, following merges to the surviving record. */
    async customerOfIdentity(identityId: string): Promise<{ exists: boolean; customerId: string | null }> {
      const rows = await db
        .select({ customerId: sql<string | null>`coalesce(${customers.mergedInto}, ${customers.id})` })
        .from(identities)
        .leftJoin(customers, eq(customers.id, identities.customerId))
        .where(eq(identities.id, identityId))
        .limit(1);
      if (!rows[0]) return { exists: false, customerId: null };
      return { exists: true, customerId: rows[0].customerId };
    },

    async summary(customerId: string): Promise<MemberSummary | null> {
      const [c] = await db
        .select({
          customerId: customers.id,
          displayName: customers.displayName,
          realName: realNameOf(customers.id),
          gender: genderOf(customers.id, customers.gender),
          registeredAt: customers.registeredAt,
          storeId: stores.id,
          storeName: stores.name,
        })
        .from(customers)
        .leftJoin(stores, eq(stores.id, customers.homeStoreId))
        .where(eq(customers.id, customerId))
        .limit(1);
      if (!c) return null;
      const [phone] = await db
        .select({ value: identities.value })
        .from(identities)
        .where(and(eq(identities.customerId, customerId), eq(identities.kind, 'phone')))
        .orderBy(desc(identities.verified), desc(identities.lastSeenAt))
        .limit(1);
      return {
        customerId: c.customerId,
        displayName: c.displayName,
        realName: c.realName,
        gender: c.gender,
        phone: phone?.value ?? null,
        registeredAt: c.registeredAt,
        homeStore: c.storeId && c.storeName ? { id: c.storeId, name: c.storeName } : null,
      };
    },
  };
}
export type MemberRepo = ReturnType<typeof createMemberRepo>;
