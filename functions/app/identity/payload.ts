import { createHash } from 'node:crypto';

/**
 * The payload as stored and hashed: keys sorted, empty values dropped, so the same record sent as CSV, JSON
 * lines or an API call, with or without empty columns, hashes the same and a replay changes nothing.
 */
export function canonicalPayload(raw: Record<string, unknown>): { payload: Record<string, unknown>; hash: string } {
  const payload: Record<string, unknown> = {};
  for (const key of Object.keys(raw).sort()) {
    const v = raw[key];
    if (v === null || v === undefined || v === '') continue;
    payload[key] = v;
  }
  return { payload, hash: createHash('sha256').update(JSON.stringify(payload)).digest('hex') };
}
