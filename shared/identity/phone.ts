/**
 * Chinese mobile numbers arrive as +86 138 0013 8000, 0086-13800138000, full-width digits, with dashes or
 * spaces. Linking compares one canonical form: the 11 national digits. Invalid input is flagged, not dropped.
 */
export type PhoneParse =
  | { ok: true; canonical: string }
  | { ok: false; reason: 'empty' | 'not_mobile' | 'bad_length'; cleaned: string };

const FULL_WIDTH_OFFSET = 0xff10 - 0x30;

export function normalizePhone(input: string | null | undefined): PhoneParse {
  if (!input) return { ok: false, reason: 'empty', cleaned: '' };
  // fold full-width digits and plus sign (common from Chinese IMEs) to ASCII
  let s = input.replace(/[\uff10-\uff19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - FULL_WIDTH_OFFSET));
  s = s.replace(/\uff0b/g, '+').replace(/[\s\-().\u3000\u2010-\u2015]/g, '');
  if (s.startsWith('+86')) s = s.slice(3);
  else if (s.startsWith('0086')) s = s.slice(4);
  else if (s.startsWith('86') && s.length === 13) s = s.slice(2);
  if (s.length === 0) return { ok: false, reason: 'empty', cleaned: s };
  if (!/^\d+$/.test(s)) return { ok: false, reason: 'not_mobile', cleaned: s };
  if (s.length !== 11) return { ok: false, reason: 'bad_length', cleaned: s };
  // mainland mobile numbers are 1[3-9]x xxxx xxxx
  if (!/^1[3-9]\d{9}$/.test(s)) return { ok: false, reason: 'not_mobile', cleaned: s };
  return { ok: true, canonical: s };
}

/** 138****8000: what staff outside a member's scope, and screens in public, may show. */
export function maskPhone(canonical: string): string {
  return canonical.length === 11 ? `${canonical.slice(0, 3)}****${canonical.slice(7)}` : '****';
}
