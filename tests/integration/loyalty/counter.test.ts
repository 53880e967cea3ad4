/**
 * The staff pages' counter (扫码核销): a clerk scans a member code or a coupon code, redeems one of the member's coupons
 * against the order amount, and voids a mistake the same day. On PGlite and on PostgreSQL (integration-pg).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueMemberCode } from '../../../functions/app/members/member-code.js';
import { codeOf, startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';
import { count, createMember, giveCoupon, posCall } from './loyalty-fixtures.js';

let sys: TestSystem;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  sys = await startTestSystem();
  // 王芳 (clerk) and 李明 (pharmacist) and 刘洋 (manager) of 文三路店 sto_001, 赵静 (clerk) of 古荡店, 孙磊 (clerk)
  // of 北仑新碶店 (no till: the counter records its sales), HQ
  for (const u of ['u_ck01', 'u_ph01', 'u_sm01', 'u_ck02', 'u_ck03', 'u_hq01']) tokens[u] = await staffToken(sys, u);
});
afterAll(async () => sys?.close());

const unique = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const post = (user: string, path: string, body: unknown) =>
  sys.call(`/api/staff/counter/${path}`, { body, token: tokens[user] });
const list = (user: string) => sys.call('/api/staff/counter/redemptions', { token: tokens[user] });

async function memberWithCode(templates: string[] = ['NEW_MEMBER']) {
  const m = await createMember(sys.database);
  const coupons = [];
  for (const t of templates) coupons.push(await giveCoupon(sys, m.customerId, t));
  const code = await issueMemberCode(sys.database.db, {
    customerId: m.customerId,
    identityId: `idn_${m.customerId}`,
    now: sys.clock.now(),
  });
  return { ...m, coupons, memberCode: code.code };
}

async function scan(user: string, code: string) {
  const r = await post(user, 'lookup', { code });
  if (r.status !== 200) throw new Error(`lookup failed: ${JSON.stringify(r.body)}`);
  return r.body;
}

const couponStatus = async (couponId: string) =>
  (await sys.database.exec('select status from coupons where id = $1', [couponId]))[0]?.status as string | undefined;

describe('counter lookup', () => {
  it('a member code shows the masked member, points, and the coupons usable here first', async () => {
    const m = await memberWithCode(['NEW_MEMBER', 'HZ001_200_20', 'FULL_100_15']);
    const here = await scan('u_ck01', m.memberCode);
    expect(here.member.phoneMasked).toBe(`${m.phone.slice(0, 3)}****${m.phone.slice(-4)}`);
    expect(here.member.points).toBe(0);
    expect(here.scannedCouponId).toBeNull();
    expect(here.coupons.map((c: { couponId: string }) => c.couponId).sort()).toEqual(
      m.coupons.map((c) => c.couponId).sort(),
    );
    expect(here.coupons.every((c: { usableHere: boolean }) => c.usableHere)).toBe(true);
    const full = here.coupons.find((c: { couponId: string }) => c.couponId === m.coupons[2].couponId);
    expect(full.thresholdFen).toBe(10000);
    expect(full.rules).toContain('处方药不参与优惠');

    // at 古荡店 the 文三路店-only coupon is listed last, greyed, with the reason
    const there = await scan('u_ck02', m.memberCode);
    const last = there.coupons.at(-1);
    expect(last.couponId).toBe(m.coupons[1].couponId);
    expect(last.usableHere).toBe(false);
    expect(last.whyNot).toBe('仅限文三路店使用');
    expect(there.coupons.slice(0, -1).every((c: { usableHere: boolean }) => c.usableHere)).toBe(true);

    // each scan is in the audit log: who looked at whom, where
    const audit = await sys.database.exec(
      "select actor_id, store_id from audit_log where action = 'counter.member_lookup' and customer_id = $1 order by at, id",
      [m.customerId],
    );
    expect(audit).toEqual([
      { actor_id: 'stf_ck01', store_id: 'sto_001' },
      { actor_id: 'stf_ck02', store_id: 'sto_002' },
    ]);
  });

  it('a coupon code finds its member and names the coupon', async () => {
    const m = await memberWithCode(['FULL_100_15']);
    const r = await scan('u_ck01', ` ${m.coupons[0].code.slice(0, 8)} ${m.coupons[0].code.slice(8)} `);
    expect(r.scannedCouponId).toBe(m.coupons[0].couponId);
    expect(r.member.phoneMasked).toContain('****');
  });

  it('bad codes, stale codes, used coupons and staff without a store get clear errors', async () => {
    const m = await memberWithCode(['NEW_MEMBER']);
    expect(codeOf(await post('u_ck01', 'lookup', { code: '12345' }))).toEqual({
      status: 404,
      code: 'MEMBER_CODE_INVALID',
    });
    // a short number starting like a member code, and a phone: neither is looked up (the page says so in words)
    for (const code of ['88123', '13812345678']) {
      expect(codeOf(await post('u_ck01', 'lookup', { code }))).toEqual({ status: 404, code: 'MEMBER_CODE_INVALID' });
    }
    expect(codeOf(await post('u_ck01', 'lookup', { code: '' }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(codeOf(await post('u_hq01', 'lookup', { code: m.memberCode }))).toEqual({
      status: 403,
      code: 'COUNTER_NOT_AT_STORE',
    });
    expect(codeOf(await sys.call('/api/staff/counter/lookup', { body: { code: m.memberCode } }))).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    // a coupon code whose check digit is wrong is a coupon code mistyped, answered as the POS answers it
    const wrong = `${m.coupons[0].code.slice(0, 15)}${(Number(m.coupons[0].code[15]) + 1) % 10}`;
    expect(codeOf(await post('u_ck01', 'lookup', { code: wrong }))).toEqual({
      status: 400,
      code: 'COUPON_CODE_INVALID',
    });

    const redeemed = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: `pos-${unique()}`,
      couponCode: m.coupons[0].code,
      orderAmountFen: 5000,
    });
    expect(redeemed.status).toBe(200);
    expect(codeOf(await post('u_ck01', 'lookup', { code: m.coupons[0].code }))).toEqual({
      status: 409,
      code: 'COUPON_USED',
    });

    sys.clock.advance(91_000);
    try {
      expect(codeOf(await post('u_ck01', 'lookup', { code: m.memberCode }))).toEqual({
        status: 410,
        code: 'MEMBER_CODE_EXPIRED',
      });
    } finally {
      sys.clock.advance(-91_000);
    }
  });
});

describe('counter redemption', () => {
  it('redeems the picked coupon once: the answer, the coupon used, the row by the clerk, a retry answered alike', async () => {
    const m = await memberWithCode(['FULL_100_15']);
    const { counterToken } = await scan('u_ck01', m.memberCode);
    const body = {
      idempotencyKey: `c-${unique()}`,
      counterToken,
      couponId: m.coupons[0].couponId,
      orderAmountFen: 12800,
    };
    const first = await post('u_ck01', 'redeem', body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      couponId: m.coupons[0].couponId,
      orderAmountFen: 12800,
      eligibleFen: 12800,
      discountFen: 1500,
      payableFen: 11300,
    });
    expect(await couponStatus(m.coupons[0].couponId)).toBe('redeemed');
    const rows = await sys.database.exec(
      'select staff_id, key_id, store_id from coupon_redemptions where coupon_id = $1',
      [m.coupons[0].couponId],
    );
    expect(rows).toEqual([{ staff_id: 'stf_ck01', key_id: null, store_id: 'sto_001' }]);

    const again = await post('u_ck01', 'redeem', body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(
      await count(sys.database, 'select count(*) from coupon_redemptions where coupon_id = $1', [
        m.coupons[0].couponId,
      ]),
    ).toBe(1);
    // the same key for another amount is a conflict, not a second redemption
    expect(codeOf(await post('u_ck01', 'redeem', { ...body, orderAmountFen: 13000 }))).toEqual({
      status: 409,
      code: 'IDEMPOTENCY_CONFLICT',
    });
    // a new attempt on the used coupon
    expect(codeOf(await post('u_ck01', 'redeem', { ...body, idempotencyKey: `c-${unique()}` }))).toEqual({
      status: 409,
      code: 'COUPON_USED',
    });
    expect(
      await count(sys.database, "select count(*) from audit_log where action = 'counter.redeem' and customer_id = $1", [
        m.customerId,
      ]),
    ).toBe(1);
  });

  it('refusals write nothing: below the threshold (prescription drugs left out), bad amounts, another member’s coupon', async () => {
    const m = await memberWithCode(['FULL_100_15']);
    const other = await memberWithCode(['NEW_MEMBER']);
    const { counterToken } = await scan('u_ck01', m.memberCode);
    const attempt = (extra: Record<string, unknown>) =>
      post('u_ck01', 'redeem', {
        idempotencyKey: `r-${unique()}`,
        counterToken,
        couponId: m.coupons[0].couponId,
        orderAmountFen: 12000,
        ...extra,
      });
    const staffRequestsBefore = await count(sys.database, 'select count(*) from staff_requests', []);
    // 120 yuan, 30 of them prescription drugs: 90 yuan counts toward 满100
    expect(codeOf(await attempt({ rxAmountFen: 3000 }))).toEqual({ status: 422, code: 'BELOW_THRESHOLD' });
    expect(codeOf(await attempt({ orderAmountFen: 9999 }))).toEqual({ status: 422, code: 'BELOW_THRESHOLD' });
    expect(codeOf(await attempt({ orderAmountFen: -100 }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(codeOf(await attempt({ orderAmountFen: 12.5 }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(codeOf(await attempt({ rxAmountFen: 12001 }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    // 1280000 typed for 1280.00: above 100,000 yuan an order at the counter is a typo
    expect(codeOf(await attempt({ orderAmountFen: 10_000_001 }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(codeOf(await attempt({ couponId: other.coupons[0].couponId }))).toEqual({
      status: 404,
      code: 'COUPON_NOT_FOUND',
    });
    expect(await couponStatus(m.coupons[0].couponId)).toBe('available');
    expect(await couponStatus(other.coupons[0].couponId)).toBe('available');
    expect(await count(sys.database, 'select count(*) from staff_requests', [])).toBe(staffRequestsBefore);
    // and the order that qualifies goes through
    expect((await attempt({ rxAmountFen: 2000 })).body).toMatchObject({ eligibleFen: 10000, discountFen: 1500 });
  });

  it('a scan is the clerk’s own, at their store, for 10 minutes', async () => {
    const m = await memberWithCode(['NEW_MEMBER']);
    const { counterToken } = await scan('u_ck01', m.memberCode);
    const body = { counterToken, couponId: m.coupons[0].couponId, orderAmountFen: 3000 };
    const by = (user: string, extra: Record<string, unknown> = {}) =>
      post(user, 'redeem', { ...body, idempotencyKey: `t-${unique()}`, ...extra });
    expect(codeOf(await by('u_ph01'))).toEqual({ status: 400, code: 'COUNTER_SESSION_INVALID' });
    expect(codeOf(await by('u_ck02'))).toEqual({ status: 400, code: 'COUNTER_SESSION_INVALID' });
    const [h, p, s] = counterToken.split('.');
    const forged = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BA' : 'AA'}`;
    expect(codeOf(await by('u_ck01', { counterToken: forged }))).toEqual({
      status: 400,
      code: 'COUNTER_SESSION_INVALID',
    });
    // a session token is not a counter token
    expect(codeOf(await by('u_ck01', { counterToken: tokens.u_ck01 }))).toEqual({
      status: 400,
      code: 'COUNTER_SESSION_INVALID',
    });
    sys.clock.advance(601_000);
    try {
      expect(codeOf(await by('u_ck01'))).toEqual({ status: 410, code: 'COUNTER_SESSION_EXPIRED' });
    } finally {
      sys.clock.advance(-601_000);
    }
    expect(await couponStatus(m.coupons[0].couponId)).toBe('available');
    expect((await by('u_ck01')).status).toBe(200);
  });

  it('counter and tills racing for one coupon: exactly one redemption', async () => {
    const m = await memberWithCode(['NEW_MEMBER']);
    const { counterToken } = await scan('u_ck01', m.memberCode);
    const counter = Array.from({ length: 20 }, () =>
      post('u_ck01', 'redeem', {
        idempotencyKey: `race-${unique()}`,
        counterToken,
        couponId: m.coupons[0].couponId,
        orderAmountFen: 3000,
      }),
    );
    const tills = Array.from({ length: 20 }, (_, i) =>
      posCall(
        sys,
        '/api/pos/redeem',
        { idempotencyKey: `race-pos-${i}-${unique()}`, couponCode: m.coupons[0].code, orderAmountFen: 3000 },
        { store: i % 2 === 0 ? 'HZ001' : 'HZ002' },
      ),
    );
    const results = await Promise.all([...counter, ...tills]);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200))
      expect(codeOf(r)).toEqual({ status: 409, code: 'COUPON_USED' });
    expect(
      await count(sys.database, 'select count(*) from coupon_redemptions where coupon_id = $1', [
        m.coupons[0].couponId,
      ]),
    ).toBe(1);
  });
});

describe('the day’s list and voiding', () => {
  it('lists the store’s redemptions of today, counter and till, and who may void which', async () => {
    const m = await memberWithCode(['NEW_MEMBER', 'FULL_100_15']);
    const { counterToken } = await scan('u_ck01', m.memberCode);
    const byCounter = await post('u_ck01', 'redeem', {
      idempotencyKey: `l-${unique()}`,
      counterToken,
      couponId: m.coupons[0].couponId,
      orderAmountFen: 3000,
    });
    const byTill = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: `l-pos-${unique()}`,
      couponCode: m.coupons[1].code,
      orderAmountFen: 20000,
    });
    expect([byCounter.status, byTill.status]).toEqual([200, 200]);

    const clerk = await list('u_ck01');
    expect(clerk.status).toBe(200);
    expect(clerk.body.store).toEqual({ id: 'sto_001', name: '文三路店' });
    expect(clerk.body.day).toBe('2026-11-25');
    const find = (body: { items: { redemptionId: string }[] }, id: string) =>
      body.items.find((i) => i.redemptionId === id) as Record<string, unknown>;
    expect(find(clerk.body, byCounter.body.redemptionId)).toMatchObject({
      couponId: m.coupons[0].couponId,
      // the member named, and told apart by the phone, masked by the server
      phoneMasked: `${m.phone.slice(0, 3)}****${m.phone.slice(-4)}`,
      channel: 'counter',
      staffName: '王芳',
      status: 'redeemed',
      discountFen: 1000,
      // no sale recorded with it (the store's till reports its sales): no points to take back or return
      pointsEarned: 0,
      pointsSpent: 0,
      voidable: true,
    });
    expect(find(clerk.body, byTill.body.redemptionId)).toMatchObject({
      channel: 'pos',
      staffName: null,
      voidable: false,
    });
    expect(clerk.body.totals.redemptions).toBeGreaterThanOrEqual(2);
    // another clerk of the store sees it but may not void it; the manager may; another store does not see it
    expect(find((await list('u_ph01')).body, byCounter.body.redemptionId).voidable).toBe(false);
    expect(find((await list('u_sm01')).body, byCounter.body.redemptionId).voidable).toBe(true);
    expect(find((await list('u_ck02')).body, byCounter.body.redemptionId)).toBeUndefined();
    expect(codeOf(await list('u_hq01'))).toEqual({ status: 403, code: 'COUNTER_NOT_AT_STORE' });
  });

  it('a member without a name is told apart by the masked phone: the lookup, today’s redemptions and sales', async () => {
    // signed up in the mini-program, never gave a name
    const m = await memberWithCode(['NEW_MEMBER']);
    await sys.database.exec('update customers set display_name = null where id = $1', [m.customerId]);
    const masked = `${m.phone.slice(0, 3)}****${m.phone.slice(-4)}`;
    const here = await scan('u_ck01', m.memberCode);
    expect(here.member).toMatchObject({ nameMasked: null, phoneMasked: masked });
    const redeemed = await post('u_ck01', 'redeem', {
      idempotencyKey: `np-${unique()}`,
      counterToken: here.counterToken,
      couponId: m.coupons[0].couponId,
      orderAmountFen: 24_300,
    });
    expect(redeemed.status).toBe(200);
    const listed = await list('u_ck01');
    expect(
      listed.body.items.find((i: { redemptionId: string }) => i.redemptionId === redeemed.body.redemptionId),
    ).toMatchObject({
      couponId: m.coupons[0].couponId,
      nameMasked: null,
      phoneMasked: masked,
      orderAmountFen: 24_300,
    });
    // masked by the server: the full number is nowhere in the answer
    expect(JSON.stringify(listed.body)).not.toContain(m.phone);

    // a sale without a coupon where the till is not connected (北仑新碶店): its row too
    const code = await issueMemberCode(sys.database.db, {
      customerId: m.customerId,
      identityId: `idn_${m.customerId}`,
      now: sys.clock.now(),
    });
    const there = await scan('u_ck03', code.code);
    const sale = await post('u_ck03', 'sale', {
      idempotencyKey: `np-sale-${unique()}`,
      counterToken: there.counterToken,
      orderAmountFen: 24_300,
    });
    expect(sale.status).toBe(200);
    const sales = await list('u_ck03');
    expect(sales.body.sales.find((x: { orderId: string }) => x.orderId === sale.body.orderId)).toMatchObject({
      nameMasked: null,
      phoneMasked: masked,
      orderAmountFen: 24_300,
    });
    expect(JSON.stringify(sales.body)).not.toContain(m.phone);
  });

  it('voids a counter redemption: the coupon goes back, a retry is answered alike, and only the right people may', async () => {
    const m = await memberWithCode(['NEW_MEMBER', 'FULL_100_15']);
    const { counterToken } = await scan('u_ck01', m.memberCode);
    const redeemed = await post('u_ck01', 'redeem', {
      idempotencyKey: `v-${unique()}`,
      counterToken,
      couponId: m.coupons[0].couponId,
      orderAmountFen: 3000,
    });
    const id = redeemed.body.redemptionId;
    const till = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: `v-pos-${unique()}`,
      couponCode: m.coupons[1].code,
      orderAmountFen: 20000,
    });
    const voidBy = (user: string, redemptionId = id, key = `vk-${unique()}`) =>
      post(user, 'void', { idempotencyKey: key, redemptionId });

    expect(codeOf(await voidBy('u_ph01'))).toEqual({ status: 409, code: 'REDEMPTION_NOT_VOIDABLE' });
    expect(codeOf(await voidBy('u_ck02'))).toEqual({ status: 404, code: 'REDEMPTION_NOT_FOUND' });
    expect(codeOf(await voidBy('u_ck01', till.body.redemptionId))).toEqual({
      status: 409,
      code: 'REDEMPTION_NOT_VOIDABLE',
    });
    expect(await couponStatus(m.coupons[0].couponId)).toBe('redeemed');

    const key = `vk-${unique()}`;
    const voided = await voidBy('u_ck01', id, key);
    expect(voided.status).toBe(200);
    expect(voided.body).toEqual({
      redemptionId: id,
      couponReturned: true,
      alreadyVoided: false,
      pointsReversed: 0,
      pointsReturned: 0,
    });
    expect(await couponStatus(m.coupons[0].couponId)).toBe('available');
    expect((await voidBy('u_ck01', id, key)).body).toEqual(voided.body);
    const row = await sys.database.exec('select status, coupon_returned from coupon_redemptions where id = $1', [id]);
    expect(row).toEqual([{ status: 'voided', coupon_returned: true }]);
    const item = (await list('u_ck01')).body.items.find((i: { redemptionId: string }) => i.redemptionId === id);
    expect(item).toMatchObject({ status: 'voided', couponReturned: true, voidable: false });

    // the coupon came back: the member can use it again
    const { counterToken: again } = await scan('u_ck01', m.memberCode);
    const second = await post('u_ck01', 'redeem', {
      idempotencyKey: `v2-${unique()}`,
      counterToken: again,
      couponId: m.coupons[0].couponId,
      orderAmountFen: 3000,
    });
    expect(second.status).toBe(200);
    // not the next day (with a session of that day)
    sys.clock.advance(24 * 3600_000);
    try {
      const nextDay = await sys.call('/api/staff/counter/void', {
        body: { idempotencyKey: `vk-${unique()}`, redemptionId: second.body.redemptionId },
        token: await staffToken(sys, 'u_ck01'),
      });
      expect(codeOf(nextDay)).toEqual({ status: 409, code: 'REDEMPTION_NOT_VOIDABLE' });
    } finally {
      sys.clock.advance(-24 * 3600_000);
    }
  });

  it('a void again under a new key says nothing came back this time, and only to someone who could have voided it', async () => {
    const m = await memberWithCode(['NEW_MEMBER']);
    const { counterToken } = await scan('u_ck01', m.memberCode);
    const redeemed = await post('u_ck01', 'redeem', {
      idempotencyKey: `rv-${unique()}`,
      counterToken,
      couponId: m.coupons[0].couponId,
      orderAmountFen: 3000,
    });
    const id = redeemed.body.redemptionId;
    const voidBy = (user: string) => post(user, 'void', { idempotencyKey: `rvk-${unique()}`, redemptionId: id });
    expect((await voidBy('u_ck01')).body).toEqual({
      redemptionId: id,
      couponReturned: true,
      alreadyVoided: false,
      pointsReversed: 0,
      pointsReturned: 0,
    });
    // the clerk taps again (a new key): the redemption is voided, but this void gave nothing back
    for (const user of ['u_ck01', 'u_sm01']) {
      expect((await voidBy(user)).body, user).toEqual({
        redemptionId: id,
        couponReturned: false,
        alreadyVoided: true,
        pointsReversed: 0,
        pointsReturned: 0,
      });
    }
    // the pharmacist could not void it while it was live, and is not told otherwise now; another store not at all
    expect(codeOf(await voidBy('u_ph01'))).toEqual({ status: 409, code: 'REDEMPTION_NOT_VOIDABLE' });
    expect(codeOf(await voidBy('u_ck02'))).toEqual({ status: 404, code: 'REDEMPTION_NOT_FOUND' });
    // the coupon came back once, and is there
    expect(await couponStatus(m.coupons[0].couponId)).toBe('available');
    const [row] = await sys.database.exec('select coupon_returned from coupon_redemptions where id = $1', [id]);
    expect(row.coupon_returned).toBe(true);
  });
});
