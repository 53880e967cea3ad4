/** Uploaded imports (data_imports): one row per distinct content and mapping, claimed before the import runs. */
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../client.js';
import { rows } from './identity.repo.js';

type Conn = Db | Tx;

export interface DataImportRow {
  id: string;
  kind: 'records' | 'orders';
  mapping: string;
  file_name: string;
  size_bytes: number;
  status: 'running' | 'done' | 'failed';
  summary: unknown;
  error: string | null;
  staff_id: string;
  staff_name: string | null;
  started_at: string | Date;
  finished_at: string | Date | null;
}

const SELECT = sql`select i.id, i.kind, i.mapping, i.file_name, i.size_bytes, i.status, i.summary, i.error, i.staff_id,
    s.name as staff_name, i.started_at, i.finished_at
  from data_imports i left join staff s on s.id = i.staff_id`;

export const dataImportRepo = {
  /**
   * Claims the upload: a new row (true), or the row of the same content and mapping (false) when it is done or
   * running; a failed run, or one running since before `staleBefore` (its function timed out), is taken over.
   */
  async claim(
    conn: Conn,
    v: {
      id: string;
      kind: 'records' | 'orders';
      mapping: string;
      fileName: string;
      sha256: string;
      sizeBytes: number;
      staffId: string;
      now: Date;
      staleBefore: Date;
    },
  ): Promise<{ claimed: boolean; row: DataImportRow }> {
    const inserted = await rows<{ id: string }>(
      conn,
      sql`insert into data_imports (id, kind, mapping, file_name, content_sha256, size_bytes, status, staff_id, started_at)
          values (${v.id}, ${v.kind}, ${v.mapping}, ${v.fileName}, ${v.sha256}, ${v.sizeBytes}, 'running', ${v.staffId},
                  ${v.now.toISOString()}::timestamptz)
          on conflict (content_sha256, mapping) do nothing
          returning id`,
    );
    if (inserted.length === 1) return { claimed: true, row: (await this.byId(conn, v.id)) as DataImportRow };
    const retaken = await rows<{ id: string }>(
      conn,
      sql`update data_imports set status = 'running', error = null, summary = null, finished_at = null,
            staff_id = ${v.staffId}, file_name = ${v.fileName}, started_at = ${v.now.toISOString()}::timestamptz
          where content_sha256 = ${v.sha256} and mapping = ${v.mapping}
            and (status = 'failed' or (status = 'running' and started_at < ${v.staleBefore.toISOString()}::timestamptz))
          returning id`,
    );
    const [existing] = await rows<DataImportRow>(
      conn,
      sql`${SELECT} where i.content_sha256 = ${v.sha256} and i.mapping = ${v.mapping}`,
    );
    return { claimed: retaken.length === 1, row: existing };
  },

  async finish(conn: Conn, id: string, outcome: { summary: unknown } | { error: string }, now: Date): Promise<void> {
    if ('summary' in outcome)
      await conn.execute(sql`update data_imports set status = 'done', summary = ${JSON.stringify(outcome.summary)}::jsonb,
          finished_at = ${now.toISOString()}::timestamptz where id = ${id}`);
    else
      await conn.execute(sql`update data_imports set status = 'failed', error = ${outcome.error},
          finished_at = ${now.toISOString()}::timestamptz where id = ${id}`);
  },

  async byId(conn: Conn, id: string): Promise<DataImportRow | null> {
    const [r] = await rows<DataImportRow>(conn, sql`${SELECT} where i.id = ${id}`);
    return r ?? null;
  },

  async recent(conn: Conn, limit: number): Promise<DataImportRow[]> {
    return rows<DataImportRow>(conn, sql`${SELECT} order by i.started_at desc, i.id desc limit ${limit}`);
  },
};
