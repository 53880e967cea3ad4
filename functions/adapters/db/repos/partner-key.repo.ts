import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../client.js';
import { partnerKeys, stores } from '../schema.js';

export function createPartnerKeyRepo(db: Db) {
  return {
    async findActive(id: string) {
      const rows = await db
        .select({
          id: partnerKeys.id,
          source: partnerKeys.source,
          storeId: partnerKeys.storeId,
          // the key's store's region: a request naming the key's own store needs no second read (pos-caller.ts)
          storeRegionId: stores.regionId,
          secret: partnerKeys.secret,
        })
        .from(partnerKeys)
        .leftJoin(stores, eq(stores.id, partnerKeys.storeId))
        .where(and(eq(partnerKeys.id, id), isNull(partnerKeys.revokedAt)))
        .limit(1);
      return rows[0] ?? null;
    },
  };
}
