/**
 * The cursor of the identity lists that page newest first (the merge history, the quarantine):
 * `<created_at to the microsecond, UTC>|<row id>`, opaque to the client, strictly ordered with the list. The
 * repositories hand out `created_key` in that form (`to_char(created_at at time zone 'UTC',
 * 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`).
 */
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([^|]{1,90})$/;

export const listCursor = (row: { created_key: string; id: string }): string => `${row.created_key}|${row.id}`;

/** null without a cursor; 'bad' for one no list handed out. */
export function parseListCursor(cursor: string | undefined): { createdKey: string; id: string } | null | 'bad' {
  if (cursor === undefined) return null;
  const m = CURSOR.exec(cursor);
  return m ? { createdKey: m[1], id: m[2] } : 'bad';
}
