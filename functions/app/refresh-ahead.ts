/**
 * A small in-process cache that reads an entry again BEFORE it expires, so that steady traffic never waits for it.
 *
 * An entry is served for at most `ttlMs` after the read that produced it began: that is the bound a caller states
 * (a revoked POS key stops working within it). The first request after `refreshAfterMs` (< ttlMs) still gets the
 * cached value and starts one read in the background; when it lands it replaces the entry (its age counted from
 * when it began). A key nobody asks for in the meantime simply expires and is read on the next request, as in a
 * plain TTL cache. Concurrent misses share one read; a failed read, or a value `keep` refuses (an unknown or
 * revoked key), is not kept. Time is the caller's monotonic clock (tests pass their own).
 */
export interface RefreshAheadCache<K, V> {
  get(key: K, read: () => Promise<V>, nowMs: number): Promise<V>;
  delete(key: K): void;
}

interface Entry<V> {
  readAt: number;
  value: Promise<V>;
  refreshing: boolean;
}

export function refreshAheadCache<K, V>(opts: {
  ttlMs: number;
  refreshAfterMs: number;
  /** whether a value read is kept (default: every value) */
  keep?: (value: V) => boolean;
}): RefreshAheadCache<K, V> {
  if (!(opts.refreshAfterMs > 0 && opts.refreshAfterMs < opts.ttlMs)) {
    throw new RangeError('refreshAfterMs must be between 0 and ttlMs');
  }
  const keep = opts.keep ?? (() => true);
  const entries = new Map<K, Entry<V>>();

  /** the read's entry, kept once it resolves to a value worth keeping */
  function start(key: K, read: () => Promise<V>, nowMs: number): Entry<V> {
    const entry: Entry<V> = { readAt: nowMs, value: read(), refreshing: false };
    entry.value.then(
      (value) => {
        if (!keep(value) && entries.get(key) === entry) entries.delete(key);
      },
      () => {
        if (entries.get(key) === entry) entries.delete(key);
      },
    );
    return entry;
  }

  return {
    get(key, read, nowMs) {
      const hit = entries.get(key);
      if (hit && nowMs - hit.readAt < opts.ttlMs) {
        if (nowMs - hit.readAt >= opts.refreshAfterMs && !hit.refreshing) {
          hit.refreshing = true;
          const next = start(key, read, nowMs);
          next.value.then(
            (value) => {
              if (entries.get(key) !== hit) return;
              if (keep(value)) entries.set(key, next);
              else entries.delete(key);
            },
            // the cached value serves until it expires; the request after that reads again
            () => undefined,
          );
        }
        return hit.value;
      }
      const entry = start(key, read, nowMs);
      entries.set(key, entry);
      return entry.value;
    },
    delete(key) {
      entries.delete(key);
    },
  };
}
