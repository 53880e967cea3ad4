import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueMemberCode } from '../../../functions/app/members/member-code.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { codeOf, count, createMember, giveCoupon, POS_STORE_CODES, posCall, uniqueKey } from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const key = uniqueKey;

describe('POST /api/pos/redeem', () => {
  it('redeems a coupon by its code: discount, payable, and the coupon becomes used', async () => {
    const m = await createMember(sys.database);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const res = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      couponCode: c.code,
      orderAmountFen: 5800,
      externalOrderId: 'POS-HZ001-0001',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      couponId: c.couponId,
      customerId: m.customerId,
      storeId: 'sto_001',
      discountFen: 1000,
      payableFen: 4800,
      headline: '无门槛减10元',
    });
    const [row] = await sys.database.exec(`select status, redeemed_store_id from coupons where id = $1`, [c.couponId]);
    expect(row).toEqual({ status: 'redeemed', redeemed_store_id: 'sto_001' });
  });

  it('200 concurrent redemptions of one coupon from different stores: exactly one succeeds', async () => {
    const m = await createMember(sys.database);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        posCall(
          sys,
          '/api/pos/redeem',
          { idempotencyKey: key(`race${i}`), couponCode: c.code, orderAmountFen: 3000 },
          { store: POS_STORE_CODES[i % POS_STORE_CODES.length] },
        ),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 200).every((r) => r.body.error.code === 'COUPON_USED')).toBe(true);
    expect(
      await count(sys.database, `select count(*) from coupon_redemptions where coupon_id = $1`, [c.couponId]),
    ).toBe(1);
  }, 120_000);

  it('a retry with the same idempotency key returns the first answer and changes nothing', async () => {
    const m = await createMember(sys.database);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const body = { idempotencyKey: key('retry'), couponCode: c.code, orderAmountFen: 2000 };
    const first = await posCall(sys, '/api/pos/redeem', body);
    const replays = await Promise.all(Array.from({ length: 5 }, () => posCall(sys, '/api/pos/redeem', body)));
    expect(first.status).toBe(200);
    for (const r of replays) expect(r).toMatchObject({ status: 200, body: first.body });
    expect(
      await count(sys.database, `select count(*) from coupon_redemptions where coupon_id = $1`, [c.couponId]),
    ).toBe(1);
    // the same key with another body is a conflict, not a replay
    expect(codeOf(await posCall(sys, '/api/pos/redeem', { ...body, orderAmountFen: 2500 }))).toEqual({
      status: 409,
      code: 'IDEMPOTENCY_CONFLICT',
    });
    // a new key for a used coupon
    expect(codeOf(await posCall(sys, '/api/pos/redeem', { ...body, idempotencyKey: key('again') }))).toEqual({
      status: 409,
      code: 'COUPON_USED',
    });
  });

  it('by member code: the best applicable coupon, or the one the cashier picked', async () => {
    const m = await createMember(sys.database);
    const small = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const big = await giveCoupon(sys, m.customerId, 'FULL_100_15');
    const { code } = await issueMemberCode(sys.database.db, {
      customerId: m.customerId,
      identityId: `idn_${m.customerId}`,
      now: sys.clock.now(),
    });
    const best = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      memberCode: code,
      orderAmountFen: 12000,
    });
    expect(best.body).toMatchObject({ couponId: big.couponId, discountFen: 1500 });
    const picked = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      memberCode: code,
      couponId: small.couponId,
      orderAmountFen: 12000,
    });
    expect(picked.body).toMatchObject({ couponId: small.couponId, discountFen: 1000 });
    expect(
      codeOf(await posCall(sys, '/api/pos/redeem', { idempotencyKey: key(), memberCode: code, orderAmountFen: 12000 })),
    ).toEqual({
      status: 422,
      code: 'NO_APPLICABLE_COUPON',
    });
  });

  it('refuses a stale or forged signature and changes nothing', async () => {
    const m = await createMember(sys.database);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const body = { idempotencyKey: key(), couponCode: c.code, orderAmountFen: 2000 };
    const stale = await posCall(sys, '/api/pos/redeem', body, {
      now: new Date(sys.clock.now().getTime() - 6 * 60_000),
    });
    expect(codeOf(stale)).toEqual({ status: 401, code: 'SIGNATURE_EXPIRED' });
    const forged = await posCall(sys, '/api/pos/redeem', body, { secret: 'forged-secret-0123456789abcdef0123456789' });
    expect(codeOf(forged)).toEqual({ status: 401, code: 'SIGNATURE_INVALID' });
    const [row] = await sys.database.exec(`select status from coupons where id = $1`, [c.couponId]);
    expect(row.status).toBe('available');
  });

  describe('bad input gets a clear code and changes nothing', async () => {
    let coupon: { couponId: string; code: string };
    let thresholdCoupon: { couponId: string; code: string };
    let storeCoupon: { couponId: string; code: string };
    let expiredMemberCode: string;
    beforeAll(async () => {
      const m = await createMember(sys.database);
      coupon = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
      thresholdCoupon = await giveCoupon(sys, m.customerId, 'FULL_100_15');
      storeCoupon = await giveCoupon(sys, m.customerId, 'HZ001_200_20');
      const issued = await issueMemberCode(sys.database.db, {
        customerId: m.customerId,
        identityId: `idn_${m.customerId}`,
        now: new Date(sys.clock.now().getTime() - 10 * 60_000),
      });
      expiredMemberCode = issued.code;
    });
    const cases: [string, () => Record<string, unknown>, { store?: string } | undefined, number, string][] = [
      ['malformed coupon code', () => ({ couponCode: '12345' }), undefined, 400, 'COUPON_CODE_INVALID'],
      [
        'mistyped check digit',
        () => ({ couponCode: `${coupon.code.slice(0, 15)}${(Number(coupon.code[15]) + 1) % 10}` }),
        undefined,
        400,
        'COUPON_CODE_INVALID',
      ],
      ['unknown coupon', () => ({ couponCode: '0000000000000000' }), undefined, 404, 'COUPON_NOT_FOUND'],
      ['malformed member code', () => ({ memberCode: 'abc' }), undefined, 404, 'MEMBER_CODE_INVALID'],
      ['expired member code', () => ({ memberCode: expiredMemberCode }), undefined, 410, 'MEMBER_CODE_EXPIRED'],
      [
        'below threshold',
        () => ({ couponCode: thresholdCoupon.code, orderAmountFen: 9999 }),
        undefined,
        422,
        'BELOW_THRESHOLD',
      ],
      [
        'store-scoped coupon elsewhere',
        () => ({ couponCode: storeCoupon.code, orderAmountFen: 30000 }),
        { store: 'HZ002' },
        422,
        'STORE_NOT_APPLICABLE',
      ],
      [
        'Rx-only order',
        () => ({ couponCode: coupon.code, orderAmountFen: 3000, lines: [{ amountFen: 3000, rx: true }] }),
        undefined,
        422,
        'NO_ELIGIBLE_ITEMS',
      ],
      [
        'lines not adding up',
        () => ({ couponCode: coupon.code, orderAmountFen: 3000, lines: [{ amountFen: 100 }] }),
        undefined,
        400,
        'ORDER_AMOUNT_MISMATCH',
      ],
      [
        'negative amount',
        () => ({ couponCode: coupon.code, orderAmountFen: -100 }),
        undefined,
        400,
        'VALIDATION_FAILED',
      ],
      [
        'both codes',
        () => ({ couponCode: coupon.code, memberCode: expiredMemberCode }),
        undefined,
        400,
        'VALIDATION_FAILED',
      ],
      ['unknown store', () => ({ couponCode: coupon.code, storeId: 'sto_999' }), undefined, 404, 'STORE_NOT_FOUND'],
      [
        'another store than the key',
        () => ({ couponCode: coupon.code, storeId: 'sto_002' }),
        undefined,
        403,
        'STORE_NOT_KEYS_STORE',
      ],
      [
        'short idempotency key',
        () => ({ couponCode: coupon.code, idempotencyKey: 'x' }),
        undefined,
        400,
        'VALIDATION_FAILED',
      ],
    ];
    it.each(cases)('%s → %i %s', async (_name, body, opts, status, code) => {
      const before = await count(sys.database, `select count(*) from coupon_redemptions`);
      const requests = await count(sys.database, `select count(*) from partner_requests`);
      const res = await posCall(
        sys,
        '/api/pos/redeem',
        { idempotencyKey: key(), orderAmountFen: 5000, ...body() },
        opts,
      );
      expect(codeOf(res)).toEqual({ status, code });
      expect(await count(sys.database, `select count(*) from coupon_redemptions`)).toBe(before);
      expect(await count(sys.database, `select count(*) from partner_requests`)).toBe(requests);
      expect(
        await count(sys.database, `select count(*) from coupons where status = 'redeemed' and id = any($1)`, [
          [coupon.couponId, thresholdCoupon.couponId, storeCoupon.couponId],
        ]),
      ).toBe(0);
    });
  });
});
