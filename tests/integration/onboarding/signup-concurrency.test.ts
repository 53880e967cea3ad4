/** One person, many requests: the phone code is traded once, one customer is created, one new-member coupon. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPID } from '../../../dev/system.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { consents, countRows, memberToken, phoneCode, signUpAs } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

describe('the phone-code exchange', () => {
  it('calls WeChat once for a code however often, and however concurrently, it is sent', async () => {
    const token = await memberToken(sys, 'u_zhangwei');
    const code = phoneCode(sys, 'u_zhangwei');
    const billed = sys.sim.stats(DEMO_APPID).phoneNumberCalls;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => sys.call('/api/signup/phone', { token, body: { phoneCode: code } })),
    );
    for (const a of answers)
      expect(a.body).toEqual({
        phoneMasked: '137****5678',
        standing: 'none',
        knownCustomer: false,
        newMemberCouponWithheld: false,
      });
    const later = await sys.call('/api/signup/phone', { token, body: { phoneCode: code } });
    expect(later.status).toBe(200);
    expect(sys.sim.stats(DEMO_APPID).phoneNumberCalls - billed).toBe(1);
    const [row] = await sys.database.exec('select status, replays, phone from phone_code_exchanges');
    expect(row).toMatchObject({ status: 'done', replays: 8, phone: '13712345678' });
    // the code itself is never stored, only its hash
    expect(await countRows(sys, 'phone_code_exchanges', 'code_hash = $1', [code])).toBe(0);
  });
});

describe('one person, several WeChat accounts and requests', () => {
  it('links a second WeChat account sharing the phone to the same customer, with no second coupon', async () => {
    const first = await signUpAs(sys, 'u_lina', 's1.HZ001');
    expect(first.register.status).toBe(200);
    expect(first.register.body.welcomeCoupon).toMatchObject({ created: true });
    const lina = sys.sim.users().find((u) => u.id === 'u_lina');
    const secondAccount = sys.sim.addUser({ nickname: '李娜（工作微信）', phone: lina!.phone });
    const second = await signUpAs(sys, secondAccount.id, 's1.HZ002');
    expect(second.verify.body).toMatchObject({ standing: 'member', knownCustomer: true });
    expect(second.register.status).toBe(200);
    expect(second.register.body).toMatchObject({
      customerId: first.register.body.customerId,
      newCustomer: false,
      // the first store keeps the customer
      store: { id: 'sto_001' },
    });
    // no second new-member coupon: either the first one comes back, or none (template per-member limit)
    expect(second.register.body.welcomeCoupon?.created ?? false).toBe(false);
    expect(
      await countRows(sys, 'coupons', 'customer_id = $1 and reason = $2', [
        first.register.body.customerId,
        'new_member',
      ]),
    ).toBe(1);
    expect(await countRows(sys, 'signup_attributions', 'customer_id = $1', [first.register.body.customerId])).toBe(1);
    const me = await sys.call('/api/me', { token: second.token });
    expect(me.body).toMatchObject({ registered: true, customerId: first.register.body.customerId });
  });

  it('creates one customer and one coupon for 10 parallel sign-ups of one person', async () => {
    const phone = '15900001111';
    const accounts = Array.from({ length: 10 }, (_, i) => sys.sim.addUser({ nickname: `并发${i}`, phone }));
    const prepared = await Promise.all(
      accounts.map(async (u) => ({ token: await memberToken(sys, u.id), code: phoneCode(sys, u.id) })),
    );
    const results = await Promise.all(
      prepared.map((p) =>
        sys.call('/api/signup/register', {
          token: p.token,
          body: { scene: 's1.HZ003', phoneCode: p.code, consents: consents({ marketing: true }) },
        }),
      ),
    );
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const ids = new Set(results.map((r) => r.body.customerId));
    expect(ids.size).toBe(1);
    const [customerId] = [...ids];
    expect(results.filter((r) => r.body.newCustomer)).toHaveLength(1);
    expect(await countRows(sys, 'coupons', 'customer_id = $1', [customerId])).toBe(1);
    expect(await countRows(sys, 'signup_attributions', 'customer_id = $1', [customerId])).toBe(1);
    expect(await countRows(sys, 'consent_records', 'customer_id = $1', [customerId])).toBe(3);
    expect(
      await countRows(
        sys,
        'customers',
        "registered_at is not null and id in (select customer_id from identities where kind = 'phone' and value = $1)",
        [phone],
      ),
    ).toBe(1);
  });
});
