/**
 * Redemption by code in one round trip (pos_redeem_coupon_by_code, migration 0015): the shared rules evaluate the
 * order against the cached templates and the one statement applies the verdict of the coupon's own template. These
 * tests check that the one statement really is what answers, that its answers are the slow path's answers, and that
 * a stale cache or a coupon at the edge of its validity never gets an answer the rules would not give.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { textArrayLiteral } from '../../../functions/adapters/db/array-literal.js';
import { couponRepo } from '../../../functions/adapters/db/repos/coupon.repo.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { codeOf, count, createMember, giveCoupon, posCall, uniqueKey } from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());
afterEach(() => {
  vi.restoreAllMocks();
  sys.clock.set('2026-11-25T02:00:00Z');
});

/** what each path ran for one call */
function watch() {
  return {
    oneTrip: vi.spyOn(couponRepo, 'redeemByCode'),
    read: vi.spyOn(couponRepo, 'couponWithTemplateByCodePrepared'),
    slowWrite: vi.spyOn(couponRepo, 'redeemOnce'),
  };
}

async function oneTripOutcome(spy: ReturnType<typeof watch>['oneTrip']) {
  expect(spy).toHaveBeenCalledTimes(1);
  return ((await spy.mock.results[0].value) as { outcome: string }).outcome;
}

/** the answer without what differs per redemption */
const shape = (body: Record<string, unknown>) => {
  const { redemptionId, couponId, customerId, ...rest } = body;
  return { ...rest, hasIds: [redemptionId, couponId, customerId].every((v) => typeof v === 'string') };
};

describe('POST /api/pos/redeem by code in one round trip', () => {
  it('the one statement redeems: no read before it, no second write; the same answer as the slow path', async () => {
    const m = await createMember(sys.database);
    const fast = await giveCoupon(sys, m.customerId, 'FULL_100_15');
    const slow = await giveCoupon(sys, m.customerId, 'FULL_100_15');
    const order = { orderAmountFen: 23_000, externalOrderId: 'POS-ONE-TRIP-1' };

    const w = watch();
    const a = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: uniqueKey('fast'),
      couponCode: fast.code,
      ...order,
    });
    expect(a.status).toBe(200);
    expect(await oneTripOutcome(w.oneTrip)).toBe('redeemed');
    expect(w.read).not.toHaveBeenCalled();
    expect(w.slowWrite).not.toHaveBeenCalled();
    expect(a.body).toMatchObject({
      couponId: fast.couponId,
      customerId: m.customerId,
      couponName: '满100减15',
      storeId: 'sto_001',
      orderAmountFen: 23_000,
      eligibleFen: 23_000,
      discountFen: 1500,
      payableFen: 21_500,
      redeemedAt: sys.clock.now().toISOString(),
    });
    // the stored answer (a replay's) is the answer sent
    const [stored] = await sys.database.exec(
      `select response from partner_requests where operation = 'redeem' and response->>'redemptionId' = $1`,
      [a.body.redemptionId],
    );
    expect(stored.response).toEqual(a.body);
    const [redemption] = await sys.database.exec(
      `select coupon_id, customer_id, store_id, external_order_id, order_amount_fen, discount_fen from coupon_redemptions
       where id = $1`,
      [a.body.redemptionId],
    );
    expect(redemption).toEqual({
      coupon_id: fast.couponId,
      customer_id: m.customerId,
      store_id: 'sto_001',
      external_order_id: 'POS-ONE-TRIP-1',
      order_amount_fen: 23_000,
      discount_fen: 1500,
    });

    // the slow path for the twin coupon (the one statement made to step aside): the same answer
    vi.restoreAllMocks();
    const w2 = watch();
    w2.oneTrip.mockResolvedValueOnce({ outcome: 'undecided', stored: null });
    const b = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: uniqueKey('slow'),
      couponCode: slow.code,
      ...order,
      // another sale of the same amount: a receipt carries one coupon (pos-redeem-one-per-order.test.ts)
      externalOrderId: 'POS-ONE-TRIP-2',
    });
    expect(b.status).toBe(200);
    expect(w2.slowWrite).toHaveBeenCalledTimes(1);
    expect(shape(b.body)).toEqual(shape(a.body));
  });

  it('a replay is answered by the one statement from the stored answer; a used coupon is refused', async () => {
    const m = await createMember(sys.database);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const body = { idempotencyKey: uniqueKey('replay'), couponCode: c.code, orderAmountFen: 4000 };
    const first = await posCall(sys, '/api/pos/redeem', body);
    expect(first.status).toBe(200);
    const w = watch();
    const again = await posCall(sys, '/api/pos/redeem', body);
    expect(again).toMatchObject({ status: 200, body: first.body });
    expect(await oneTripOutcome(w.oneTrip)).toBe('undecided');
    expect(w.read).not.toHaveBeenCalled();
    expect(codeOf(await posCall(sys, '/api/pos/redeem', { ...body, orderAmountFen: 4100 }))).toEqual({
      status: 409,
      code: 'IDEMPOTENCY_CONFLICT',
    });
    expect(codeOf(await posCall(sys, '/api/pos/redeem', { ...body, idempotencyKey: uniqueKey('new') }))).toEqual({
      status: 409,
      code: 'COUPON_USED',
    });
    expect(
      await count(sys.database, `select count(*) from coupon_redemptions where coupon_id = $1`, [c.couponId]),
    ).toBe(1);
  });

  it('validity bounds are the rules’ bounds: valid from its first instant, expired at valid_until', async () => {
    const m = await createMember(sys.database);
    const from = new Date('2026-12-01T00:00:00Z');
    const until = new Date('2026-12-02T00:00:00Z');
    const coupons = await Promise.all([1, 2, 3].map(() => giveCoupon(sys, m.customerId, 'FULL_100_15')));
    await sys.database.exec(`update coupons set valid_from = $1, valid_until = $2 where id = any($3)`, [
      from,
      until,
      coupons.map((c) => c.couponId),
    ]);
    const redeemAt = async (at: Date, code: string) => {
      sys.clock.set(at);
      return codeOf(
        await posCall(sys, '/api/pos/redeem', {
          idempotencyKey: uniqueKey(),
          couponCode: code,
          orderAmountFen: 12_000,
        }),
      );
    };
    expect(await redeemAt(new Date(from.getTime() - 1), coupons[0].code)).toEqual({
      status: 409,
      code: 'COUPON_NOT_YET_VALID',
    });
    expect(await redeemAt(until, coupons[0].code)).toEqual({ status: 409, code: 'COUPON_EXPIRED' });
    const w = watch();
    expect(await redeemAt(from, coupons[1].code)).toEqual({ status: 200, code: undefined });
    expect(await redeemAt(new Date(until.getTime() - 1), coupons[2].code)).toEqual({ status: 200, code: undefined });
    expect(w.slowWrite).not.toHaveBeenCalled();
    expect(
      await count(sys.database, `select count(*) from partner_requests where response->>'couponId' = $1`, [
        coupons[0].couponId,
      ]),
    ).toBe(0);
  });

  it('a template changed after it was cached: never the cached answer, the slow path, then one trip again', async () => {
    const m = await createMember(sys.database);
    const [c1, c2, c3] = await Promise.all([1, 2, 3].map(() => giveCoupon(sys, m.customerId, 'VITAMIN_88')));
    const order = (code: string) => ({
      idempotencyKey: uniqueKey('tpl'),
      couponCode: code,
      orderAmountFen: 10_000,
      lines: [
        { amountFen: 6000, category: '维生素矿物质' },
        { amountFen: 4000, category: '感冒用药' },
      ],
    });
    const first = await posCall(sys, '/api/pos/redeem', order(c1.code));
    expect(first.body).toMatchObject({ couponName: '维生素矿物质88折', eligibleFen: 6000, discountFen: 720 });
    await sys.database.exec(`update coupon_templates set name = '维生素88折（改名）' where id = 'ctp_vitamin_88'`);
    try {
      const w = watch();
      const second = await posCall(sys, '/api/pos/redeem', order(c2.code));
      expect(second.body).toMatchObject({ couponName: '维生素88折（改名）', discountFen: 720 });
      expect(await oneTripOutcome(w.oneTrip)).toBe('undecided');
      expect(w.slowWrite).toHaveBeenCalledTimes(1);
      vi.restoreAllMocks();
      const w2 = watch();
      const third = await posCall(sys, '/api/pos/redeem', order(c3.code));
      expect(third.body).toMatchObject({ couponName: '维生素88折（改名）', discountFen: 720 });
      expect(await oneTripOutcome(w2.oneTrip)).toBe('redeemed');
      expect(w2.slowWrite).not.toHaveBeenCalled();
    } finally {
      await sys.database.exec(`update coupon_templates set name = '维生素矿物质88折' where id = 'ctp_vitamin_88'`);
    }
  });

  it('a refusal of the rules writes nothing: below the threshold, another store, nothing eligible', async () => {
    const m = await createMember(sys.database);
    const full = await giveCoupon(sys, m.customerId, 'FULL_100_15');
    const hz = await giveCoupon(sys, m.customerId, 'HZ001_200_20');
    const vit = await giveCoupon(sys, m.customerId, 'VITAMIN_88');
    const call = (couponCode: string, extra: object, store?: string) =>
      posCall(sys, '/api/pos/redeem', { idempotencyKey: uniqueKey('no'), couponCode, ...extra }, { store });
    expect(codeOf(await call(full.code, { orderAmountFen: 9999 }))).toMatchObject({ code: 'BELOW_THRESHOLD' });
    expect(codeOf(await call(hz.code, { orderAmountFen: 30_000 }, 'HZ002'))).toMatchObject({
      code: 'STORE_NOT_APPLICABLE',
    });
    expect(
      codeOf(await call(vit.code, { orderAmountFen: 5000, lines: [{ amountFen: 5000, category: '感冒用药' }] })),
    ).toMatchObject({ code: 'NO_ELIGIBLE_ITEMS' });
    expect(
      await count(sys.database, `select count(*) from coupons where id = any($1) and status = 'available'`, [
        [full.couponId, hz.couponId, vit.couponId],
      ]),
    ).toBe(3);
    expect(await count(sys.database, `select count(*) from partner_requests where idempotency_key like 'no-%'`)).toBe(
      0,
    );
  });

  it('the cached text[] literals read back as the strings they were built from', async () => {
    const values = ['满100减15', 'a"b', 'c\\d', '', 'x,y', '{z}', ' NULL', 'NULL', "it's"];
    const [row] = await sys.database.exec(`select $1::text[] as a`, [textArrayLiteral(values)]);
    expect(row.a).toEqual(values);
  });
});
