import { describe, expect, it } from 'vitest';
import { listCursor, parseListCursor } from '../../../functions/app/identity/cursor.js';

describe('parseListCursor', () => {
  it('reads back the cursor a list hands out, to the microsecond', () => {
    const cursor = listCursor({ created_key: '2024-02-29T23:59:59.123456Z', id: 'mrg_1' });
    expect(parseListCursor(cursor)).toEqual({ createdKey: '2024-02-29T23:59:59.123456Z', id: 'mrg_1' });
    expect(parseListCursor(undefined)).toBeNull();
  });

  it.each([
    '2026-13-45T99:99:99.000000Z|abc',
    '2026-02-29T10:00:00.000000Z|abc',
    '2026-04-31T10:00:00.000000Z|abc',
    '2026-01-01T24:00:00.000000Z|abc',
    '2026-12-31T23:59:60.000000Z|abc',
    '0000-01-01T00:00:00.000000Z|abc',
    '2026-01-01T10:00:00.000Z|abc',
    'nonsense',
  ])('refuses %s, a time no list handed out', (cursor) => {
    expect(parseListCursor(cursor)).toBe('bad');
  });
});
