/**
 * A keyed digest of a phone number, for what is kept of a closed account (closed_member_phones). Keyed because
 * there are only ~10^10 mainland mobiles: a plain hash is reversed by trying them all. The key is derived from the
 * deployment's JWT secret (HKDF, its own label), so there is no second secret to configure; rotating that secret
 * forgets which closed phones had their new-member coupon, and nothing else.
 */
import { createHmac, hkdfSync } from 'node:crypto';

const keys = new Map<string, Buffer>();

function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'medloop', 'closed-member-phone', 32));
    keys.set(secret, key);
  }
  return key;
}

export function phoneDigest(secret: string, phone: string): string {
  return createHmac('sha256', keyOf(secret)).update(phone).digest('base64url');
}

/**
 * The same keyed digest of a WeChat id (`openid:` / `unionid:` before it, so it never equals a phone's): a visitor
 * who closed an account and comes back on the same WeChat is known before authorising a phone, and a sign-up on that
 * WeChat with another phone is still the same person.
 */
export function wechatDigest(secret: string, kind: 'openid' | 'unionid', value: string): string {
  return phoneDigest(secret, `${kind}:${value}`);
}
