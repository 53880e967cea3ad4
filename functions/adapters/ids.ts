import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Public ids: a kind prefix plus a time-ordered, 26-character ULID-style body, so ids sort by creation and
 * a log line names what it is (`cus_01j…`, `stf_01j…`).
 */
export function newId(prefix: string, nowMs: number = Date.now()): string {
  let time = '';
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += CROCKFORD[bytes[i] % 32];
  return `${prefix}_${time}${rand}`;
}

export function newRequestId(): string {
  return `req_${randomBytes(9).toString('base64url')}`;
}
