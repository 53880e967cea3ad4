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
 * What an export writes where it has no value: a language's null ('null', 'undefined', 'None', 'nil', 'NaN'), a
 * spreadsheet's ('N/A', '#N/A', '-'), a clerk's ('无', '空', '暂无', '不详') and test values. Compared trimmed and
 * lower-cased, with the quotes an export may leave around them.
 */
const NO_VALUE = new Set([
  'null',
  'undefined',
  'none',
  'nil',
  'nan',
  'n/a',
  'na',
  'n.a.',
  '#n/a',
  'unknown',
  'empty',
  'blank',
  'void',
  'false',
  'true',
  'test',
  'tbd',
  'default',
  '[object object]',
  '{}',
  '[]',
  '无',
  '空',
  '未知',
  '暂无',
  '没有',
  '不详',
  '无卡',
  '测试',
  '待定',
  '未填',
  '未提供',
]);

/**
 * A value no identifier of any kind can be: a no-value word above, only punctuation or zeros ('-', '0', '/', '--',
 * '000'), or one character repeated ('xxxx'). A strong identifier links on equality alone, so 'null' as a unionid on
 * three WeCom contacts of three people made them one customer.
 */
export function isJunkValue(value: string): boolean {
  const v = value
    .trim()
    .replace(/^["'`]+|["'`]+$/g, '')
    .trim()
    .toLowerCase();
  return NO_VALUE.has(v) || /^[\s\p{P}\p{S}0]*$/u.test(v) || /^(.)\1*$/u.test(v);
}

/**
 * Why a value must never link anything, or null: a placeholder (no value written as a value, 13800000000, an
 * all-zero card) or a store's own number. `storePhones` are the stores' own counter numbers (canonical
 * digits, landlines included): a clerk who types the shop's number would otherwise join every such card.
 */
export function blockReason(kind: IdentifierKind, value: string, storePhones: ReadonlySet<string>): BlockReason | null {
  if (isJunkValue(value)) return 'placeholder';
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
