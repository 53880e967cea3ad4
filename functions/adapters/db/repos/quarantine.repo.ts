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

  /** Marks an item handled; null when there is no such item. A second mark keeps the first time. */
  async resolve(conn: Conn, id: string, at: Date): Promise<{ id: string; resolved_at: string } | null> {
    const [r] = await rows<{ id: string; resolved_at: string }>(
      conn,
      sql`update ingest_quarantine set resolved_at = coalesce(resolved_at, ${at.toISOString()}::timestamptz)
          where id = ${id} returning id, resolved_at::text`,
    );
    return r ?? null;
  },
};
