/**
 * The cursor of the identity lists that page newest first (the merge history, the quarantine):
 * `<created_at to the microsecond, UTC>|<row id>`, opaque to the client, strictly ordered with the list. The
 * repositories hand out `created_key` in that form (`to_char(created_at at time zone 'UTC',
 * 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`).
 */
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})Z\|([^|]{1,90})$/;

export const listCursor = (row: { created_key: string; id: string }): string => `${row.created_key}|${row.id}`;

/**
 * A time the list could have handed out: one that exists (no month 13, no 30 February, no hour 24; a Date reads
 * those leniently or not at all, so the seconds must read back the same) in years 1 to 9999 (PostgreSQL has no
 * year 0). The microseconds, beyond a Date's milliseconds, are any six digits and are kept as sent.
 */
function exists(seconds: string): boolean {
  const at = Date.parse(`${seconds}Z`);
  return !Number.isNaN(at) && !seconds.startsWith('0000') && new Date(at).toISOString().slice(0, 19) === seconds;
}

/** null without a cursor; 'bad' for one no list handed out (malformed, or a time that does not exist). */
export function parseListCursor(cursor: string | undefined): { createdKey: string; id: string } | null | 'bad' {
  if (cursor === undefined) return null;
  const m = CURSOR.exec(cursor);
  if (!m || !exists(m[1])) return 'bad';
  return { createdKey: `${m[1]}.${m[2]}Z`, id: m[3] };
}
