/**
 * A till's order number sent again under a new idempotency key (a QA walk): the same contents are a replay, answered
 * as the order counted, and say so when the sale has been refunded since; other contents are refused
 * (`ORDER_CHANGED`), never answered as if they had been recorded (a 500-yuan body answered with the 50 yuan's 50
 * points made the till believe 500 yuan was).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpiredMemberCodes } from '../../../functions/jobs/purge-member-codes.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { codeOf, count, memberWithCode, pointsBalance, posCall, tillSale, uniqueKey } from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

describe('the same order number with other contents', () => {
  it('is refused as ORDER_CHANGED, nothing changed; the same contents under a new key are a replay', async () => {
    const m = await memberWithCode(sys);
    const first = tillSale(sys, uniqueKey('HZ001-CHG'), 5000, { memberCode: m.memberCode });
    const recorded = await posCall(sys, '/api/pos/orders', first);
    expect(recorded.body).toMatchObject({ pointsEarned: 50, pointsBalance: 50 });

    const bigger = {
      ...first,
      idempotencyKey: uniqueKey('new'),
      totalFen: 50000,
      paidFen: 50000,
      lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 50000, amountFen: 50000 }],
    };
    const refused = await posCall(sys, '/api/pos/orders', bigger);
    expect(codeOf(refused)).toEqual({ status: 409, code: 'ORDER_CHANGED' });
    expect(refused.body.error.message).toContain(first.externalId);
    // other lines at the same total, another time, a walk-in body: changed too
    for (const over of [
      { lines: [{ sku: 'X-NON-RX-2', quantity: 1, unitPriceFen: 5000, amountFen: 5000 }] },
      { orderedAt: new Date(sys.clock.now().getTime() - 3_600_000).toISOString() },
      { memberCode: undefined },
    ]) {
      const res = await posCall(sys, '/api/pos/orders', { ...first, idempotencyKey: uniqueKey('new'), ...over });
      expect(codeOf(res), JSON.stringify(over)).toEqual({ status: 409, code: 'ORDER_CHANGED' });
    }
    expect(await pointsBalance(sys, m.customerId)).toBe(50);
    expect(await count(sys.database, `select paid_fen from orders where external_id = $1`, [first.externalId])).toBe(
      5000,
    );

    // the same contents under a new key: the first answer, once
    const replay = await posCall(sys, '/api/pos/orders', { ...first, idempotencyKey: uniqueKey('again') });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ orderId: recorded.body.orderId, pointsEarned: 50, refunded: false });
    // the refused key was not spent: with the right body it is a replay too
    const sameKey = await posCall(sys, '/api/pos/orders', { ...first, idempotencyKey: bigger.idempotencyKey });
    expect(sameKey.body).toMatchObject({ orderId: recorded.body.orderId, pointsEarned: 50 });
    expect(await pointsBalance(sys, m.customerId)).toBe(50);
  });

  it('is refused as well once the member code is purged (the code cannot vouch for it any more)', async () => {
    const m = await memberWithCode(sys);
    const first = tillSale(sys, uniqueKey('HZ001-PURGED'), 5000, { memberCode: m.memberCode });
    expect((await posCall(sys, '/api/pos/orders', first)).status).toBe(200);
    sys.clock.advance(3 * 86_400_000);
    expect((await purgeExpiredMemberCodes(sys.deps)).deleted).toBeGreaterThan(0);
    const changed = await posCall(sys, '/api/pos/orders', {
      ...first,
      idempotencyKey: uniqueKey('new'),
      totalFen: 50000,
      paidFen: 50000,
      lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 50000, amountFen: 50000 }],
    });
    expect(codeOf(changed)).toEqual({ status: 409, code: 'ORDER_CHANGED' });
    const same = await posCall(sys, '/api/pos/orders', { ...first, idempotencyKey: uniqueKey('new') });
    expect(same.body).toMatchObject({ customerId: m.customerId, pointsEarned: 50 });
  });
});

describe('a replay of a refunded sale', () => {
  it('says it was refunded, its points net of the reversal', async () => {
    const m = await memberWithCode(sys);
    const body = tillSale(sys, uniqueKey('HZ001-RFD'), 15000, { memberCode: m.memberCode });
    const recorded = await posCall(sys, '/api/pos/orders', body);
    expect(recorded.body).toMatchObject({ pointsEarned: 150, pointsBalance: 150, refunded: false });
    const refund = await posCall(sys, '/api/pos/void', {
      idempotencyKey: uniqueKey('void'),
      externalOrderId: body.externalId,
    });
    expect(refund.body).toMatchObject({ pointsReversed: 150 });

    const replay = await posCall(sys, '/api/pos/orders', { ...body, idempotencyKey: uniqueKey('after') });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({
      orderId: recorded.body.orderId,
      customerId: m.customerId,
      pointsEarned: 0,
      pointsBalance: 0,
      pointsPending: 0,
      refunded: true,
      noPointsReason: null,
    });
    // the first request's own key still gets its stored answer: what it was when it was recorded
    expect((await posCall(sys, '/api/pos/orders', body)).body).toEqual(recorded.body);
  });

  it('a card MedLoop does not know yet: refunded, nothing pending any more', async () => {
    const body = tillSale(sys, uniqueKey('HZ001-RFD-CARD'), 25000, { posCardNo: '6600009901' });
    const recorded = await posCall(sys, '/api/pos/orders', body);
    expect(recorded.body).toMatchObject({ customerId: null, pointsPending: 500 });
    await posCall(sys, '/api/pos/void', { idempotencyKey: uniqueKey('void'), externalOrderId: body.externalId });
    const replay = await posCall(sys, '/api/pos/orders', { ...body, idempotencyKey: uniqueKey('after') });
    expect(replay.body).toMatchObject({ pointsEarned: 0, pointsPending: 0, refunded: true });
  });
});
