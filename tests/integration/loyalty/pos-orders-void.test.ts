import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueMemberCode } from '../../../functions/app/members/member-code.js';
import { pointsStanding } from '../../../functions/app/points/points.js';
import { purgeExpiredMemberCodes } from '../../../functions/jobs/purge-member-codes.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import {
  codeOf,
  count,
  createMember,
  giveCoupon,
  memberSession,
  memberWithCode,
  pointsBalance,
  posCall,
  uniqueKey,
} from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const key = uniqueKey;

const order = (externalId: string, over: Record<string, unknown> = {}) => ({
  idempotencyKey: key('ord'),
  externalId,
  orderedAt: sys.clock.now().toISOString(),
  totalFen: 25000,
  discountFen: 0,
  paidFen: 25000,
  lines: [
    { sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 15000, amountFen: 15000 },
    { sku: 'X-NON-RX-2', quantity: 2, unitPriceFen: 5000, amountFen: 10000 },
  ],
  ...over,
});

describe('POST /api/pos/orders', () => {
  it('ingests an order once, however often it is replayed, and earns points once (double at ≥ 200 yuan)', async () => {
    const m = await memberWithCode(sys);
    const body = order('HZ001-20261125-0001', { memberCode: m.memberCode });
    const first = await posCall(sys, '/api/pos/orders', body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ customerId: m.customerId, pointsEarned: 500, pointsBalance: 500 });
    // the same request N times, and the same order under new idempotency keys
    const replays = await Promise.all([
      ...Array.from({ length: 5 }, () => posCall(sys, '/api/pos/orders', body)),
      ...Array.from({ length: 5 }, () => posCall(sys, '/api/pos/orders', { ...body, idempotencyKey: key('new') })),
    ]);
    for (const r of replays) expect(r.body).toMatchObject({ orderId: first.body.orderId, pointsEarned: 500 });
    expect(await count(sys.database, `select count(*) from orders where external_id = 'HZ001-20261125-0001'`)).toBe(1);
    expect(
      await count(sys.database, `select count(*) from order_lines where order_id = $1`, [first.body.orderId]),
    ).toBe(2);
    expect(await pointsBalance(sys, m.customerId)).toBe(500);
  });

  it('earns nothing on prescription lines (known products are looked up by SKU)', async () => {
    const m = await memberWithCode(sys);
    const [rx] = await sys.database.exec(`select sku, price_fen from products where rx limit 1`);
    const res = await posCall(
      sys,
      '/api/pos/orders',
      order('HZ001-RX-1', {
        memberCode: m.memberCode,
        totalFen: Number(rx.price_fen) + 1000,
        paidFen: Number(rx.price_fen) + 1000,
        lines: [
          { sku: rx.sku, quantity: 1, unitPriceFen: rx.price_fen, amountFen: rx.price_fen },
          { sku: 'X-NON-RX', quantity: 1, unitPriceFen: 1000, amountFen: 1000 },
        ],
      }),
    );
    expect(res.body.pointsEarned).toBe(10);
  });

  it('an order without a member is stored without points', async () => {
    const res = await posCall(sys, '/api/pos/orders', order('HZ001-ANON-1'));
    expect(res.body).toMatchObject({ customerId: null, pointsEarned: 0, pointsBalance: null });
  });

  it.each([
    ['paid ≠ total − discount', { paidFen: 100 }, 400, 'ORDER_AMOUNT_MISMATCH'],
    ['negative amount', { totalFen: -1 }, 400, 'VALIDATION_FAILED'],
    ['no lines', { lines: [] }, 400, 'VALIDATION_FAILED'],
    ['malformed member code', { memberCode: '12' }, 404, 'MEMBER_CODE_INVALID'],
    // a time the database has no year for (was a 500), a typo's far future and far past (were stored)
    ['orderedAt in year 0', { orderedAt: '0000-01-01T00:00:00Z' }, 400, 'ORDER_DATE_INVALID'],
    ['orderedAt in 9999', { orderedAt: '9999-06-01T00:00:00Z' }, 400, 'ORDER_DATE_INVALID'],
    ['orderedAt in 1900', { orderedAt: '1900-01-01T00:00:00Z' }, 400, 'ORDER_DATE_INVALID'],
    ['orderedAt before 2000', { orderedAt: '1999-12-31T12:00:00Z' }, 400, 'ORDER_DATE_INVALID'],
    [
      // 2 × 50.00 is 100.00 (100.01 at most were 50.00 a rounded 50.005)
      'a line costing more than quantity × unit price',
      {
        totalFen: 10002,
        paidFen: 10002,
        lines: [{ sku: 'X-NON-RX-1', quantity: 2, unitPriceFen: 5000, amountFen: 10002 }],
      },
      400,
      'ORDER_LINE_AMOUNT_INVALID',
    ],
    [
      'a line of 99 × 10 yuan declared as 9,900,000 fen',
      {
        totalFen: 9_900_000 + 10000,
        paidFen: 9_900_000 + 10000,
        lines: [
          { sku: 'X-NON-RX-1', quantity: 99, unitPriceFen: 1000, amountFen: 9_900_000 },
          { sku: 'X-NON-RX-2', quantity: 2, unitPriceFen: 5000, amountFen: 10000 },
        ],
      },
      400,
      'ORDER_LINE_AMOUNT_INVALID',
    ],
  ])('bad input (%s) → %i %s, nothing stored', async (_n, over, status, code) => {
    const before = await count(sys.database, `select count(*) from orders`);
    const res = await posCall(sys, '/api/pos/orders', order(key('HZ001-BAD'), over));
    expect(codeOf(res)).toEqual({ status, code });
    expect(await count(sys.database, `select count(*) from orders`)).toBe(before);
  });
});

describe('POST /api/pos/orders: the member code scanned at the start of the checkout', () => {
  it('earns for a code live at the sale, however late the order arrives; not for a sale outside its life', async () => {
    const m = await memberWithCode(sys);
    const scanned = sys.clock.now().getTime();
    const at = (minutes: number) => new Date(scanned + minutes * 60_000).toISOString();
    // paid four minutes after the scan, the code long expired (it lives 90 s): the sale is the member's
    sys.clock.advance(5 * 60_000);
    const paid = await posCall(
      sys,
      '/api/pos/orders',
      order('HZ001-CHECKOUT-1', { memberCode: m.memberCode, orderedAt: at(4) }),
    );
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ customerId: m.customerId, pointsEarned: 500 });
    // from the till's offline queue three hours later, a sale made two minutes after the scan
    sys.clock.advance(3 * 3_600_000);
    const queued = await posCall(
      sys,
      '/api/pos/orders',
      order('HZ001-CHECKOUT-2', { memberCode: m.memberCode, orderedAt: at(2) }),
    );
    expect(queued.body).toMatchObject({ customerId: m.customerId, pointsEarned: 500 });
    // a sale long after the code's life, or before it was issued: not this member's proof
    for (const [id, minutes] of [
      ['HZ001-CHECKOUT-3', 45],
      ['HZ001-CHECKOUT-4', -10],
    ] as const) {
      const res = await posCall(
        sys,
        '/api/pos/orders',
        order(id, { memberCode: m.memberCode, orderedAt: at(minutes) }),
      );
      expect(codeOf(res), id).toEqual({ status: 410, code: 'MEMBER_CODE_EXPIRED' });
    }
    expect(await pointsBalance(sys, m.customerId)).toBe(1000);
    // spending still needs the member at the till with a live code
    const spend = await posCall(sys, '/api/pos/points/spend', {
      idempotencyKey: key('spd'),
      memberCode: m.memberCode,
      points: 100,
      orderAmountFen: 1000,
    });
    expect(codeOf(spend)).toEqual({ status: 410, code: 'MEMBER_CODE_EXPIRED' });
    expect(await pointsBalance(sys, m.customerId)).toBe(1000);
    // days on, the code purged: the queue sending the first order again is answered as it counted
    sys.clock.advance(3 * 86_400_000);
    expect((await purgeExpiredMemberCodes(sys.deps)).deleted).toBeGreaterThan(0);
    const replay = await posCall(sys, '/api/pos/orders', {
      ...order('HZ001-CHECKOUT-1', { memberCode: m.memberCode, orderedAt: at(4) }),
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ orderId: paid.body.orderId, pointsEarned: 500 });
    expect(await pointsBalance(sys, m.customerId)).toBe(1000);
  });
});

describe('POST /api/pos/orders: the time and the lines', () => {
  it('takes a till clock a little fast, refuses an order more than an hour ahead of the server; nothing stored', async () => {
    const m = await memberWithCode(sys);
    const at = (minutes: number) => new Date(sys.clock.now().getTime() + minutes * 60_000).toISOString();
    const ahead = await posCall(
      sys,
      '/api/pos/orders',
      order(key('HZ001-AHEAD'), { memberCode: m.memberCode, orderedAt: at(90) }),
    );
    expect(codeOf(ahead)).toEqual({ status: 400, code: 'ORDER_DATE_INVALID' });
    expect(ahead.body.error.message).toMatch(/orderedAt/);
    expect(await pointsBalance(sys, m.customerId)).toBe(0);
    const skewed = await posCall(
      sys,
      '/api/pos/orders',
      order(key('HZ001-SKEW'), { memberCode: m.memberCode, orderedAt: at(30) }),
    );
    expect(skewed.status).toBe(200);
    // an offline till replaying last month's sale, and a time with its zone
    const late = await posCall(
      sys,
      '/api/pos/orders',
      order(key('HZ001-LATE'), { orderedAt: '2026-10-20T15:30:00+08:00' }),
    );
    expect(late.status).toBe(200);
  });

  it('takes a line costing less than quantity × unit price (会员价, a free item) and a unit price rounded to the fen', async () => {
    const lines = [
      // 会员价: 2 × 50.00 sold at 90.00
      { sku: 'X-NON-RX-1', quantity: 2, unitPriceFen: 5000, amountFen: 9000 },
      // 3 for 10 yuan: the till prints the unit price as 3.33
      { sku: 'X-NON-RX-2', quantity: 3, unitPriceFen: 333, amountFen: 1000 },
      // a free item
      { sku: 'X-NON-RX-3', quantity: 1, unitPriceFen: 1500, amountFen: 0 },
    ];
    const res = await posCall(
      sys,
      '/api/pos/orders',
      order(key('HZ001-DISC'), { totalFen: 10000, paidFen: 10000, lines }),
    );
    expect(res.status).toBe(200);
    const stored = await sys.database.exec(
      'select quantity, unit_price_fen, amount_fen from order_lines where order_id = $1 order by line_no',
      [res.body.orderId],
    );
    expect(stored.map((l) => [l.quantity, l.unit_price_fen, l.amount_fen])).toEqual([
      [2, 5000, 9000],
      [3, 333, 1000],
      [1, 1500, 0],
    ]);
    // a cent past the rounding: more than the line can cost
    const over = await posCall(
      sys,
      '/api/pos/orders',
      order(key('HZ001-OVER'), {
        totalFen: 1001,
        paidFen: 1001,
        lines: [{ sku: 'X-NON-RX-2', quantity: 3, unitPriceFen: 333, amountFen: 1001 }],
      }),
    );
    expect(codeOf(over)).toEqual({ status: 400, code: 'ORDER_LINE_AMOUNT_INVALID' });
    expect(over.body.error.message).toMatch(/line 1/);
  });
});

describe('POST /api/pos/void', () => {
  it('voids the redemption, returns the still-valid coupon and reverses the order points; idempotent', async () => {
    const m = await memberWithCode(sys);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const redeemed = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      couponCode: c.code,
      orderAmountFen: 26000,
      externalOrderId: 'HZ001-VOID-1',
    });
    expect(redeemed.status).toBe(200);
    await posCall(
      sys,
      '/api/pos/orders',
      order('HZ001-VOID-1', {
        memberCode: m.memberCode,
        totalFen: 26000,
        discountFen: 1000,
        paidFen: 25000,
        lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 26000, amountFen: 26000 }],
      }),
    );
    expect(await pointsBalance(sys, m.customerId)).toBe(500);

    const body = { idempotencyKey: key('void'), externalOrderId: 'HZ001-VOID-1' };
    const first = await posCall(sys, '/api/pos/void', body);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      voided: [{ redemptionId: redeemed.body.redemptionId, couponId: c.couponId, couponReturned: true }],
      pointsReversed: 500,
      pointsReturned: 0,
    });
    const again = await posCall(sys, '/api/pos/void', body);
    expect(again.body).toEqual(first.body);
    const otherKey = await posCall(sys, '/api/pos/void', { ...body, idempotencyKey: key('void2') });
    expect(otherKey.body).toEqual({ voided: [], pointsReversed: 0, pointsReturned: 0 });
    expect(await pointsBalance(sys, m.customerId)).toBe(0);
    const [row] = await sys.database.exec(`select status from coupons where id = $1`, [c.couponId]);
    expect(row.status).toBe('available');
    // and the returned coupon can be used again
    const reuse = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      couponCode: c.code,
      orderAmountFen: 3000,
    });
    expect(reuse.status).toBe(200);
  });

  it('an expired coupon stays used after a void', async () => {
    const m = await createMember(sys.database);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const redeemed = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      couponCode: c.code,
      orderAmountFen: 3000,
    });
    await sys.database.exec(
      `update coupons set valid_from = valid_from - interval '2 days', valid_until = valid_from - interval '1 day' where id = $1`,
      [c.couponId],
    );
    const res = await posCall(sys, '/api/pos/void', {
      idempotencyKey: key(),
      redemptionId: redeemed.body.redemptionId,
    });
    expect(res.body.voided).toEqual([
      { redemptionId: redeemed.body.redemptionId, couponId: c.couponId, couponReturned: false },
    ]);
    const [row] = await sys.database.exec(`select status from coupons where id = $1`, [c.couponId]);
    expect(row.status).toBe('redeemed');
  });

  it('another store cannot void; unknown redemptions are not found', async () => {
    const m = await createMember(sys.database);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const redeemed = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      couponCode: c.code,
      orderAmountFen: 3000,
    });
    expect(
      codeOf(
        await posCall(
          sys,
          '/api/pos/void',
          { idempotencyKey: key(), redemptionId: redeemed.body.redemptionId },
          { store: 'HZ002' },
        ),
      ),
    ).toEqual({
      status: 404,
      code: 'REDEMPTION_NOT_FOUND',
    });
    expect(codeOf(await posCall(sys, '/api/pos/void', { idempotencyKey: key(), externalOrderId: 'NOPE' }))).toEqual({
      status: 404,
      code: 'REDEMPTION_NOT_FOUND',
    });
  });
});

describe('POST /api/pos/void: a refunded order and the tier', () => {
  /** A member whose birthday is this month (the clock is 25 November), with a live code: gold needs 3,000 yuan. */
  async function birthdayMember() {
    const m = await createMember(sys.database, { birthday: '1980-11-03' });
    const { code } = await issueMemberCode(sys.database.db, {
      customerId: m.customerId,
      identityId: `idn_${m.customerId}`,
      now: sys.clock.now(),
    });
    return { ...m, memberCode: code };
  }
  const bigOrder = (externalId: string, memberCode: string) =>
    order(externalId, {
      memberCode,
      totalFen: 300_000,
      paidFen: 300_000,
      lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 300_000, amountFen: 300_000 }],
    });
  // what the member pages show, without opening one (the first page opened this month issues the birthday coupon)
  const standing = (customerId: string) => pointsStanding(sys.database.db, customerId, sys.clock.now());

  it('a whole order voided at the till no longer counts: the tier and its birthday coupon are what is left', async () => {
    const m = await birthdayMember();
    expect((await posCall(sys, '/api/pos/orders', bigOrder('HZ001-TIER-1', m.memberCode))).body.pointsEarned).toBe(
      6000,
    );
    expect(await standing(m.customerId)).toMatchObject({ balance: 6000, spendFen: 300_000, tier: { code: 'gold' } });
    const refund = await posCall(sys, '/api/pos/void', {
      idempotencyKey: key('void'),
      externalOrderId: 'HZ001-TIER-1',
    });
    expect(refund.body).toEqual({ voided: [], pointsReversed: 6000, pointsReturned: 0 });
    expect(await standing(m.customerId)).toMatchObject({ balance: 0, spendFen: 0, tier: { code: 'basic' } });
    // the order stays in the purchase history, marked refunded
    const [row] = await sys.database.exec(
      `select customer_id, refunded_at from orders where external_id = 'HZ001-TIER-1'`,
    );
    expect(row.customer_id).toBe(m.customerId);
    expect(new Date(String(row.refunded_at)).toISOString()).toBe(sys.clock.now().toISOString());
    // the member opens the points page in her birthday month: the birthday coupon of the tier she has, not gold's
    const page = await sys.call('/api/loyalty/points', { token: await memberSession(sys, m.customerId) });
    expect(page.body.tier.code).toBe('basic');
    const birthday = await sys.database.exec(
      `select t.code from coupons c join coupon_templates t on t.id = c.template_id
       where c.customer_id = $1 and c.reason = 'birthday'`,
      [m.customerId],
    );
    expect(birthday).toEqual([{ code: 'BIRTHDAY_BASIC' }]);
  });

  it('a void by redemption id is the refund of that redemption’s order alike; another order still counts', async () => {
    const m = await birthdayMember();
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const redeemed = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      couponCode: c.code,
      orderAmountFen: 300_000,
      externalOrderId: 'HZ001-TIER-2',
    });
    expect(redeemed.status).toBe(200);
    await posCall(sys, '/api/pos/orders', {
      ...bigOrder('HZ001-TIER-2', m.memberCode),
      discountFen: 1000,
      paidFen: 299_000,
    });
    await posCall(sys, '/api/pos/orders', {
      ...order('HZ001-TIER-3', { memberCode: m.memberCode }),
      totalFen: 150_000,
      paidFen: 150_000,
      lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 150_000, amountFen: 150_000 }],
    });
    expect(await standing(m.customerId)).toMatchObject({ spendFen: 449_000, tier: { code: 'gold' } });
    const refund = await posCall(sys, '/api/pos/void', {
      idempotencyKey: key('void'),
      redemptionId: redeemed.body.redemptionId,
    });
    expect(refund.body).toMatchObject({ pointsReversed: 5980 });
    expect(await standing(m.customerId)).toMatchObject({ balance: 3000, spendFen: 150_000, tier: { code: 'silver' } });
  });
});
