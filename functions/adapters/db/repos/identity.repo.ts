/**
 * Source records, identities, merges, holds and suggestions. Batches travel as ONE jsonb parameter expanded by
 * jsonb_to_recordset: drizzle would spread a JS array into a parameter list, and one parameter keeps a 5,000-row
 * batch a single round trip on both drivers. Everything runs on the Db or Tx passed in, so an ingest is one
 * transaction.
 */

import { type SQL, sql } from 'drizzle-orm';
import { LINK_LIMITS, type RecordFacts } from '../../../../shared/identity/link.rules.js';
import type { NormalizedRecord } from '../../../../shared/identity/record.js';
import { newId } from '../../ids.js';
import type { Db, Tx } from '../client.js';
import { MERGE_HOOKS, MERGE_STEPS } from './merge-steps.js';

type Conn = Db | Tx;

export interface PreparedRecord {
  recordId: string;
  customerId: string;
  storeId: string | null;
  record: NormalizedRecord;
  payload: Record<string, unknown>;
  payloadHash: string;
}

export type UpsertStatus = 'created' | 'updated' | 'unchanged';

export interface UpsertOutcome {
  sourceId: string;
  recordId: string;
  customerId: string;
  status: UpsertStatus;
}

export interface GroupRecord extends RecordFacts {
  customerId: string;
}

export interface RecordRow extends GroupRecord {
  phone: string | null;
  source: string;
  sourceId: string;
  storeId: string | null;
}

export interface MergeInput {
  id: string;
  survivorId: string;
  mergedId: string;
  rule: string;
  evidence: Record<string, unknown>;
  actorKind: 'system' | 'staff' | 'member';
  actorId: string;
  now: Date;
}

export async function rows<T = Record<string, unknown>>(conn: Conn, query: SQL): Promise<T[]> {
  const result = (await conn.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;

export interface StrongMatch {
  kind: string;
  value: string;
  sharedBy: number;
  recordId: string;
  customerId: string;
  blocked: boolean;
}

/** weak matches read for one record at most: each becomes a suggestion for a person to decide */
export const WEAK_MATCH_LIMIT = 20;

export interface WeakMatch {
  recordId: string;
  customerId: string;
  storeId: string | null;
}

export interface LinkFacts {
  record: RecordRow;
  group: GroupRecord[];
  strong: StrongMatch[];
  weak: WeakMatch[];
  /** customer id → its place in survivorOf's order (1 first) among the customers above */
  survivorRank: ReadonlyMap<string, number>;
  /** pairs of the customers above and of the weak matches that HQ keeps apart (identity_separations): usually none */
  apart: [string, string][];
}

/**
 * The live separations between customers of a set, as pairs of customer ids (`ids`: an SQL set of ids), leaving out
 * the separation `except`: the one definition of customers HQ keeps apart, for the linker and the review queues.
 * Its aliases (ks, ka, kb) are its own, so that `ids` may name the outer query's columns.
 */
export const keptApartSql = (ids: SQL, except: string | null = null) =>
  sql`select ka.customer_id as a, kb.customer_id as b
      from identity_separations ks join source_records ka on ka.id = ks.record_a join source_records kb on kb.id = ks.record_b
      where ks.lifted_at is null and ks.id is distinct from ${except}
        and ka.customer_id <> kb.customer_id and ka.customer_id in (${ids}) and kb.customer_id in (${ids})`;

/** the chain's day of a sale (a timestamptz expression) */
const saleDay = (at: string) => `(${at} at time zone 'Asia/Shanghai')::date`;

/** the sales a card's last activity counts (orders_member_sales_idx holds exactly the ones given to a card) */
const COUNTED_SALE = `la.kind = 'sale' and la.refunded_at is null`;

/**
 * A record's last activity, a date in the chain's day: the later of the date its source sent (`last_active`, the
 * till's or the export's 最近消费日期) and its last sale on record, a sale its source gave to it (`member_source_id`:
 * a till's sale on the card, its history through the order API or a file, before or after the record itself came).
 * Null when neither is known: unknown, which is not dormant. A sale refunded whole does not count (it counts towards
 * nothing else either), nor an imported return, nor a sale by member code (the member's, not the card's).
 *
 * The one definition of "last used": the linkers' dormancy (incremental, through RecordFacts.lastActive, and bulk),
 * the offer to the member, and what the member and the stores are shown. Read where it is needed rather than
 * written back onto last_active: last_active stays what the source sent (a re-sync overwrites it, and the data
 * quality report counts it), and a void, a late history import or an old date sent again can never leave it stale.
 * One probe of orders_member_sales_idx per record. `r`: the alias of a source_records row in the calling query.
 * For every record at once, lastSalesSql and lastActiveFromSql say the same.
 */
export const lastActiveSql = (r: string): SQL =>
  sql.raw(`greatest(${r}.last_active, (select ${saleDay('max(la.ordered_at)')} from orders la
    where la.source = ${r}.source and la.member_source_id = ${r}.source_id and ${COUNTED_SALE}))`);

/**
 * lastActiveSql's last sale for every card and account at once: a relation of (`source`, `member_source_id`,
 * `ordered_at`), the last counted sale of each, to be left-joined on a record's (source, source_id) and read by
 * lastActiveFromSql (keys absent from it have no such sale); for a job that reads every record's last activity (the
 * bulk linker), one pass over the sales instead of a probe per record. Two plans of the same rows:
 * - `index`: orders_member_sales_idx in its own order, backward, the first row of each card kept (an index-only scan:
 *   no hashing, no sort). Fast only where the table's pages are all-visible (vacuumed): elsewhere every entry fetches
 *   its heap row, in index order (8.5 million orders just loaded: 44-47 s, against 22-25 s of probes; INDEX_ONLY_SHARE);
 * - `scan`: a sequential scan of orders, hashed by card (spilling to disk beyond work_mem), whatever the table's state.
 */
export const lastSalesSql = (plan: 'index' | 'scan'): SQL =>
  sql.raw(
    plan === 'index'
      ? `select distinct on (la.source, la.member_source_id) la.source, la.member_source_id, la.ordered_at
          from orders la where la.member_source_id is not null and ${COUNTED_SALE}
          order by la.source desc, la.member_source_id desc, la.ordered_at desc`
      : `select la.source, la.member_source_id, max(la.ordered_at) as ordered_at
          from orders la where la.member_source_id is not null and ${COUNTED_SALE}
          group by la.source, la.member_source_id`,
  );

/**
 * lastActiveSql(r) where `s` is record `r`'s row of lastSalesSql, left-joined (null when the card has no counted
 * sale): the same date.
 */
export const lastActiveFromSql = (r: string, s: string): SQL =>
  sql.raw(`greatest(${r}.last_active, ${saleDay(`${s}.ordered_at`)})`);

/** Whether a last activity (lastActiveSql's date) is dormant on `today`: isDormant; never when it is unknown. */
export const dormantOnSql = (lastActive: SQL, today: string, days: number = LINK_LIMITS.dormantDays): SQL =>
  sql`coalesce(${lastActive} < ${today}::date - ${days}::int, false)`;

/**
 * Whether record `r` is dormant on `today` (YYYY-MM-DD): last used (lastActiveSql) more than `days` before it, as
 * `isDormant` says of RecordFacts.lastActive; never when its last activity is unknown.
 */
export const dormantSql = (r: string, today: string, days: number = LINK_LIMITS.dormantDays): SQL =>
  dormantOnSql(lastActiveSql(r), today, days);

/** The linker's reads, each a statement over an expression for its key (a parameter, or a column of an outer row). */
const recordFactsSql = (recordId: SQL) =>
  sql`select r.id as "recordId", r.customer_id as "customerId", r.name, r.name_key as "nameKey", r.name_kind as "nameKind", r.surname,
        r.birthday::text as birthday, r.gender, ${lastActiveSql('r')}::text as "lastActive", r.phone_verified as "phoneVerified",
        coalesce(r.district, s.district) as district, r.phone, r.source, r.source_id as "sourceId",
        r.store_id as "storeId"
      from source_records r left join stores s on s.id = r.store_id where r.id = ${recordId}`;

const phoneGroupSql = (phone: SQL, limit: number, unlessBlocked: boolean) =>
  sql`select r.id as "recordId", r.customer_id as "customerId", r.name, r.name_key as "nameKey", r.name_kind as "nameKind",
        r.surname, r.birthday::text as birthday, r.gender, ${lastActiveSql('r')}::text as "lastActive",
        r.phone_verified as "phoneVerified", r.district
      from source_records r where r.phone = ${phone}
        ${unlessBlocked ? sql`and not exists (select 1 from blocked_values b where b.kind = 'phone' and b.value = ${phone})` : sql``}
      order by id limit ${limit + 1}`;

const strongMatchesSql = (source: SQL, sourceId: SQL) =>
  sql`with mine as (
        select kind, value, verified from identities
        where source = ${source} and source_id = ${sourceId} and quality = 'valid'
          and (kind in ('unionid','openid','pos_card','mall_account','wecom_id') or (kind = 'phone' and verified))
      ),
      other as (
        select i.kind, i.value, r.id as record_id, r.customer_id
        from mine m join identities i on i.kind = m.kind and i.value = m.value
          and (m.kind <> 'phone' or i.verified) and i.quality = 'valid'
        join source_records r on r.source = i.source and r.source_id = i.source_id
      )
      select kind, value, count(*) over (partition by kind, value)::int as "sharedBy", record_id as "recordId",
        customer_id as "customerId",
        exists (select 1 from blocked_values b where b.kind = other.kind and b.value = other.value) as blocked
      from other`;

const weakMatchesSql = (recordId: SQL) =>
  sql`with me as (
        select r.id, r.customer_id, r.name, r.birthday, coalesce(r.district, s.district) as district
        from source_records r left join stores s on s.id = r.store_id
        where r.id = ${recordId} and r.name_kind = 'real' and r.birthday is not null
      )
      select o.id as "recordId", o.customer_id as "customerId", o.store_id as "storeId"
      from me join source_records o on o.name = me.name and o.birthday = me.birthday and o.customer_id <> me.customer_id
      left join stores s on s.id = o.store_id
      where coalesce(o.district, s.district) = me.district
      limit ${WEAK_MATCH_LIMIT}`;
const iso = (d: Date | string | null) => (d === null ? null : typeof d === 'string' ? d : d.toISOString());

/** One row of the integration log: a batch in, or one call in or out. */
export interface IntegrationLogEntry {
  at: Date;
  source: string;
  direction: 'inbound' | 'outbound';
  operation: string;
  keyId: string | null;
  storeId: string | null;
  status: 'ok' | 'partial' | 'failed';
  /** the slowest of the calls the row stands for */
  latencyMs: number;
  /** calls the row stands for (default 1): the call log folds alike calls of one period into one row */
  calls?: number;
  records: number;
  accepted: number;
  rejected: number;
  error: string | null;
  requestId: string | null;
  summary: Record<string, unknown> | null;
}

/** Integration-log entries in one INSERT (a batch's row, or the call log's flush of many calls). */
export async function insertIntegrationLog(conn: Conn, entries: readonly IntegrationLogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rowsJson = entries.map((e) => ({
    at: iso(e.at),
    source: e.source,
    direction: e.direction,
    operation: e.operation,
    key_id: e.keyId,
    store_id: e.storeId,
    status: e.status,
    latency_ms: Math.round(e.latencyMs),
    calls: e.calls ?? 1,
    records: e.records,
    accepted: e.accepted,
    rejected: e.rejected,
    error: e.error,
    request_id: e.requestId,
    summary: e.summary,
  }));
  await conn.execute(sql`insert into integration_log (at, source, direction, operation, key_id, store_id, status,
      latency_ms, calls, records, accepted, rejected, error, request_id, summary)
    select * from jsonb_to_recordset(${json(rowsJson)}) as t(at timestamptz, source text, direction text,
      operation text, key_id text, store_id text, status text, latency_ms int, calls int, records int, accepted int,
      rejected int, error text, request_id text, summary jsonb)`);
}

/**
 * Whether a live merge brought the record to its customer: such a record leaves again when HQ undoes that merge, so
 * it does not stand for its customer in a separation (a separation kept through it would follow it to another
 * person). Found through the moves' row index.
 */
const broughtByLiveMerge = (recordId: SQL) =>
  sql`exists (select 1 from identity_merge_moves mv join identity_merges mm on mm.id = mv.merge_id
    where mv.table_name = 'source_records' and mv.row_id = ${recordId} and mm.undone_at is null)`;

export function createIdentityRepo(conn: Conn) {
  /**
   * Inserts the records' identities; one the record already has (same kind, value, source and source id) keeps its
   * row and id, refreshed. A new record's ids derive from its record id; an updated record's new identities get
   * fresh ids (`fresh`), since the derived ones may belong to its kept identities.
   */
  async function insertIdentities(
    prepared: readonly PreparedRecord[],
    customerOf: Map<string, string>,
    now: Date,
    opts: { fresh?: boolean } = {},
  ) {
    const items = prepared.flatMap((p, pi) =>
      p.record.identifiers.map((i, ii) => ({
        id: opts.fresh
          ? newId('idn', now.getTime())
          : `idn_${p.recordId.slice(4)}${String.fromCharCode(97 + (ii % 26))}${ii >= 26 ? ii : ''}`,
        customer_id: customerOf.get(p.recordId) ?? p.customerId,
        kind: i.kind,
        value: i.value,
        raw_value: i.raw,
        verified: i.verified,
        quality: i.quality,
        source: p.record.source,
        source_id: p.record.sourceId,
        n: pi,
      })),
    );
    if (items.length === 0) return;
    await conn.execute(sql`
      insert into identities (id, customer_id, kind, value, raw_value, verified, quality, source, source_id, last_seen_at, created_at)
      select id, customer_id, kind, value, raw_value, verified, quality, source, source_id, ${iso(now)}::timestamptz, ${iso(now)}::timestamptz
      from jsonb_to_recordset(${json(items)}) as t(id text, customer_id text, kind text, value text, raw_value text,
        verified boolean, quality text, source text, source_id text, n int)
      on conflict (kind, value, source, source_id) do update set last_seen_at = excluded.last_seen_at,
        customer_id = excluded.customer_id, verified = excluded.verified, quality = excluded.quality,
        raw_value = excluded.raw_value`);
  }

  const recordJson = (p: PreparedRecord) => ({
    id: p.recordId,
    customer_id: p.customerId,
    store_id: p.storeId,
    name: p.record.name,
    name_kind: p.record.nameKind,
    surname: p.record.surname,
    name_key: p.record.nameKey,
    birthday: p.record.birthday,
    gender: p.record.gender,
    phone: p.record.phone,
    phone_verified: p.record.phoneVerified,
    email: p.record.email,
    province: p.record.province,
    city: p.record.city,
    district: p.record.district,
    last_active: p.record.lastActive,
    payload: p.payload,
    payload_hash: p.payloadHash,
    source_id: p.record.sourceId,
  });
  const RECORD_COLUMNS =
    sql.raw(`t(id text, customer_id text, store_id text, name text, name_kind text, surname text, name_key text,
    birthday date, gender text, phone text, phone_verified boolean, email text, province text, city text,
    district text, last_active date, payload jsonb, payload_hash text, source_id text)`);

  return {
    async storePhones(): Promise<string[]> {
      const r = await rows<{ phone: string }>(conn, sql`select phone from stores where phone is not null`);
      return r.map((x) => x.phone);
    },

    /** The stores by code and their counter phones (blocked for linking), in one read. */
    /** Of these source ids, the ones whose record belongs to a store other than `storeId`. */
    async recordsOfOtherStores(source: string, sourceIds: readonly string[], storeId: string): Promise<Set<string>> {
      if (sourceIds.length === 0) return new Set();
      const r = await rows<{ source_id: string }>(
        conn,
        sql`select r.source_id from source_records r
            join jsonb_array_elements_text(${json(sourceIds)}) s(v) on s.v = r.source_id
            where r.source = ${source} and r.store_id is not null and r.store_id <> ${storeId}`,
      );
      return new Set(r.map((x) => x.source_id));
    },

    async stores(): Promise<{ byCode: Map<string, { id: string; name: string }>; phones: string[] }> {
      const r = await rows<{ id: string; code: string; name: string; phone: string | null }>(
        conn,
        sql`select id, code, name, phone from stores`,
      );
      return {
        byCode: new Map(r.map((x) => [x.code, { id: x.id, name: x.name }])),
        phones: r.flatMap((x) => (x.phone === null ? [] : [x.phone])),
      };
    },

    /**
     * Inserts new records (each with its own new customer), updates changed ones (the replaced payload kept as a
     * revision, identities rewritten), leaves byte-identical replays alone. All records share one source.
     */
    async upsertRecords(source: string, prepared: readonly PreparedRecord[], now: Date): Promise<UpsertOutcome[]> {
      if (prepared.length === 0) return [];
      const existing = await rows<{ id: string; source_id: string; payload_hash: string; customer_id: string }>(
        conn,
        sql`select r.id, r.source_id, r.payload_hash, r.customer_id from source_records r
            join jsonb_array_elements_text(${json(prepared.map((p) => p.record.sourceId))}) s(v) on s.v = r.source_id
            where r.source = ${source}`,
      );
      const bySourceId = new Map(existing.map((e) => [e.source_id, e]));
      const created: PreparedRecord[] = [];
      const changed: PreparedRecord[] = [];
      const outcomes: UpsertOutcome[] = [];
      const customerOf = new Map<string, string>();
      for (const p of prepared) {
        const e = bySourceId.get(p.record.sourceId);
        if (!e) {
          created.push(p);
          outcomes.push({
            sourceId: p.record.sourceId,
            recordId: p.recordId,
            customerId: p.customerId,
            status: 'created',
          });
        } else if (e.payload_hash === p.payloadHash) {
          outcomes.push({
            sourceId: p.record.sourceId,
            recordId: e.id,
            customerId: e.customer_id,
            status: 'unchanged',
          });
        } else {
          const q = { ...p, recordId: e.id, customerId: e.customer_id };
          changed.push(q);
          customerOf.set(e.id, e.customer_id);
          outcomes.push({ sourceId: p.record.sourceId, recordId: e.id, customerId: e.customer_id, status: 'updated' });
        }
      }
      if (created.length > 0) {
        const recs = created.map(recordJson);
        await conn.execute(sql`
          with t as (select * from jsonb_to_recordset(${json(recs)}) as ${RECORD_COLUMNS}),
          c as (
            insert into customers (id, display_name, gender, birthday, home_store_id, created_at, updated_at)
            select customer_id, name, gender, birthday, store_id, ${iso(now)}::timestamptz, ${iso(now)}::timestamptz from t
            returning 1
          )
          insert into source_records (id, source, source_id, customer_id, origin_customer_id, store_id, name, name_kind,
            surname, name_key, birthday, gender, phone, phone_verified, email, province, city, district, last_active, payload,
            payload_hash, created_at, updated_at)
          select id, ${source}, source_id, customer_id, customer_id, store_id, name, name_kind, surname, name_key, birthday, gender,
            phone, phone_verified, email, province, city, district, last_active, payload, payload_hash,
            ${iso(now)}::timestamptz, ${iso(now)}::timestamptz
          from t`);
        await insertIdentities(created, customerOf, now);
      }
      if (changed.length > 0) {
        const recs = changed.map(recordJson);
        const ids = changed.map((p) => p.recordId);
        await conn.execute(sql`
          insert into source_record_revisions (record_id, payload, replaced_at)
          select r.id, r.payload, ${iso(now)}::timestamptz from source_records r
          join jsonb_array_elements_text(${json(ids)}) s(v) on s.v = r.id`);
        await conn.execute(sql`
          update source_records r set store_id = t.store_id, name = t.name, name_kind = t.name_kind,
            surname = t.surname, name_key = t.name_key, birthday = t.birthday, gender = t.gender, phone = t.phone,
            phone_verified = t.phone_verified, email = t.email, province = t.province, city = t.city,
            district = t.district, last_active = t.last_active, payload = t.payload, payload_hash = t.payload_hash,
            updated_at = ${iso(now)}::timestamptz
          from jsonb_to_recordset(${json(recs)}) as ${RECORD_COLUMNS}
          where r.id = t.id`);
        // only the identities the record no longer carries go: the ones it keeps keep their ids, which sessions
        // (a login's openid identity) and phone-code exchanges point at
        const kept = changed.flatMap((p) =>
          p.record.identifiers.map((i) => ({ source_id: p.record.sourceId, kind: i.kind, value: i.value })),
        );
        await conn.execute(sql`
          delete from identities i using jsonb_array_elements_text(${json(changed.map((p) => p.record.sourceId))}) s(v)
          where i.source = ${source} and i.source_id = s.v
            and not exists (select 1 from jsonb_to_recordset(${json(kept)}) as k(source_id text, kind text, value text)
                            where k.source_id = i.source_id and k.kind = i.kind and k.value = i.value)`);
        await insertIdentities(changed, customerOf, now, { fresh: true });
      }
      return outcomes;
    },

    async block(kind: string, value: string, reason: string, note: string | null): Promise<void> {
      await conn.execute(sql`insert into blocked_values (kind, value, reason, note) values (${kind}, ${value}, ${reason}, ${note})
        on conflict do nothing`);
    },

    /**
     * Records sharing a strong identifier with the record: unionid, openid, POS card, mall account, WeCom id, and a
     * phone only where both sides were verified by WeChat. Per key: how many records carry it.
     */
    async strongMatches(source: string, sourceId: string): Promise<StrongMatch[]> {
      return rows(conn, strongMatchesSql(sql`${source}`, sql`${sourceId}`));
    },

    /**
     * Every record carrying the phone (at most limit + 1: beyond the limit the phone links nothing anyway); none when
     * the phone is blocked (`unlessBlocked`: the check and the read in one round trip).
     */
    async phoneGroup(phone: string, limit: number, opts: { unlessBlocked?: boolean } = {}): Promise<GroupRecord[]> {
      return rows(conn, phoneGroupSql(sql`${phone}`, limit, opts.unlessBlocked ?? false));
    },

    async recordFacts(recordId: string): Promise<RecordRow | null> {
      const r = await rows<RecordRow>(conn, recordFactsSql(sql`${recordId}`));
      return r[0] ?? null;
    },

    /** Records of other customers with the same real name, birthday and district (address or store district). */
    async weakMatches(recordId: string): Promise<WeakMatch[]> {
      return rows(conn, weakMatchesSql(sql`${recordId}`));
    },

    /**
     * What linking a record reads first, in ONE round trip: its facts, its phone group (unless the phone is blocked),
     * its strong matches and its weak matches, each exactly as the four reads above return them, and the order in
     * which `survivorOf` would keep the customers of the record, its group and its matches. The incremental linker
     * uses the matches and the order as they are when nothing was undone before it needs them (link-record.ts).
     */
    async linkFacts(recordId: string, phoneLimit: number): Promise<LinkFacts | null> {
      const [r] = await rows<{
        record: unknown;
        group: unknown;
        strong: unknown;
        weak: unknown;
        ranks: unknown;
        apart: unknown;
      }>(
        conn,
        sql`with lr as (select id, customer_id, phone, source, source_id from source_records where id = ${recordId}),
            g as (${phoneGroupSql(sql`(select phone from lr)`, phoneLimit, true)}),
            m as (${strongMatchesSql(sql`(select source from lr)`, sql`(select source_id from lr)`)}),
            w as (${weakMatchesSql(sql`(select id from lr)`)})
          select
            (select row_to_json(f) from (${recordFactsSql(sql`lr.id`)}) f) as record,
            (select coalesce(json_agg(g order by g."recordId"), '[]'::json) from g) as "group",
            (select coalesce(json_agg(m), '[]'::json) from m) as strong,
            (select coalesce(json_agg(w), '[]'::json) from w) as weak,
            (select coalesce(json_object_agg(c.id, c.rank), '{}'::json) from (
               select c.id, row_number() over (order by (c.registered_at is null), c.created_at, c.id) as rank
               from customers c
               where c.id in (select lr.customer_id union select "customerId" from g union select "customerId" from m)
             ) c) as ranks,
            (select coalesce(json_agg(json_build_array(k.a, k.b)), '[]'::json) from (${keptApartSql(
              sql`select lr.customer_id union select "customerId" from g union select "customerId" from m union select "customerId" from w`,
            )}) k) as apart
          from lr`,
      );
      if (!r) return null;
      const parsed = <T>(v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as T;
      return {
        record: parsed<RecordRow>(r.record),
        group: parsed<GroupRecord[]>(r.group),
        strong: parsed<StrongMatch[]>(r.strong),
        weak: parsed<WeakMatch[]>(r.weak),
        survivorRank: new Map(Object.entries(parsed<Record<string, number>>(r.ranks)).map(([k, v]) => [k, Number(v)])),
        apart: parsed<[string, string][]>(r.apart),
      };
    },

    /** The order a merge keeps: a registered member first, then the oldest customer, then the smallest id. */
    async survivorOf(customerIds: readonly string[]): Promise<string> {
      const r = await rows<{ id: string }>(
        conn,
        sql`select c.id from customers c join jsonb_array_elements_text(${json(customerIds)}) s(v) on s.v = c.id
            order by (c.registered_at is null), c.created_at, c.id limit 1`,
      );
      if (!r[0]) throw new Error(`none of the customers ${customerIds.join(', ')} exists`);
      return r[0].id;
    },

    /**
     * Moves everything of `mergedId` to `survivorId`, logging each moved row for undo: ONE statement (data-modifying
     * CTEs: each table's update returns the rows it moved and the log is written from them, so the log holds exactly
     * what moved), then the reconciling hooks, which read the moved rows and their log.
     */
    async merge(m: MergeInput): Promise<void> {
      const at = iso(m.now);
      // A closed account is erased and stays so: nothing merges into it or out of it. A closure locks its customer
      // row (for update), so a merge that raced it waits here and then sees it closed
      const closed = await rows<{ id: string }>(
        conn,
        sql`select id from customers where id in (${m.survivorId}, ${m.mergedId}) and status = 'closed' for share`,
      );
      if (closed.length > 0) throw new Error(`merge ${m.id}: customer ${closed[0].id} closed the account`);
      const moves = MERGE_STEPS.map((step, k) => {
        const t = sql.raw(step.table);
        const idc = sql.raw(step.idColumn);
        const cc = sql.raw(step.customerColumn);
        const u = sql.raw(`u${k}`);
        return sql`, ${u} as (update ${t} set ${cc} = ${m.survivorId} where ${cc} = ${m.mergedId} returning ${idc} as row_id),
          ${sql.raw(`l${k}`)} as (insert into identity_merge_moves (merge_id, table_name, row_id, from_customer_id)
            select ${m.id}, ${step.table}, row_id, ${m.mergedId} from ${u})`;
      });
      // the sub-statements touch different rows (the absorbed customer's, and customers merged into it earlier),
      // and the log's foreign key to the merge is checked at the statement's end, after the merge row is in
      await conn.execute(sql`with mg as (
          insert into identity_merges (id, survivor_id, merged_id, rule, evidence, actor_kind, actor_id, created_at)
          values (${m.id}, ${m.survivorId}, ${m.mergedId}, ${m.rule}, ${json(m.evidence)}, ${m.actorKind}, ${m.actorId}, ${at}::timestamptz)
        ), sr as (
          update source_records set customer_id = ${m.survivorId}, updated_at = ${at}::timestamptz
          where customer_id = ${m.mergedId} returning id
        ), srl as (
          insert into identity_merge_moves (merge_id, table_name, row_id, from_customer_id)
          select ${m.id}, 'source_records', id, ${m.mergedId} from sr
        ), idn as (
          update identities set customer_id = ${m.survivorId} where customer_id = ${m.mergedId}
        ), cm as (
          update customers set status = 'merged', merged_into = ${m.survivorId}, updated_at = ${at}::timestamptz
          where id = ${m.mergedId}
        )${sql.join(moves, sql``)}
        update customers set merged_into = ${m.survivorId} where merged_into = ${m.mergedId}`);
      const hookInput = { mergeId: m.id, survivorId: m.survivorId, mergedId: m.mergedId, now: m.now };
      for (const hook of MERGE_HOOKS) await hook.merge(conn, hookInput);
    },

    /**
     * Live merges the incremental linker made on an unverified phone (rule `phone`, actor system) that moved one of
     * the records, with the pair of records that was their evidence; newest first. Found through the move log's
     * (table, row) index, so it costs one indexed lookup per record, not a scan of the merges.
     */
    async phoneMergesOf(recordIds: readonly string[]): Promise<{ id: string; records: [string, string] }[]> {
      if (recordIds.length === 0) return [];
      const r = await rows<{ id: string; records: unknown }>(
        conn,
        sql`select distinct m.id, m.evidence -> 'records' as records, m.seq
            from identity_merge_moves mv join identity_merges m on m.id = mv.merge_id
            where mv.table_name = 'source_records' and mv.row_id in (select jsonb_array_elements_text(${json(recordIds)}))
              and m.rule = 'phone' and m.actor_kind = 'system' and m.undone_at is null
            order by m.seq desc`,
      );
      return r.flatMap((x) => {
        const recs = typeof x.records === 'string' ? JSON.parse(x.records) : x.records;
        return Array.isArray(recs) && recs.length === 2
          ? [{ id: x.id, records: [String(recs[0]), String(recs[1])] }]
          : [];
      });
    },

    /**
     * Live merges the linker made on strong evidence (unionid, card, verified phone…, actor system) at or after the
     * given merge, whose evidence pair names a record that merge moved: the records that joined its survivor later
     * through one of the records an undo of it sends back. Found from the merge's own move log and the customers its
     * survivor was merged into since (indexed by survivor and merged id), never a scan of the merges.
     */
    async strongMergesAfter(
      mergeId: string,
      /** the rules to look for: the strong ones, and `phone` too for a strong value's cluster limit (link-record.ts) */
      rules: readonly string[] = ['unionid', 'openid', 'pos_card', 'mall_account', 'wecom_id', 'verified_phone'],
    ): Promise<{ id: string; records: [string, string] }[]> {
      const r = await rows<{ id: string; records: unknown }>(
        conn,
        sql`with recursive me as (
              select id, survivor_id, seq from identity_merges where id = ${mergeId}
            ), chain(id) as (
              select survivor_id from me
              union
              select m.survivor_id from identity_merges m join chain c on m.merged_id = c.id
              where m.undone_at is null and m.id <> ${mergeId}
            ), moved as (
              select row_id from identity_merge_moves where merge_id = ${mergeId} and table_name = 'source_records'
            )
            select m.id, m.evidence -> 'records' as records
            from identity_merges m, me
            where (m.survivor_id in (select id from chain) or m.merged_id in (select id from chain))
              and m.seq > me.seq and m.undone_at is null and m.actor_kind = 'system'
              and m.rule in (select jsonb_array_elements_text(${json(rules)}))
              and exists (select 1 from jsonb_array_elements_text(m.evidence -> 'records') e(v)
                          where e.v in (select row_id from moved))
            order by m.seq`,
      );
      return r.flatMap((x) => {
        const recs = typeof x.records === 'string' ? JSON.parse(x.records) : x.records;
        return Array.isArray(recs) && recs.length === 2
          ? [{ id: x.id, records: [String(recs[0]), String(recs[1])] as [string, string] }]
          : [];
      });
    },

    /**
     * Live merges of the bulk job (rule `bulk`) that joined records carrying one strong value across customers (a
     * merge moved a record carrying it, its component was joined on that kind of link, `evidence.via`, and the customer
     * that record is in now holds another carrier the merge did not move), with every other merge of the same job into
     * the same survivor: the whole component, because a member of it joined on other evidence may be there only through
     * a carrier. The bulk job logs a merge per losing customer, not per pair, so `records` are all the source records
     * the merge moved (relinked afresh after the undo). Newest first.
     */
    async bulkMergesOnValue(kind: string, value: string): Promise<{ id: string; records: string[] }[]> {
      const via = kind === 'phone' ? 'verified_phone' : kind;
      const r = await rows<{ id: string; records: string[] }>(
        conn,
        sql`with v as (
              select r.id, r.customer_id from identities i
              join source_records r on r.source = i.source and r.source_id = i.source_id
              where i.kind = ${kind} and i.value = ${value} and i.quality = 'valid' and (i.kind <> 'phone' or i.verified)
            ), hit as (
              select distinct m.survivor_id, m.evidence ->> 'job' as job from identity_merge_moves mv
              join identity_merges m on m.id = mv.merge_id
              join v on v.id = mv.row_id
              where mv.table_name = 'source_records' and m.rule = 'bulk' and m.actor_kind = 'system'
                and m.undone_at is null and m.evidence -> 'via' ? ${via}
                and exists (select 1 from v o where o.customer_id = v.customer_id and o.id <> v.id
                  and not exists (select 1 from identity_merge_moves x
                                  where x.merge_id = m.id and x.table_name = 'source_records' and x.row_id = o.id))
            ), m as (
              -- the whole component: a card that joined it on other evidence next to a carrier of the value is there
              -- because of that carrier, and would pull the carrier back to the others when relinked
              select m.id, m.seq from identity_merges m join hit h on h.survivor_id = m.survivor_id
              where m.rule = 'bulk' and m.evidence ->> 'job' = h.job and m.undone_at is null
            )
            select m.id, array(select mv.row_id from identity_merge_moves mv
                               where mv.merge_id = m.id and mv.table_name = 'source_records' order by mv.row_id) as records
            from m order by m.seq desc`,
      );
      return r.map((x) => ({ id: x.id, records: (x.records ?? []).map(String) }));
    },

    /**
     * Live merges the linker made on one strong value (rule = its kind, `verified_phone` for a phone, actor system)
     * whose pair of evidence records both carry it; newest first. Found from the value's records through the move
     * log's (table, row) index: a merge moved one of its pair's sides.
     */
    async mergesOnValue(kind: string, value: string): Promise<{ id: string; records: [string, string] }[]> {
      const r = await rows<{ id: string; records: unknown }>(
        conn,
        sql`with v as (
              select r.id from identities i join source_records r on r.source = i.source and r.source_id = i.source_id
              where i.kind = ${kind} and i.value = ${value} and i.quality = 'valid' and (i.kind <> 'phone' or i.verified)
            )
            select distinct m.id, m.evidence -> 'records' as records, m.seq
            from identity_merge_moves mv join identity_merges m on m.id = mv.merge_id
            where mv.table_name = 'source_records' and mv.row_id in (select id from v)
              and m.rule = ${kind === 'phone' ? 'verified_phone' : kind} and m.actor_kind = 'system' and m.undone_at is null
              and (select count(*) from jsonb_array_elements_text(m.evidence -> 'records') e(x) where e.x in (select id from v)) = 2
            order by m.seq desc`,
      );
      return r.flatMap((x) => {
        const recs = typeof x.records === 'string' ? JSON.parse(x.records) : x.records;
        return Array.isArray(recs) && recs.length === 2
          ? [{ id: x.id, records: [String(recs[0]), String(recs[1])] as [string, string] }]
          : [];
      });
    },

    /** Pairs of the customers that HQ keeps apart (identity_separations). */
    async keptApart(customerIds: readonly string[]): Promise<[string, string][]> {
      if (customerIds.length < 2) return [];
      const r = await rows<{ a: string; b: string }>(
        conn,
        keptApartSql(sql`select jsonb_array_elements_text(${json([...new Set(customerIds)])})`),
      );
      return r.map((x) => [x.a, x.b]);
    },

    /**
     * Keeps the two sides of an undone merge apart: one record of each, the merge's evidence records where they are
     * on those sides, else each side's first record; the kept side is the survivor as it is now, following later
     * merges (an undo after the survivor was merged on left no separation). False when a side has no record.
     */
    async keepApart(s: { id: string; mergeId: string; createdBy: string; now: Date }): Promise<boolean> {
      const r = await rows<{ id: string }>(
        conn,
        sql`with recursive m as (select survivor_id, merged_id, coalesce(evidence -> 'records', '[]'::jsonb) as recs from identity_merges where id = ${s.mergeId}),
            -- the kept side as it is now: the survivor, or the customer a later merge took it into
            up (id, depth) as (
              select survivor_id, 0 from m
              union all
              select c.merged_into, up.depth + 1 from up join customers c on c.id = up.id
              where c.merged_into is not null and up.depth < 64
            ),
            cur as (select id from up order by depth desc limit 1),
            p as (
              select (select r.id from source_records r where r.customer_id = m.merged_id
                        order by ${broughtByLiveMerge(sql`r.id`)}, (m.recs ? r.id) desc, r.id limit 1) as x,
                     -- merged on since, the survivor's records sit among the later survivor's: its own evidence
                     -- record first, so the separation follows the survivor should that later merge be undone too
                     (select r.id from source_records r, cur where r.customer_id = cur.id
                        order by case when cur.id <> m.survivor_id then (m.recs ? r.id) end desc nulls last,
                          ${broughtByLiveMerge(sql`r.id`)}, (m.recs ? r.id) desc, r.id limit 1) as y
              from m
            )
            insert into identity_separations (id, record_a, record_b, merge_id, created_by, created_at)
            select ${s.id}, least(x, y), greatest(x, y), ${s.mergeId}, ${s.createdBy}, ${iso(s.now)}::timestamptz
            from p where x is not null and y is not null and x <> y
            on conflict (merge_id) do nothing
            returning id`,
      );
      return r.length > 0;
    },

    /** The live separation an undone merge left, with the customers its two records are in now. */
    async separationOf(mergeId: string) {
      const r = await rows<{ id: string; record_a: string; record_b: string; a_customer: string; b_customer: string }>(
        conn,
        sql`select s.id, s.record_a, s.record_b, a.customer_id as a_customer, b.customer_id as b_customer
            from identity_separations s join source_records a on a.id = s.record_a join source_records b on b.id = s.record_b
            where s.merge_id = ${mergeId} and s.lifted_at is null for update of s`,
      );
      return r[0] ?? null;
    },

    async liftSeparation(id: string, by: string, mergeId: string | null, now: Date): Promise<void> {
      await conn.execute(sql`update identity_separations set lifted_at = ${iso(now)}::timestamptz, lifted_by = ${by},
        lift_merge_id = ${mergeId} where id = ${id}`);
    },

    /**
     * A merge, row-locked for the transaction deciding about it (undo, restore): a second decision in flight waits
     * and then reads the first one's outcome, so a merge is undone or restored once however many ask at once.
     */
    async findMerge(mergeId: string) {
      const r = await rows<{
        id: string;
        survivor_id: string;
        merged_id: string;
        undone_at: string | null;
        erased_at: string | null;
      }>(
        conn,
        sql`select id, survivor_id, merged_id, undone_at, erased_at from identity_merges where id = ${mergeId} for update`,
      );
      return r[0] ?? null;
    },

    /**
     * Puts every row the merge moved back with the customer it came from, wherever a later merge took it since,
     * and forgets those rows in later merges' logs (undoing a later merge must not pull them over again).
     */
    async undoMerge(mergeId: string, undoneBy: string, now: Date): Promise<void> {
      const at = iso(now);
      const [m] = await rows<{ survivor_id: string; merged_id: string; seq: string }>(
        conn,
        sql`select survivor_id, merged_id, seq::text from identity_merges where id = ${mergeId} for update`,
      );
      const hookInput = { mergeId, survivorId: m.survivor_id, mergedId: m.merged_id, now };
      for (const hook of MERGE_HOOKS) await hook.undo(conn, hookInput);
      await conn.execute(sql`update source_records r set customer_id = mv.from_customer_id, updated_at = ${at}::timestamptz
        from identity_merge_moves mv where mv.merge_id = ${mergeId} and mv.table_name = 'source_records' and mv.row_id = r.id`);
      await conn.execute(sql`update identities i set customer_id = r.customer_id
        from identity_merge_moves mv join source_records r on r.id = mv.row_id
        where mv.merge_id = ${mergeId} and mv.table_name = 'source_records' and i.source = r.source and i.source_id = r.source_id`);
      for (const step of MERGE_STEPS) {
        const t = sql.raw(step.table);
        const idc = sql.raw(step.idColumn);
        const cc = sql.raw(step.customerColumn);
        await conn.execute(sql`update ${t} x set ${cc} = mv.from_customer_id from identity_merge_moves mv
          where mv.merge_id = ${mergeId} and mv.table_name = ${step.table} and mv.row_id = x.${idc}`);
      }
      // an order that arrived after the merge went to the survivor (or, merged on since, to a later survivor, or
      // was moved there by that later merge) through its member's card or account; this merge's move log never saw
      // it, so it follows its member record back, with what it earned (the hooks' ordersBack), and no later merge's
      // log of it stays (undoing that one must not bring it back to the survivor)
      const back = await rows<{ id: string }>(
        conn,
        sql`with recursive up (id, depth) as (
            select ${m.survivor_id}::text, 0
            union all
            select x.survivor_id, up.depth + 1 from up
            join identity_merges x on x.merged_id = up.id and x.undone_at is null
            where up.depth < 100
          )
          update orders o set customer_id = r.customer_id
          from identity_merge_moves mv join source_records r on r.id = mv.row_id
          where mv.merge_id = ${mergeId} and mv.table_name = 'source_records'
            and o.source = r.source and o.member_source_id = r.source_id and o.customer_id in (select id from up)
          returning o.id`,
      );
      if (back.length > 0) {
        const ids = json(back.map((o) => o.id));
        await conn.execute(sql`delete from identity_merge_moves later using identity_merges lm
          where later.table_name = 'orders' and later.row_id in (select jsonb_array_elements_text(${ids}))
            and lm.id = later.merge_id and lm.seq > ${m.seq}::bigint`);
        for (const hook of MERGE_HOOKS)
          await hook.ordersBack?.(
            conn,
            hookInput,
            back.map((o) => o.id),
          );
      }
      await conn.execute(sql`delete from identity_merge_moves later using identity_merge_moves mine, identity_merges lm
        where mine.merge_id = ${mergeId} and later.table_name = mine.table_name and later.row_id = mine.row_id
          and lm.id = later.merge_id and lm.seq > ${m.seq}::bigint`);
      await conn.execute(sql`update customers set status = 'active', merged_into = null, updated_at = ${at}::timestamptz
        where id = ${m.merged_id}`);
      // customers that had been merged into the undone one point at it again
      await conn.execute(sql`update customers c set merged_into = ${m.merged_id} from identity_merges x
        where x.merged_id = c.id and x.survivor_id = ${m.merged_id} and x.undone_at is null`);
      await conn.execute(
        sql`update identity_merges set undone_at = ${at}::timestamptz, undone_by = ${undoneBy} where id = ${mergeId}`,
      );
    },

    async insertHolds(
      holds: readonly {
        id: string;
        recordId: string;
        candidateCustomerId: string;
        phone: string | null;
        reason: string;
        evidence: Record<string, unknown>;
      }[],
      now: Date,
    ): Promise<number> {
      if (holds.length === 0) return 0;
      const r = await rows(
        conn,
        sql`insert into held_links (id, record_id, candidate_customer_id, store_id, phone, reason, evidence, created_at)
            select t.id, t.record_id, t.candidate_customer_id, r.store_id, t.phone, t.reason, t.evidence, ${iso(now)}::timestamptz
            from jsonb_to_recordset(${json(holds.map((h) => ({ id: h.id, record_id: h.recordId, candidate_customer_id: h.candidateCustomerId, phone: h.phone, reason: h.reason, evidence: h.evidence })))})
              as t(id text, record_id text, candidate_customer_id text, phone text, reason text, evidence jsonb)
              join source_records r on r.id = t.record_id
            on conflict (record_id, candidate_customer_id) do nothing returning 1`,
      );
      return r.length;
    },

    async insertSuggestion(s: {
      id: string;
      recordA: string;
      recordB: string;
      storeId: string | null;
      evidence: Record<string, unknown>;
      now: Date;
    }): Promise<boolean> {
      const [a, b] = s.recordA < s.recordB ? [s.recordA, s.recordB] : [s.recordB, s.recordA];
      const r = await rows(
        conn,
        sql`insert into merge_suggestions (id, record_a, record_b, store_id, evidence, created_at)
            values (${s.id}, ${a}, ${b}, ${s.storeId}, ${json(s.evidence)}, ${iso(s.now)}::timestamptz)
            on conflict (record_a, record_b) do nothing returning 1`,
      );
      return r.length > 0;
    },

    /** The live customer (following merges) of each record. */
    async customersOfRecords(recordIds: readonly string[]): Promise<Map<string, string>> {
      if (recordIds.length === 0) return new Map();
      const r = await rows<{ id: string; customer_id: string }>(
        conn,
        sql`select r.id, r.customer_id from source_records r join jsonb_array_elements_text(${json(recordIds)}) s(v) on s.v = r.id`,
      );
      return new Map(r.map((x) => [x.id, x.customer_id]));
    },

    async logIntegration(e: IntegrationLogEntry): Promise<void> {
      await insertIntegrationLog(conn, [e]);
    },
  };
}

export type IdentityRepo = ReturnType<typeof createIdentityRepo>;
