/** The member facts loyalty needs: registration, birthday, the stores a member belongs to, lookup by phone. */
import { and, asc, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { customers, identities, orders, stores } from '../schema.js';
import type { Executor } from './coupon.repo.js';
import { realNameOf } from './member.repo.js';

export interface LoyaltyMember {
  id: string;
  birthday: string | null;
  /** when the member typed it; null when it came from the chain's records */
  birthdaySetAt: Date | null;
}

/** A member found by phone, for the staff pages (masked there). */
export interface PhoneMember {
  customerId: string;
  /**
   * The name the product calls the member by: the real name on their newest record with one (a confirmed store
   * card's 王海涛 where the WeChat side is a nickname or nothing, `realNameOf`), else the name they go by.
   */
  name: string | null;
  homeStoreName: string | null;
  /** the canonical phone it was found by */
  phone: string;
}

/**
 * The member's birthday: the one she typed, else the one the chain's records in her account agree on (a confirmed
 * store card's; none when two disagree). Read, not copied at a merge: an undone merge takes the card's birthday away
 * with the card. `birthdaySetAt` stays null for it, so its benefit is due in its month like any record's. Columns
 * qualified by hand: drizzle writes a one-table select's columns unqualified, and a bare "id" in the subquery is the
 * record's.
 */
const birthdayOf = sql<string | null>`coalesce(customers.birthday, (select case when count(distinct r.birthday) = 1
    then min(r.birthday) end from source_records r where r.customer_id = customers.id and r.birthday is not null))::text`;

export const loyaltyMemberRepo = {
  /** A registered member (signed up with a phone), following merges; null otherwise. */
  async registered(ex: Executor, customerId: string): Promise<LoyaltyMember | null> {
    const [row] = await ex
      .select({
        id: customers.id,
        birthday: birthdayOf,
        birthdaySetAt: customers.birthdaySetAt,
        registeredAt: customers.registeredAt,
        mergedInto: customers.mergedInto,
      })
      .from(customers)
      .where(eq(customers.id, customerId))
      .limit(1);
    if (!row) return null;
    if (row.mergedInto) return loyaltyMemberRepo.registered(ex, row.mergedInto);
    return row.registeredAt ? { id: row.id, birthday: row.birthday, birthdaySetAt: row.birthdaySetAt } : null;
  },

  /** Sets the birthday the member typed, if none is on file yet (a birthday is set once); whether it did. */
  async setBirthday(ex: Executor, customerId: string, birthday: string, now: Date): Promise<boolean> {
    const updated = await ex
      .update(customers)
      .set({ birthday, birthdaySetAt: now, updatedAt: now })
      .where(and(eq(customers.id, customerId), isNull(customers.birthday)))
      .returning({ id: customers.id });
    return updated.length === 1;
  },

  /**
   * The ids among these that name a member now: signed up, not closed, not merged into another (a coupon goes to
   * someone who sees it in the wallet). One statement, one array parameter (a segment's ids).
   */
  async membersAmong(ex: Executor, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await ex
      .select({ id: customers.id })
      .from(customers)
      .where(
        and(
          sql`${customers.id} = any(${sql.param([...ids])}::text[])`,
          isNotNull(customers.registeredAt),
          eq(customers.status, 'active'),
          isNull(customers.mergedInto),
        ),
      );
    return new Set(rows.map((r) => r.id));
  },

  /** The member holding this canonical phone (the rule of `byPhones`); null if none. */
  async byPhone(ex: Executor, phone: string): Promise<PhoneMember | null> {
    return (await loyaltyMemberRepo.byPhones(ex, [phone])).get(phone) ?? null;
  },

  /**
   * The member of each canonical phone, for 给会员发券 (the single lookup and a pasted list alike, one query for the
   * whole list): the registered, active member who holds the phone verified, following merges. Coupons are for
   * members, who see them in their wallet; a customer who never signed up (a POS card, a mall account) is no one
   * here, so a family phone typed on three cards and proven by one member is that member, and a phone only cards
   * carry is absent from the map, as a phone of nobody. Sign-up verifies the phone and serialises sign-ups per phone,
   * so at most one member holds it; should two ever, the latest to sign up is taken (a recycled number is its newest
   * holder's), then the lower id, never whichever the plan happens to return first.
   */
  async byPhones(ex: Executor, phones: readonly string[]): Promise<Map<string, PhoneMember>> {
    const out = new Map<string, PhoneMember>();
    if (phones.length === 0) return out;
    // the identity's customer, and the member it is (itself, or the one it was merged into)
    const member = alias(customers, 'member');
    const rows = await ex
      .selectDistinctOn([identities.value], {
        phone: identities.value,
        customerId: member.id,
        name: sql<string | null>`coalesce(${realNameOf(member.id)}, ${member.displayName})`,
        homeStoreName: stores.name,
      })
      .from(identities)
      .innerJoin(customers, eq(customers.id, identities.customerId))
      .innerJoin(member, eq(member.id, sql`coalesce(${customers.mergedInto}, ${customers.id})`))
      .leftJoin(stores, eq(stores.id, member.homeStoreId))
      .where(
        and(
          eq(identities.kind, 'phone'),
          // one array parameter, not one per phone (as `scope` below)
          sql`${identities.value} = any(${sql.param([...phones])}::text[])`,
          eq(identities.verified, true),
          isNotNull(member.registeredAt),
          eq(member.status, 'active'),
        ),
      )
      .orderBy(identities.value, desc(member.registeredAt), asc(member.id));
    for (const r of rows) out.set(r.phone, r);
    return out;
  },

  /** The stores and regions a member belongs to (home store plus stores bought at), for the access policy. */
  async scope(
    ex: Executor,
    customerIds: readonly string[],
  ): Promise<Map<string, { storeIds: string[]; regionIds: string[] }>> {
    const out = new Map<string, { storeIds: string[]; regionIds: string[] }>();
    if (customerIds.length === 0) return out;
    const ids = [...customerIds];
    // one array parameter, not one parameter per id: a segment can exceed a statement's 65,535 parameters
    const anyId = (column: typeof customers.id | typeof orders.customerId) =>
      sql`${column} = any(${sql.param(ids)}::text[])`;
    const list = await ex
      .select({ customerId: customers.id, storeId: stores.id, regionId: stores.regionId })
      .from(customers)
      .innerJoin(stores, eq(stores.id, customers.homeStoreId))
      .where(anyId(customers.id));
    const bought = await ex
      .selectDistinct({ customerId: orders.customerId, storeId: stores.id, regionId: stores.regionId })
      .from(orders)
      .innerJoin(stores, eq(stores.id, orders.storeId))
      .where(anyId(orders.customerId));
    for (const id of ids) out.set(id, { storeIds: [], regionIds: [] });
    for (const r of [...list, ...bought]) {
      if (!r.customerId) continue;
      const entry = out.get(r.customerId);
      if (!entry) continue;
      if (!entry.storeIds.includes(r.storeId)) entry.storeIds.push(r.storeId);
      if (!entry.regionIds.includes(r.regionId)) entry.regionIds.push(r.regionId);
    }
    return out;
  },
};
