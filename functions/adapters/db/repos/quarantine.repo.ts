/** The quarantine of inbound records and orders that could not be taken in: HQ's list and its "handled" mark. */
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../client.js';
import { rows } from './identity.repo.js';

type Conn = Db | Tx;

export interface QuarantineRow {
  id: string;
  source: string;
  kind: 'record' | 'order';
  source_id: string | null;
  code: string | null;
  params: Record<string, string | number> | null;
  reason: string;
  key_id: string | null;
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
      sql`select id, source, kind, source_id, code, params, reason, key_id,
            to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_key
          from ingest_quarantine
          where resolved_at is null
            ${q.source === null ? sql`` : sql`and source = ${q.source}`}
            ${q.before === null ? sql`` : sql`and (created_at, id) < (${q.before.createdKey}::timestamptz, ${q.before.id})`}
          order by created_at desc, id desc
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
   * The source sent these records or orders again and they were taken in: their open items close as `resent`, and
   * their payloads are deleted. Not an order refused as `order_changed`: a till that sent one order number with two
   * contents must be looked at by a person even when it later sends the first contents again.
   */
  async closeResent(
    conn: Conn,
    q: { source: string; kind: 'record' | 'order'; sourceIds: readonly string[]; at: Date },
  ): Promise<number> {
    if (q.sourceIds.length === 0) return 0;
    const [r] = await rows<{ n: number }>(
      conn,
      sql`with closed as (
            update ingest_quarantine
            set resolved_at = ${q.at.toISOString()}::timestamptz, resolution = 'resent', payload = null
            where resolved_at is null and source = ${q.source} and kind = ${q.kind}
              and source_id = any(${sql.param([...q.sourceIds])}::text[])
              and created_at <= ${q.at.toISOString()}::timestamptz
              and code is distinct from 'order_changed'
            returning 1)
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
