/**
 * A phone that is already someone to us, signing up on another WeChat: the phone step says who it is (a member, a
 * store card's, nobody's) and no more; a member's phone joins this WeChat to the member without consents asked
 * again; and the welcome says what became of the new-member coupon the person already had (used, expired, voided),
 * never that the cashier can deduct a coupon the wallet no longer holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessDate } from '../../../shared/coupons/business-day.js';
import { lastValidDay } from '../../../shared/coupons/coupon.describe.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { ingest } from '../identity/helpers.js';
import { posCall, uniqueKey } from '../loyalty/loyalty-fixtures.js';
import { consents, countRows, memberToken, phoneCode, signUpAs } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const PHONE = '15100000001';

/** The phone step and a sign-up without consents, as the page sends it for a member's phone. */
async function joinAs(userId: string, scene: string | null) {
  const token = await memberToken(sys, userId);
  const code = phoneCode(sys, userId);
  const verify = await sys.call('/api/signup/phone', { token, body: { phoneCode: code } });
  const register = await sys.call('/api/signup/register', { token, body: { scene, phoneCode: code, consents: [] } });
  return { token, verify, register };
}

describe('the phone step says who the phone is', () => {
  it('nobody: a phone no record carries', async () => {
    const user = sys.sim.addUser({ nickname: '新客', phone: '15100000009' });
    const token = await memberToken(sys, user.id);
    const res = await sys.call('/api/signup/phone', { token, body: { phoneCode: phoneCode(sys, user.id) } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      phoneMasked: '151****0009',
      standing: 'none',
      knownCustomer: false,
      newMemberCouponWithheld: false,
    });
  });

  it('a store card, no member: the card wording, consents still asked', async () => {
    expect(
      (await ingest(sys, [{ sourceId: '6600007001', cardNo: '6600007001', phone: '15100000008', storeCode: 'HZ001' }]))
        .status,
    ).toBe(200);
    const user = sys.sim.addUser({ nickname: '持卡人', phone: '15100000008' });
    const token = await memberToken(sys, user.id);
    const res = await sys.call('/api/signup/phone', { token, body: { phoneCode: phoneCode(sys, user.id) } });
    expect(res.body).toMatchObject({ standing: 'store_card', knownCustomer: true });
    // nothing about whose card or which store: the page knows no more than that a card exists
    expect(Object.keys(res.body).sort()).toEqual([
      'knownCustomer',
      'newMemberCouponWithheld',
      'phoneMasked',
      'standing',
    ]);
  });

  it('a sign-up without consents on a phone no member holds is refused, and writes nothing', async () => {
    const user = sys.sim.addUser({ nickname: '没勾选', phone: '15100000007' });
    const before = await countRows(sys, 'customers', 'registered_at is not null');
    const { verify, register } = await joinAs(user.id, 's1.HZ001');
    expect(verify.body.standing).toBe('none');
    expect(register.status).toBe(422);
    expect(register.body.error.code).toBe('CONSENT_REQUIRED');
    expect(await countRows(sys, 'customers', 'registered_at is not null')).toBe(before);
    expect(await countRows(sys, 'source_records', 'phone = $1', ['15100000007'])).toBe(0);
    expect(
      await countRows(
        sys,
        'coupons',
        "customer_id in (select customer_id from identities where value = '15100000007')",
      ),
    ).toBe(0);
  });
});

describe('a member’s phone on a second and a third WeChat', () => {
  let customerId: string;
  let couponId: string;

  it('the member signs up and uses the new-member coupon at the till', async () => {
    const first = sys.sim.addUser({ nickname: '甲', phone: PHONE });
    const { token, register } = await signUpAs(sys, first.id, 's1.HZ002', consents({ marketing: true }));
    expect(register.status).toBe(200);
    expect(register.body.welcomeCoupon).toMatchObject({
      created: true,
      state: 'available',
      day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    customerId = register.body.customerId;
    couponId = register.body.welcomeCoupon.couponId;
    const code = await sys.call('/api/member/code', { token });
    const redeemed = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: uniqueKey('red'),
      memberCode: code.body.code,
      couponId,
      orderAmountFen: 5800,
    });
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
  });

  it('a second WeChat is told the phone is a member’s, and joins it without consents', async () => {
    const second = sys.sim.addUser({ nickname: '甲的另一个微信', phone: PHONE });
    const consentsBefore = await countRows(sys, 'consent_records', 'customer_id = $1', [customerId]);
    const { verify, register } = await joinAs(second.id, 's1.HZ001');
    expect(verify.body).toEqual({
      phoneMasked: '151****0001',
      standing: 'member',
      knownCustomer: true,
      newMemberCouponWithheld: false,
    });
    expect(register.status, JSON.stringify(register.body)).toBe(200);
    expect(register.body).toMatchObject({ customerId, alreadyMember: true, newCustomer: false });
    // the coupon was used today: the welcome says so, not that a cashier can deduct it
    expect(register.body.welcomeCoupon).toEqual({
      couponId,
      created: false,
      state: 'used',
      day: businessDate(sys.clock.now()),
    });
    expect(await countRows(sys, 'consent_records', 'customer_id = $1', [customerId])).toBe(consentsBefore);
    expect(await countRows(sys, 'coupons', 'customer_id = $1', [customerId])).toBe(1);
  });

  it('a third WeChat on a store code, from a page that still sends the consents, changes none of them', async () => {
    const third = sys.sim.addUser({ nickname: '甲的第三个微信', phone: PHONE });
    const consentsBefore = await countRows(sys, 'consent_records', 'customer_id = $1', [customerId]);
    const { verify, register } = await signUpAs(sys, third.id, 's1.HZ003', consents({ marketing: false }));
    expect(verify.body.standing).toBe('member');
    expect(register.body).toMatchObject({ customerId, alreadyMember: true, welcomeCoupon: { state: 'used' } });
    expect(await countRows(sys, 'consent_records', 'customer_id = $1', [customerId])).toBe(consentsBefore);
  });

  it('an expired coupon is said to be expired, with its last day', async () => {
    const [row] = await sys.database.exec(
      `update coupons set status = 'available', redeemed_at = null, redeemed_store_id = null,
         valid_from = $2::timestamptz - interval '33 days', valid_until = $2::timestamptz - interval '3 days'
       where id = $1 returning valid_until`,
      [couponId, sys.clock.now().toISOString()],
    );
    const user = sys.sim.addUser({ nickname: '甲的第四个微信', phone: PHONE });
    const { register } = await joinAs(user.id, null);
    expect(register.body.welcomeCoupon).toMatchObject({
      state: 'expired',
      day: lastValidDay(new Date(String(row.valid_until))),
    });
  });

  it('a voided coupon is said to be voided, with the day', async () => {
    await sys.database.exec(
      `update coupons set status = 'voided', voided_at = $2::timestamptz, void_reason = '测试作废' where id = $1`,
      [couponId, sys.clock.now().toISOString()],
    );
    const user = sys.sim.addUser({ nickname: '甲的第五个微信', phone: PHONE });
    const { register } = await joinAs(user.id, null);
    expect(register.body.welcomeCoupon).toMatchObject({ state: 'voided', day: businessDate(sys.clock.now()) });
  });
});
