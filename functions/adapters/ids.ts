import { randomFillSync } from 'node:crypto';

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
  const at = takeRandom(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += CROCKFORD[pool[at + i] % 32];
  return `${prefix}_${time}${rand}`;
}

export function newRequestId(): string {
  const at = takeRandom(9);
  return `req_${pool.toString('base64url', at, at + 9)}`;
}

/**
 * Random bytes for ids from a pool refilled from the CSPRNG (as node's randomUUID does): `randomBytes(n)` per id
 * made a crypto job and an ArrayBuffer per call, which every young collection then had to sweep (~1 ms of each
 * scavenge on the hot POS path). Bytes are used once, in order; nothing else reads the pool.
 */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function takeRandom(n: number): number {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += n;
  return at;
}
