/**
 * The counter records a sale for points where the till is not connected (古荡店 here, its POS key revoked; and the
 * demo's 北仑新碶店, which has none), never where it is (文三路店): by the till's rules, once per redemption, taken
 * back with a void. PGlite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '../../../dev/demo/catalogue.js';
import { partnerHeaders } from '../../../functions/adapters/auth/partner-signature.js';
import { createIdentityRepo } from '../../../functions/adapters/db/repos/identity.repo.js';
import { closeCustomer } from '../../../functions/app/members/close-account.js';
import { issueMemberCode } from '../../../functions/app/members/member-code.js';
import { pointsStanding } from '../../../functions/app/points/points.js';
import { codeOf, startTestSystem, type TestSystem } from '../../support/system.js';
import { ingest } from '../identity/helpers.js';
import { memberToken, staffToken } from '../onboarding/helpers.js';
import { count, createMember, giveCoupon, memberSession } from './loyalty-fixtures.js';

let sys: TestSystem;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  sys = await startTestSystem();
  // 古荡店's till is not connected (yet): no live POS key
  await sys.database.exec("update partner_keys set revoked_at = now() where source = 'pos' and store_id = 'sto_002'");
  for (const u of ['u_ck01', 'u_ck02', 'u_ck03']) tokens[u] = await staffToken(sys, u);
  // a second clerk of 古荡店, to show a sale is its recorder's to take back
  await sys.database.exec(
    "insert into staff (id, name, phone, role, store_id, status) values ('stf_ck09', '钱磊', '13900000019', 'clerk', 'sto_002', 'invited')",
  );
  sys.sim.addUser({ id: 'u_ck09', nickname: '钱磊（店员）', phone: '13900000019' });
  tokens.u_ck09 = await staffToken(sys, 'u_ck09');
  // and its manager, who may take back any clerk's sale of the day
  await sys.database.exec(
    "insert into staff (id, name, phone, role, store_id, status) values ('stf_sm09', '冯丽', '13900000029', 'store_manager', 'sto_002', 'invited')",
  );
  sys.sim.addUser({ id: 'u_sm09', nickname: '冯丽（店长）', phone: '13900000029' });
  tokens.u_sm09 = await staffToken(sys, 'u_sm09');
});
afterAll(async () => sys?.close());

const unique = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const post = (user: string, path: string, body: unknown) =>
  sys.call(`/api/staff/counter/${path}`, { body, token: tokens[user] });

async function scanned(user: string, templates: string[] = []) {
  const m = await createMember(sys.database, { homeStoreId: 'sto_002' });
  const coupons = [];
  for (const t of templates) coupons.push(await giveCoupon(sys, m.customerId, t));
  const code = await issueMemberCode(sys.database.db, {
    customerId: m.customerId,
    identityId: `idn_${m.customerId}`,
    now: sys.clock.now(),
  });
  const lookup = await post(user, 'lookup', { code: code.code });
  if (lookup.status !== 200) throw new Error(`lookup failed: ${JSON.stringify(lookup.body)}`);
  return { ...m, coupons, token: lookup.body.counterToken as string, lookup: lookup.body };
}

const ledger = (customerId: string) =>
  sys.database.exec('select kind, points, entry_key from points_ledger where customer_id = $1 order by id', [
    customerId,
  ]);

describe('counter sales for points', () => {
  it('the lookup says whether the store’s till reports its sales', async () => {
    expect((await scanned('u_ck02')).lookup.tillConnected).toBe(false);
    expect((await scanned('u_ck01')).lookup.tillConnected).toBe(true);
  });

  it('the demo’s store without a till (北仑新碶店): its clerk records a sale, and it earns', async () => {
    const m = await scanned('u_ck03');
    expect(m.lookup.tillConnected).toBe(false);
    const sale = await post('u_ck03', 'sale', {
      idempotencyKey: `s-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 5800,
    });
    expect(sale.status).toBe(200);
    expect(sale.body).toMatchObject({ paidFen: 5800, pointsEarned: 58, pointsBalance: 58 });
    const [order] = await sys.database.exec('select store_id, recorded_by from orders where id = $1', [
      sale.body.orderId,
    ]);
    expect(order).toEqual({ store_id: 'sto_018', recorded_by: 'stf_ck03' });
  });

  it('a redemption’s sale earns on what was paid, once however often it is sent; a void takes the points back', async () => {
    const m = await scanned('u_ck02', ['NEW_MEMBER']);
    const redeemed = await post('u_ck02', 'redeem', {
      idempotencyKey: `r-${unique()}`,
      counterToken: m.token,
      couponId: m.coupons[0].couponId,
      orderAmountFen: 10000,
    });
    expect(redeemed.status).toBe(200);
    const sale = {
      idempotencyKey: `s-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 10000,
      redemptionId: redeemed.body.redemptionId,
    };
    const first = await post('u_ck02', 'sale', sale);
    expect(first.status).toBe(200);
    // 100 yuan less the coupon's 10: 90 paid, 90 points
    expect(first.body).toMatchObject({ orderAmountFen: 10000, discountFen: 1000, paidFen: 9000, pointsEarned: 90 });
    expect(first.body.pointsBalance).toBe(90);
    expect((await post('u_ck02', 'sale', sale)).body).toEqual(first.body);
    // another key for the same redemption: the same order, no second earning
    const again = await post('u_ck02', 'sale', { ...sale, idempotencyKey: `s-${unique()}` });
    expect(again.body).toMatchObject({ orderId: first.body.orderId, pointsEarned: 90, pointsBalance: 90 });
    expect(await ledger(m.customerId)).toEqual([{ kind: 'earn', points: 90, entry_key: `earn:${first.body.orderId}` }]);
    const [order] = await sys.database.exec(
      'select source, store_id, customer_id, paid_fen from orders where id = $1',
      [first.body.orderId],
    );
    expect(order).toEqual({ source: 'pos', store_id: 'sto_002', customer_id: m.customerId, paid_fen: 9000 });

    const voided = await post('u_ck02', 'void', {
      idempotencyKey: `v-${unique()}`,
      redemptionId: redeemed.body.redemptionId,
    });
    expect(voided.body).toEqual({
      redemptionId: redeemed.body.redemptionId,
      couponReturned: true,
      alreadyVoided: false,
      pointsReversed: 90,
      pointsReturned: 0,
    });
    expect((await ledger(m.customerId)).map((l) => [l.kind, l.points])).toEqual([
      ['earn', 90],
      ['reverse', -90],
    ]);
    // a voided redemption has no sale to record any more
    expect(codeOf(await post('u_ck02', 'sale', { ...sale, idempotencyKey: `s-${unique()}` }))).toEqual({
      status: 404,
      code: 'REDEMPTION_NOT_FOUND',
    });
  });

  it('a sale without a coupon earns by the till’s rules: prescription drugs earn nothing, 200 yuan paid earns double', async () => {
    const m = await scanned('u_ck02');
    const sale = (orderAmountFen: number, rxAmountFen = 0) =>
      post('u_ck02', 'sale', { idempotencyKey: `n-${unique()}`, counterToken: m.token, orderAmountFen, rxAmountFen });
    expect((await sale(10000, 4000)).body).toMatchObject({ paidFen: 10000, discountFen: 0, pointsEarned: 60 });
    expect((await sale(25000)).body).toMatchObject({ pointsEarned: 500, pointsBalance: 560 });
    expect(
      await count(sys.database, "select count(*) from audit_log where action = 'counter.sale' and customer_id = $1", [
        m.customerId,
      ]),
    ).toBe(2);
  });

  it('refused, with nothing written: a connected till’s store, a redemption of another amount or member, bad amounts', async () => {
    const m = await scanned('u_ck02', ['NEW_MEMBER']);
    const other = await scanned('u_ck02');
    const redeemed = await post('u_ck02', 'redeem', {
      idempotencyKey: `r-${unique()}`,
      counterToken: m.token,
      couponId: m.coupons[0].couponId,
      orderAmountFen: 5000,
    });
    const attempt = (user: string, extra: Record<string, unknown>) =>
      post(user, 'sale', { idempotencyKey: `x-${unique()}`, counterToken: m.token, orderAmountFen: 5000, ...extra });
    const atConnected = await scanned('u_ck01');
    expect(
      codeOf(
        await post('u_ck01', 'sale', {
          idempotencyKey: `x-${unique()}`,
          counterToken: atConnected.token,
          orderAmountFen: 5000,
        }),
      ),
    ).toEqual({ status: 409, code: 'COUNTER_TILL_CONNECTED' });
    expect(codeOf(await attempt('u_ck02', { redemptionId: redeemed.body.redemptionId, orderAmountFen: 6000 }))).toEqual(
      {
        status: 400,
        code: 'ORDER_AMOUNT_MISMATCH',
      },
    );
    expect(
      codeOf(
        await post('u_ck02', 'sale', {
          idempotencyKey: `x-${unique()}`,
          counterToken: other.token,
          orderAmountFen: 5000,
          redemptionId: redeemed.body.redemptionId,
        }),
      ),
    ).toEqual({ status: 404, code: 'REDEMPTION_NOT_FOUND' });
    expect(codeOf(await attempt('u_ck02', { orderAmountFen: 0 }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(codeOf(await attempt('u_ck02', { orderAmountFen: 10_000_001 }))).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(codeOf(await attempt('u_ck02', { rxAmountFen: 5001 }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    // another clerk's scan
    expect(codeOf(await attempt('u_ck01', {}))).toEqual({ status: 400, code: 'COUNTER_SESSION_INVALID' });
    for (const c of [m, other, atConnected]) expect(await ledger(c.customerId)).toEqual([]);
    expect(
      await count(sys.database, 'select count(*) from orders where customer_id in ($1, $2, $3)', [
        m.customerId,
        other.customerId,
        atConnected.customerId,
      ]),
    ).toBe(0);
  });

  it('a sale recorded by mistake is taken back the same day by its clerk: the points go back, once', async () => {
    const m = await scanned('u_ck02', ['NEW_MEMBER']);
    const sale = await post('u_ck02', 'sale', {
      idempotencyKey: `m-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 80000,
    });
    expect(sale.body.pointsEarned).toBe(1600);
    const takeBack = (user: string, orderId = sale.body.orderId, key = `mv-${unique()}`) =>
      post(user, 'sale-void', { idempotencyKey: key, orderId });

    // today's list shows it: its clerk may take it back, another clerk of the store may not
    const listed = async (user: string) =>
      (await sys.call('/api/staff/counter/redemptions', { token: tokens[user] })).body.sales.find(
        (x: { orderId: string }) => x.orderId === sale.body.orderId,
      );
    expect(await listed('u_ck02')).toMatchObject({
      orderAmountFen: 80000,
      pointsEarned: 1600,
      staffName: '赵静',
      takenBack: false,
      voidable: true,
    });
    expect((await listed('u_ck02')).nameMasked).toMatch(/\*/);
    expect(await listed('u_ck09')).toMatchObject({ takenBack: false, voidable: false });
    expect(await listed('u_sm09')).toMatchObject({ takenBack: false, voidable: true });
    expect(codeOf(await takeBack('u_ck09'))).toEqual({ status: 409, code: 'SALE_NOT_VOIDABLE' });
    expect(codeOf(await takeBack('u_ck01'))).toEqual({ status: 404, code: 'ORDER_NOT_FOUND' });
    expect(codeOf(await takeBack('u_ck02', 'ord_nosuch'))).toEqual({ status: 404, code: 'ORDER_NOT_FOUND' });
    const key = `mv-${unique()}`;
    const first = await takeBack('u_ck02', sale.body.orderId, key);
    expect(first.body).toEqual({ orderId: sale.body.orderId, pointsReversed: 1600, pointsReturned: 0 });
    expect((await takeBack('u_ck02', sale.body.orderId, key)).body).toEqual(first.body);
    expect((await takeBack('u_ck02')).body).toEqual({
      orderId: sale.body.orderId,
      pointsReversed: 0,
      pointsReturned: 0,
    });
    expect(await listed('u_ck02')).toMatchObject({ takenBack: true, voidable: false });
    expect((await ledger(m.customerId)).map((l) => [l.kind, l.points])).toEqual([
      ['earn', 1600],
      ['reverse', -1600],
    ]);
    expect(
      await count(
        sys.database,
        "select count(*) from audit_log where action = 'counter.sale_void' and customer_id = $1",
        [m.customerId],
      ),
    ).toBe(2);

    // a sale with a coupon goes back with its redemption, not alone; nor a sale of another day
    const redeemed = await post('u_ck02', 'redeem', {
      idempotencyKey: `r-${unique()}`,
      counterToken: m.token,
      couponId: m.coupons[0].couponId,
      orderAmountFen: 5000,
    });
    const withCoupon = await post('u_ck02', 'sale', {
      idempotencyKey: `m-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 5000,
      redemptionId: redeemed.body.redemptionId,
    });
    expect(codeOf(await takeBack('u_ck02', withCoupon.body.orderId))).toEqual({
      status: 409,
      code: 'SALE_NOT_VOIDABLE',
    });
    // listed under its redemption, not among the coupon-less sales; another store's list has neither
    const sales = (await sys.call('/api/staff/counter/redemptions', { token: tokens.u_ck02 })).body.sales;
    expect(sales.map((x: { orderId: string }) => x.orderId)).not.toContain(withCoupon.body.orderId);
    const elsewhere = (await sys.call('/api/staff/counter/redemptions', { token: tokens.u_ck01 })).body.sales;
    expect(elsewhere.map((x: { orderId: string }) => x.orderId)).not.toContain(sale.body.orderId);
    const later = await post('u_ck02', 'sale', {
      idempotencyKey: `m-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 3000,
    });
    sys.clock.advance(24 * 3600_000);
    try {
      const nextDay = await sys.call('/api/staff/counter/sale-void', {
        body: { idempotencyKey: `mv-${unique()}`, orderId: later.body.orderId },
        token: await staffToken(sys, 'u_ck02'),
      });
      expect(codeOf(nextDay)).toEqual({ status: 409, code: 'SALE_NOT_VOIDABLE' });
    } finally {
      sys.clock.advance(-24 * 3600_000);
    }
  });
});

describe('paying with points at the counter (积分抵现)', () => {
  /** A member of 古荡店 with 500 points, earned the honest way: a 250-yuan sale at the counter (double points). */
  async function withPoints(user = 'u_ck02', templates: string[] = []) {
    const m = await scanned(user, templates);
    const earned = await post(user, 'sale', {
      idempotencyKey: `e-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 25000,
    });
    expect(earned.body.pointsBalance).toBe(500);
    return m;
  }
  const balance = (customerId: string) =>
    count(sys.database, 'select coalesce(sum(points), 0) from points_ledger where customer_id = $1', [customerId]);

  it('a sale paid partly with points: the points come off, only the money paid earns, and a retry spends nothing more', async () => {
    const m = await withPoints();
    const body = { idempotencyKey: `p-${unique()}`, counterToken: m.token, orderAmountFen: 3800, pointsToSpend: 300 };
    const sale = await post('u_ck02', 'sale', body);
    expect(sale.status).toBe(200);
    // 38 yuan, 3 of them paid with 300 points: 35 paid in money, 35 points earned
    expect(sale.body).toMatchObject({
      orderAmountFen: 3800,
      discountFen: 0,
      pointsSpent: 300,
      pointsDiscountFen: 300,
      paidFen: 3500,
      pointsEarned: 35,
      pointsBalance: 500 - 300 + 35,
    });
    expect((await post('u_ck02', 'sale', body)).body).toEqual(sale.body);
    const orderId = sale.body.orderId;
    expect((await ledger(m.customerId)).slice(1)).toEqual([
      { kind: 'spend', points: -300, entry_key: `spend:${orderId}` },
      { kind: 'earn', points: 35, entry_key: `earn:${orderId}` },
    ]);
    const [order] = await sys.database.exec('select total_fen, discount_fen, paid_fen from orders where id = $1', [
      orderId,
    ]);
    expect(order).toEqual({ total_fen: 3800, discount_fen: 300, paid_fen: 3500 });
    const [spend] = await sys.database.exec(
      "select note, store_id, order_id from points_ledger where entry_key = 'spend:' || $1::text",
      [orderId],
    );
    expect(spend).toEqual({ note: '古荡店积分抵扣3元', store_id: 'sto_002', order_id: orderId });
    // the member's points page shows the line and the rule
    const page = await sys.call('/api/loyalty/points', { token: await memberSession(sys, m.customerId) });
    expect(page.body.balance).toBe(235);
    expect(page.body.ledger).toContainEqual(
      expect.objectContaining({ kind: 'spend', points: -300, note: '古荡店积分抵扣3元' }),
    );
    expect(page.body.rules.some((r: string) => r.includes('每100积分抵1元'))).toBe(true);
  });

  it('with a coupon: the points pay part of what is left, and a void gives back the coupon, the points spent, and takes the earned', async () => {
    const m = await withPoints('u_ck02', ['NEW_MEMBER']);
    const redeemed = await post('u_ck02', 'redeem', {
      idempotencyKey: `r-${unique()}`,
      counterToken: m.token,
      couponId: m.coupons[0].couponId,
      orderAmountFen: 5000,
    });
    expect(redeemed.body.discountFen).toBe(1000);
    const sale = {
      counterToken: m.token,
      orderAmountFen: 5000,
      redemptionId: redeemed.body.redemptionId,
      pointsToSpend: 400,
    };
    // more points than is left after the coupon: refused in words, nothing spent
    const tooMany = await post('u_ck02', 'sale', { ...sale, pointsToSpend: 4100, idempotencyKey: `p-${unique()}` });
    expect(codeOf(tooMany)).toEqual({ status: 422, code: 'POINTS_EXCEED_ORDER' });
    const first = await post('u_ck02', 'sale', { ...sale, idempotencyKey: `p-${unique()}` });
    expect(first.body).toMatchObject({ discountFen: 1000, pointsSpent: 400, paidFen: 3600, pointsEarned: 36 });
    expect(first.body.pointsBalance).toBe(136);
    // another key for the redemption's sale: the same order and answer, the points spent once
    expect((await post('u_ck02', 'sale', { ...sale, idempotencyKey: `p-${unique()}` })).body).toEqual(first.body);
    expect(await balance(m.customerId)).toBe(136);
    // the day's list says what a void of the redemption will do to the member's points
    const listed = async () =>
      (await sys.call('/api/staff/counter/redemptions', { token: tokens.u_ck02 })).body.items.find(
        (x: { redemptionId: string }) => x.redemptionId === redeemed.body.redemptionId,
      );
    expect(await listed()).toMatchObject({ pointsEarned: 36, pointsSpent: 400, voidable: true });
    const voided = await post('u_ck02', 'void', {
      idempotencyKey: `v-${unique()}`,
      redemptionId: redeemed.body.redemptionId,
    });
    expect(voided.body).toEqual({
      redemptionId: redeemed.body.redemptionId,
      couponReturned: true,
      alreadyVoided: false,
      pointsReversed: 36,
      pointsReturned: 400,
    });
    expect(await balance(m.customerId)).toBe(500);
    expect((await ledger(m.customerId)).slice(-2)).toEqual([
      { kind: 'reverse', points: -36, entry_key: `reverse:${first.body.orderId}` },
      { kind: 'reverse', points: 400, entry_key: `unspend:${first.body.orderId}` },
    ]);
  });

  it('refused, with nothing written: more points than the balance, not whole hundreds, more than the order', async () => {
    const m = await withPoints();
    const before = await ledger(m.customerId);
    const attempt = (pointsToSpend: number, orderAmountFen = 80000) =>
      post('u_ck02', 'sale', { idempotencyKey: `x-${unique()}`, counterToken: m.token, orderAmountFen, pointsToSpend });
    const short = await attempt(600);
    expect(codeOf(short)).toEqual({ status: 409, code: 'INSUFFICIENT_POINTS' });
    expect(codeOf(await attempt(150))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(codeOf(await attempt(-100))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(codeOf(await attempt(400, 300))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await ledger(m.customerId)).toEqual(before);
    expect(await count(sys.database, 'select count(*) from orders where customer_id = $1', [m.customerId])).toBe(1);
  });

  it('two counters spending the same points at once: one gets them, the other is refused, never a deadlock', async () => {
    // Each sale inserts its order before it spends, and the order's foreign key share-locks the member's row: two
    // such transactions raising that lock to FOR UPDATE deadlocked (PostgreSQL aborted one: a 500). Five members,
    // each spent at two counters at once, make the race likely on every run.
    const members = [];
    for (let i = 0; i < 5; i++) {
      const m = await withPoints();
      const code = await issueMemberCode(sys.database.db, {
        customerId: m.customerId,
        identityId: `idn_${m.customerId}`,
        now: sys.clock.now(),
      });
      const second = await post('u_ck09', 'lookup', { code: code.code });
      members.push({ ...m, secondToken: second.body.counterToken as string });
    }
    const spend = (user: string, counterToken: string) =>
      post(user, 'sale', { idempotencyKey: `c-${unique()}`, counterToken, orderAmountFen: 6000, pointsToSpend: 400 });
    const results = await Promise.all(
      members.map((m) => Promise.all([spend('u_ck02', m.token), spend('u_ck09', m.secondToken)])),
    );
    for (const [i, pair] of results.entries()) {
      const m = members[i];
      if (!m) throw new Error('a member is missing');
      expect(pair.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(pair.map((r) => r.body?.error?.code).filter(Boolean)).toEqual(['INSUFFICIENT_POINTS']);
      // 500 − 400 + the 56 that the 56 yuan paid in money earned; the refused sale left no order
      expect(await balance(m.customerId)).toBe(156);
      expect(await count(sys.database, 'select count(*) from orders where customer_id = $1', [m.customerId])).toBe(2);
    }
  });

  it('a sale paid wholly with points earns nothing, is listed with its points, and taking it back returns them', async () => {
    const m = await withPoints();
    const sale = await post('u_ck02', 'sale', {
      idempotencyKey: `w-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 300,
      pointsToSpend: 300,
    });
    expect(sale.body).toMatchObject({ paidFen: 0, pointsSpent: 300, pointsEarned: 0, pointsBalance: 200 });
    const listed = async () =>
      (await sys.call('/api/staff/counter/redemptions', { token: tokens.u_ck02 })).body.sales.find(
        (x: { orderId: string }) => x.orderId === sale.body.orderId,
      );
    // nothing earned, but points spent: there is something to take back
    expect(await listed()).toMatchObject({ pointsEarned: 0, pointsSpent: 300, takenBack: false, voidable: true });
    const key = `wv-${unique()}`;
    const back = await post('u_ck02', 'sale-void', { idempotencyKey: key, orderId: sale.body.orderId });
    expect(back.body).toEqual({ orderId: sale.body.orderId, pointsReversed: 0, pointsReturned: 300 });
    expect((await post('u_ck02', 'sale-void', { idempotencyKey: key, orderId: sale.body.orderId })).body).toEqual(
      back.body,
    );
    const again = await post('u_ck02', 'sale-void', { idempotencyKey: `wv-${unique()}`, orderId: sale.body.orderId });
    expect(again.body).toEqual({ orderId: sale.body.orderId, pointsReversed: 0, pointsReturned: 0 });
    expect(await balance(m.customerId)).toBe(500);
    expect(await listed()).toMatchObject({ takenBack: true, voidable: false });
    const [audit] = await sys.database.exec(
      "select details from audit_log where action = 'counter.sale_void' and customer_id = $1 order by at limit 1",
      [m.customerId],
    );
    expect(audit.details).toMatchObject({ orderId: sale.body.orderId, pointsReturned: 300 });
  });
});

describe('a sale taken back and the tier', () => {
  const standing = (customerId: string) => pointsStanding(sys.database.db, customerId, sys.clock.now());

  it('a sale taken back, alone or with its redemption, no longer counts towards the member’s tier', async () => {
    const m = await scanned('u_ck02', ['NEW_MEMBER']);
    // 3,000 yuan: gold
    const sale = await post('u_ck02', 'sale', {
      idempotencyKey: `t-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 300_000,
    });
    expect(sale.body.pointsEarned).toBe(6000);
    expect(await standing(m.customerId)).toMatchObject({ spendFen: 300_000, tier: { code: 'gold' } });
    const back = await post('u_ck02', 'sale-void', { idempotencyKey: `tv-${unique()}`, orderId: sale.body.orderId });
    expect(back.body).toMatchObject({ pointsReversed: 6000 });
    expect(await standing(m.customerId)).toMatchObject({ balance: 0, spendFen: 0, tier: { code: 'basic' } });

    // with a coupon: the redemption's void takes its sale back too
    const redeemed = await post('u_ck02', 'redeem', {
      idempotencyKey: `tr-${unique()}`,
      counterToken: m.token,
      couponId: m.coupons[0].couponId,
      orderAmountFen: 300_000,
    });
    const withCoupon = await post('u_ck02', 'sale', {
      idempotencyKey: `t-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 300_000,
      redemptionId: redeemed.body.redemptionId,
    });
    expect(withCoupon.body).toMatchObject({ paidFen: 299_000, pointsEarned: 5980 });
    expect(await standing(m.customerId)).toMatchObject({ spendFen: 299_000, tier: { code: 'silver' } });
    const voided = await post('u_ck02', 'void', {
      idempotencyKey: `tv-${unique()}`,
      redemptionId: redeemed.body.redemptionId,
    });
    expect(voided.body).toMatchObject({ couponReturned: true, pointsReversed: 5980 });
    expect(await standing(m.customerId)).toMatchObject({ balance: 0, spendFen: 0, tier: { code: 'basic' } });
    // both orders stay in the purchase history
    expect(
      await count(sys.database, 'select count(*) from orders where customer_id = $1 and refunded_at is not null', [
        m.customerId,
      ]),
    ).toBe(2);
  });
});

describe('the member behind a scan, ten minutes later', () => {
  it('closed the account since the scan: nothing is recorded or redeemed for them (409), nothing written', async () => {
    const m = await scanned('u_ck02', ['FULL_100_15']);
    const closed = await closeCustomer(sys.deps, m.customerId, {
      actorKind: 'staff',
      actorId: 'stf_sm09',
      identityId: null,
      requestId: `req-${unique()}`,
      reason: 'test',
    });
    expect(closed?.ok).toBe(true);
    const sale = await post('u_ck02', 'sale', {
      idempotencyKey: `c-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 50_000,
    });
    expect(codeOf(sale)).toEqual({ status: 409, code: 'MEMBER_ACCOUNT_CLOSED' });
    const redeem = await post('u_ck02', 'redeem', {
      idempotencyKey: `c-${unique()}`,
      counterToken: m.token,
      couponId: m.coupons[0].couponId,
      orderAmountFen: 20_000,
    });
    expect(codeOf(redeem)).toEqual({ status: 409, code: 'MEMBER_ACCOUNT_CLOSED' });
    expect(await count(sys.database, 'select count(*) from orders where customer_id = $1', [m.customerId])).toBe(0);
    expect(await ledger(m.customerId)).toEqual([]);
    expect(
      await count(sys.database, 'select count(*) from coupon_redemptions where customer_id = $1', [m.customerId]),
    ).toBe(0);
  });

  it('merged since the scan: the sale and the redemption are the survivor’s, the same person', async () => {
    const m = await scanned('u_ck02', ['FULL_100_15']);
    const survivor = (await createMember(sys.database, { homeStoreId: 'sto_002' })).customerId;
    await sys.database.db.transaction((tx) =>
      createIdentityRepo(tx).merge({
        id: `mrg_scan_${unique()}`,
        survivorId: survivor,
        mergedId: m.customerId,
        rule: 'manual',
        evidence: {},
        actorKind: 'staff',
        actorId: 'stf_hq01',
        now: sys.clock.now(),
      }),
    );
    const redeemed = await post('u_ck02', 'redeem', {
      idempotencyKey: `g-${unique()}`,
      counterToken: m.token,
      couponId: m.coupons[0].couponId,
      orderAmountFen: 20_000,
    });
    expect(redeemed.status).toBe(200);
    const sale = await post('u_ck02', 'sale', {
      idempotencyKey: `g-${unique()}`,
      counterToken: m.token,
      orderAmountFen: 20_000,
      redemptionId: redeemed.body.redemptionId,
    });
    expect(sale.status).toBe(200);
    expect(sale.body).toMatchObject({ paidFen: 18_500, pointsEarned: 185, pointsBalance: 185 });
    const [order] = await sys.database.exec('select customer_id from orders where id = $1', [sale.body.orderId]);
    expect(order.customer_id).toBe(survivor);
    expect(await ledger(survivor)).toEqual([{ kind: 'earn', points: 185, entry_key: `earn:${sale.body.orderId}` }]);
    expect(await ledger(m.customerId)).toEqual([]);
  });
});

describe('the medicines of a counter sale', () => {
  // an everyday product and a prescription drug, both under 50 yuan: the order stays under 200 (single points)
  const otc = DEMO_PRODUCTS.find((p) => !p.rx && p.priceFen >= 1000 && p.priceFen <= 5000);
  const rx = DEMO_PRODUCTS.find((p) => p.rx && p.priceFen >= 1000 && p.priceFen <= 5000);
  if (!otc || !rx) throw new Error('the demo catalogue has no products to test with');
  const orderLines = (orderId: string) =>
    sys.database.exec(
      'select line_no, sku, product_id, quantity, unit_price_fen, amount_fen from order_lines where order_id = $1 order by line_no',
      [orderId],
    );

  it('are recorded as the order’s lines at the catalogue price, and a prescription drug among them earns nothing', async () => {
    const m = await scanned('u_ck03');
    const orderAmountFen = otc.priceFen * 2 + rx.priceFen;
    const body = {
      idempotencyKey: `i-${unique()}`,
      counterToken: m.token,
      orderAmountFen,
      // the clerk left the prescription part at 0: the Rx item is kept out of the points all the same
      lines: [
        { sku: otc.sku, quantity: 2 },
        { sku: ` ${rx.sku} `, quantity: 1 },
      ],
    };
    const sale = await post('u_ck03', 'sale', body);
    expect(sale.status).toBe(200);
    expect(sale.body.lines).toEqual([
      { sku: otc.sku, name: otc.name, rx: false, quantity: 2, unitPriceFen: otc.priceFen, amountFen: otc.priceFen * 2 },
      { sku: rx.sku, name: rx.name, rx: true, quantity: 1, unitPriceFen: rx.priceFen, amountFen: rx.priceFen },
    ]);
    expect(sale.body.pointsEarned).toBe(Math.floor((otc.priceFen * 2) / 100));
    expect(await orderLines(sale.body.orderId)).toEqual([
      {
        line_no: 1,
        sku: otc.sku,
        product_id: otc.id,
        quantity: 2,
        unit_price_fen: otc.priceFen,
        amount_fen: otc.priceFen * 2,
      },
      { line_no: 2, sku: rx.sku, product_id: rx.id, quantity: 1, unit_price_fen: rx.priceFen, amount_fen: rx.priceFen },
    ]);
    // the same attempt resent: the same answer, no second order or line
    expect((await post('u_ck03', 'sale', body)).body).toEqual(sale.body);
    expect(await count(sys.database, 'select count(*) from orders where customer_id = $1', [m.customerId])).toBe(1);
    // a typed prescription part larger than the Rx items' value is the one kept out
    const typed = await post('u_ck03', 'sale', {
      idempotencyKey: `i-${unique()}`,
      counterToken: m.token,
      orderAmountFen,
      rxAmountFen: rx.priceFen + otc.priceFen,
      lines: [
        { sku: otc.sku, quantity: 2 },
        { sku: rx.sku, quantity: 1 },
      ],
    });
    expect(typed.body.pointsEarned).toBe(Math.floor(otc.priceFen / 100));
  });

  it('go with a redemption’s sale, and another key for that sale answers them again', async () => {
    const m = await scanned('u_ck03', ['NEW_MEMBER']);
    const orderAmountFen = otc.priceFen * 3;
    const redeemed = await post('u_ck03', 'redeem', {
      idempotencyKey: `r-${unique()}`,
      counterToken: m.token,
      couponId: m.coupons[0].couponId,
      orderAmountFen,
    });
    expect(redeemed.status).toBe(200);
    const sale = {
      counterToken: m.token,
      orderAmountFen,
      redemptionId: redeemed.body.redemptionId,
      lines: [{ sku: otc.sku, quantity: 3 }],
    };
    const first = await post('u_ck03', 'sale', { ...sale, idempotencyKey: `s-${unique()}` });
    expect(first.body.lines).toMatchObject([{ sku: otc.sku, quantity: 3, amountFen: orderAmountFen }]);
    const again = await post('u_ck03', 'sale', { ...sale, idempotencyKey: `s-${unique()}` });
    expect(again.body).toEqual(first.body);
    expect(await orderLines(first.body.orderId)).toHaveLength(1);
  });

  it('refused, with nothing written: a SKU not in the catalogue, a SKU twice, a quantity of 0 or 100, 31 lines', async () => {
    const m = await scanned('u_ck03');
    const attempt = (lines: unknown) =>
      post('u_ck03', 'sale', { idempotencyKey: `x-${unique()}`, counterToken: m.token, orderAmountFen: 5000, lines });
    const unknown = await attempt([
      { sku: otc.sku, quantity: 1 },
      { sku: 'MD999999', quantity: 1 },
    ]);
    expect(codeOf(unknown)).toEqual({ status: 422, code: 'PRODUCT_NOT_FOUND' });
    expect(unknown.body.error.message).toContain('MD999999');
    const twice = [
      { sku: otc.sku, quantity: 1 },
      { sku: otc.sku, quantity: 2 },
    ];
    const many = DEMO_PRODUCTS.slice(0, 31).map((p) => ({ sku: p.sku, quantity: 1 }));
    for (const lines of [twice, [{ sku: otc.sku, quantity: 0 }], [{ sku: otc.sku, quantity: 100 }], many]) {
      expect(codeOf(await attempt(lines))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    }
    expect(await count(sys.database, 'select count(*) from orders where customer_id = $1', [m.customerId])).toBe(0);
    expect(await ledger(m.customerId)).toEqual([]);
  });

  it('come from the catalogue search: by generic name or SKU, the SKU first; staff only', async () => {
    const search = (q: string, token = tokens.u_ck03) =>
      sys.call(`/api/staff/products?q=${encodeURIComponent(q)}`, { token });
    const byName = await search('氨氯地平');
    expect(byName.status).toBe(200);
    expect(byName.body.items.length).toBeGreaterThan(0);
    expect(byName.body.items.length).toBeLessThanOrEqual(12);
    for (const p of byName.body.items) expect(`${p.name}${p.genericName}`).toContain('氨氯地平');
    const bySku = await search(otc.sku.toLowerCase());
    expect(bySku.body.items[0]).toEqual({
      sku: otc.sku,
      name: otc.name,
      genericName: otc.genericName,
      category: otc.category,
      rx: otc.rx,
      priceFen: otc.priceFen,
    });
    // LIKE's wildcards typed by a clerk are searched for as themselves
    expect((await search('%')).body.items).toEqual([]);
    expect((await search('_')).body.items).toEqual([]);
    expect(codeOf(await search('  '))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(codeOf(await search('x'.repeat(41)))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await sys.call('/api/staff/products?q=abc')).status).toBe(401);
    const member = await memberToken(sys, 'u_zhangwei');
    expect((await search('氨氯地平', member)).status).toBe(403);
  });
});

describe('a connected till that goes quiet', () => {
  it('is flagged to the clerk, with when it last got through; a failed call does not count', async () => {
    // a day later the clerk has logged in again
    const lookup = async () => {
      tokens.u_ck01 = await staffToken(sys, 'u_ck01');
      return (await scanned('u_ck01')).lookup;
    };
    // 文三路店's till has a live POS key, and nothing from it has reached this database yet
    expect(await lookup()).toMatchObject({ tillConnected: true, tillLastOkAt: null, tillQuiet: true });
    // a call with the wrong secret fails, and is logged as failed
    const raw = JSON.stringify({ records: [] });
    const headers = partnerHeaders({
      keyId: 'key_pos_hz001',
      secret: 'not-the-secret',
      method: 'POST',
      path: '/api/ingest/records',
      body: raw,
      now: sys.clock.now(),
    });
    expect((await sys.call('/api/ingest/records', { raw, headers })).status).toBe(401);
    // the log of partner calls buffers for a second: written now, not raced by the poll's own one-second limit
    await sys.deps.callLog.flush();
    await expect
      .poll(() => sys.database.exec(`select 1 from integration_log where store_id = 'sto_001' and status = 'failed'`))
      .toHaveLength(1);
    expect((await lookup()).tillLastOkAt).toBeNull();
    const card = { sourceId: `TILL${Date.now()}`, name: '林静', phone: '13957119901', storeCode: 'HZ001' };
    expect((await ingest(sys, [card])).status).toBe(200);
    const reported = sys.clock.now().toISOString();
    expect(await lookup()).toMatchObject({ tillConnected: true, tillLastOkAt: reported, tillQuiet: false });
    const start = sys.clock.now();
    try {
      sys.clock.advance(23 * 3_600_000);
      expect(await lookup()).toMatchObject({ tillLastOkAt: reported, tillQuiet: false });
      sys.clock.advance(2 * 3_600_000);
      expect(await lookup()).toMatchObject({ tillLastOkAt: reported, tillQuiet: true });
    } finally {
      sys.clock.set(start);
    }
    // a store without a till: nothing to flag
    expect((await scanned('u_ck02')).lookup).toMatchObject({
      tillConnected: false,
      tillLastOkAt: null,
      tillQuiet: false,
    });
  });
});
