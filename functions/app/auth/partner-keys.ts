/**
 * Active partner keys, cached in the process for PARTNER_KEY_CACHE_SECONDS: a POS sends every request signed, and
 * reading the key per request was one database round trip of every redemption. The bound: a key revoked (or
 * re-secreted) in the database stops working in every instance within PARTNER_KEY_CACHE_SECONDS; a new key works at
 * once (unknown ids are not cached, so a flood of made-up ids cannot fill the cache either). Concurrent misses
 * for one key share one query, and a key in steady use is read again before it expires (refresh-ahead.ts), so no
 * request waits for it. The cache belongs to the database handle, so two systems in one process (tests)
 * never see each other's keys; its clock is the monotonic one, not the domain clock tests move.
 */
import { performance } from 'node:perf_hooks';
import type { Db } from '../../adapters/db/client.js';
import { createPartnerKeyRepo } from '../../adapters/db/repos/partner-key.repo.js';
import { type RefreshAheadCache, refreshAheadCache } from '../refresh-ahead.js';

export const PARTNER_KEY_CACHE_SECONDS = 5;

export type ActivePartnerKey = NonNullable<Awaited<ReturnType<ReturnType<typeof createPartnerKeyRepo>['findActive']>>>;

type KeyCache = RefreshAheadCache<string, ActivePartnerKey | null>;
const caches = new WeakMap<Db, KeyCache>();

/** The active key with this id, or null (unknown or revoked). `nowMs`: a monotonic clock, for tests. */
export function activePartnerKey(db: Db, id: string, nowMs = performance.now()): Promise<ActivePartnerKey | null> {
  let cache = caches.get(db);
  if (!cache) {
    // read again in the background after 80 % of the bound: a POS that calls steadily never waits for its key
    cache = refreshAheadCache({
      ttlMs: PARTNER_KEY_CACHE_SECONDS * 1000,
      refreshAfterMs: PARTNER_KEY_CACHE_SECONDS * 800,
      keep: (key) => key !== null,
    });
    caches.set(db, cache);
  }
  return cache.get(id, () => createPartnerKeyRepo(db).findActive(id), nowMs);
}
