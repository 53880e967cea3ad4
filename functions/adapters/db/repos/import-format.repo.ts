/** Upload formats HQ made on the staff pages (import_formats): written once, stopped being offered, never edited. */
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../client.js';
import { rows } from './identity.repo.js';

type Conn = Db | Tx;

export interface ImportFormatRow {
  id: string;
  kind: 'records' | 'orders';
  label: string;
  source: string;
  fields: Record<string, string>;
  created_by: string;
  created_by_name: string | null;
  created_at: string | Date;
  archived_at: string | Date | null;
}

const SELECT = sql`select f.id, f.kind, f.label, f.source, f.fields, f.created_by, s.name as created_by_name,
    f.created_at, f.archived_at
  from import_formats f left join staff s on s.id = f.created_by`;

export const importFormatRepo = {
  /** The formats still offered, oldest first. */
  async active(conn: Conn): Promise<ImportFormatRow[]> {
    return rows<ImportFormatRow>(conn, sql`${SELECT} where f.archived_at is null order by f.created_at, f.id`);
  },

  /** One format, offered or not (an import that used a format stopped since still reads it). */
  async byId(conn: Conn, id: string): Promise<ImportFormatRow | null> {
    const [r] = await rows<ImportFormatRow>(conn, sql`${SELECT} where f.id = ${id}`);
    return r ?? null;
  },

  /** A new format; null when an offered one has the label already. */
  async insert(
    conn: Conn,
    v: {
      id: string;
      kind: 'records' | 'orders';
      label: string;
      source: string;
      fields: Record<string, string>;
      staffId: string;
      now: Date;
    },
  ): Promise<ImportFormatRow | null> {
    const [r] = await rows<{ id: string }>(
      conn,
      sql`insert into import_formats (id, kind, label, source, fields, created_by, created_at)
          values (${v.id}, ${v.kind}, ${v.label}, ${v.source}, ${JSON.stringify(v.fields)}::jsonb, ${v.staffId},
                  ${v.now.toISOString()}::timestamptz)
          on conflict (label) where archived_at is null do nothing
          returning id`,
    );
    return r ? importFormatRepo.byId(conn, r.id) : null;
  },

  /** Stops offering a format; null when there is no such format. A second call keeps the first time. */
  async archive(conn: Conn, id: string, staffId: string, now: Date): Promise<ImportFormatRow | null> {
    const [r] = await rows<{ id: string }>(
      conn,
      sql`update import_formats
          set archived_at = coalesce(archived_at, ${now.toISOString()}::timestamptz),
              archived_by = coalesce(archived_by, ${staffId})
          where id = ${id} returning id`,
    );
    return r ? importFormatRepo.byId(conn, r.id) : null;
  },
};
