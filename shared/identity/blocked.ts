import { normalizePhone } from './phone.js';

export type BlockReason = 'placeholder' | 'store_phone' | 'cluster_limit' | 'manual';
export type IdentifierKind = 'phone' | 'openid' | 'unionid' | 'pos_card' | 'mall_account' | 'wecom_id' | 'email';

/**
 * What clerks type when a customer will not give a number: 13800000000, 13888888888, 11111111111, 00000000000.
 * Every digit after the network prefix the same (or all eleven the same) is a placeholder, never a person; so are
 * 12345678901 and 13800138000 (China Mobile's service number, the example number of countless forms).
 */
export function isPlaceholderPhone(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false;
  return (
    /^(\d)\1{10}$/.test(digits) ||
    /^1\d{2}(\d)\1{7}$/.test(digits) ||
    digits === '12345678901' ||
    digits === '13800138000'
  );
}

/** All-zero and one-digit-repeated card numbers are test or placeholder cards printed on POS screens. */
export function isPlaceholderCard(value: string): boolean {
  const v = value.replace(/\s/g, '');
  return v.length < 4 || /^(.)\1+$/.test(v);
}

/**
 * Why a value must never link anything, or null. `storePhones` are the stores' own counter numbers (canonical
 * digits, landlines included): a clerk who types the shop's number would otherwise join every such card.
 */
export function blockReason(kind: IdentifierKind, value: string, storePhones: ReadonlySet<string>): BlockReason | null {
  if (kind === 'phone') {
    if (isPlaceholderPhone(value)) return 'placeholder';
    if (storePhones.has(value)) return 'store_phone';
    return null;
  }
  if (kind === 'pos_card' || kind === 'mall_account') return isPlaceholderCard(value) ? 'placeholder' : null;
  return null;
}

/** A store's phone as the blocked list holds it: the mobile's canonical form, or a landline's digits. */
export function storePhoneKey(raw: string): string {
  const parsed = normalizePhone(raw);
  return parsed.ok ? parsed.canonical : parsed.cleaned.replace(/\D/g, '');
}
