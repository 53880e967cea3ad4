import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCoupon, issueCouponOnce } from '../../../functions/app/coupons/issue-coupon.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { count, createMember } from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

describe('issuing coupons', () => {
  it('issues NEW_MEMBER once per idempotency key, valid through the 30th day after issue (Asia/Shanghai)', async () => {
    const { customerId } = await createMember(sys.database);
    const now = sys.clock.now(); // 2026-11-25T02:00Z = 10:00 in Shanghai
    const first = await sys.database.db.transaction((tx) =>
      issueCouponOnce(tx, {
        customerId,
        templateCode: 'NEW_MEMBER',
        reason: 'new_member',
        idempotencyKey: `nm:${customerId}`,
        now,
      }),
    );
    const again = await sys.database.db.transaction((tx) =>
      issueCouponOnce(tx, {
        customerId,
        templateCode: 'NEW_MEMBER',
        reason: 'new_member',
        idempotencyKey: `nm:${customerId}`,
        now,
      }),
    );
    expect(first?.created).toBe(true);
    expect(again).toEqual({ couponId: first?.couponId, created: false });
    const [row] = await sys.database.exec(`select valid_until, code from coupons where id = $1`, [first?.couponId]);
    // 25 Nov + 30 days = 25 Dec; valid until 26 Dec 00:00 Shanghai = 25 Dec 16:00Z
    expect(new Date(row.valid_until as string).toISOString()).toBe('2026-12-25T16:00:00.000Z');
    expect(String(row.code)).toMatch(/^\d{16}$/);
  });

  it('returns null for an unknown template and leaves the caller transaction usable', async () => {
    const { customerId } = await createMember(sys.database);
    const out = await sys.database.db.transaction(async (tx) => {
      const r = await issueCouponOnce(tx, {
        customerId,
        templateCode: 'NOPE',
        reason: 'manual',
        idempotencyKey: `x:${customerId}`,
        now: sys.clock.now(),
      });
      return r;
    });
    expect(out).toBeNull();
  });

  it('enforces the per-member limit atomically under concurrency, rolling back refused issues', async () => {
    const { customerId } = await createMember(sys.database);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        issueCoupon(sys.database.db, {
          customerId,
          templateCode: 'NEW_MEMBER',
          reason: 'manual',
          idempotencyKey: `limit:${customerId}:${i}`,
          now: sys.clock.now(),
        }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.code === 'COUPON_LIMIT_REACHED')).toBe(true);
    expect(await count(sys.database, `select count(*) from coupons where customer_id = $1`, [customerId])).toBe(1);
  });

  it('enforces total stock atomically', async () => {
    await sys.database.exec(`update coupon_templates set total_stock = issued_count + 3 where code = 'HZ001_200_20'`);
    const members = await Promise.all(Array.from({ length: 8 }, () => createMember(sys.database)));
    const results = await Promise.all(
      members.map((m) =>
        issueCoupon(sys.database.db, {
          customerId: m.customerId,
          templateCode: 'HZ001_200_20',
          reason: 'campaign',
          idempotencyKey: `stock:${m.customerId}`,
          now: sys.clock.now(),
        }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok && r.code === 'COUPON_OUT_OF_STOCK')).toHaveLength(5);
  });
});
