import { describe, expect, it } from 'vitest';
import { newId, newRequestId } from '../../../functions/adapters/ids.js';

describe('ids', () => {
  it('are a prefix and 26 Crockford characters, ordered by creation time', () => {
    const early = newId('cus', Date.UTC(2026, 0, 1));
    const late = newId('cus', Date.UTC(2026, 0, 2));
    expect(early).toMatch(/^cus_[0-9abcdefghjkmnpqrstvwxyz]{26}$/);
    expect(early < late).toBe(true);
  });

  it('never repeat, across many refills of the random pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      seen.add(newId('rdm', 0));
      seen.add(newRequestId());
    }
    expect(seen.size).toBe(40_000);
  });

  it('spread their random part over the whole alphabet', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2_000; i++) {
      for (const c of newId('x', 0).slice(12)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    // 32,000 characters over 32 symbols: each near 1,000
    expect(counts.size).toBe(32);
    for (const n of counts.values()) expect(n).toBeGreaterThan(800);
  });

  it('request ids are 12 url-safe characters after req_', () => {
    expect(newRequestId()).toMatch(/^req_[\w-]{12}$/);
  });
});
