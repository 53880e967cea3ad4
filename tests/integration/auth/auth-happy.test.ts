import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPID } from '../../../dev/system.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

describe('member login', () => {
  it('trades a wx.login code for a member session and an unregistered profile', async () => {
    const code = sys.sim.issueLoginCode(DEMO_APPID, 'u_zhangwei');
    const login = await sys.call('/api/auth/wx-login', { body: { code } });
    expect(login.status).toBe(200);
    expect(login.body.registered).toBe(false);
    expect(login.body.expiresIn).toBe(900);
    const me = await sys.call('/api/me', { token: login.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      registered: false,
      customerId: null,
      displayName: null,
      phoneMasked: null,
      memberSince: null,
      homeStore: null,
    });
  });

  it('maps two logins of one WeChat user to one identity', async () => {
    const a = await sys.call('/api/auth/wx-login', { body: { code: sys.sim.issueLoginCode(DEMO_APPID, 'u_lina') } });
    const b = await sys.call('/api/auth/wx-login', { body: { code: sys.sim.issueLoginCode(DEMO_APPID, 'u_lina') } });
    const rows = await sys.database.exec(
      "select count(*)::int as n from identities where kind = 'openid' and value = $1",
      [sys.sim.openid(DEMO_APPID, 'u_lina')],
    );
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(Number(rows[0].n)).toBe(1);
  });

  it('refreshes a member session with the refresh token', async () => {
    const login = await sys.call('/api/auth/wx-login', { body: { code: sys.sim.issueLoginCode(DEMO_APPID, 'u_new') } });
    const refreshed = await sys.call('/api/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect((await sys.call('/api/me', { token: refreshed.body.accessToken })).status).toBe(200);
  });
});

describe('staff login', () => {
  it('binds an invited phone on first login, then logs in with WeChat alone', async () => {
    const first = await sys.call('/api/auth/staff-login', {
      body: { code: sys.sim.issueLoginCode(DEMO_APPID, 'u_ck01') },
    });
    expect(first.status).toBe(403);
    expect(first.body.error.code).toBe('STAFF_NOT_BOUND');

    const bind = await sys.call('/api/auth/staff-bind', {
      body: {
        code: sys.sim.issueLoginCode(DEMO_APPID, 'u_ck01'),
        phoneCode: sys.sim.issuePhoneCode(DEMO_APPID, 'u_ck01'),
      },
    });
    expect(bind.status).toBe(200);
    expect(bind.body.staff).toMatchObject({ staffId: 'stf_ck01', role: 'clerk', store: { id: 'sto_001' } });
    expect(bind.body.staff.region).toMatchObject({ id: 'reg_hz' });

    const again = await sys.call('/api/auth/staff-login', {
      body: { code: sys.sim.issueLoginCode(DEMO_APPID, 'u_ck01') },
    });
    expect(again.status).toBe(200);
    const me = await sys.call('/api/staff/me', { token: again.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ staffId: 'stf_ck01', name: '王芳', role: 'clerk' });

    const audit = await sys.database.exec("select action, actor_id from audit_log where action = 'staff.bind_wechat'");
    expect(audit).toEqual([{ action: 'staff.bind_wechat', actor_id: 'stf_ck01' }]);
  });

  it('gives a regional manager the region scope and no store', async () => {
    const bind = await sys.call('/api/auth/staff-bind', {
      body: {
        code: sys.sim.issueLoginCode(DEMO_APPID, 'u_rm01'),
        phoneCode: sys.sim.issuePhoneCode(DEMO_APPID, 'u_rm01'),
      },
    });
    expect(bind.status).toBe(200);
    expect(bind.body.staff).toMatchObject({ role: 'regional_manager', store: null, region: { id: 'reg_hz' } });
  });

  it('answers the health check with the database and migration version', async () => {
    const health = await sys.call('/api/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', db: 'ok' });
    expect(health.body.migration).toMatch(/^\d{13}$/);
  });
});
