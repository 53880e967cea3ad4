/**
 * 每单限用一张 (shared/coupons/coupon.describe.ts): a receipt, the till's `externalOrderId` at its store, carries at
 * most one live coupon redemption. A second coupon on it is refused, 409 ORDER_HAS_COUPON, naming the coupon already
 * on it, with nothing written (no coupon taken, no stored answer under its key), whichever path the request takes:
 * the one-round-trip statement by code (pos_redeem_coupon_by_code), the slow path by member code or by a code whose
 * template changed since cached (pos_redeem_coupon), or a batched statement. A void of the first frees the receipt.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { batchInFlight } from '../../../functions/adapters/db/client.js';
import { couponRepo, type RedeemByCodeInput } from '../../../functions/adapters/db/repos/coupon.repo.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import {
  byCodeInput,
  codeOf,
  count,
  createMember,
  giveCoupon,
  memberWithCode,
  outcomes,
  posCall,
  uniqueKey,
} from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());
afterEach(() => vi.restoreAllMocks());

/** what each path ran for one call */
function watch() {
  return {
    oneTrip: vi.spyOn(couponRepo, 'redeemByCode'),
    read: vi.spyOn(couponRepo, 'couponWithTemplateByCodePrepared'),
    slowWrite: vi.spyOn(couponRepo, 'redeemOnce'),
  };
}

async function outcomesOf(spy: ReturnType<typeof watch>['oneTrip'] | ReturnType<typeof watch>['slowWrite']) {
  return Promise.all(spy.mock.results.map(async (r) => ((await r.value) as { outcome: string }).outcome));
}

const redeem = (body: Record<string, unknown>, store?: string) =>
  posCall(sys, '/api/pos/redeem', { idempotencyKey: uniqueKey('one'), orderAmountFen: 23_000, ...body }, { store });

const couponStatus = async (couponId: string) =>
  (await sys.database.exec(`select status from coupons where id = $1`, [couponId]))[0].status;
const storedUnder = (idempotencyKey: string) =>
  count(sys.database, `select count(*) from partner_requests where idempotency_key = $1`, [idempotencyKey]);
const redemptionsOf = (couponId: string) =>
  count(sys.database, `select count(*) from coupon_redemptions where coupon_id = $1`, [couponId]);
const liveOnReceipt = (storeId: string, receipt: string) =>
  count(
    sys.database,
    `select count(*) from coupon_redemptions where store_id = $1 and external_order_id = $2 and status = 'redeemed'`,
    [storeId, receipt],
  );

/** the refusal, and that it wrote nothing for the refused coupon or under its key */
async function expectRefused(
  res: { status: number; body: { error?: { code?: string; message?: string; details?: unknown } } },
  receipt: string,
  first: { couponId: string; redemptionId: string },
  refused: { couponId: string; idempotencyKey: string },
) {
  expect(codeOf(res)).toEqual({ status: 409, code: 'ORDER_HAS_COUPON' });
  expect(res.body.error?.message).toContain(receipt);
  expect(res.body.error?.message).toContain(first.couponId);
  expect(res.body.error?.details).toEqual({
    externalOrderId: receipt,
    couponId: first.couponId,
    redemptionId: first.redemptionId,
  });
  expect(await couponStatus(refused.couponId)).toBe('available');
  expect(await redemptionsOf(refused.couponId)).toBe(0);
  expect(await storedUnder(refused.idempotencyKey)).toBe(0);
}

describe('POST /api/pos/redeem: one coupon per receipt', () => {
  it('by coupon code: the one statement refuses a second coupon on the receipt and writes nothing', async () => {
    const m = await createMember(sys.database);
    const [a, b] = await Promise.all([1, 2].map(() => giveCoupon(sys, m.customerId, 'FULL_100_15')));
    const receipt = uniqueKey('HZ001-R');
    const firstBody = { idempotencyKey: uniqueKey('a'), couponCode: a.code, externalOrderId: receipt };
    const first = await redeem(firstBody);
    expect(first.status).toBe(200);

    const w = watch();
    const secondBody = { idempotencyKey: uniqueKey('b'), couponCode: b.code, externalOrderId: receipt };
    const second = await redeem(secondBody);
    await expectRefused(second, receipt, first.body, {
      couponId: b.couponId,
      idempotencyKey: secondBody.idempotencyKey,
    });
    // answered by the one statement: no read, no slow write (and no template cache thrown away)
    expect(await outcomesOf(w.oneTrip)).toEqual(['order_has_coupon']);
    expect(w.read).not.toHaveBeenCalled();
    expect(w.slowWrite).not.toHaveBeenCalled();

    // the same request again under its key: the same refusal, still nothing stored
    await expectRefused(await redeem(secondBody), receipt, first.body, {
      couponId: b.couponId,
      idempotencyKey: secondBody.idempotencyKey,
    });
    // the first request replayed under its key: its first answer
    expect(await redeem(firstBody)).toMatchObject({ status: 200, body: first.body });
    // the first coupon again under a new key: used, as before
    expect(codeOf(await redeem({ ...firstBody, idempotencyKey: uniqueKey('a2') }))).toEqual({
      status: 409,
      code: 'COUPON_USED',
    });
    // the second coupon under the first request's key: that key's answer is for another request
    expect(codeOf(await redeem({ ...secondBody, idempotencyKey: firstBody.idempotencyKey }))).toEqual({
      status: 409,
      code: 'IDEMPOTENCY_CONFLICT',
    });
    expect(await liveOnReceipt('sto_001', receipt)).toBe(1);
    // the refused coupon is still the member's to use, on another receipt
    expect(await redeem({ couponCode: b.code, externalOrderId: uniqueKey('HZ001-R') })).toMatchObject({
      status: 200,
      body: { couponId: b.couponId },
    });
  });

  it('by member code (the slow path): the cashier’s pick and the best coupon are refused alike', async () => {
    const m = await memberWithCode(sys);
    const a = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const b = await giveCoupon(sys, m.customerId, 'FULL_100_15');
    const receipt = uniqueKey('HZ001-M');
    const first = await redeem({ memberCode: m.memberCode, couponId: a.couponId, externalOrderId: receipt });
    expect(first).toMatchObject({ status: 200, body: { couponId: a.couponId } });

    const w = watch();
    const picked = { idempotencyKey: uniqueKey('pick'), memberCode: m.memberCode, couponId: b.couponId };
    await expectRefused(await redeem({ ...picked, externalOrderId: receipt }), receipt, first.body, {
      couponId: b.couponId,
      idempotencyKey: picked.idempotencyKey,
    });
    const best = { idempotencyKey: uniqueKey('best'), memberCode: m.memberCode };
    await expectRefused(await redeem({ ...best, externalOrderId: receipt }), receipt, first.body, {
      couponId: b.couponId,
      idempotencyKey: best.idempotencyKey,
    });
    // refused where it writes: pos_redeem_coupon
    expect(await outcomesOf(w.slowWrite)).toEqual(['order_has_coupon', 'order_has_coupon']);
    expect(await liveOnReceipt('sto_001', receipt)).toBe(1);
  });

  it('a code whose template changed since cached (the slow path by code) is refused too', async () => {
    const m = await createMember(sys.database);
    const a = await giveCoupon(sys, m.customerId, 'FULL_100_15');
    const b = await giveCoupon(sys, m.customerId, 'VITAMIN_88');
    const receipt = uniqueKey('HZ001-T');
    const lines = [
      { amountFen: 13_000, category: '维生素矿物质' },
      { amountFen: 10_000, category: '感冒用药' },
    ];
    const first = await redeem({ couponCode: a.code, externalOrderId: receipt, lines });
    expect(first.status).toBe(200);
    await sys.database.exec(`update coupon_templates set name = '维生素88折（改名）' where id = 'ctp_vitamin_88'`);
    try {
      const w = watch();
      const body = { idempotencyKey: uniqueKey('tpl'), couponCode: b.code, externalOrderId: receipt, lines };
      await expectRefused(await redeem(body), receipt, first.body, {
        couponId: b.couponId,
        idempotencyKey: body.idempotencyKey,
      });
      expect(await outcomesOf(w.oneTrip)).toEqual(['undecided']);
      expect(await outcomesOf(w.slowWrite)).toEqual(['order_has_coupon']);
    } finally {
      await sys.database.exec(`update coupon_templates set name = '维生素矿物质88折' where id = 'ctp_vitamin_88'`);
    }
  });

  it('after the first redemption is voided, another coupon may be used on the receipt (the refused key too)', async () => {
    const m = await createMember(sys.database);
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => giveCoupon(sys, m.customerId, 'FULL_100_15')));
    const receipt = uniqueKey('HZ001-V');
    const first = await redeem({ couponCode: a.code, externalOrderId: receipt });
    expect(first.status).toBe(200);
    const secondBody = { idempotencyKey: uniqueKey('b'), couponCode: b.code, externalOrderId: receipt };
    expect(codeOf(await redeem(secondBody))).toEqual({ status: 409, code: 'ORDER_HAS_COUPON' });

    // the till voids the first coupon (the cashier took it off the sale)
    const voided = await posCall(sys, '/api/pos/void', {
      idempotencyKey: uniqueKey('void'),
      redemptionId: first.body.redemptionId,
    });
    expect(voided.status).toBe(200);
    // the refused request retried under its own key now goes through: nothing was stored for it
    const second = await redeem(secondBody);
    expect(second).toMatchObject({ status: 200, body: { couponId: b.couponId } });
    expect(await couponStatus(b.couponId)).toBe('redeemed');
    // and the receipt has its one coupon again: a third is refused, naming the second
    const thirdBody = { idempotencyKey: uniqueKey('c'), couponCode: c.code, externalOrderId: receipt };
    await expectRefused(await redeem(thirdBody), receipt, second.body, {
      couponId: c.couponId,
      idempotencyKey: thirdBody.idempotencyKey,
    });
    // the returned first coupon is refused as well: the receipt has the second
    expect(await couponStatus(a.couponId)).toBe('available');
    expect(codeOf(await redeem({ couponCode: a.code, externalOrderId: receipt }))).toEqual({
      status: 409,
      code: 'ORDER_HAS_COUPON',
    });
    expect(await liveOnReceipt('sto_001', receipt)).toBe(1);
  });

  it('another store’s receipt of the same number, and redemptions without a receipt number, are not affected', async () => {
    const m = await createMember(sys.database);
    const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map(() => giveCoupon(sys, m.customerId, 'FULL_100_15')));
    const receipt = uniqueKey('SHARED-NO');
    expect((await redeem({ couponCode: a.code, externalOrderId: receipt })).status).toBe(200);
    // 杭州二店's till prints the same number on its own sale
    expect(await redeem({ couponCode: b.code, externalOrderId: receipt }, 'HZ002')).toMatchObject({
      status: 200,
      body: { couponId: b.couponId, storeId: 'sto_002' },
    });
    // without a receipt number nothing can be checked: both go through
    expect((await redeem({ couponCode: c.code })).status).toBe(200);
    expect((await redeem({ couponCode: d.code })).status).toBe(200);
    expect(await liveOnReceipt('sto_001', receipt)).toBe(1);
    expect(await liveOnReceipt('sto_002', receipt)).toBe(1);
  });

  it('concurrent redemptions of different receipts all go through', async () => {
    const m = await createMember(sys.database);
    const coupons = await Promise.all(Array.from({ length: 24 }, () => giveCoupon(sys, m.customerId, 'FULL_100_15')));
    const prefix = uniqueKey('HZ001-C');
    const results = await Promise.all(
      coupons.map((c, i) =>
        redeem({ couponCode: c.code, externalOrderId: `${prefix}-${i}`, orderAmountFen: 20_000 + i }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(coupons.map(() => 200));
    expect(results.map((r) => r.body.couponId)).toEqual(coupons.map((c) => c.couponId));
    for (const c of coupons) expect(await redemptionsOf(c.couponId)).toBe(1);
  });
});

describe('pos_redeem_coupon_by_code in one batched statement', () => {
  const input = (code: string, over: Partial<RedeemByCodeInput> = {}) => byCodeInput(sys, code, over);

  it('a call sees the receipt the calls before it used; the refusal aborts nothing else in the batch', async () => {
    const m = await createMember(sys.database);
    const coupons = await Promise.all([1, 2, 3, 4, 5].map(() => giveCoupon(sys, m.customerId, 'FULL_100_15')));
    const [a, b, c, d, e] = coupons;
    const receipt = uniqueKey('HZ001-BATCH');
    const batch = [
      await input(a.code, { externalOrderId: receipt }),
      // a second coupon on the receipt the call before took: refused, nothing written
      await input(b.code, { externalOrderId: receipt }),
      // another receipt, another store's receipt of the same number, no receipt at all: untouched
      await input(c.code, { externalOrderId: `${receipt}-2` }),
      await input(d.code, { externalOrderId: receipt, storeId: 'sto_002', keyId: 'key_pos_hz002' }),
      await input(e.code),
    ];
    const answers = await couponRepo.redeemByCodeBatch(sys.database.db, batch);
    expect(outcomes(answers)).toEqual(['redeemed', 'order_has_coupon', 'redeemed', 'redeemed', 'redeemed']);
    expect(answers[1]).toEqual({
      outcome: 'order_has_coupon',
      couponId: a.couponId,
      redemptionId: batch[0].redemptionId,
    });
    expect(await redemptionsOf(b.couponId)).toBe(0);
    expect(await couponStatus(b.couponId)).toBe('available');
    expect(await storedUnder(batch[1].idempotencyKey)).toBe(0);
    for (const x of [a, c, d, e]) expect(await redemptionsOf(x.couponId)).toBe(1);
  });

  it('through the batcher, calls of one turn share statements: different receipts all redeemed', async () => {
    const m = await createMember(sys.database);
    const slots = batchInFlight(sys.database.db);
    const coupons = await Promise.all(
      Array.from({ length: 4 * slots + 2 }, () => giveCoupon(sys, m.customerId, 'FULL_100_15')),
    );
    const prefix = uniqueKey('HZ001-TURN');
    const inputs = await Promise.all(coupons.map((c, i) => input(c.code, { externalOrderId: `${prefix}-${i}` })));
    // and, last in the turn, a second coupon on the receipt of the call before it (so in the same statement: two
    // statements at once do not see each other's, the race migration 0048 documents): refused, the others untouched
    const extra = await giveCoupon(sys, m.customerId, 'FULL_100_15');
    const late = await input(extra.code, { externalOrderId: `${prefix}-${coupons.length - 1}` });
    const batchSpy = vi.spyOn(couponRepo, 'redeemByCodeBatch');
    const answers = await Promise.all([...inputs, late].map((i) => couponRepo.redeemByCode(sys.database.db, i)));
    expect(outcomes(answers)).toEqual([...inputs.map(() => 'redeemed'), 'order_has_coupon']);
    expect(Math.max(0, ...batchSpy.mock.calls.map(([, batch]) => batch.length))).toBeGreaterThan(1);
    for (const c of coupons) expect(await redemptionsOf(c.couponId)).toBe(1);
    expect(await redemptionsOf(extra.couponId)).toBe(0);
    expect(await storedUnder(late.idempotencyKey)).toBe(0);
  });
});
