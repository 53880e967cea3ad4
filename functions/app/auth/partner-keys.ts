/**
 * Active partner keys, cached in the process for PARTNER_KEY_CACHE_SECONDS: a POS sends every request signed, and
 * reading the key per request was one database round trip of every redemption. The bound: a key revoked (or
 * re-secreted) in the database stops working in every instance within PARTNER_KEY_CACHE_SECONDS; a new key works at
 * once (unknown ids are not cached, so a flood of made-up ids cannot fill the cache either). Concurrent misses
 * for one key share one query. The cache belongs to the database handle, so two systems in one process (tests)
 * never see each other's keys; its clock is the monotonic one, not the domain clock tests move.
 */
import { performance } from 'node:perf_hooks';
import type { Db } from '../../adapters/db/client.js';
import { createPartnerKeyRepo } from '../../adapters/db/repos/partner-key.repo.js';

export const PARTNER_KEY_CACHE_SECONDS = 5;

export type ActivePartnerKey = NonNullable<Awaited<ReturnType<ReturnType<typeof createPartnerKeyRepo>['findActive']>>>;

interface Entry {
  readAt: number;
  key: Promise<ActivePartnerKey | null>;
}

const caches = new WeakMap<Db, Map<string, Entry>>();

/** The active key with this id, or null (unknown or revoked). `nowMs`: a monotonic clock, for tests. */
export function activePartnerKey(db: Db, id: string, nowMs = performance.now()): Promise<ActivePartnerKey | null> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  const hit = cache.get(id);
  if (hit && nowMs - hit.readAt < PARTNER_KEY_CACHE_SECONDS * 1000) return hit.key;
  const entry: Entry = { readAt: nowMs, key: createPartnerKeyRepo(db).findActive(id) };
  cache.set(id, entry);
  const forget = () => {
    if (cache.get(id) === entry) cache.delete(id);
  };
  entry.key.then((key) => key ?? forget(), forget);
  return entry.key;
}
