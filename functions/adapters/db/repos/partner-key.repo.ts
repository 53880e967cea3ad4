import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../client.js';
import { partnerKeys } from '../schema.js';

export function createPartnerKeyRepo(db: Db) {
  return {
    async findActive(id: string) {
      const rows = await db
        .select({
          id: partnerKeys.id,
          source: partnerKeys.source,
          storeId: partnerKeys.storeId,
          secret: partnerKeys.secret,
        })
        .from(partnerKeys)
        .where(and(eq(partnerKeys.id, id), isNull(partnerKeys.revokedAt)))
        .limit(1);
      return rows[0] ?? null;
    },
  };
}
