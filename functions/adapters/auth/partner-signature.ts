/**
 * Signed server-to-server requests (POS, online mall, WeCom). The partner sends
 *   x-medloop-key: <key id>   x-medloop-timestamp: <unix seconds>   x-medloop-nonce: <16–64 chars>
 *   x-medloop-signature: hex(HMAC-SHA256(secret, METHOD \\n PATH?QUERY \\n TIMESTAMP \\n NONCE \\n hex(SHA256(body))))
 * over the exact body bytes. A timestamp outside ±5 minutes is refused, so a captured request cannot be
 * replayed later; within the window a replay is harmless because every write also carries an idempotency
 * key that returns the first answer. Keys are looked up through a short in-process cache
 * (functions/app/auth/partner-keys.ts): a revoked key stops working within PARTNER_KEY_CACHE_SECONDS (5 s).
 */
import { createHash, createHmac, hash, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_WINDOW_SECONDS = 300;

export interface SignInput {
  secret: string;
  method: string;
  /** path with query string, exactly as sent (e.g. /api/pos/redeem) */
  path: string;
  timestamp: number;
  nonce: string;
  body: string | Uint8Array;
}

export function canonicalString(input: Omit<SignInput, 'secret'>): string {
  // one-shot: no Hash object (a native handle every young collection must process) per request
  const bodyHash = hash('sha256', input.body, 'hex');
  return [input.method.toUpperCase(), input.path, String(input.timestamp), input.nonce, bodyHash].join('\n');
}

export function signPartnerRequest(input: SignInput): string {
  return createHmac('sha256', input.secret).update(canonicalString(input)).digest('hex');
}

/** Headers for a signed request: what a POS integration (and our tests and benchmarks) send. */
export function partnerHeaders(
  input: Omit<SignInput, 'nonce' | 'timestamp'> & { keyId: string; now: Date; nonce?: string },
) {
  const timestamp = Math.floor(input.now.getTime() / 1000);
  const nonce = input.nonce ?? createHash('sha256').update(`${Math.random()}${timestamp}`).digest('hex').slice(0, 24);
  return {
    'x-medloop-key': input.keyId,
    'x-medloop-timestamp': String(timestamp),
    'x-medloop-nonce': nonce,
    'x-medloop-signature': signPartnerRequest({ ...input, timestamp, nonce }),
  };
}

export type VerifyResult =
  | { ok: true }
  | { ok: false; code: 'SIGNATURE_INVALID' | 'SIGNATURE_EXPIRED'; message: string };

export function verifyPartnerSignature(
  input: Omit<SignInput, 'timestamp'> & { timestamp: string; signature: string; now: Date },
): VerifyResult {
  if (!/^\d{9,11}$/.test(input.timestamp)) return { ok: false, code: 'SIGNATURE_INVALID', message: 'bad timestamp' };
  if (!/^[\w-]{16,64}$/.test(input.nonce)) return { ok: false, code: 'SIGNATURE_INVALID', message: 'bad nonce' };
  const skew = Math.abs(Math.floor(input.now.getTime() / 1000) - Number(input.timestamp));
  if (skew > SIGNATURE_WINDOW_SECONDS) {
    return { ok: false, code: 'SIGNATURE_EXPIRED', message: `timestamp is ${skew} s away from server time` };
  }
  const expected = Buffer.from(signPartnerRequest({ ...input, timestamp: Number(input.timestamp) }), 'hex');
  const given = /^[0-9a-f]{64}$/i.test(input.signature) ? Buffer.from(input.signature, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, code: 'SIGNATURE_INVALID', message: 'signature does not match' };
  }
  return { ok: true };
}
