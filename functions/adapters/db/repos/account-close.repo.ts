/**
 * Closing a member account (注销会员): what it would take away, and the erasure itself. Every statement runs in the
 * caller's transaction; `erase` is written for one active customer whose row the caller has locked.
 *
 * Kept: the orders and their lines (GSP: drug sales records are kept for five years), pointing at the erased
 * customer row; the redemptions and the points ledger (the chain's accounts); the consent history (proof of what
 * was agreed, and when it was withdrawn); the audit log; the sign-up credit of the store and clerk. Erased: every
 * personal field of the customer and of each of its source records, their payloads and earlier revisions, every
 * identity (so nothing can link to the person again, and the member's sessions end), member codes, phone-code
 * exchanges, and the evidence of merges, holds and suggestions that involved them.
 */
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../client.js';
import { lastActiveSql, rows } from './identity.repo.js';

export interface ClosurePreview {
  points: number;
  /** available and not expired */
  coupons: number;
  orders: number;
  posCards: number;
  /** the verified phones of the account (the mini-program's, proven by WeChat) */
  verifiedPhones: string[];
  /** the account's WeChat ids (mini-program openid, unionid), kept only as digests after closure */
  wechatIds: { kind: 'openid' | 'unionid'; value: string }[];
  hadNewMemberCoupon: boolean;
}

export interface ErasureCounts {
  records: number;
  identities: number;
  couponsVoided: number;
  pointsForfeited: number;
  ordersKept: number;
  /** refused attempts of the person's cards, accounts or phones in the quarantine, their contents deleted */
  quarantineErased: number;
}

const ERASED = sql`'{"erased":true}'::jsonb`;

export function createAccountCloseRepo(conn: Tx) {
  return {
    /** Locks the customer row: merges and a second closure of the same customer wait for this transaction. */
    async lockCustomer(customerId: string): Promise<{ status: string } | null> {
      const r = await rows<{ status: string }>(
        conn,
        sql`select status from customers where id = ${customerId} for update`,
      );
      return r[0] ?? null;
    },

    /** The account's verified phones, read before its locks are taken (preview reads them again under the locks). */
    async verifiedPhones(customerId: string): Promise<string[]> {
      const r = await rows<{ phone: string }>(
        conn,
        sql`select distinct phone from source_records
            where customer_id = ${customerId} and phone is not null and phone_verified order by phone`,
      );
      return r.map((x) => x.phone);
    },

    async preview(customerId: string, now: Date): Promise<ClosurePreview> {
      const at = now.toISOString();
      const [r] = await rows<{
        points: number;
        coupons: number;
        orders: number;
        pos_cards: number;
        phones: string[] | null;
        wechat: { kind: 'openid' | 'unionid'; value: string }[] | null;
        welcome: boolean;
      }>(
        conn,
        sql`select
          (select coalesce(sum(points), 0)::int from points_ledger where customer_id = ${customerId}) as points,
          (select count(*)::int from coupons where customer_id = ${customerId} and status = 'available'
             and valid_until > ${at}::timestamptz) as coupons,
          (select count(*)::int from orders where customer_id = ${customerId}) as orders,
          (select count(*)::int from source_records where customer_id = ${customerId} and source = 'pos') as pos_cards,
          (select array_agg(distinct phone order by phone) from source_records
             where customer_id = ${customerId} and phone is not null and phone_verified) as phones,
          (select jsonb_agg(distinct jsonb_build_object('kind', kind, 'value', value)) from identities
             where customer_id = ${customerId} and kind in ('openid', 'unionid')) as wechat,
          exists (select 1 from coupons where customer_id = ${customerId} and reason = 'new_member') as welcome`,
      );
      return {
        points: r.points,
        coupons: r.coupons,
        orders: r.orders,
        posCards: r.pos_cards,
        verifiedPhones: r.phones ?? [],
        wechatIds: r.wechat ?? [],
        hadNewMemberCoupon: r.welcome,
      };
    },

    async erase(input: {
      customerId: string;
      now: Date;
      voidReason: string;
      pointsNote: string;
    }): Promise<ErasureCounts> {
      const c = input.customerId;
      const at = input.now.toISOString();
      // the customer and the customers merged into it earlier (a merge re-points those to the survivor)
      const family = sql`(select id from customers where id = ${c} or merged_into = ${c})`;
      const records = sql`(select id from source_records where customer_id = ${c})`;
      const idents = sql`(select i.id from identities i where i.customer_id in ${family}
        or (i.source, i.source_id) in (select source, source_id from source_records where customer_id = ${c}))`;

      await conn.execute(sql`delete from member_codes where customer_id in ${family}`);
      await conn.execute(sql`delete from phone_code_exchanges where identity_id in ${idents}
        or phone in (select phone from source_records where customer_id = ${c} and phone_verified and phone is not null)`);
      await conn.execute(sql`update signup_attributions set identity_id = null where identity_id in ${idents}`);
      await conn.execute(sql`delete from source_record_revisions where record_id in ${records}`);

      // holds and suggestions: no longer anyone's to decide, and their evidence names the person
      // a rejected one too: HQ lifting that decision would open it again, about a person who is gone
      await conn.execute(sql`update held_links set evidence = ${ERASED}, phone = null,
          status = case when status in ('open', 'rejected') then 'superseded' else status end,
          decided_at = case when status = 'open' then ${at}::timestamptz else decided_at end,
          decided_by = case when status = 'open' then 'account_closed' else decided_by end
        where record_id in ${records} or candidate_customer_id in ${family}`);
      await conn.execute(sql`update merge_suggestions set evidence = ${ERASED},
          status = case when status in ('open', 'rejected') then 'superseded' else status end,
          decided_at = case when status = 'open' then ${at}::timestamptz else decided_at end,
          decided_by = case when status = 'open' then 'account_closed' else decided_by end
        where record_a in ${records} or record_b in ${records}`);
      await conn.execute(sql`update identity_merges set evidence = ${ERASED}, erased_at = ${at}::timestamptz
        where survivor_id in ${family} or merged_id in ${family}`);

      // the quarantine keeps a refused record or order as the partner sent it (names, phones): the person's own
      // attempts, found by their records' source ids (an order by its member's card or account) and by their phones
      // in any form, lose their contents and leave HQ's list; the refusal's code and time stay, as the log's do
      const quarantine = await rows<{ n: number }>(
        conn,
        sql`with mine as (select source, source_id, phone from source_records where customer_id = ${c}),
          phones as (select distinct phone from mine where phone is not null),
          u as (update ingest_quarantine q set payload = null, params = null, source_id = null,
              resolved_at = coalesce(q.resolved_at, ${at}::timestamptz),
              resolution = coalesce(q.resolution, 'handled'), resolved_by = coalesce(q.resolved_by, 'account_closed')
            where q.payload is not null and (
              (q.kind = 'record' and (q.source, q.source_id) in (select source, source_id from mine))
              or (q.kind = 'order' and (q.source, q.payload->>'memberId') in (select source, source_id from mine))
              or (q.payload ? 'phone' and exists (select 1 from phones p
                    where right(regexp_replace(q.payload->>'phone', '[^0-9]', '', 'g'), 11) = p.phone)))
            returning 1)
          select count(*)::int as n from u`,
      );
      const gone = await rows<{ n: number }>(
        conn,
        sql`with d as (delete from identities where id in ${idents} returning 1) select count(*)::int as n from d`,
      );
      // the source id is renamed so a later sync of the same card or account is a new record, linked to nobody
      const erased = await rows<{ n: number }>(
        conn,
        sql`with u as (update source_records set name = null, name_kind = 'unknown', surname = null, name_key = null,
            birthday = null, gender = 'unknown', phone = null, phone_verified = false, email = null, province = null,
            city = null, district = null, last_active = null, payload = ${ERASED}, payload_hash = 'erased',
            source_id = 'erased:' || id, origin_customer_id = ${c}, erased_at = ${at}::timestamptz,
            updated_at = ${at}::timestamptz
          where customer_id = ${c} returning 1) select count(*)::int as n from u`,
      );
      const kept = await rows<{ n: number }>(
        conn,
        sql`with u as (update orders set member_source_id = null where customer_id = ${c} returning 1)
          select count(*)::int as n from u`,
      );
      const voided = await rows<{ n: number }>(
        conn,
        sql`with u as (update coupons set status = 'voided', voided_at = ${at}::timestamptz,
            void_reason = ${input.voidReason}
          where customer_id = ${c} and status = 'available' returning valid_until)
          select count(*) filter (where valid_until > ${at}::timestamptz)::int as n from u`,
      );
      const [balance] = await rows<{ n: number }>(
        conn,
        sql`select coalesce(sum(points), 0)::int as n from points_ledger where customer_id = ${c}`,
      );
      if (balance.n !== 0) {
        await conn.execute(sql`insert into points_ledger (customer_id, kind, points, entry_key, note, occurred_at)
          values (${c}, 'adjust', ${-balance.n}, ${`close:${c}`}, ${input.pointsNote}, ${at}::timestamptz)
          on conflict (entry_key) do nothing`);
      }

      await conn.execute(sql`update customers set display_name = null, birthday = null, birthday_set_at = null,
          gender = 'unknown', updated_at = ${at}::timestamptz where id in ${family}`);
      await conn.execute(sql`update customers set status = 'closed', closed_at = ${at}::timestamptz where id = ${c}`);
      return {
        records: erased[0].n,
        identities: gone[0].n,
        couponsVoided: voided[0].n,
        pointsForfeited: Math.max(balance.n, 0),
        ordersKept: kept[0].n,
        quarantineErased: quarantine[0].n,
      };
    },

    async rememberPhones(v: { customerId: string; digests: string[]; hadNewMemberCoupon: boolean; now: Date }) {
      for (const digest of v.digests) {
        await conn.execute(sql`insert into closed_member_phones (customer_id, phone_digest, had_new_member_coupon, closed_at)
          values (${v.customerId}, ${digest}, ${v.hadNewMemberCoupon}, ${v.now.toISOString()}::timestamptz)
          on conflict do nothing`);
      }
    },
  };
}

/**
 * Whether a person who closed an account with one of these (the digests of a phone and of WeChat ids:
 * phone-digest.ts) had had their new-member coupon.
 */
export async function closedHadNewMemberCoupon(conn: Db | Tx, digests: readonly string[]): Promise<boolean> {
  if (digests.length === 0) return false;
  const r = await rows<{ yes: boolean }>(
    conn,
    sql`select exists (select 1 from closed_member_phones
      where phone_digest in (select jsonb_array_elements_text(${JSON.stringify(digests)}::jsonb))
        and had_new_member_coupon) as yes`,
  );
  return r[0]?.yes === true;
}

export interface ClosableRow {
  customer_id: string;
  display_name: string | null;
  real_name: string | null;
  registered_at: string | null;
  home_store: string | null;
  pos_cards: number;
  mall_accounts: number;
  wecom_contacts: number;
  points: number;
  coupons: number;
  last_active: string | null;
}

/**
 * The active customers holding a phone (on a record, or as an identity), for a store manager closing an account at
 * the store: a family phone can be several people, so all of them, each with what tells them apart (how many store
 * cards, mall accounts and WeCom contacts: counts, never the identifiers).
 */
export async function closableOnPhone(conn: Db | Tx, phone: string, now: Date, limit: number): Promise<ClosableRow[]> {
  return rows<ClosableRow>(
    conn,
    sql`with holders as (
          select coalesce(c.merged_into, c.id) as id from source_records r join customers c on c.id = r.customer_id
          where r.phone = ${phone}
          union
          select coalesce(c.merged_into, c.id) from identities i join customers c on c.id = i.customer_id
          where i.kind = 'phone' and i.value = ${phone}
        )
        select c.id as customer_id, c.display_name,
          (select r.name from source_records r where r.customer_id = c.id and r.name_kind = 'real'
            order by r.last_active desc nulls last, r.id limit 1) as real_name,
          c.registered_at::text as registered_at, s.name as home_store,
          held.pos_cards, held.mall_accounts, held.wecom_contacts, held.last_active,
          (select coalesce(sum(points), 0)::int from points_ledger p where p.customer_id = c.id) as points,
          (select count(*)::int from coupons k where k.customer_id = c.id and k.status = 'available'
             and k.valid_until > ${now.toISOString()}::timestamptz) as coupons
        from customers c join holders h on h.id = c.id left join stores s on s.id = c.home_store_id
        cross join lateral (
          select count(*) filter (where r.source = 'pos')::int as pos_cards,
            count(*) filter (where r.source = 'mall')::int as mall_accounts,
            count(*) filter (where r.source = 'wecom')::int as wecom_contacts,
            -- when the person was last seen: a record's last use as the linker reads it (the date sent, or a sale
            -- on the card since), or a sale of the member's own (by member code, at the counter)
            greatest(max(${lastActiveSql('r')}),
              (select (max(o.ordered_at) at time zone 'Asia/Shanghai')::date from orders o
                where o.customer_id = c.id and o.kind = 'sale' and o.refunded_at is null))::text as last_active
          from source_records r where r.customer_id = c.id
        ) held
        where c.status = 'active'
        order by c.registered_at desc nulls last, c.id
        limit ${limit}`,
  );
}
