import { desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db, Tx } from '../client.js';
import { customers } from '../schema.js';
import { memberCodes } from '../schema-onboarding.js';

export interface MemberCodeRow {
  code: string;
  customerId: string;
  issuedAt: Date;
  expiresAt: Date;
}

export function createMemberCodeRepo(db: Db | Tx) {
  return {
    /** The code with its customer followed through merges to the surviving record. */
    async find(code: string): Promise<MemberCodeRow | null> {
      const rows = await db
        .select({
          code: memberCodes.code,
          customerId: sql<string>`coalesce(${customers.mergedInto}, ${customers.id})`,
          issuedAt: memberCodes.issuedAt,
          expiresAt: memberCodes.expiresAt,
        })
        .from(memberCodes)
        .innerJoin(customers, eq(customers.id, memberCodes.customerId))
        .where(eq(memberCodes.code, code))
        .limit(1);
      return rows[0] ?? null;
    },

    /** The newest code issued to this WeChat login, to answer a burst of refreshes with one code. */
    async latestForIdentity(identityId: string): Promise<MemberCodeRow | null> {
      const rows = await db
        .select({
          code: memberCodes.code,
          customerId: memberCodes.customerId,
          issuedAt: memberCodes.issuedAt,
          expiresAt: memberCodes.expiresAt,
        })
        .from(memberCodes)
        .where(eq(memberCodes.identityId, identityId))
        .orderBy(desc(memberCodes.issuedAt))
        .limit(1);
      return rows[0] ?? null;
    },

    /** Inserts a fresh code; false when the random code collided with a live one (the caller draws again). */
    async insert(row: MemberCodeRow & { identityId: string }): Promise<boolean> {
      const inserted = await db
        .insert(memberCodes)
        .values(row)
        .onConflictDoNothing({ target: memberCodes.code })
        .returning({ code: memberCodes.code });
      return inserted.length === 1;
    },

    /** Deletes codes that expired before `before`; returns how many. */
    async purgeExpired(before: Date, limit: number): Promise<number> {
      const doomed = db
        .select({ code: memberCodes.code })
        .from(memberCodes)
        .where(lt(memberCodes.expiresAt, before))
        .limit(limit);
      const deleted = await db
        .delete(memberCodes)
        .where(inArray(memberCodes.code, doomed))
        .returning({ code: memberCodes.code });
      return deleted.length;
    },
  };
}
