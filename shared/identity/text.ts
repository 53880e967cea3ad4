/**
 * Width folding: Chinese IMEs type full-width Latin letters, digits and punctuation (Ａ１＠，) and the ideographic
 * space. Linking compares the half-width forms.
 */
export function foldWidth(input: string): string {
  return input
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
}

/** Trimmed, width-folded, inner runs of whitespace collapsed; empty → null. */
export function cleanText(input: string | null | undefined): string | null {
  if (input === null || input === undefined) return null;
  const s = foldWidth(String(input)).replace(/\s+/g, ' ').trim();
  return s === '' ? null : s;
}
