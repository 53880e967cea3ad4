/** The quarantine of inbound records and orders that could not be taken in: HQ's list and its "handled" mark. */

import { sql } from 'drizzle-orm';
import { type Refusal, refusalText } from '../../../../shared/identity/refusal.js';
import { storableCopy } from '../../../../shared/storable-text.js';
import type { Db, Tx } from '../client.js';
import { rows } from './identity.repo.js';

type Conn = Db | Tx;

/** A refused record or order, as the quarantine keeps it. */
export interface QuarantineInput {
  id: string;
  /** the record's id in its source, or the order number; null when it had none */
  sourceId: string | null;
  keyId: string | null;
  requestId: string | null;
  refusal: Refusal;
  payload: unknown;
}

export interface QuarantineRow {
  id: string;
  source: string;
  kind: 'record' | 'order';
  source_id: string | null;
  code: string | null;
  params: Record<string, string | number> | null;
  reason: string;
  key_id: string | null;
  /** the store whose till's key sent it; null for another partner's key and for a file import */
  key_store_name: string | null;
  /** created_at, UTC to the microsecond: the list's order and its cursor (app/identity/cursor.ts) */
  created_key: string;
}

export const quarantineRepo = {
  /** Open items, newest first, after the cursor's (created_at, id); one more than `limit` says there is a next page. */
  async open(
    conn: Conn,
    q: { source: string | null; before: { createdKey: string; id: string } | null; limit: number },
  ): Promise<QuarantineRow[]> {
    return rows<QuarantineRow>(
      conn,
      sql`select q.id, q.source, q.kind, q.source_id, q.code, q.params, q.reason, q.key_id,
            (select s.name from partner_keys k join stores s on s.id = k.store_id where k.id = q.key_id) as key_store_name,
            to_char(q.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_key
          from ingest_quarantine q
          where q.resolved_at is null
            ${q.source === null ? sql`` : sql`and q.source = ${q.source}`}
            ${q.before === null ? sql`` : sql`and (q.created_at, q.id) < (${q.before.createdKey}::timestamptz, ${q.before.id})`}
          order by q.created_at desc, q.id desc
          limit ${q.limit + 1}`,
    );
  },

  async countOpen(conn: Conn, source: string | null): Promise<number> {
    const [r] = await rows<{ n: number }>(
      conn,
      sql`select count(*)::int as n from ingest_quarantine
          where resolved_at is null ${source === null ? sql`` : sql`and source = ${source}`}`,
    );
    return r?.n ?? 0;
  },

  /** Items its source sent again and that were then taken in, since `since`: they left the list by themselves. */
  async countResent(conn: Conn, source: string | null, since: Date): Promise<number> {
    const [r] = await rows<{ n: number }>(
      conn,
      sql`select count(*)::int as n from ingest_quarantine
          where resolution = 'resent' and resolved_at >= ${since.toISOString()}::timestamptz
            ${source === null ? sql`` : sql`and source = ${source}`}`,
    );
    return r?.n ?? 0;
  },

  /**
   * Marks an item handled by a staff member and deletes its payload; null when there is no such item. A second mark
   * keeps the first (its time, how and by whom).
   */
  async resolve(
    conn: Conn,
    id: string,
    staffId: string,
    at: Date,
  ): Promise<{ id: string; resolved_at: string; resolution: 'handled' | 'resent' } | null> {
    const [r] = await rows<{ id: string; resolved_at: string; resolution: 'handled' | 'resent' }>(
      conn,
      sql`update ingest_quarantine
          set resolved_at = coalesce(resolved_at, ${at.toISOString()}::timestamptz),
              resolution = coalesce(resolution, 'handled'),
              resolved_by = case when resolution is null then ${staffId} else resolved_by end,
              payload = null
          where id = ${id} returning id, resolved_at::text, resolution`,
    );
    return r ?? null;
  },

  /**
   * One batch's outcome for the quarantine, in ONE statement: the records or orders it took in (`taken`) close
   * their source's open items as `resent`, payload deleted, and what it refused goes in. The closing sees the table
   * as it was before the statement, so an item refused in this very batch (an id repeated in it) stays open. Not
   * closed by a later success: an order refused as `order_changed`; a till that sent one order number with two
   * contents must be looked at by a person even when it later sends the first contents again. Returns how many
   * items closed.
   */
  async settle(
    conn: Conn,
    q: {
      source: string;
      kind: 'record' | 'order';
      taken: readonly string[];
      refused: readonly QuarantineInput[];
      at: Date;
    },
  ): Promise<number> {
    if (q.taken.length === 0 && q.refused.length === 0) return 0;
    const at = q.at.toISOString();
    // a record refused for text PostgreSQL cannot keep is kept with that text replaced (U+FFFD)
    const refused = storableCopy(q.refused).map((r) => ({
      id: r.id,
      source_id: r.sourceId,
      key_id: r.keyId,
      request_id: r.requestId,
      code: r.refusal.code,
      params: r.refusal.params ?? null,
      reason: refusalText(r.refusal, 'en'),
      payload: r.payload ?? null,
    }));
    const [r] = await rows<{ n: number }>(
      conn,
      sql`with closed as (
            update ingest_quarantine
            set resolved_at = ${at}::timestamptz, resolution = 'resent', payload = null
            where resolved_at is null and source = ${q.source} and kind = ${q.kind}
              and source_id = any(${sql.param([...q.taken])}::text[])
              and created_at <= ${at}::timestamptz
              and code is distinct from 'order_changed'
            returning 1
          ), added as (
            insert into ingest_quarantine (id, source, kind, source_id, key_id, request_id, code, params, reason,
              payload, created_at)
            select id, ${q.source}, ${q.kind}, source_id, key_id, request_id, code, params, reason, payload,
              ${at}::timestamptz
            from jsonb_to_recordset(${JSON.stringify(refused)}::jsonb)
              as t(id text, source_id text, key_id text, request_id text, code text, params jsonb, reason text,
                   payload jsonb)
            -- the same refusal of the same payload, still open, is one item: a file uploaded again with other line
            -- ends, or a till re-sending a bad record, used to add it again, each to be marked handled on its own
            where not exists (select 1 from ingest_quarantine o
              where o.resolved_at is null and o.source = ${q.source} and o.kind = ${q.kind}
                and (o.source_id = t.source_id or (o.source_id is null and t.source_id is null))
                and o.code = t.code and o.payload is not distinct from t.payload)
          )
          select count(*)::int as n from closed`,
    );
    return r?.n ?? 0;
  },

  /** Deletes items resolved before `before` (retention); bounded to `limit` rows a call. */
  async purgeResolved(conn: Conn, before: Date, limit: number): Promise<number> {
    const [r] = await rows<{ n: number }>(
      conn,
      sql`with gone as (
            delete from ingest_quarantine
            where id in (select id from ingest_quarantine
                         where resolved_at < ${before.toISOString()}::timestamptz limit ${limit})
            returning 1)
          select count(*)::int as n from gone`,
    );
    return r?.n ?? 0;
  },
};
