/** Bad input at every step of the onboarding path: a clear 4xx code, and nothing written. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPID } from '../../../dev/system.js';
import { partnerHeaders } from '../../../functions/adapters/auth/partner-signature.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { consents, countRows, memberToken, phoneCode, signUpAs, staffToken } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const POS_KEY = { keyId: 'key_pos_hz001', secret: 'demo-pos-secret-hz001-0123456789abcdef' };

async function nothingWritten() {
  for (const table of ['signup_attributions', 'consent_records', 'coupons', 'member_codes']) {
    expect(await countRows(sys, table), table).toBe(0);
  }
  expect(await countRows(sys, 'customers', 'registered_at is not null')).toBe(0);
}

describe('sign-up refuses bad input and writes nothing', () => {
  it.each([
    ['a malformed scene', 'hello world', 400, 'SCENE_INVALID'],
    ['a too-long scene', `s1.HZ001.${'a'.repeat(30)}`, 400, 'SCENE_INVALID'],
    ['a lower-case store code', 's1.hz001', 400, 'SCENE_INVALID'],
    ['an unknown store', 's1.XX999', 404, 'STORE_NOT_FOUND'],
  ])('%s', async (_name, scene, status, code) => {
    const page = await sys.call(`/api/signup/store?scene=${encodeURIComponent(scene)}`);
    expect(page.status).toBe(status);
    expect(page.body.error.code).toBe(code);
    const { register } = await signUpAs(sys, 'u_zhangwei', scene);
    expect(register.status).toBe(status);
    expect(register.body.error.code).toBe(code);
    await nothingWritten();
  });

  it('requires the service consent, an answer for each purpose and the current wording', async () => {
    const token = await memberToken(sys, 'u_zhangwei');
    const exchanges = await countRows(sys, 'phone_code_exchanges');
    const send = (choices: unknown) =>
      sys.call('/api/signup/register', {
        token,
        body: { scene: 's1.HZ001', phoneCode: phoneCode(sys, 'u_zhangwei'), consents: choices },
      });
    const declined = await send(consents({ service: false }));
    expect([declined.status, declined.body.error.code]).toEqual([422, 'CONSENT_REQUIRED']);
    const partial = await send(consents().slice(0, 2));
    expect([partial.status, partial.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const stale = await send(consents().map((c) => ({ ...c, version: '2020-01-v0' })));
    expect([stale.status, stale.body.error.code]).toEqual([409, 'CONSENT_VERSION_STALE']);
    // refused before the phone code was spent with WeChat
    expect(await countRows(sys, 'phone_code_exchanges')).toBe(exchanges);
    await nothingWritten();
  });

  it('refuses a phone code WeChat rejects, and answers a retry without asking WeChat again', async () => {
    const token = await memberToken(sys, 'u_zhangwei');
    const calls = sys.sim.stats(DEMO_APPID).phoneNumberCalls;
    const first = await sys.call('/api/signup/phone', { token, body: { phoneCode: 'not-a-real-code' } });
    expect([first.status, first.body.error.code]).toEqual([400, 'WX_PHONE_CODE_INVALID']);
    const retry = await sys.call('/api/signup/phone', { token, body: { phoneCode: 'not-a-real-code' } });
    expect([retry.status, retry.body.error.code]).toEqual([400, 'WX_PHONE_CODE_INVALID']);
    expect(sys.sim.stats(DEMO_APPID).phoneNumberCalls - calls).toBe(1);
    await nothingWritten();
  });

  it("refuses another login's phone code (a code proves the phone only for who pressed the button)", async () => {
    const owner = await memberToken(sys, 'u_lina');
    const code = phoneCode(sys, 'u_lina');
    expect((await sys.call('/api/signup/phone', { token: owner, body: { phoneCode: code } })).status).toBe(200);
    const thief = await memberToken(sys, 'u_new');
    const res = await sys.call('/api/signup/register', {
      token: thief,
      body: { scene: null, phoneCode: code, consents: consents() },
    });
    expect([res.status, res.body.error.code]).toEqual([400, 'WX_PHONE_CODE_INVALID']);
    await nothingWritten();
  });

  it('needs a member session for the phone step and the sign-up', async () => {
    const res = await sys.call('/api/signup/register', {
      body: { scene: null, phoneCode: 'x', consents: consents() },
    });
    expect(res.status).toBe(401);
    const staff = await staffToken(sys, 'u_sm01');
    const asStaff = await sys.call('/api/signup/phone', { token: staff, body: { phoneCode: 'x' } });
    expect(asStaff.status).toBe(403);
  });
});

describe('member code errors', () => {
  const lookup = (memberCode: string) => {
    const body = JSON.stringify({ memberCode });
    return sys.call('/api/pos/member', {
      raw: body,
      headers: partnerHeaders({ ...POS_KEY, method: 'POST', path: '/api/pos/member', body, now: sys.clock.now() }),
    });
  };

  it('gives no member code before sign-up', async () => {
    const token = await memberToken(sys, 'u_new');
    const res = await sys.call('/api/member/code', { token });
    expect([res.status, res.body.error.code]).toEqual([403, 'NOT_REGISTERED']);
    expect(await countRows(sys, 'member_codes')).toBe(0);
  });

  it('answers malformed, unknown and expired codes with their own codes', async () => {
    expect((await lookup('12345')).body.error.code).toBe('MEMBER_CODE_INVALID');
    expect((await lookup('881234567890123456')).body.error.code).toBe('MEMBER_CODE_INVALID');
    expect((await lookup('881234567890123456')).status).toBe(404);
    await signUpAs(sys, 'u_lina', 's1.HZ001');
    const token = await memberToken(sys, 'u_lina');
    const code = (await sys.call('/api/member/code', { token })).body.code;
    expect((await lookup(code)).status).toBe(200);
    sys.clock.advance(90_000);
    const expired = await lookup(code);
    expect([expired.status, expired.body.error.code]).toEqual([410, 'MEMBER_CODE_EXPIRED']);
  });

  it('refuses unsigned and mall callers on the POS lookup', async () => {
    const unsigned = await sys.call('/api/pos/member', { body: { memberCode: '881234567890123456' } });
    expect([unsigned.status, unsigned.body.error.code]).toEqual([401, 'SIGNATURE_INVALID']);
    const body = JSON.stringify({ memberCode: '881234567890123456' });
    const mall = await sys.call('/api/pos/member', {
      raw: body,
      headers: partnerHeaders({
        keyId: 'key_mall',
        secret: 'demo-mall-secret-0123456789abcdef0123',
        method: 'POST',
        path: '/api/pos/member',
        body,
        now: sys.clock.now(),
      }),
    });
    expect(mall.status).toBe(403);
  });
});

describe('sign-up codes are for managers in scope', () => {
  it('refuses clerks, other stores and clerks of another store', async () => {
    const clerk = await staffToken(sys, 'u_ck01');
    const asClerk = await sys.call('/api/staff/signup-codes/create', {
      token: clerk,
      body: { storeId: 'sto_001', clerkStaffId: null },
    });
    expect(asClerk.status).toBe(403);
    const manager = await staffToken(sys, 'u_sm01');
    const otherStore = await sys.call('/api/staff/signup-codes/create', {
      token: manager,
      body: { storeId: 'sto_002', clerkStaffId: null },
    });
    expect(otherStore.status).toBe(403);
    const foreignClerk = await sys.call('/api/staff/signup-codes/create', {
      token: manager,
      body: { storeId: 'sto_001', clerkStaffId: 'stf_ck02' },
    });
    expect([foreignClerk.status, foreignClerk.body.error.code]).toEqual([404, 'CLERK_NOT_FOUND']);
    const hq = await staffToken(sys, 'u_hq01');
    const unknown = await sys.call('/api/staff/signup-codes/create', {
      token: hq,
      body: { storeId: 'sto_999', clerkStaffId: null },
    });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'STORE_NOT_FOUND']);
    expect(await countRows(sys, 'signup_qr_codes')).toBe(0);
    expect(sys.sim.stats(DEMO_APPID).qrCodes).toBe(0);
  });

  it('lets the regional manager pick any store of the region, and HQ any store', async () => {
    const regional = await staffToken(sys, 'u_rm01');
    const list = await sys.call('/api/staff/signup-codes', { token: regional });
    expect(list.status).toBe(200);
    expect(list.body.stores.every((s: { code: string }) => s.code.startsWith('HZ'))).toBe(true);
    const ningbo = await sys.call('/api/staff/signup-codes?storeId=sto_015', { token: regional });
    expect(ningbo.status).toBe(403);
    const hq = await staffToken(sys, 'u_hq01');
    const all = await sys.call('/api/staff/signup-codes?storeId=sto_015', { token: hq });
    expect(all.status).toBe(200);
    expect(all.body.stores.length).toBeGreaterThan(list.body.stores.length);
  });
});

describe('sign-up figures for days out of range', () => {
  it.each([
    ['from=0001-01-01'],
    ['from=1999-12-31'],
    ['to=9999-12-31'],
    ['from=2026-01-01&to=2101-01-01'],
    ['from=2026-02-30'],
  ])('refuses %s with 400 VALIDATION_FAILED naming the field, never a 500', async (range) => {
    const manager = await staffToken(sys, 'u_sm01');
    const res = await sys.call(`/api/staff/signup-stats?storeId=sto_001&${range}`, { token: manager });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.body.error)).toMatch(range.startsWith('to') || range.includes('2101') ? /to/ : /from/);
  });

  it('answers the whole range it allows, 2000-01-01 to 2100-12-31', async () => {
    const manager = await staffToken(sys, 'u_sm01');
    const res = await sys.call('/api/staff/signup-stats?storeId=sto_001&from=2000-01-01&to=2100-12-31', {
      token: manager,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: '2000-01-01', to: '2100-12-31' });
  });
});

// last: it signs someone up, and the tests above check that nothing was written
describe('an invite that does not count', () => {
  it('signs up at the store, crediting no clerk, with an invite nobody generated (an old or hand-made code)', async () => {
    const scene = 's1.HZ001.abcdefgh';
    const page = await sys.call(`/api/signup/store?scene=${encodeURIComponent(scene)}`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ store: { id: 'sto_001' }, invited: false });
    const user = sys.sim.addUser({ nickname: '扫旧码的顾客', phone: '13957119987' });
    const { register } = await signUpAs(sys, user.id, scene);
    expect(register.status).toBe(200);
    const [attribution] = await sys.database.exec(
      'select store_id, clerk_staff_id, scene from signup_attributions where customer_id = $1',
      [register.body.customerId],
    );
    expect(attribution).toEqual({ store_id: 'sto_001', clerk_staff_id: null, scene: 's1.HZ001' });
  });
});
