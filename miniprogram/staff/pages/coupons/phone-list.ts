/**
 * 批量发券: a paste of phone numbers (a column copied from Excel, a WeChat message, a typed list) split into entries,
 * each with the line it came from, for the server to resolve and the preview to say where a bad one is. The server
 * normalises each entry (+86, dashes, full-width digits: shared/identity/phone.ts); this only finds where one number
 * ends. Numbers are separated by new lines, commas (, ， 、 ; ；) and spaces, but a number may hold spaces itself
 * (139 0000 0003, +86 139 …): of the parts between spaces, the longest run that the normaliser takes as one mobile
 * number is one entry. Words beside numbers (a name, 手机：) are dropped; a line with no digit at all is kept as one
 * entry, so the preview names it instead of losing it.
 */
import { normalizePhone } from '@shared/identity/phone';

export interface PhoneEntry {
  /** 1-based line of the paste */
  line: number;
  /** as pasted, cut to ENTRY_MAX */
  text: string;
}

/** the longest entry sent (the contract's bound): anything longer is no phone number whatever it holds */
export const ENTRY_MAX = 64;
/** +86 139 0000 0003 is four parts; no one writes a mobile number in more than five */
const MAX_PARTS = 5;
/** the textarea's limit: far above 500 numbers, so a longer paste is said to be too long, not cut silently */
export const PASTE_MAX = 20_000;

const DIGIT = /[0-9\uff10-\uff19]/;
const clip = (text: string) => (text.length > ENTRY_MAX ? text.slice(0, ENTRY_MAX) : text);

export function splitPhoneList(pasted: string): PhoneEntry[] {
  const out: PhoneEntry[] = [];
  pasted.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const line = i + 1;
    const text = raw.trim();
    if (!text) return;
    if (!DIGIT.test(text)) {
      out.push({ line, text: clip(text) });
      return;
    }
    for (const piece of text.split(/[,，、;；]/)) {
      const parts = piece.split(/\s+/).filter((p) => DIGIT.test(p));
      for (let from = 0; from < parts.length; ) {
        let to = Math.min(parts.length, from + MAX_PARTS);
        while (to > from + 1 && !normalizePhone(parts.slice(from, to).join(' ')).ok) to -= 1;
        out.push({ line, text: clip(parts.slice(from, to).join(' ')) });
        from = to;
      }
    }
  });
  return out;
}
