/**
 * Taking back a counter sale (or voiding its redemption) whose points the member has already spent: the void goes
 * through (the money is refunded) and the balance goes below 0, a debt the next points pay first and that blocks
 * spending meanwhile. Before confirming, the clerk's dialog asks POST /api/staff/counter/void-preview what the void
 * will do: the points it takes back and gives back, the balance now and after, and the shortfall (what the member
 * spent); nothing written, and only for who may take it back. The member's points page shows the balance below 0 and
 * the reversal naming the purchase. PGlite and PostgreSQL (integration-pg).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueMemberCode } from '../../../functions/app/members/member-code.js';
import { codeOf, startTestSystem, type TestSystem } from '../../support/system.js';
import { count, createMember, giveCoupon, memberSession, posCall } from '../loyalty/loyalty-fixtures.js';
import { counterClerks, unique } from './counter-fixtures.js';

let sys: TestSystem;
let post: Awaited<ReturnType<typeof counterClerks>>;
beforeAll(async () => {
  sys = await startTestSystem();
  // 孙磊 of 北仑新碶店 (no till: the counter records its sales); 赵静 of 古荡店, its till's key revoked here
  post = await counterClerks(sys, ['u_ck02', 'u_ck03'], ['sto_002']);
});
afterAll(async () => sys?.close());

/** A fresh member code of the member: what the member shows at a counter or a till. */
const memberCode = async (customerId: string) =>
  (await issueMemberCode(sys.database.db, { customerId, identityId: `idn_${customerId}`, now: sys.clock.now() })).code;

/** A member of 北仑新碶店 with these coupons, scanned at 孙磊's counter. */
async function scanned(templates: string[] = []) {
  const m = await createMember(sys.database, { homeStoreId: 'sto_018' });
  const coupons = [];
  for (const t of templates) coupons.push(await giveCoupon(sys, m.customerId, t));
  const lookup = await post('u_ck03', 'lookup', { code: await memberCode(m.customerId) });
  if (lookup.status !== 200) throw new Error(`lookup failed: ${JSON.stringify(lookup.body)}`);
  return { ...m, coupons, token: lookup.body.counterToken as string };
}

/** The member pays with points at 文三路店's till (a connected till, another store of the chain). */
const spendAtTill = async (customerId: string, points: number) =>
  posCall(sys, '/api/pos/points/spend', {
    idempotencyKey: `spd-${unique()}`,
    memberCode: await memberCode(customerId),
    points,
    orderAmountFen: 50_000,
    externalOrderId: `HZ001-${unique()}`,
  });

const ledgerLines = (customerId: string) =>
  count(sys.database, 'select count(*) from points_ledger where customer_id = $1', [customerId]);
const pointsPage = async (customerId: string) =>
  (await sys.call('/api/loyalty/points', { token: await memberSession(sys, customerId) })).body;

describe('taking back a counter sale whose points the member already spent', () => {
  it('the preview says the balance goes to −100; the taking-back goes through; the debt blocks spending and is paid first', async () => {
    const m = await scanned();
    const sale = await post('u_ck03', 'sale', {
      idempotencyKey: `cts-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 15_000,
    });
    expect(sale.body).toMatchObject({ pointsEarned: 150, pointsBalance: 150 });
    // the member spends 100 of them at another store's till the same day
    const spent = await spendAtTill(m.customerId, 100);
    expect(spent.status).toBe(200);
    expect(spent.body.balanceAfter).toBe(50);

    const lines = await ledgerLines(m.customerId);
    const preview = await post('u_ck03', 'void-preview', { orderId: sale.body.orderId });
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      pointsToReverse: 150,
      pointsToReturn: 0,
      balanceNow: 50,
      balanceAfter: -100,
      shortfall: 100,
    });
    // a preview writes nothing
    expect(await ledgerLines(m.customerId)).toBe(lines);

    // the clerk confirms: the money is refunded, so the void goes through all the same
    const back = await post('u_ck03', 'sale-void', { idempotencyKey: `sv-${unique()}`, orderId: sale.body.orderId });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ pointsReversed: 150, pointsReturned: 0 });
    const page = await pointsPage(m.customerId);
    expect(page.balance).toBe(-100);
    expect(page.ledger[0]).toMatchObject({
      kind: 'reverse',
      points: -150,
      note: '订单退款，扣回积分：北仑新碶店消费150元',
    });
    expect(page.rules.some((r: string) => r.includes('记为负积分'))).toBe(true);
    // taken back: nothing more to take, the balance as it is
    expect((await post('u_ck03', 'void-preview', { orderId: sale.body.orderId })).body).toEqual({
      pointsToReverse: 0,
      pointsToReturn: 0,
      balanceNow: -100,
      balanceAfter: -100,
      shortfall: 0,
    });

    // below 0, points pay for nothing, at a till or at the counter
    expect(codeOf(await spendAtTill(m.customerId, 100))).toEqual({ status: 409, code: 'INSUFFICIENT_POINTS' });
    const rescan = await post('u_ck03', 'lookup', { code: await memberCode(m.customerId) });
    expect(rescan.body.member.points).toBe(-100);
    const withPoints = await post('u_ck03', 'sale', {
      idempotencyKey: `cts-${unique()}`,
      counterToken: rescan.body.counterToken,
      orderAmountFen: 8_000,
      pointsToSpend: 100,
    });
    expect(codeOf(withPoints)).toEqual({ status: 409, code: 'INSUFFICIENT_POINTS' });
    // the next sale's points pay the debt first
    const next = await post('u_ck03', 'sale', {
      idempotencyKey: `cts-${unique()}`,
      counterToken: rescan.body.counterToken,
      orderAmountFen: 8_000,
    });
    expect(next.body).toMatchObject({ pointsEarned: 80, pointsBalance: -20 });
  });

  it('a redemption whose sale’s points were spent: its void’s preview counts the sale’s points, and the void goes through', async () => {
    const m = await scanned(['FULL_100_15']);
    const redeemed = await post('u_ck03', 'redeem', {
      idempotencyKey: `r-${unique()}`,
      counterToken: m.token,
      couponId: m.coupons[0].couponId,
      orderAmountFen: 30_000,
    });
    expect(redeemed.status).toBe(200);
    // 300 yuan less 15 off: 285 paid, doubled over 200 yuan
    const sale = await post('u_ck03', 'sale', {
      idempotencyKey: `cts-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 30_000,
      redemptionId: redeemed.body.redemptionId,
    });
    expect(sale.body).toMatchObject({ pointsEarned: 570, pointsBalance: 570 });
    expect((await spendAtTill(m.customerId, 500)).body.balanceAfter).toBe(70);
    const preview = await post('u_ck03', 'void-preview', { redemptionId: redeemed.body.redemptionId });
    expect(preview.body).toEqual({
      pointsToReverse: 570,
      pointsToReturn: 0,
      balanceNow: 70,
      balanceAfter: -500,
      shortfall: 500,
    });
    const voided = await post('u_ck03', 'void', {
      idempotencyKey: `v-${unique()}`,
      redemptionId: redeemed.body.redemptionId,
    });
    expect(voided.body).toMatchObject({ couponReturned: true, pointsReversed: 570 });
    expect((await pointsPage(m.customerId)).balance).toBe(-500);
  });

  it('points kept or given back: no shortfall, the balance before and after', async () => {
    const m = await scanned();
    const first = await post('u_ck03', 'sale', {
      idempotencyKey: `cts-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 26_000,
    });
    expect(first.body).toMatchObject({ pointsEarned: 520, pointsBalance: 520 });
    // a second sale paid 3 yuan with 300 points: taking it back returns them and takes its 47 back
    const second = await post('u_ck03', 'sale', {
      idempotencyKey: `cts-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 5_000,
      pointsToSpend: 300,
    });
    expect(second.body).toMatchObject({ pointsSpent: 300, pointsEarned: 47, pointsBalance: 267 });
    expect((await post('u_ck03', 'void-preview', { orderId: second.body.orderId })).body).toEqual({
      pointsToReverse: 47,
      pointsToReturn: 300,
      balanceNow: 267,
      balanceAfter: 520,
      shortfall: 0,
    });
    expect((await post('u_ck03', 'void-preview', { orderId: first.body.orderId })).body).toEqual({
      pointsToReverse: 520,
      pointsToReturn: 0,
      balanceNow: 267,
      balanceAfter: -253,
      shortfall: 253,
    });
  });

  it('only who may take it back may ask: another store’s sale is not found, and a malformed ask is refused', async () => {
    const m = await scanned();
    const sale = await post('u_ck03', 'sale', {
      idempotencyKey: `cts-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 1_000,
    });
    // 赵静 of 古荡店 learns nothing of 北仑新碶店's member
    const other = await post('u_ck02', 'void-preview', { orderId: sale.body.orderId });
    expect(codeOf(other)).toEqual({ status: 404, code: 'ORDER_NOT_FOUND' });
    expect(JSON.stringify(other.body)).not.toContain('balance');
    expect(codeOf(await post('u_ck02', 'void-preview', { redemptionId: 'rdm_nope' }))).toEqual({
      status: 404,
      code: 'REDEMPTION_NOT_FOUND',
    });
    for (const body of [
      {},
      { orderId: sale.body.orderId, redemptionId: 'rdm_x' },
      { orderId: sale.body.orderId, x: 1 },
    ]) {
      expect(codeOf(await post('u_ck03', 'void-preview', body))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    }
    // without a staff session: refused before anything is read
    const anonymous = await sys.call('/api/staff/counter/void-preview', { body: { orderId: sale.body.orderId } });
    expect(anonymous.status).toBe(401);
  });
});
