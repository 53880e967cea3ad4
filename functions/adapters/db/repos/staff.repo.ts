import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { StaffRole } from '../../../../shared/contracts/auth.js';
import type { Db } from '../client.js';
import { regions, staff, stores } from '../schema.js';

export interface StaffRecord {
  id: string;
  name: string;
  phone: string;
  role: StaffRole;
  status: 'invited' | 'active' | 'disabled';
  openid: string | null;
  tokenVersion: number;
  storeId: string | null;
  storeName: string | null;
  regionId: string | null;
  regionName: string | null;
}

const columns = {
  id: staff.id,
  name: staff.name,
  phone: staff.phone,
  role: staff.role,
  status: staff.status,
  openid: staff.openid,
  tokenVersion: staff.tokenVersion,
  storeId: staff.storeId,
  storeName: stores.name,
  // a store's staff inherit the store's region, so scope checks need only one field
  regionId: sql<string | null>`coalesce(${staff.regionId}, ${stores.regionId})`,
  regionName: regions.name,
};

function select(db: Db) {
  return db
    .select(columns)
    .from(staff)
    .leftJoin(stores, eq(stores.id, staff.storeId))
    .leftJoin(regions, eq(regions.id, sql`coalesce(${staff.regionId}, ${stores.regionId})`));
}

export function createStaffRepo(db: Db) {
  return {
    async findById(id: string): Promise<StaffRecord | null> {
      const rows = await select(db).where(eq(staff.id, id)).limit(1);
      return rows[0] ?? null;
    },
    async findByOpenid(openid: string): Promise<StaffRecord | null> {
      const rows = await select(db).where(eq(staff.openid, openid)).limit(1);
      return rows[0] ?? null;
    },
    async findByPhone(phone: string): Promise<StaffRecord | null> {
      const rows = await select(db).where(eq(staff.phone, phone)).limit(1);
      return rows[0] ?? null;
    },
    /** Binds a WeChat user to an invited record; a no-op race loser gets false (someone else bound it). */
    async bindOpenid(id: string, openid: string, unionid: string | null, now: Date): Promise<boolean> {
      const rows = await db
        .update(staff)
        .set({ openid, unionid, status: 'active', updatedAt: now })
        .where(
          and(eq(staff.id, id), or(isNull(staff.openid), eq(staff.openid, openid)), sql`${staff.status} <> 'disabled'`),
        )
        .returning({ id: staff.id });
      return rows.length === 1;
    },
    /** Disabling bumps the token version so every session of the record stops working at once. */
    async disable(id: string, now: Date): Promise<void> {
      await db
        .update(staff)
        .set({ status: 'disabled', tokenVersion: sql`${staff.tokenVersion} + 1`, updatedAt: now })
        .where(eq(staff.id, id));
    },
  };
}
export type StaffRepo = ReturnType<typeof createStaffRepo>;
