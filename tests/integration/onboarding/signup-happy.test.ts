import jsQR from 'jsqr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPID } from '../../../dev/system.js';
import { partnerHeaders } from '../../../functions/adapters/auth/partner-signature.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { consents, countRows, memberToken, phoneCode, signUpAs, staffToken } from './helpers.js';

let sys: TestSystem;
let managerToken: string;
beforeAll(async () => {
  sys = await startTestSystem();
  managerToken = await staffToken(sys, 'u_sm01');
});
afterAll(async () => sys?.close());

const POS_KEY = { keyId: 'key_pos_hz001', secret: 'demo-pos-secret-hz001-0123456789abcdef' };

describe('store sign-up codes', () => {
  it('generates a store code and a clerk code once each, and lists them with their images', async () => {
    const store = await sys.call('/api/staff/signup-codes/create', {
      token: managerToken,
      body: { storeId: 'sto_001', clerkStaffId: null },
    });
    expect(store.status).toBe(201);
    expect(store.body.scene).toBe('s1.HZ001');
    expect(store.body.page).toBe('pages/signup/index');
    expect(store.body.imageDataUrl).toMatch(/^data:image\/png;base64,/);

    const clerk = await sys.call('/api/staff/signup-codes/create', {
      token: managerToken,
      body: { storeId: 'sto_001', clerkStaffId: 'stf_ck01' },
    });
    expect(clerk.status).toBe(201);
    expect(clerk.body.scene).toMatch(/^s1\.HZ001\.[0-9a-z]{8}$/);
    expect(clerk.body.clerk).toEqual({ staffId: 'stf_ck01', name: '王芳' });
    expect(clerk.body.fileName).toBe('会员注册码-HZ001-王芳.png');

    const before = sys.sim.stats(DEMO_APPID).qrCodes;
    const again = await sys.call('/api/staff/signup-codes/create', {
      token: managerToken,
      body: { storeId: 'sto_001', clerkStaffId: 'stf_ck01' },
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(clerk.body.id);
    expect(sys.sim.stats(DEMO_APPID).qrCodes).toBe(before);

    const list = await sys.call('/api/staff/signup-codes?storeId=sto_001', { token: managerToken });
    expect(list.status).toBe(200);
    expect(list.body.store).toEqual({ id: 'sto_001', code: 'HZ001', name: expect.any(String) });
    expect(list.body.stores.map((s: { id: string }) => s.id)).toEqual(['sto_001']);
    expect(list.body.codes.map((c: { scene: string }) => c.scene)).toEqual([store.body.scene, clerk.body.scene]);
    expect(list.body.staff.map((s: { staffId: string }) => s.staffId)).toContain('stf_ck01');
  });

  it('encodes the scene in the image (the simulator draws a real QR code)', async () => {
    const list = await sys.call('/api/staff/signup-codes?storeId=sto_001', { token: managerToken });
    const png = Buffer.from(list.body.codes[0].imageDataUrl.split(',')[1], 'base64');
    const { PNG } = await import('pngjs');
    const image = PNG.sync.read(png);
    const decoded = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
    expect(decoded?.data).toContain('s1.HZ001');
  });
});

describe('sign-up at the counter', () => {
  let scene: string;
  let token: string;

  it('opens the sign-up page with the store named', async () => {
    const list = await sys.call('/api/staff/signup-codes?storeId=sto_001', { token: managerToken });
    scene = list.body.codes.find((c: { clerk: unknown }) => c.clerk).scene;
    const res = await sys.call(`/api/signup/store?scene=${encodeURIComponent(scene)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ store: { id: 'sto_001' }, invited: true });
  });

  it('signs up with the phone, records consents, attribution and the new-member coupon', async () => {
    const billedBefore = sys.sim.stats(DEMO_APPID).phoneNumberBilled;
    const {
      token: t,
      verify,
      register,
    } = await signUpAs(sys, 'u_zhangwei', scene, consents({ marketing: false, health: true }));
    token = t;
    expect(verify.status).toBe(200);
    expect(verify.body).toEqual({
      phoneMasked: '137****5678',
      standing: 'none',
      knownCustomer: false,
      newMemberCouponWithheld: false,
    });
    expect(register.status).toBe(200);
    expect(register.body).toMatchObject({
      newCustomer: true,
      alreadyMember: false,
      phoneMasked: '137****5678',
      store: { id: 'sto_001' },
      heldMatches: [],
    });
    // the phone step and the sign-up shared one WeChat call
    expect(sys.sim.stats(DEMO_APPID).phoneNumberBilled - billedBefore).toBe(1);
    const customerId = register.body.customerId;
    expect(customerId).toMatch(/^cus_/);
    expect(register.body.welcomeCoupon).toMatchObject({ created: true });
    expect(await countRows(sys, 'coupons', 'customer_id = $1', [customerId])).toBe(1);

    const me = await sys.call('/api/me', { token });
    expect(me.body).toMatchObject({ registered: true, customerId, phoneMasked: '137****5678' });
    expect(me.body.homeStore).toMatchObject({ id: 'sto_001' });

    const attribution = await sys.database.exec(
      'select store_id, clerk_staff_id, new_customer from signup_attributions where customer_id = $1',
      [customerId],
    );
    expect(attribution).toEqual([{ store_id: 'sto_001', clerk_staff_id: 'stf_ck01', new_customer: true }]);
    const consentRows = await sys.database.exec(
      'select purpose, granted, version, source from consent_records where customer_id = $1 order by purpose',
      [customerId],
    );
    expect(consentRows).toEqual([
      { purpose: 'health_data', granted: true, version: '2026-11-v1', source: 'signup' },
      { purpose: 'marketing', granted: false, version: '2026-11-v1', source: 'signup' },
      { purpose: 'service', granted: true, version: '2026-11-v1', source: 'signup' },
    ]);
    expect(await countRows(sys, 'audit_log', "action = 'member.signup' and customer_id = $1", [customerId])).toBe(1);
  });

  it('answers a repeated sign-up of the same account as already a member, changing nothing', async () => {
    const code = phoneCode(sys, 'u_zhangwei');
    // from a second tab opened before the first sign-up, health data left unticked: not a withdrawal
    const res = await sys.call('/api/signup/register', {
      token,
      body: { scene, phoneCode: code, consents: consents({ marketing: false, health: false }) },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ alreadyMember: true, newCustomer: false, welcomeCoupon: { created: false } });
    expect(await countRows(sys, 'signup_attributions')).toBe(1);
    expect(await countRows(sys, 'consent_records')).toBe(3);
    expect(await countRows(sys, 'consent_records', "purpose = 'health_data' and granted")).toBe(1);
    expect(await countRows(sys, 'coupons', 'customer_id = $1', [res.body.customerId])).toBe(1);
  });

  it('shows the store and clerk figures to the store staff', async () => {
    const clerk = await staffToken(sys, 'u_ck01');
    const res = await sys.call('/api/staff/signup-stats', { token: clerk });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ store: { id: 'sto_001' }, total: 1, newCustomers: 1, linkedCustomers: 0 });
    expect(res.body.byClerk).toEqual([{ staffId: 'stf_ck01', name: '王芳', signups: 1, newCustomers: 1 }]);
    const otherStore = await sys.call('/api/staff/signup-stats?storeId=sto_002', { token: clerk });
    expect(otherStore.status).toBe(403);
  });

  it('lets the member change marketing and health consent later, appending records', async () => {
    const read = await sys.call('/api/member/consents', { token });
    expect(read.status).toBe(200);
    expect(read.body.items.map((i: { purpose: string; granted: boolean }) => [i.purpose, i.granted])).toEqual([
      ['service', true],
      ['marketing', false],
      ['health_data', true],
    ]);
    const update = await sys.call('/api/member/consents/update', {
      token,
      body: {
        changes: [
          { purpose: 'marketing', granted: true, version: '2026-11-v1' },
          { purpose: 'health_data', granted: false, version: '2026-11-v1' },
        ],
      },
    });
    expect(update.status).toBe(200);
    expect(update.body.items.find((i: { purpose: string }) => i.purpose === 'health_data').granted).toBe(false);
    expect(await countRows(sys, 'consent_records', "source = 'settings'")).toBe(2);
    const withdrawService = await sys.call('/api/member/consents/update', {
      token,
      body: { changes: [{ purpose: 'service', granted: false, version: '2026-11-v1' }] },
    });
    expect(withdrawService.status).toBe(422);
    expect(withdrawService.body.error.code).toBe('CONSENT_REQUIRED');
    await expect(sys.database.exec('delete from consent_records')).rejects.toThrow(/append-only/);
  });

  it('issues a short-lived member code the POS resolves to a masked summary', async () => {
    const code = await sys.call('/api/member/code', { token });
    expect(code.status).toBe(200);
    expect(code.body.code).toMatch(/^88\d{16}$/);
    expect(code.body.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(code.body.barcodeDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(code.body.refreshAfterSeconds).toBe(60);
    expect(Date.parse(code.body.expiresAt) - Date.parse(code.body.issuedAt)).toBe(90_000);

    const body = JSON.stringify({ memberCode: code.body.code });
    const res = await sys.call('/api/pos/member', {
      raw: body,
      headers: partnerHeaders({ ...POS_KEY, method: 'POST', path: '/api/pos/member', body, now: sys.clock.now() }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ phoneMasked: '137****5678', homeStoreName: expect.any(String), tier: '普通会员' });
    // the cashier sees the new-member coupon to apply, by id
    expect(res.body.coupons).toEqual([
      {
        couponId: expect.stringMatching(/^cpn_/),
        name: '新会员见面礼',
        headline: expect.any(String),
        validUntil: expect.any(String),
      },
    ]);

    sys.clock.advance(91_000);
    const late = JSON.stringify({ memberCode: code.body.code });
    const expired = await sys.call('/api/pos/member', {
      raw: late,
      headers: partnerHeaders({
        ...POS_KEY,
        method: 'POST',
        path: '/api/pos/member',
        body: late,
        now: sys.clock.now(),
      }),
    });
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('MEMBER_CODE_EXPIRED');

    // a fresh code after the refresh works again
    const next = await sys.call('/api/member/code', { token });
    expect(next.body.code).not.toBe(code.body.code);
  });

  it('purges expired member codes from the cron endpoint, with the cron secret only', async () => {
    sys.deps.env.CRON_SECRET = 'test-cron-secret-0123456789';
    expect((await sys.call('/api/jobs/purge-member-codes')).status).toBe(401);
    expect(
      (await sys.call('/api/jobs/purge-member-codes', { headers: { authorization: 'Bearer wrong-secret-xxxxxxxx' } }))
        .status,
    ).toBe(401);
    const before = await countRows(sys, 'member_codes');
    sys.clock.advance(25 * 3600_000);
    const res = await sys.call('/api/jobs/purge-member-codes', {
      headers: { authorization: 'Bearer test-cron-secret-0123456789' },
    });
    expect(res.status).toBe(200);
    expect(res.body.deleted).toBe(before);
    expect(await countRows(sys, 'member_codes')).toBe(0);
  });
});

describe('a member without a store code', () => {
  it('signs up from the member home (no scene) with no attribution to a clerk', async () => {
    const { register } = await signUpAs(sys, 'u_lina', null);
    expect(register.status).toBe(200);
    expect(register.body.store).toBeNull();
    const rows = await sys.database.exec(
      'select store_id, clerk_staff_id from signup_attributions where customer_id = $1',
      [register.body.customerId],
    );
    expect(rows).toEqual([{ store_id: null, clerk_staff_id: null }]);
    expect(await memberToken(sys, 'u_lina')).toBeTruthy();
  });

  it('signs up again from a store’s code, then another’s: already a member, the session and its identities kept', async () => {
    const token = await memberToken(sys, 'u_lina');
    const [first] = await sys.database.exec(
      `select customer_id from signup_attributions where store_id is null and clerk_staff_id is null`,
    );
    const identities = () =>
      sys.database.exec(
        `select id, kind from identities where source = 'miniprogram' and customer_id = $1 order by id`,
        [first.customer_id],
      );
    const before = await identities();
    expect(before.map((r) => r.kind).sort()).toEqual(['openid', 'phone', 'unionid']);
    for (const scene of ['s1.HZ001', 's1.HZ002', null]) {
      const res = await sys.call('/api/signup/register', {
        token,
        body: { scene, phoneCode: phoneCode(sys, 'u_lina'), consents: consents({ marketing: true, health: true }) },
      });
      expect(res.status, String(scene)).toBe(200);
      expect(res.body).toMatchObject({ alreadyMember: true, customerId: first.customer_id });
      // the login's identity (the session's subject) and the phone-code exchanges pointing at it are kept
      expect((await sys.call('/api/me', { token })).status).toBe(200);
      expect(await identities()).toEqual(before);
    }
    // the record took the first store it met and kept it; the sign-up credit stays with nobody
    const [record] = await sys.database.exec(
      `select s.code from source_records r join stores s on s.id = r.store_id
        where r.source = 'miniprogram' and r.customer_id = $1`,
      [first.customer_id],
    );
    expect(record).toEqual({ code: 'HZ001' });
    expect(
      await sys.database.exec('select store_id from signup_attributions where customer_id = $1', [first.customer_id]),
    ).toEqual([{ store_id: null }]);
  });
});
