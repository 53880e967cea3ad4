/**
 * Text PostgreSQL cannot keep as sent: a NUL character (text and jsonb refuse it) and an unpaired UTF-16 surrogate
 * (jsonb refuses its escape; a text column would silently store U+FFFD, so two different ids could become one).
 * The API refuses such text where it arrives; a partner's batch refuses the one record or order that holds it.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the character this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

export const UNSTORABLE_TEXT = 'holds a NUL character or a broken Unicode character';

export const isStorableText = (s: string): boolean => !UNSTORABLE.test(s);

/** The path (`records.3.name`) of the first string, key or value, in a JSON value that cannot be stored; or null. */
export function unstorableTextPath(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return isStorableText(value) ? null : path;
  if (value === null || typeof value !== 'object') return null;
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>);
  for (const [key, v] of entries) {
    const at = path === '' ? key : `${path}.${key}`;
    if (!isStorableText(key)) return at;
    const found = unstorableTextPath(v, at);
    if (found !== null) return found;
  }
  return null;
}

/** The value with every unstorable character replaced by U+FFFD: a refused payload kept as evidence of itself. */
export function storableCopy<T>(value: T): T {
  if (typeof value === 'string') return value.replace(UNSTORABLE_ALL, '\uFFFD') as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(storableCopy) as T;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [storableCopy(k), storableCopy(v)]),
  ) as T;
}
