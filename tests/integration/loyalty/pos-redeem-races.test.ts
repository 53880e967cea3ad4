/**
 * Redemption reads and decides before it writes, and writes in one statement (pos_redeem_coupon): these races
 * check that the answers are those of the one transaction it replaced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { count, createMember, giveCoupon, POS_STORE_CODES, posCall } from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const unique = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

describe('POST /api/pos/redeem under races', () => {
  it('one key sent 30 times at once: one redemption, every answer the first answer', async () => {
    const m = await createMember(sys.database);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const body = { idempotencyKey: `same-${unique()}`, couponCode: c.code, orderAmountFen: 4200 };
    const results = await Promise.all(Array.from({ length: 30 }, () => posCall(sys, '/api/pos/redeem', body)));
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    const ids = new Set(results.map((r) => r.body.redemptionId));
    expect(ids.size).toBe(1);
    for (const r of results) expect(r.body).toEqual(results[0].body);
    expect(
      await count(sys.database, `select count(*) from coupon_redemptions where coupon_id = $1`, [c.couponId]),
    ).toBe(1);
    expect(
      await count(sys.database, `select count(*) from partner_requests where idempotency_key = $1`, [
        body.idempotencyKey,
      ]),
    ).toBe(1);
  });

  it('one key at once with two bodies: one redemption, the other body is a conflict', async () => {
    const m = await createMember(sys.database);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const key = `two-${unique()}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        posCall(sys, '/api/pos/redeem', { idempotencyKey: key, couponCode: c.code, orderAmountFen: 3000 + (i % 2) }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(new Set(ok.map((r) => r.body.orderAmountFen)).size).toBe(1);
    for (const r of results) {
      if (r.status === 200) expect(r.body).toEqual(ok[0].body);
      else expect({ status: r.status, code: r.body.error.code }).toEqual({ status: 409, code: 'IDEMPOTENCY_CONFLICT' });
    }
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(
      await count(sys.database, `select count(*) from coupon_redemptions where coupon_id = $1`, [c.couponId]),
    ).toBe(1);
  });

  it('a lost race stores nothing: of 50 keys for one coupon, one answer is kept', async () => {
    const m = await createMember(sys.database);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const prefix = `lost-${unique()}`;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        posCall(
          sys,
          '/api/pos/redeem',
          { idempotencyKey: `${prefix}-${i}`, couponCode: c.code, orderAmountFen: 3000 },
          { store: POS_STORE_CODES[i % POS_STORE_CODES.length] },
        ),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 200).every((r) => r.body.error.code === 'COUPON_USED')).toBe(true);
    expect(
      await count(sys.database, `select count(*) from partner_requests where idempotency_key like $1`, [`${prefix}-%`]),
    ).toBe(1);
    // a loser's key is free: retried for another coupon, it redeems that one
    const loser = results.findIndex((r) => r.status !== 200);
    const other = await giveCoupon(sys, m.customerId, 'FULL_100_15');
    const retry = await posCall(
      sys,
      '/api/pos/redeem',
      { idempotencyKey: `${prefix}-${loser}`, couponCode: other.code, orderAmountFen: 12000 },
      { store: POS_STORE_CODES[loser % POS_STORE_CODES.length] },
    );
    expect(retry).toMatchObject({ status: 200, body: { couponId: other.couponId } });
  });
});
