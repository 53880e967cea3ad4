/**
 * Uploaded imports (data_imports): one row per distinct content and format. The import goes on in steps; a step
 * holds a lease on the row, so two requests never run the same rows at once, and a function that died frees the
 * row when its lease ends.
 */
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../client.js';
import { rows } from './identity.repo.js';

type Conn = Db | Tx;

export interface DataImportRow {
  id: string;
  kind: 'records' | 'orders';
  mapping: string;
  /** the label of a format HQ made on the staff pages (null for a configured one) */
  format_label: string | null;
  file_name: string;
  size_bytes: number;
  status: 'running' | 'done' | 'failed';
  rows_total: number;
  rows_done: number;
  summary: unknown;
  /** rows in the refused rows' file (0: none, or purged) */
  refused_rows: number;
  error: string | null;
  staff_id: string;
  staff_name: string | null;
  started_at: string | Date;
  finished_at: string | Date | null;
}

/** What a step needs: the text and where to start. */
export interface DataImportWork {
  id: string;
  mapping: string;
  file_name: string;
  content: string;
  rows_done: number;
  summary: unknown;
}

const SELECT = sql`select i.id, i.kind, i.mapping, f.label as format_label, i.file_name, i.size_bytes, i.status,
    i.rows_total, i.rows_done, i.summary, i.refused_rows, i.error, i.staff_id, s.name as staff_name, i.started_at, i.finished_at
  from data_imports i left join staff s on s.id = i.staff_id left join import_formats f on f.id = i.mapping`;

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

export const dataImportRepo = {
  /**
   * The upload's row: a new one (`created`), or the one of the same content and format. A failed one gets its
   * text back and runs again from where it stopped (the content is the same, its hash says so).
   */
  async claim(
    conn: Conn,
    v: {
      id: string;
      kind: 'records' | 'orders';
      mapping: string;
      fileName: string;
      sha256: string;
      content: string;
      sizeBytes: number;
      rowsTotal: number;
      staffId: string;
      now: Date;
    },
  ): Promise<{ created: boolean; row: DataImportRow }> {
    const inserted = await rows<{ id: string }>(
      conn,
      sql`insert into data_imports (id, kind, mapping, file_name, content_sha256, size_bytes, status, content, rows_total,
            staff_id, started_at)
          values (${v.id}, ${v.kind}, ${v.mapping}, ${v.fileName}, ${v.sha256}, ${v.sizeBytes}, 'running', ${v.content},
                  ${v.rowsTotal}, ${v.staffId}, ${ts(v.now)})
          on conflict (content_sha256, mapping) do nothing
          returning id`,
    );
    if (inserted.length === 0)
      await conn.execute(sql`update data_imports set status = 'running', content = ${v.content}, error = null,
          finished_at = null, started_at = ${ts(v.now)}
        where content_sha256 = ${v.sha256} and mapping = ${v.mapping} and status = 'failed'`);
    const [row] = await rows<DataImportRow>(
      conn,
      sql`${SELECT} where i.content_sha256 = ${v.sha256} and i.mapping = ${v.mapping}`,
    );
    return { created: inserted.length === 1, row };
  },

  /** Takes the row for one step until `leaseUntil`; null while another step holds it, or when it is not running. */
  async acquire(conn: Conn, id: string, now: Date, leaseUntil: Date): Promise<DataImportWork | null> {
    const [r] = await rows<DataImportWork>(
      conn,
      sql`update data_imports set lease_until = ${ts(leaseUntil)}
          where id = ${id} and status = 'running' and content is not null
            and (lease_until is null or lease_until < ${ts(now)})
          returning id, mapping, file_name, content, rows_done, summary`,
    );
    return r ?? null;
  },

  /**
   * A step's end: where the next starts, the summary so far and the step's refused rows (appended to the file, its
   * header written by the first step that refused any); done clears the text, and the lease either way.
   */
  async saveStep(
    conn: Conn,
    id: string,
    step: {
      rowsDone: number;
      summary: unknown;
      refused: { header: string; body: string; rows: number };
      done: boolean;
      now: Date;
    },
  ) {
    const { header, body, rows: refusedRows } = step.refused;
    await conn.execute(sql`update data_imports set rows_done = ${step.rowsDone},
        summary = ${JSON.stringify(step.summary)}::jsonb, lease_until = null,
        refused_text = case when ${refusedRows} = 0 then refused_text
                            else coalesce(refused_text, ${header}) || ${body} end,
        refused_rows = refused_rows + ${refusedRows},
        status = ${step.done ? 'done' : 'running'},
        -- counted from the text's lines before the import (a quoted field may hold a line end): exact once read
        rows_total = case when ${step.done} then ${step.rowsDone} else rows_total end,
        content = case when ${step.done} then null else content end,
        finished_at = case when ${step.done} then ${ts(step.now)} else null end
      where id = ${id}`);
  },

  async fail(conn: Conn, id: string, error: string, now: Date): Promise<void> {
    await conn.execute(sql`update data_imports set status = 'failed', error = ${error}, content = null,
        lease_until = null, finished_at = ${ts(now)}
      where id = ${id}`);
  },

  /** Ends the running imports started before `startedBefore` (left half done): text deleted, marked failed. */
  async abandon(conn: Conn, startedBefore: Date, now: Date): Promise<number> {
    const r = await rows<{ id: string }>(
      conn,
      sql`update data_imports set status = 'failed', content = null, lease_until = null, finished_at = ${ts(now)},
            error = 'abandoned: nobody went on with it; upload the file again to go on'
          where status = 'running' and started_at < ${ts(startedBefore)}
            and (lease_until is null or lease_until < ${ts(now)})
          returning id`,
    );
    return r.length;
  },

  /** The refused rows' file of an import, while it is kept. */
  async refusedFile(conn: Conn, id: string): Promise<{ text: string; rows: number } | null> {
    const [r] = await rows<{ text: string; rows: number }>(
      conn,
      sql`select refused_text as text, refused_rows as rows from data_imports
          where id = ${id} and refused_text is not null`,
    );
    return r ?? null;
  },

  /** Deletes the refused rows' files of the imports that ended before `endedBefore`; how many. */
  async purgeRefused(conn: Conn, endedBefore: Date): Promise<number> {
    const r = await rows<{ id: string }>(
      conn,
      sql`update data_imports set refused_text = null, refused_rows = 0
          where refused_text is not null and finished_at < ${ts(endedBefore)}
          returning id`,
    );
    return r.length;
  },

  async byId(conn: Conn, id: string): Promise<DataImportRow | null> {
    const [r] = await rows<DataImportRow>(conn, sql`${SELECT} where i.id = ${id}`);
    return r ?? null;
  },

  async recent(conn: Conn, limit: number): Promise<DataImportRow[]> {
    return rows<DataImportRow>(conn, sql`${SELECT} order by i.started_at desc, i.id desc limit ${limit}`);
  },
};
