/** Points as payment at the POS: spend in hundreds, never overdrawn under concurrency, returned once on refund. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueMemberCode } from '../../../functions/app/members/member-code.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { codeOf, count, createMember, pointsBalance, posCall, uniqueKey } from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const key = uniqueKey;
const linesOf = (customerId: string) =>
  count(sys.database, `select count(*) from points_ledger where customer_id = $1`, [customerId]);

/** A member with a live member code and `points` earned by one order (1 point per yuan, double from 200 yuan). */
async function memberWithPoints(paidFen: number) {
  const m = await createMember(sys.database);
  const { code } = await issueMemberCode(sys.database.db, {
    customerId: m.customerId,
    identityId: `idn_${m.customerId}`,
    now: sys.clock.now(),
  });
  const earned = await posCall(sys, '/api/pos/orders', {
    idempotencyKey: key('ord'),
    externalId: key('HZ001-ORDER'),
    memberCode: code,
    orderedAt: sys.clock.now().toISOString(),
    totalFen: paidFen,
    discountFen: 0,
    paidFen,
    lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: paidFen, amountFen: paidFen }],
  });
  expect(earned.status).toBe(200);
  return { ...m, memberCode: code, points: earned.body.pointsEarned as number };
}

const spend = (memberCode: string, points: number, over: Record<string, unknown> = {}) => ({
  idempotencyKey: key('spd'),
  memberCode,
  points,
  orderAmountFen: 10_000,
  externalOrderId: key('HZ001-SALE'),
  ...over,
});

describe('POST /api/pos/points/spend', () => {
  it('takes 100 points per yuan off and writes one ledger line; a retry answers the same', async () => {
    const m = await memberWithPoints(30_000); // 600 points
    expect(m.points).toBe(600);
    const body = spend(m.memberCode, 300);
    const first = await posCall(sys, '/api/pos/points/spend', body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ customerId: m.customerId, points: 300, discountFen: 300, balanceAfter: 300 });
    const retries = await Promise.all(Array.from({ length: 4 }, () => posCall(sys, '/api/pos/points/spend', body)));
    for (const r of retries) expect(r.body).toEqual(first.body);
    expect(await pointsBalance(sys, m.customerId)).toBe(300);
    const conflict = await posCall(sys, '/api/pos/points/spend', { ...body, points: 100 });
    expect(codeOf(conflict)).toEqual({ status: 409, code: 'IDEMPOTENCY_CONFLICT' });
    // the member sees the line in their ledger
    const [line] = await sys.database.exec(
      `select kind, points, note from points_ledger where customer_id = $1 and kind = 'spend'`,
      [m.customerId],
    );
    expect(line).toMatchObject({ kind: 'spend', points: -300 });
    expect(String(line.note)).toContain('积分抵扣3元');
  });

  it('never overdraws: concurrent spends from several tills, only what the balance covers goes through', async () => {
    const m = await memberWithPoints(25_000); // 500 points
    const results = await Promise.all(
      Array.from({ length: 10 }, () => posCall(sys, '/api/pos/points/spend', spend(m.memberCode, 200))),
    );
    const okCount = results.filter((r) => r.status === 200).length;
    expect(okCount).toBe(2);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(codeOf(r)).toEqual({ status: 409, code: 'INSUFFICIENT_POINTS' });
    }
    expect(await pointsBalance(sys, m.customerId)).toBe(100);
  });

  it.each([
    ['points not in hundreds', { points: 150 }, 400, 'VALIDATION_FAILED'],
    ['negative points', { points: -100 }, 400, 'VALIDATION_FAILED'],
    ['more off than the order', { points: 500, orderAmountFen: 400 }, 422, 'POINTS_EXCEED_ORDER'],
    ['more than the balance', { points: 5000, orderAmountFen: 100_000 }, 409, 'INSUFFICIENT_POINTS'],
    ['a malformed member code', { memberCode: 'hello' }, 404, 'MEMBER_CODE_INVALID'],
    ['another store named in the body', { storeId: 'sto_002' }, 403, 'STORE_NOT_KEYS_STORE'],
  ])('refuses %s and writes nothing', async (_name, over, status, code) => {
    const m = await memberWithPoints(60_000); // 1,200 points
    const lines = await linesOf(m.customerId);
    const res = await posCall(sys, '/api/pos/points/spend', spend(m.memberCode, 100, over));
    expect(codeOf(res)).toEqual({ status, code });
    expect(await linesOf(m.customerId)).toBe(lines);
  });
});

describe('POST /api/pos/points/return', () => {
  it('gives the points back once, however often the refund is sent, and only at the store that took them', async () => {
    const m = await memberWithPoints(30_000);
    const spent = await posCall(sys, '/api/pos/points/spend', spend(m.memberCode, 400));
    expect(spent.status).toBe(200);
    const elsewhere = await posCall(
      sys,
      '/api/pos/points/return',
      { idempotencyKey: key('ret'), spendId: spent.body.spendId },
      { store: 'HZ002' },
    );
    expect(codeOf(elsewhere)).toEqual({ status: 404, code: 'POINTS_SPEND_NOT_FOUND' });
    const first = await posCall(sys, '/api/pos/points/return', {
      idempotencyKey: key('ret'),
      spendId: spent.body.spendId,
    });
    expect(first.body).toMatchObject({ pointsReturned: 400, balanceAfter: 600 });
    const again = await posCall(sys, '/api/pos/points/return', {
      idempotencyKey: key('ret'),
      spendId: spent.body.spendId,
    });
    expect(again.body).toMatchObject({ pointsReturned: 0, balanceAfter: 600 });
    expect(await pointsBalance(sys, m.customerId)).toBe(600);
    const unknown = await posCall(sys, '/api/pos/points/return', { idempotencyKey: key('ret'), spendId: 'spd_nope' });
    expect(codeOf(unknown)).toEqual({ status: 404, code: 'POINTS_SPEND_NOT_FOUND' });
  });
});
