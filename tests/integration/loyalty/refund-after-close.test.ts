/**
 * Refunds and an account closure (注销会员): nothing is credited to a closed account, and a refund racing the
 * closure of the same member never deadlocks. Each path locks the member before the member's order or redemption,
 * as the closure does (its customer row, then its orders and coupons); the sale-void locked the order first and
 * PostgreSQL aborted one of the two ("deadlock detected", a 500). On PGlite the requests queue; on PostgreSQL
 * (integration-pg) they interleave.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { signUpAs, staffToken } from '../onboarding/helpers.js';
import { count, pointsBalance, posCall, uniqueKey } from './loyalty-fixtures.js';

let sys: TestSystem;
let clerk: string;
beforeAll(async () => {
  sys = await startTestSystem();
  // 孙磊, clerk of 北仑新碶店, whose till is not connected: the counter records its sales
  clerk = await staffToken(sys, 'u_ck03');
});
afterAll(async () => sys?.close());

let phoneSeq = 0;
/** A member signed up in the mini-program (token, customer, welcome coupon), and their member code now. */
async function member() {
  const phone = `1395811${String(++phoneSeq).padStart(4, '0')}`;
  const user = sys.sim.addUser({ nickname: `会员${phoneSeq}`, phone });
  const { token, register } = await signUpAs(sys, user.id, 's1.HZ001');
  expect(register.status, JSON.stringify(register.body)).toBe(200);
  const code = (await sys.call('/api/member/code', { token })).body.code as string;
  return {
    token,
    customerId: String(register.body.customerId),
    couponId: register.body.welcomeCoupon?.couponId as string,
    code,
  };
}

const counter = (path: string, body: unknown) => sys.call(`/api/staff/counter/${path}`, { token: clerk, body });
const close = (token: string) => sys.call('/api/member/account/close', { token, body: { confirm: true } });

/** A 250-yuan sale (500 points) recorded at the counter for the member, with their welcome coupon if asked. */
async function counterSale(m: Awaited<ReturnType<typeof member>>, withCoupon = false) {
  const lookup = await counter('lookup', { code: m.code });
  expect(lookup.status).toBe(200);
  const counterToken = lookup.body.counterToken;
  let redemptionId: string | undefined;
  if (withCoupon) {
    const redeemed = await counter('redeem', {
      idempotencyKey: uniqueKey('r'),
      counterToken,
      couponId: m.couponId,
      orderAmountFen: 26_000,
    });
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
    redemptionId = redeemed.body.redemptionId;
  }
  const sale = await counter('sale', {
    idempotencyKey: uniqueKey('s'),
    counterToken,
    orderAmountFen: withCoupon ? 26_000 : 25_000,
    redemptionId,
  });
  expect(sale.body.pointsEarned).toBe(500);
  return { orderId: sale.body.orderId as string, redemptionId };
}

describe('points returned at a till after the account closed', () => {
  it('returns nothing to the closed account: the till is told 0 came back, as a refund’s reversal is', async () => {
    const m = await member();
    const earned = await posCall(sys, '/api/pos/orders', {
      idempotencyKey: uniqueKey('ord'),
      externalId: uniqueKey('HZ001-CLOSED'),
      memberCode: m.code,
      orderedAt: sys.clock.now().toISOString(),
      totalFen: 50_000,
      discountFen: 0,
      paidFen: 50_000,
      lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 50_000, amountFen: 50_000 }],
    });
    expect(earned.body.pointsEarned).toBe(1000);
    const spent = await posCall(sys, '/api/pos/points/spend', {
      idempotencyKey: uniqueKey('spd'),
      memberCode: m.code,
      points: 500,
      orderAmountFen: 10_000,
    });
    expect(spent.body.balanceAfter).toBe(500);
    const closed = await close(m.token);
    expect(closed.body).toMatchObject({ pointsForfeited: 500 });

    const returned = await posCall(sys, '/api/pos/points/return', {
      idempotencyKey: uniqueKey('ret'),
      spendId: spent.body.spendId,
    });
    expect(returned.status).toBe(200);
    expect(returned.body).toEqual({ spendId: spent.body.spendId, pointsReturned: 0, balanceAfter: 0 });
    expect(await pointsBalance(sys, m.customerId)).toBe(0);
    expect(
      await count(sys.database, "select count(*) from points_ledger where entry_key = 'unspend:' || $1::text", [
        spent.body.spendId,
      ]),
    ).toBe(0);
  });
});

describe('a refund racing the closure of the same member', () => {
  // five members, each refunded and closed at once: on PostgreSQL three of five pairs deadlocked before
  const MEMBERS = 5;

  /** What each pair must leave: both answered (no 500), the points gone once, either by the refund or the closure. */
  async function expectSettled(
    m: Awaited<ReturnType<typeof member>>,
    refund: { status: number; body: Record<string, unknown> },
    closed: { status: number; body: Record<string, unknown> },
    reversed: number,
  ) {
    expect(refund.status, JSON.stringify(refund.body)).toBe(200);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    // the refund came first (its points went back, nothing left to forfeit) or second (nothing to take back)
    expect(reversed + Number(closed.body.pointsForfeited)).toBe(500);
    expect(await pointsBalance(sys, m.customerId)).toBe(0);
    const [c] = await sys.database.exec('select status from customers where id = $1', [m.customerId]);
    expect(c.status).toBe('closed');
  }

  it('the counter taking a sale back while the member closes the account: never a deadlock', async () => {
    const members = [];
    for (let i = 0; i < MEMBERS; i++) {
      const m = await member();
      members.push({ ...m, ...(await counterSale(m)) });
    }
    const results = await Promise.all(
      members.map((m) =>
        Promise.all([counter('sale-void', { idempotencyKey: uniqueKey('sv'), orderId: m.orderId }), close(m.token)]),
      ),
    );
    for (const [i, [refund, closed]] of results.entries()) {
      await expectSettled(members[i], refund, closed, Number(refund.body?.pointsReversed ?? 0));
    }
  });

  it('the counter voiding a redemption with its sale while the member closes the account: never a deadlock', async () => {
    const members = [];
    for (let i = 0; i < MEMBERS; i++) {
      const m = await member();
      members.push({ ...m, ...(await counterSale(m, true)) });
    }
    const results = await Promise.all(
      members.map((m) =>
        Promise.all([
          counter('void', { idempotencyKey: uniqueKey('v'), redemptionId: m.redemptionId }),
          close(m.token),
        ]),
      ),
    );
    for (const [i, [refund, closed]] of results.entries()) {
      await expectSettled(members[i], refund, closed, Number(refund.body?.pointsReversed ?? 0));
    }
  });

  it('the till refunding an order while the member closes the account: never a deadlock', async () => {
    const members = [];
    for (let i = 0; i < MEMBERS; i++) {
      const m = await member();
      const externalId = uniqueKey('HZ001-RACE');
      const sale = await posCall(sys, '/api/pos/orders', {
        idempotencyKey: uniqueKey('ord'),
        externalId,
        memberCode: m.code,
        orderedAt: sys.clock.now().toISOString(),
        totalFen: 25_000,
        discountFen: 0,
        paidFen: 25_000,
        lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 25_000, amountFen: 25_000 }],
      });
      expect(sale.body.pointsEarned).toBe(500);
      members.push({ ...m, externalId });
    }
    const results = await Promise.all(
      members.map((m) =>
        Promise.all([
          posCall(sys, '/api/pos/void', { idempotencyKey: uniqueKey('void'), externalOrderId: m.externalId }),
          close(m.token),
        ]),
      ),
    );
    for (const [i, [refund, closed]] of results.entries()) {
      await expectSettled(members[i], refund, closed, Number(refund.body?.pointsReversed ?? 0));
    }
  });
});
