import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { activePartnerKey, PARTNER_KEY_CACHE_SECONDS } from '../../../functions/app/auth/partner-keys.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

describe('partner key cache', () => {
  it('a revoked key keeps working at most PARTNER_KEY_CACHE_SECONDS, then stops', async () => {
    const db = sys.database.db;
    const t0 = 1_000_000;
    expect(await activePartnerKey(db, 'key_pos_hz003', t0)).toMatchObject({ id: 'key_pos_hz003', storeId: 'sto_003' });
    await sys.database.exec("update partner_keys set revoked_at = now() where id = 'key_pos_hz003'");
    // within the bound the cached key is still used (the documented cost of not reading it per request)
    expect(await activePartnerKey(db, 'key_pos_hz003', t0 + PARTNER_KEY_CACHE_SECONDS * 1000 - 1)).not.toBeNull();
    expect(await activePartnerKey(db, 'key_pos_hz003', t0 + PARTNER_KEY_CACHE_SECONDS * 1000)).toBeNull();
    // unknown and revoked ids are not cached: restoring the key works at once
    await sys.database.exec("update partner_keys set revoked_at = null where id = 'key_pos_hz003'");
    expect(await activePartnerKey(db, 'key_pos_hz003', t0 + PARTNER_KEY_CACHE_SECONDS * 1000 + 1)).not.toBeNull();
  });

  it('concurrent misses share one read; after the bound the key is read again', async () => {
    const db = sys.database.db;
    const now = 5_000_000;
    const reads = await Promise.all(Array.from({ length: 10 }, () => activePartnerKey(db, 'key_pos_hz004', now)));
    expect(new Set(reads).size).toBe(1);
    expect(await activePartnerKey(db, 'key_pos_hz004', now + 1)).toBe(reads[0]);
    const later = await activePartnerKey(db, 'key_pos_hz004', now + PARTNER_KEY_CACHE_SECONDS * 1000);
    expect(later).toEqual(reads[0]);
    expect(later).not.toBe(reads[0]);
  });

  it('a key in steady use is read again before the bound: a revocation shows within it, and no call waits', async () => {
    const db = sys.database.db;
    const t0 = 9_000_000;
    const bound = PARTNER_KEY_CACHE_SECONDS * 1000;
    const first = await activePartnerKey(db, 'key_pos_hz005', t0);
    expect(first).toMatchObject({ id: 'key_pos_hz005' });
    await sys.database.exec("update partner_keys set revoked_at = now() where id = 'key_pos_hz005'");
    try {
      // at 80 % of the bound the cached key still answers at once, and a read starts behind it
      expect(await activePartnerKey(db, 'key_pos_hz005', t0 + bound * 0.8)).toBe(first);
      // that read finds the key revoked: from then on the key is refused, before the bound
      await vi.waitFor(async () =>
        expect(await activePartnerKey(db, 'key_pos_hz005', t0 + bound * 0.8 + 1)).toBeNull(),
      );
    } finally {
      await sys.database.exec("update partner_keys set revoked_at = null where id = 'key_pos_hz005'");
    }
  });
});
