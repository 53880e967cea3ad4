import { foldWidth } from './text.js';

export type EmailParse =
  | { ok: true; canonical: string }
  | { ok: false; reason: 'empty' | 'bad_syntax'; cleaned: string };

// deliberately plain: one @, a dotted domain with a 2+ letter TLD, no spaces; RFC 5322 quoting never appears in
// a POS or mall export
const EMAIL = /^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/;

/** Lower-cased (mailbox providers in China treat the local part case-insensitively) and syntax-checked. */
export function normalizeEmail(input: string | null | undefined): EmailParse {
  if (!input) return { ok: false, reason: 'empty', cleaned: '' };
  const s = foldWidth(input)
    .replace(/\s+/g, '')
    .replace(/[。．]/g, '.')
    .toLowerCase();
  if (s === '') return { ok: false, reason: 'empty', cleaned: s };
  return EMAIL.test(s) ? { ok: true, canonical: s } : { ok: false, reason: 'bad_syntax', cleaned: s };
}
