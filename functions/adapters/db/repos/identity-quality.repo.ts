/**
 * The data-quality report per source: one pass over source_records (three GROUP BYs) and the few identities that
 * are not valid, and one over orders. A record's phone is in exactly one class: valid (source_records.phone holds the usable canonical
 * number), else blocked or invalid (an identity of that record flagged so: a placeholder or store phone, or not a
 * mainland mobile), else missing. Emails alike. The same pass counts the POS records per store (grouping sets). At
 * 10^6 members it takes seconds, so reports are stored
 * (data_quality_reports) and read from there.
 */
import { sql } from 'drizzle-orm';
import type { PhoneProblem, SourceQuality, StoreQuality } from '../../../../shared/contracts/identity.js';
import type { Db, Tx } from '../client.js';
import { rows } from './identity.repo.js';

type Conn = Db | Tx;

/**
 * Sources whose records a store's staff type in at the counter: their report also has a line per store, so HQ sees
 * which store's clerks type placeholders or leave the phone out (the mini-program's phones are WeChat's, the mall
 * has no store).
 */
export const STORE_TYPED_SOURCES: readonly string[] = ['pos'];

interface QualityRow {
  source: string;
  /** null in a source's total line (and in the line of a source's records without a store) */
  store_id: string | null;
  total: boolean;
  store_name: string | null;
  region_name: string | null;
  records: number;
  phone_valid: number;
  phone_blocked: number;
  phone_invalid: number;
  phone_verified: number;
  email_valid: number;
  email_invalid: number;
  real_name: number;
  birthday: number;
  gender: number;
  city: number;
  store: number;
  last_active: number;
  shared_phone: number;
  same_customer: number;
}

/** Each record in exactly one class; the rest of the records have no phone at all. */
const phoneClasses = (q: QualityRow) => ({
  valid: q.phone_valid,
  invalid: q.phone_invalid,
  blocked: q.phone_blocked,
  missing: q.records - q.phone_valid - q.phone_invalid - q.phone_blocked,
});

export interface StoredReport {
  computedAt: string;
  computedBy: string;
  computedByName: string | null;
  durationMs: number;
  sources: SourceQuality[];
}

export function createIdentityQualityRepo(conn: Conn) {
  return {
    async compute(): Promise<SourceQuality[]> {
      const r = await rows<QualityRow>(
        conn,
        sql`with flagged as (
              select source, source_id,
                bool_or(kind = 'phone' and quality = 'blocked') as phone_blocked,
                bool_or(kind = 'phone' and quality = 'invalid') as phone_invalid,
                bool_or(kind = 'email' and quality = 'invalid') as email_invalid
              from identities where quality <> 'valid' and kind in ('phone', 'email')
              group by source, source_id
            ), per as (
              select r.source, r.store_id, grouping(r.store_id) = 1 as total, count(*)::int as records,
                count(r.phone)::int as phone_valid,
                count(*) filter (where r.phone is null and f.phone_blocked)::int as phone_blocked,
                count(*) filter (where r.phone is null and not coalesce(f.phone_blocked, false)
                  and f.phone_invalid)::int as phone_invalid,
                count(*) filter (where r.phone is not null and r.phone_verified)::int as phone_verified,
                count(r.email)::int as email_valid,
                count(*) filter (where r.email is null and f.email_invalid)::int as email_invalid,
                count(*) filter (where r.name_kind = 'real')::int as real_name,
                count(r.birthday)::int as birthday,
                count(*) filter (where r.gender <> 'unknown')::int as gender,
                count(r.city)::int as city,
                count(r.store_id)::int as store,
                count(r.last_active)::int as last_active
              from source_records r left join flagged f on f.source = r.source and f.source_id = r.source_id
              where r.erased_at is null
              group by grouping sets ((r.source), (r.source, r.store_id))
            ), shared_phone as (
              select source, sum(n) filter (where n > 1) as n
              from (select source, phone, count(*) as n from source_records where phone is not null
                    group by source, phone) g
              group by source
            ), same_customer as (
              select source, sum(n) filter (where n > 1) as n
              from (select source, customer_id, count(*) as n from source_records where erased_at is null
                    group by source, customer_id) g
              group by source
            )
            select per.*, coalesce(sp.n, 0)::int as shared_phone, coalesce(sc.n, 0)::int as same_customer,
              st.name as store_name, rg.name as region_name
            from per left join shared_phone sp using (source) left join same_customer sc using (source)
              left join stores st on st.id = per.store_id left join regions rg on rg.id = st.region_id
            where per.total or (per.source in (${sql.join(
              STORE_TYPED_SOURCES.map((x) => sql`${x}`),
              sql`, `,
            )}) and per.store_id is not null)
            order by per.source, per.store_id`,
      );
      const storesOf = new Map<string, StoreQuality[]>();
      for (const q of r) {
        if (q.total || q.store_id === null) continue;
        const list = storesOf.get(q.source) ?? [];
        list.push({
          storeId: q.store_id,
          storeName: q.store_name ?? q.store_id,
          regionName: q.region_name,
          records: q.records,
          phones: phoneClasses(q),
          realName: q.real_name,
          birthday: q.birthday,
        });
        storesOf.set(q.source, list);
      }
      // the orders side: one pass over orders (no lines), grouped by source
      const orderFigures = await rows<{ source: string; total: number; without_member: number; waiting: number }>(
        conn,
        sql`select source, count(*)::int as total,
              count(*) filter (where member_source_id is null)::int as without_member,
              count(*) filter (where customer_id is null and member_source_id is not null)::int as waiting
            from orders group by source`,
      );
      const ordersOf = new Map(
        orderFigures.map((o) => [
          o.source,
          { total: o.total, withoutMember: o.without_member, waitingForMember: o.waiting },
        ]),
      );
      return r
        .filter((q) => q.total)
        .map((q) => ({
          source: q.source,
          records: q.records,
          phones: { ...phoneClasses(q), verified: q.phone_verified },
          emails: {
            valid: q.email_valid,
            invalid: q.email_invalid,
            missing: q.records - q.email_valid - q.email_invalid,
          },
          duplicates: { sharedPhone: q.shared_phone, sameCustomer: q.same_customer },
          completeness: {
            realName: q.real_name,
            birthday: q.birthday,
            gender: q.gender,
            city: q.city,
            store: q.store,
            lastActive: q.last_active,
          },
          ...(STORE_TYPED_SOURCES.includes(q.source) ? { stores: storesOf.get(q.source) ?? [] } : {}),
          ...(ordersOf.has(q.source) ? { orders: ordersOf.get(q.source) } : {}),
        }));
    },

    /** Serialises computations (concurrent refreshes wait for the one running, then find its report). */
    async lockComputation(): Promise<void> {
      await conn.execute(sql`select pg_advisory_xact_lock(hashtextextended('data-quality-report', 0))`);
    },

    async insert(report: {
      id: string;
      computedAt: Date;
      computedBy: string;
      durationMs: number;
      sources: SourceQuality[];
    }) {
      await conn.execute(
        sql`insert into data_quality_reports (id, computed_at, computed_by, duration_ms, sources)
            values (${report.id}, ${report.computedAt.toISOString()}::timestamptz, ${report.computedBy},
              ${report.durationMs}, ${JSON.stringify(report.sources)}::jsonb)`,
      );
    },

    async staffName(staffId: string): Promise<string | null> {
      const r = await rows<{ name: string }>(conn, sql`select name from staff where id = ${staffId}`);
      return r[0]?.name ?? null;
    },

    /**
     * One store's POS records whose phone is of one unusable class (the report's classes: blocked before invalid,
     * missing when no phone identity is flagged), in id order after `after`, at most `limit`; with the typed value
     * and, for a value on the blocked list, its reason (a placeholder or a store's phone is flagged at ingest and
     * need not be listed). The partial index on phone-less POS records keeps this to a few percent of them.
     */
    async problemRecords(storeId: string, problem: PhoneProblem, after: string | null, limit: number) {
      return rows<{
        id: string;
        source_id: string;
        name: string | null;
        last_active: string | null;
        created_at: string;
        raw_value: string | null;
        value: string | null;
        blocked: boolean;
        reason: string | null;
      }>(
        conn,
        sql`select r.id, r.source_id, r.name, r.last_active::text as last_active, r.created_at, p.raw_value, p.value,
              coalesce(p.quality = 'blocked', false) as blocked, b.reason
            from source_records r
            left join lateral (
              select i.raw_value, i.quality, i.value from identities i
              where i.source = r.source and i.source_id = r.source_id and i.kind = 'phone' and i.quality <> 'valid'
              order by (i.quality = 'blocked') desc limit 1
            ) p on true
            left join blocked_values b on p.quality = 'blocked' and b.kind = 'phone' and b.value = p.value
            where r.source = 'pos' and r.phone is null and r.store_id = ${storeId} and r.erased_at is null
              and (${after}::text is null or r.id > ${after}::text)
              and coalesce(p.quality, 'missing') = ${problem}
            order by r.id limit ${limit}`,
      );
    },

    /** The stores of a scope (one store, a region, or all when both are null), by code, with their region's name. */
    async storesIn(scope: { storeId: string | null; regionId: string | null }) {
      const where = scope.storeId
        ? sql`where s.id = ${scope.storeId}`
        : scope.regionId
          ? sql`where s.region_id = ${scope.regionId}`
          : sql``;
      return rows<{ id: string; code: string; name: string; region_name: string | null }>(
        conn,
        sql`select s.id, s.code, s.name, r.name as region_name from stores s left join regions r on r.id = s.region_id
            ${where} order by s.code`,
      );
    },

    /** The latest `limit` reports, newest first, with the name of the staff member who asked. */
    async latest(limit: number): Promise<StoredReport[]> {
      const r = await rows<{
        computed_at: string;
        computed_by: string;
        name: string | null;
        duration_ms: number;
        sources: SourceQuality[] | string;
      }>(
        conn,
        sql`select q.computed_at::text, q.computed_by, s.name, q.duration_ms, q.sources
            from data_quality_reports q left join staff s on s.id = q.computed_by
            order by q.computed_at desc, q.id desc limit ${limit}`,
      );
      return r.map((x) => ({
        computedAt: new Date(x.computed_at).toISOString(),
        computedBy: x.computed_by,
        computedByName: x.name,
        durationMs: x.duration_ms,
        sources: typeof x.sources === 'string' ? (JSON.parse(x.sources) as SourceQuality[]) : x.sources,
      }));
    },
  };
}
