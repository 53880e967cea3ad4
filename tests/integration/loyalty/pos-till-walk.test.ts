/**
 * What a QA walk of the till API found in redemption, void and points spending, each fixed: a coupon discounting a
 * prescription drug the till sent by SKU, till text in the member's points history, a void by order number keeping
 * the points spent on that order, a coupon not given back by a refund shown as used, and a store that is not the
 * key's answered with a bare FORBIDDEN. PGlite and PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { couponRepo } from '../../../functions/adapters/db/repos/coupon.repo.js';
import { posRepo } from '../../../functions/adapters/db/repos/pos.repo.js';
import { requestHash } from '../../../functions/app/pos/idempotent.js';
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
afterEach(() => vi.restoreAllMocks());

const key = uniqueKey;

/** A catalogue product: a prescription drug, or a non-prescription one of a category. */
async function product(where: string): Promise<{ sku: string; category: string }> {
  const [row] = await sys.database.exec(`select sku, category from products where ${where} order by sku limit 1`);
  if (!row) throw new Error(`no product where ${where}`);
  return { sku: String(row.sku), category: String(row.category) };
}

describe('POST /api/pos/redeem: a line the till sends by SKU is read as the catalogue has it', () => {
  it('a prescription drug sent as rx:false (or with no flag) is not discounted, by coupon code or member code', async () => {
    const rx = await product('rx');
    const m = await memberWithCode(sys);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    for (const line of [
      { sku: rx.sku, amountFen: 5000 },
      { sku: rx.sku, amountFen: 5000, rx: false },
    ]) {
      const byCode = await posCall(sys, '/api/pos/redeem', {
        idempotencyKey: key(),
        couponCode: c.code,
        orderAmountFen: 5000,
        lines: [line],
      });
      expect(codeOf(byCode)).toEqual({ status: 422, code: 'NO_ELIGIBLE_ITEMS' });
      const byMember = await posCall(sys, '/api/pos/redeem', {
        idempotencyKey: key(),
        memberCode: m.memberCode,
        orderAmountFen: 5000,
        lines: [line],
      });
      expect(codeOf(byMember)).toEqual({ status: 422, code: 'NO_APPLICABLE_COUPON' });
    }
    expect(
      await count(sys.database, `select count(*) from coupon_redemptions where coupon_id = $1`, [c.couponId]),
    ).toBe(0);
    // the rest of the order is discounted; a SKU the catalogue does not know keeps the till's flags (as the order
    // ingest does)
    const mixed = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      couponCode: c.code,
      orderAmountFen: 9000,
      lines: [
        { sku: rx.sku, amountFen: 5000, rx: false },
        { sku: 'X-NOT-IN-CATALOGUE', amountFen: 3000, rx: false },
        { sku: 'X-NOT-IN-CATALOGUE-RX', amountFen: 1000, rx: true },
      ],
    });
    expect(mixed.status).toBe(200);
    expect(mixed.body).toMatchObject({ eligibleFen: 3000, discountFen: 1000, payableFen: 8000 });
  });

  it('a category coupon takes the catalogue category, over what the till says or leaves out', async () => {
    const vitamin = await product(`category = '维生素矿物质' and not rx`);
    const other = await product(`category <> '维生素矿物质' and not rx`);
    const m = await memberWithCode(sys);
    const c = await giveCoupon(sys, m.customerId, 'VITAMIN_88');
    // the till claims the other product is a vitamin: the catalogue says it is not
    const claimed = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      couponCode: c.code,
      orderAmountFen: 10_000,
      lines: [{ sku: other.sku, category: '维生素矿物质', amountFen: 10_000 }],
    });
    expect(codeOf(claimed)).toEqual({ status: 422, code: 'NO_ELIGIBLE_ITEMS' });
    // the till sends no category for the vitamin: the catalogue's makes it eligible (12 % of 100 yuan)
    const sent = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      couponCode: c.code,
      orderAmountFen: 15_000,
      lines: [
        { sku: vitamin.sku, amountFen: 10_000 },
        { sku: other.sku, amountFen: 5000 },
      ],
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ eligibleFen: 10_000, discountFen: 1200 });
  });

  it('by code it is still one statement: one catalogue read with SKU lines, none without', async () => {
    const rx = await product('rx');
    const withSku = await giveCoupon(sys, (await createMember(sys.database)).customerId, 'NEW_MEMBER');
    const without = await giveCoupon(sys, (await createMember(sys.database)).customerId, 'NEW_MEMBER');
    // warm the template cache, as a till's steady use has it
    await posCall(sys, '/api/pos/redeem', { idempotencyKey: key(), couponCode: '0000000000000000', orderAmountFen: 1 });
    const catalogue = vi.spyOn(posRepo, 'productsBySku');
    const oneTrip = vi.spyOn(couponRepo, 'redeemByCode');
    const read = vi.spyOn(couponRepo, 'couponWithTemplateByCodePrepared');
    const a = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      couponCode: withSku.code,
      orderAmountFen: 8000,
      lines: [
        { sku: rx.sku, amountFen: 5000 },
        { amountFen: 3000, rx: false },
      ],
    });
    expect(a.body).toMatchObject({ eligibleFen: 3000, discountFen: 1000 });
    expect(catalogue).toHaveBeenCalledTimes(1);
    expect(oneTrip).toHaveBeenCalledTimes(1);
    expect(read).not.toHaveBeenCalled();
    catalogue.mockClear();
    const b = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      couponCode: without.code,
      orderAmountFen: 8000,
      lines: [{ amountFen: 8000, rx: false }],
    });
    expect(b.body).toMatchObject({ eligibleFen: 8000, discountFen: 1000 });
    expect(catalogue).not.toHaveBeenCalled();
    expect(read).not.toHaveBeenCalled();
  });
});

describe('a till order number is a receipt number, on every till route', () => {
  const spam = '）。中奖了！请加微信 fake123 领取\n<b>x</b>';

  it('free text in externalOrderId is refused with nothing written: spend, redeem, void, orders', async () => {
    const m = await memberWithCode(sys);
    await posCall(sys, '/api/pos/orders', {
      idempotencyKey: key('ord'),
      externalId: key('HZ001-WALK'),
      memberCode: m.memberCode,
      orderedAt: sys.clock.now().toISOString(),
      totalFen: 60_000,
      discountFen: 0,
      paidFen: 60_000,
      lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 60_000, amountFen: 60_000 }],
    });
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const ledger = await count(sys.database, `select count(*) from points_ledger where customer_id = $1`, [
      m.customerId,
    ]);
    const requests = await count(sys.database, `select count(*) from partner_requests`);
    const calls: [string, Record<string, unknown>, string][] = [
      [
        '/api/pos/points/spend',
        { memberCode: m.memberCode, points: 100, orderAmountFen: 5000, externalOrderId: spam },
        'externalOrderId',
      ],
      ['/api/pos/redeem', { couponCode: c.code, orderAmountFen: 5000, externalOrderId: spam }, 'externalOrderId'],
      ['/api/pos/void', { externalOrderId: spam }, 'externalOrderId'],
      [
        '/api/pos/points/spend',
        { memberCode: m.memberCode, points: 100, orderAmountFen: 5000, externalOrderId: 'A B' },
        'externalOrderId',
      ],
      [
        '/api/pos/points/spend',
        { memberCode: m.memberCode, points: 100, orderAmountFen: 5000, externalOrderId: 'X'.repeat(65) },
        'externalOrderId',
      ],
      [
        '/api/pos/orders',
        {
          externalId: spam,
          orderedAt: sys.clock.now().toISOString(),
          totalFen: 1000,
          discountFen: 0,
          paidFen: 1000,
          lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 1000, amountFen: 1000 }],
        },
        'externalId',
      ],
    ];
    for (const [path, body, field] of calls) {
      const res = await posCall(sys, path, { idempotencyKey: key(), ...body });
      expect(codeOf(res), path).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
      expect(res.body.error.details.issues[0].path, path).toBe(`body.${field}`);
    }
    expect(await count(sys.database, `select count(*) from points_ledger where customer_id = $1`, [m.customerId])).toBe(
      ledger,
    );
    expect(await count(sys.database, `select count(*) from partner_requests`)).toBe(requests);
    const [coupon] = await sys.database.exec(`select status from coupons where id = $1`, [c.couponId]);
    expect(coupon.status).toBe('available');
    // a receipt number as tills print them goes through, and is what the member reads
    const spent = await posCall(sys, '/api/pos/points/spend', {
      idempotencyKey: key(),
      memberCode: m.memberCode,
      points: 100,
      orderAmountFen: 5000,
      externalOrderId: 'HZ001-20261125_0001.A:2',
    });
    expect(spent.status).toBe(200);
    const [line] = await sys.database.exec(`select note from points_ledger where customer_id = $1 and kind = 'spend'`, [
      m.customerId,
    ]);
    expect(line.note).toBe('文三路店积分抵扣1元（单号 HZ001-20261125_0001.A:2）');
  });
});

describe('POST /api/pos/void by order number: the points spent on the order come back', () => {
  /** A member with 1,200 points (a 600-yuan sale), who pays part of a new sale `orderNo` with `points`. */
  async function paidWithPoints(orderNo: string, points: number) {
    const m = await memberWithCode(sys);
    await posCall(sys, '/api/pos/orders', {
      idempotencyKey: key('ord'),
      externalId: key('HZ001-EARN'),
      memberCode: m.memberCode,
      orderedAt: sys.clock.now().toISOString(),
      totalFen: 60_000,
      discountFen: 0,
      paidFen: 60_000,
      lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 60_000, amountFen: 60_000 }],
    });
    expect(await pointsBalance(sys, m.customerId)).toBe(1200);
    const spent = await posCall(sys, '/api/pos/points/spend', {
      idempotencyKey: key('spd'),
      memberCode: m.memberCode,
      points,
      orderAmountFen: 10_000,
      externalOrderId: orderNo,
    });
    expect(spent.status).toBe(200);
    return { ...m, spendId: spent.body.spendId as string };
  }

  it('returns them with the points earned reversed, once: a later /points/return and a second void give nothing', async () => {
    const orderNo = key('HZ001-PAID');
    const m = await paidWithPoints(orderNo, 500);
    // the sale itself: 100 yuan, 5 paid with points, 95 in money (95 points earned)
    const sale = await posCall(sys, '/api/pos/orders', {
      idempotencyKey: key('ord'),
      externalId: orderNo,
      memberCode: m.memberCode,
      orderedAt: sys.clock.now().toISOString(),
      totalFen: 10_000,
      discountFen: 500,
      paidFen: 9500,
      lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 10_000, amountFen: 10_000 }],
    });
    expect(sale.body.pointsEarned).toBe(95);
    expect(await pointsBalance(sys, m.customerId)).toBe(1200 - 500 + 95);

    // another store's void of the same number touches none of it
    const elsewhere = await posCall(
      sys,
      '/api/pos/void',
      { idempotencyKey: key('void'), externalOrderId: orderNo },
      { store: 'HZ002' },
    );
    expect(codeOf(elsewhere)).toEqual({ status: 404, code: 'REDEMPTION_NOT_FOUND' });

    const body = { idempotencyKey: key('void'), externalOrderId: orderNo };
    const refund = await posCall(sys, '/api/pos/void', body);
    expect(refund.status).toBe(200);
    expect(refund.body).toEqual({ voided: [], pointsReversed: 95, pointsReturned: 500 });
    expect(await pointsBalance(sys, m.customerId)).toBe(1200);
    expect((await posCall(sys, '/api/pos/void', body)).body).toEqual(refund.body);
    const again = await posCall(sys, '/api/pos/void', { ...body, idempotencyKey: key('void') });
    expect(again.body).toEqual({ voided: [], pointsReversed: 0, pointsReturned: 0 });
    const returned = await posCall(sys, '/api/pos/points/return', { idempotencyKey: key('ret'), spendId: m.spendId });
    expect(returned.body).toMatchObject({ pointsReturned: 0, balanceAfter: 1200 });
    expect(await pointsBalance(sys, m.customerId)).toBe(1200);
    const lines = await sys.database.exec(
      `select kind, points, note from points_ledger where customer_id = $1 and entry_key = $2`,
      [m.customerId, `unspend:${m.spendId}`],
    );
    expect(lines).toEqual([{ kind: 'reverse', points: 500, note: '订单退款，退回抵扣的积分' }]);
  });

  it('a spend returned by /points/return first is not returned again by the void; a sale not yet sent is voidable', async () => {
    const orderNo = key('HZ001-PAID');
    const m = await paidWithPoints(orderNo, 300);
    const returned = await posCall(sys, '/api/pos/points/return', { idempotencyKey: key('ret'), spendId: m.spendId });
    expect(returned.body).toMatchObject({ pointsReturned: 300, balanceAfter: 1200 });
    // the till has not sent the order (nor redeemed a coupon on it): the void still finds the spend, returning 0
    const refund = await posCall(sys, '/api/pos/void', { idempotencyKey: key('void'), externalOrderId: orderNo });
    expect(refund.status).toBe(200);
    expect(refund.body).toEqual({ voided: [], pointsReversed: 0, pointsReturned: 0 });
    expect(await pointsBalance(sys, m.customerId)).toBe(1200);

    // and a spend on an order the till never sent, refunded by its number alone
    const other = key('HZ001-PAID');
    const n = await paidWithPoints(other, 200);
    const only = await posCall(sys, '/api/pos/void', { idempotencyKey: key('void'), externalOrderId: other });
    expect(only.status).toBe(200);
    expect(only.body).toEqual({ voided: [], pointsReversed: 0, pointsReturned: 200 });
    expect(await pointsBalance(sys, n.customerId)).toBe(1200);
  });

  it('with a coupon redeemed on the order: the coupon, the points earned and the points spent, in one void', async () => {
    const orderNo = key('HZ001-PAID');
    const m = await paidWithPoints(orderNo, 400);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const redeemed = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      couponCode: c.code,
      orderAmountFen: 10_000,
      externalOrderId: orderNo,
    });
    expect(redeemed.status).toBe(200);
    const refund = await posCall(sys, '/api/pos/void', {
      idempotencyKey: key('void'),
      redemptionId: redeemed.body.redemptionId,
    });
    expect(refund.body).toEqual({
      voided: [{ redemptionId: redeemed.body.redemptionId, couponId: c.couponId, couponReturned: true }],
      pointsReversed: 0,
      pointsReturned: 400,
    });
    expect(await pointsBalance(sys, m.customerId)).toBe(1200);
  });

  it('a void answered before voids returned spends is replayed as it was, with pointsReturned 0', async () => {
    const body = { idempotencyKey: key('void'), externalOrderId: key('HZ001-OLD') };
    await sys.database.exec(
      `insert into partner_requests (key_id, operation, idempotency_key, request_hash, status, response)
       values ('key_pos_hz001', 'void', $1, $2, 200, $3::jsonb)`,
      [body.idempotencyKey, requestHash(body), JSON.stringify({ voided: [], pointsReversed: 120 })],
    );
    const replay = await posCall(sys, '/api/pos/void', body);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ voided: [], pointsReversed: 120, pointsReturned: 0 });
  });
});

describe('the wallet: a coupon whose order was refunded after it expired', () => {
  it('is listed under 已失效 with why, not under 已使用', async () => {
    const m = await createMember(sys.database);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const kept = await giveCoupon(sys, m.customerId, 'FULL_100_15');
    const orderNo = key('HZ001-EXP');
    const redeemed = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      couponCode: c.code,
      orderAmountFen: 3000,
      externalOrderId: orderNo,
    });
    expect(redeemed.status).toBe(200);
    // a coupon used on a sale that is not refunded stays used
    expect(
      (
        await posCall(sys, '/api/pos/redeem', {
          idempotencyKey: key(),
          couponCode: kept.code,
          orderAmountFen: 12_000,
          externalOrderId: key('HZ001-KEPT'),
        })
      ).status,
    ).toBe(200);
    await sys.database.exec(
      `update coupons set valid_from = valid_from - interval '2 days', valid_until = valid_from - interval '1 day'
       where id = $1`,
      [c.couponId],
    );
    const refund = await posCall(sys, '/api/pos/void', { idempotencyKey: key('void'), externalOrderId: orderNo });
    expect(refund.body.voided).toEqual([
      { redemptionId: redeemed.body.redemptionId, couponId: c.couponId, couponReturned: false },
    ]);
    const wallet = await sys.call('/api/loyalty/coupons', { token: await memberSession(sys, m.customerId) });
    expect(wallet.status).toBe(200);
    const ids = (list: { id: string }[]) => list.map((v) => v.id);
    expect(ids(wallet.body.used)).toEqual([kept.couponId]);
    expect(ids(wallet.body.available)).not.toContain(c.couponId);
    const shown = wallet.body.expired.find((v: { id: string }) => v.id === c.couponId);
    expect(shown).toMatchObject({ state: 'expired', voidReason: '订单已退款，券已过期未退回', barcodePng: null });
    expect(wallet.body.used[0]).toMatchObject({ state: 'used', voidReason: null, redeemedStoreName: '文三路店' });
  });
});

describe('a storeId that is not the key’s store', () => {
  it('is answered STORE_NOT_KEYS_STORE on redeem and points spend, with nothing written', async () => {
    const m = await memberWithCode(sys);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const redeem = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      couponCode: c.code,
      orderAmountFen: 3000,
      storeId: 'sto_002',
    });
    expect(codeOf(redeem)).toEqual({ status: 403, code: 'STORE_NOT_KEYS_STORE' });
    expect(redeem.body.error.message).toMatch(/sto_002.*not this POS key's store/);
    const spend = await posCall(sys, '/api/pos/points/spend', {
      idempotencyKey: key(),
      memberCode: m.memberCode,
      points: 100,
      orderAmountFen: 3000,
      storeId: 'sto_002',
    });
    expect(codeOf(spend)).toEqual({ status: 403, code: 'STORE_NOT_KEYS_STORE' });
    // its own store, and an unknown one, as before
    const own = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: key(),
      couponCode: c.code,
      orderAmountFen: 3000,
      storeId: 'sto_001',
    });
    expect(own.status).toBe(200);
    const unknown = await posCall(sys, '/api/pos/points/spend', {
      idempotencyKey: key(),
      memberCode: m.memberCode,
      points: 100,
      orderAmountFen: 3000,
      storeId: 'sto_999',
    });
    expect(codeOf(unknown)).toEqual({ status: 404, code: 'STORE_NOT_FOUND' });
  });
});
