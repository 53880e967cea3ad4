/**
 * refreshAheadCache: never serves a value older than its bound, reads again in the background before the bound so
 * steady callers never wait, shares concurrent misses, keeps neither failures nor refused values.
 */
import { describe, expect, it } from 'vitest';
import { refreshAheadCache } from '../../../functions/app/refresh-ahead.js';

/** a read that answers when told to, counting calls */
function reader<V>() {
  const pending: ((v: V) => void)[] = [];
  const failing: ((e: Error) => void)[] = [];
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    read: () => {
      calls++;
      return new Promise<V>((resolve, reject) => {
        pending.push(resolve);
        failing.push(reject);
      });
    },
    answer(v: V) {
      failing.shift();
      pending.shift()?.(v);
    },
    fail() {
      pending.shift();
      failing.shift()?.(new Error('database down'));
    },
  };
}
const settle = () => new Promise((r) => setImmediate(r));

describe('refreshAheadCache', () => {
  it('concurrent misses share one read; a hit before refreshAfter reads nothing', async () => {
    const cache = refreshAheadCache<string, number>({ ttlMs: 1000, refreshAfterMs: 800 });
    const r = reader<number>();
    const a = cache.get('k', r.read, 0);
    const b = cache.get('k', r.read, 10);
    r.answer(1);
    expect([await a, await b]).toEqual([1, 1]);
    expect(await cache.get('k', r.read, 799)).toBe(1);
    expect(r.calls).toBe(1);
  });

  it('after refreshAfter the caller gets the cached value at once and one read starts; its value replaces the entry', async () => {
    const cache = refreshAheadCache<string, number>({ ttlMs: 1000, refreshAfterMs: 800 });
    const r = reader<number>();
    const first = cache.get('k', r.read, 0);
    r.answer(1);
    await first;
    // served from the cache without waiting for the read it starts
    expect(await cache.get('k', r.read, 800)).toBe(1);
    expect(await cache.get('k', r.read, 900)).toBe(1);
    expect(r.calls).toBe(2);
    r.answer(2);
    await settle();
    // the new entry counts its age from when its read began (800): fresh until 1800, refreshed from 1600
    expect(await cache.get('k', r.read, 1500)).toBe(2);
    expect(r.calls).toBe(2);
  });

  it('never serves a value older than ttl: with no caller in between, the entry expires and the next caller waits', async () => {
    const cache = refreshAheadCache<string, number>({ ttlMs: 1000, refreshAfterMs: 800 });
    const r = reader<number>();
    const first = cache.get('k', r.read, 0);
    r.answer(1);
    await first;
    const late = cache.get('k', r.read, 1000);
    expect(r.calls).toBe(2);
    r.answer(5);
    expect(await late).toBe(5);
  });

  it('a background read that fails leaves the cached value until ttl; a refused value drops the entry', async () => {
    const cache = refreshAheadCache<string, string | null>({
      ttlMs: 1000,
      refreshAfterMs: 800,
      keep: (v) => v !== null,
    });
    const r = reader<string | null>();
    const first = cache.get('k', r.read, 0);
    r.answer('key');
    await first;
    expect(await cache.get('k', r.read, 850)).toBe('key');
    r.fail();
    await settle();
    // still cached; no second background read before it expires
    expect(await cache.get('k', r.read, 950)).toBe('key');
    expect(r.calls).toBe(2);
    // expired: read again
    const again = cache.get('k', r.read, 1000);
    r.answer('key');
    expect(await again).toBe('key');
    // the key is revoked: the background read finds nothing, and the entry is gone at once
    expect(await cache.get('k', r.read, 1850)).toBe('key');
    r.answer(null);
    await settle();
    const after = cache.get('k', r.read, 1860);
    expect(r.calls).toBe(5);
    r.answer(null);
    expect(await after).toBeNull();
  });

  it('a failed or refused first read is not kept; delete forgets an entry', async () => {
    const cache = refreshAheadCache<string, string | null>({
      ttlMs: 1000,
      refreshAfterMs: 800,
      keep: (v) => v !== null,
    });
    const r = reader<string | null>();
    const failed = cache.get('k', r.read, 0);
    r.fail();
    await expect(failed).rejects.toThrow('database down');
    const unknown = cache.get('k', r.read, 1);
    r.answer(null);
    expect(await unknown).toBeNull();
    const known = cache.get('k', r.read, 2);
    r.answer('v');
    expect(await known).toBe('v');
    cache.delete('k');
    const fresh = cache.get('k', r.read, 3);
    r.answer('w');
    expect(await fresh).toBe('w');
    expect(r.calls).toBe(4);
  });

  it('refuses a refresh point outside (0, ttl)', () => {
    expect(() => refreshAheadCache({ ttlMs: 1000, refreshAfterMs: 1000 })).toThrow(RangeError);
    expect(() => refreshAheadCache({ ttlMs: 1000, refreshAfterMs: 0 })).toThrow(RangeError);
  });
});
