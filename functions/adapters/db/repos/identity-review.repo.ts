/** Reads and decisions of the review queues (held matches, merge suggestions) and the integration-health view. */
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../client.js';
import { rows } from './identity.repo.js';

type Conn = Db | Tx;

export interface RecordRowView {
  record_id: string;
  customer_id: string;
  source: string;
  source_id: string;
  store_name: string | null;
  name: string | null;
  birthday: string | null;
  gender: string;
  phone: string | null;
  district: string | null;
  last_active: string | null;
}

const RECORD_VIEW = sql.raw(`r.id as record_id, r.customer_id, r.source, r.source_id, s.name as store_name, r.name,
  r.birthday::text as birthday, r.gender, r.phone, coalesce(r.district, s.district) as district,
  r.last_active::text as last_active`);

export function createIdentityReviewRepo(conn: Conn) {
  return {
    /** Open holds of POS cards against this customer: what the member may confirm. */
    async heldMatchesOf(customerId: string) {
      return rows<{ id: string; card: string; store_name: string | null }>(
        conn,
        sql`select h.id, r.source_id as card, s.name as store_name
            from held_links h join source_records r on r.id = h.record_id left join stores s on s.id = r.store_id
            join customers c on c.id = h.candidate_customer_id
            where coalesce(c.merged_into, c.id) = ${customerId} and h.status = 'open' and r.source = 'pos'
              and r.customer_id <> ${customerId}
            order by h.created_at, h.id`,
      );
    },

    async heldLink(id: string) {
      const r = await rows<{
        id: string;
        record_id: string;
        candidate: string;
        status: string;
        record_customer: string;
        source: string;
        source_id: string;
      }>(
        conn,
        sql`select h.id, h.record_id, coalesce(c.merged_into, c.id) as candidate, h.status, r.customer_id as record_customer,
              r.source, r.source_id
            from held_links h join customers c on c.id = h.candidate_customer_id join source_records r on r.id = h.record_id
            where h.id = ${id} for update of h`,
      );
      return r[0] ?? null;
    },

    async decideHeld(id: string, status: 'confirmed' | 'rejected', by: string, mergeId: string | null, now: Date) {
      await conn.execute(sql`update held_links set status = ${status}, decided_by = ${by}, decided_at = ${now.toISOString()}::timestamptz,
        merge_id = ${mergeId} where id = ${id}`);
    },

    /** The member confirmed the card: its phone is now as good as verified. */
    async verifyRecordPhone(source: string, sourceId: string) {
      await conn.execute(
        sql`update source_records set phone_verified = true where source = ${source} and source_id = ${sourceId} and phone is not null`,
      );
      await conn.execute(
        sql`update identities set verified = true where source = ${source} and source_id = ${sourceId} and kind = 'phone'`,
      );
    },

    async suggestions(storeIds: readonly string[] | null, limit = 50) {
      return rows<{ id: string; store_id: string | null; created_at: string } & Record<string, unknown>>(
        conn,
        sql`select g.id, g.store_id, g.created_at::text as created_at,
              to_jsonb(a) as a, to_jsonb(b) as b
            from merge_suggestions g
            cross join lateral (select ${RECORD_VIEW} from source_records r left join stores s on s.id = r.store_id where r.id = g.record_a) a
            cross join lateral (select ${RECORD_VIEW} from source_records r left join stores s on s.id = r.store_id where r.id = g.record_b) b
            where g.status = 'open' and a.customer_id <> b.customer_id
              and (${storeIds === null} or g.store_id in (select jsonb_array_elements_text(${JSON.stringify(storeIds ?? [])}::jsonb)))
            order by g.created_at, g.id limit ${limit}`,
      );
    },

    async suggestion(id: string) {
      const r = await rows<{
        id: string;
        status: string;
        store_id: string | null;
        region_id: string | null;
        a_customer: string;
        b_customer: string;
        record_a: string;
        record_b: string;
      }>(
        conn,
        sql`select g.id, g.status, g.store_id, s.region_id, ra.customer_id as a_customer, rb.customer_id as b_customer,
              g.record_a, g.record_b
            from merge_suggestions g left join stores s on s.id = g.store_id
            join source_records ra on ra.id = g.record_a join source_records rb on rb.id = g.record_b
            where g.id = ${id}`,
      );
      return r[0] ?? null;
    },

    async decideSuggestion(
      id: string,
      status: 'confirmed' | 'rejected',
      by: string,
      mergeId: string | null,
      now: Date,
    ) {
      await conn.execute(sql`update merge_suggestions set status = ${status}, decided_by = ${by},
        decided_at = ${now.toISOString()}::timestamptz, merge_id = ${mergeId} where id = ${id}`);
    },

    async storesOfRegion(regionId: string): Promise<string[]> {
      const r = await rows<{ id: string }>(conn, sql`select id from stores where region_id = ${regionId}`);
      return r.map((x) => x.id);
    },

    async storeRegion(storeId: string): Promise<string | null> {
      const r = await rows<{ region_id: string }>(conn, sql`select region_id from stores where id = ${storeId}`);
      return r[0]?.region_id ?? null;
    },

    async health(now: Date) {
      const since = new Date(now.getTime() - 86_400_000).toISOString();
      const sources = await rows<{
        source: string;
        last_ok_at: string | null;
        last_failure_at: string | null;
        last_error: string | null;
        calls: number;
        failures: number;
        rejected: number;
      }>(
        conn,
        sql`select l.source,
              max(l.at) filter (where l.status <> 'failed')::text as last_ok_at,
              max(l.at) filter (where l.status <> 'ok')::text as last_failure_at,
              (select e.error from integration_log e where e.source = l.source and e.error is not null order by e.at desc limit 1) as last_error,
              count(*) filter (where l.at >= ${since}::timestamptz)::int as calls,
              count(*) filter (where l.at >= ${since}::timestamptz and l.status = 'failed')::int as failures,
              coalesce(sum(l.rejected) filter (where l.at >= ${since}::timestamptz), 0)::int as rejected
            from integration_log l group by l.source order by l.source`,
      );
      const [counts] = await rows<{ quarantined: number; holds: number; suggestions: number }>(
        conn,
        sql`select (select count(*)::int from ingest_quarantine where resolved_at is null) as quarantined,
              (select count(distinct record_id)::int from held_links where status = 'open') as holds,
              (select count(*)::int from merge_suggestions where status = 'open') as suggestions`,
      );
      return { sources, counts };
    },
  };
}
