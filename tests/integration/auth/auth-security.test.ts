import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPID } from '../../../dev/system.js';
import { createStaffRepo } from '../../../functions/adapters/db/repos/staff.repo.js';
import { codeOf, startTestSystem, TEST_JWT_SECRET, type TestSystem } from '../../support/system.js';

let sys: TestSystem;
let member: { accessToken: string; refreshToken: string };
let staffSession: { accessToken: string; refreshToken: string };

beforeAll(async () => {
  sys = await startTestSystem();
  member = (await sys.call('/api/auth/wx-login', { body: { code: sys.sim.issueLoginCode(DEMO_APPID, 'u_zhangwei') } }))
    .body;
  staffSession = (
    await sys.call('/api/auth/staff-bind', {
      body: {
        code: sys.sim.issueLoginCode(DEMO_APPID, 'u_sm01'),
        phoneCode: sys.sim.issuePhoneCode(DEMO_APPID, 'u_sm01'),
      },
    })
  ).body;
});
afterAll(async () => sys?.close());

async function forge(
  claims: Record<string, unknown>,
  opts: { secret?: string; aud?: string; iss?: string; exp?: number } = {},
) {
  const now = Math.floor(sys.clock.now().getTime() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(opts.iss ?? 'medloop')
    .setAudience(opts.aud ?? 'medloop-staff')
    .setSubject('stf_hq01')
    .setIssuedAt(now)
    .setExpirationTime(opts.exp ?? now + 600)
    .sign(new TextEncoder().encode(opts.secret ?? TEST_JWT_SECRET));
}

describe('session tokens', () => {
  it('needs a session on member and staff endpoints', async () => {
    expect(codeOf(await sys.call('/api/me'))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(codeOf(await sys.call('/api/staff/me'))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(codeOf(await sys.call('/api/me', { headers: { authorization: 'Basic abc' } }))).toEqual({
      status: 401,
      code: 'TOKEN_INVALID',
    });
  });

  it('refuses a token signed with another key', async () => {
    const token = await forge(
      { typ: 'access', ver: 1 },
      { secret: 'another-secret-0123456789-abcdefghijklmnopqrstuvwxyz' },
    );
    expect(codeOf(await sys.call('/api/staff/me', { token }))).toEqual({ status: 401, code: 'TOKEN_INVALID' });
  });

  it('refuses the wrong issuer', async () => {
    const token = await forge({ typ: 'access', ver: 1 }, { iss: 'someone-else' });
    expect(codeOf(await sys.call('/api/staff/me', { token }))).toEqual({ status: 401, code: 'TOKEN_INVALID' });
  });

  it('refuses an unsigned (alg none) token', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const now = Math.floor(sys.clock.now().getTime() / 1000);
    const payload = Buffer.from(
      JSON.stringify({ sub: 'stf_hq01', aud: 'medloop-staff', iss: 'medloop', typ: 'access', ver: 1, exp: now + 600 }),
    ).toString('base64url');
    expect(codeOf(await sys.call('/api/staff/me', { token: `${header}.${payload}.` }))).toEqual({
      status: 401,
      code: 'TOKEN_INVALID',
    });
  });

  it('refuses a tampered payload', async () => {
    const [h, p, s] = staffSession.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tampered = Buffer.from(JSON.stringify({ ...claims, sub: 'stf_hq01' })).toString('base64url');
    expect(codeOf(await sys.call('/api/staff/me', { token: `${h}.${tampered}.${s}` }))).toEqual({
      status: 401,
      code: 'TOKEN_INVALID',
    });
  });

  it('keeps member and staff audiences apart', async () => {
    expect(codeOf(await sys.call('/api/staff/me', { token: member.accessToken }))).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
    expect(codeOf(await sys.call('/api/me', { token: staffSession.accessToken }))).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
  });

  it('does not accept a refresh token as an access token, nor the reverse', async () => {
    expect(codeOf(await sys.call('/api/me', { token: member.refreshToken }))).toEqual({
      status: 401,
      code: 'TOKEN_INVALID',
    });
    expect(codeOf(await sys.call('/api/auth/refresh', { body: { refreshToken: member.accessToken } }))).toEqual({
      status: 401,
      code: 'TOKEN_INVALID',
    });
  });

  it('expires access tokens after their lifetime, and refresh still works', async () => {
    const login = (
      await sys.call('/api/auth/wx-login', { body: { code: sys.sim.issueLoginCode(DEMO_APPID, 'u_lina') } })
    ).body;
    sys.clock.advance(16 * 60 * 1000);
    expect(codeOf(await sys.call('/api/me', { token: login.accessToken }))).toEqual({
      status: 401,
      code: 'TOKEN_EXPIRED',
    });
    const refreshed = await sys.call('/api/auth/refresh', { body: { refreshToken: login.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect((await sys.call('/api/me', { token: refreshed.body.accessToken })).status).toBe(200);
  });

  it('stops every session of a disabled staff record at once, refresh included', async () => {
    const bind = await sys.call('/api/auth/staff-bind', {
      body: {
        code: sys.sim.issueLoginCode(DEMO_APPID, 'u_ck02'),
        phoneCode: sys.sim.issuePhoneCode(DEMO_APPID, 'u_ck02'),
      },
    });
    expect((await sys.call('/api/staff/me', { token: bind.body.accessToken })).status).toBe(200);
    await createStaffRepo(sys.database.db).disable('stf_ck02', sys.clock.now());
    expect(codeOf(await sys.call('/api/staff/me', { token: bind.body.accessToken }))).toEqual({
      status: 403,
      code: 'STAFF_DISABLED',
    });
    expect(codeOf(await sys.call('/api/auth/refresh', { body: { refreshToken: bind.body.refreshToken } }))).toEqual({
      status: 401,
      code: 'TOKEN_INVALID',
    });
    const relogin = await sys.call('/api/auth/staff-login', {
      body: { code: sys.sim.issueLoginCode(DEMO_APPID, 'u_ck02') },
    });
    expect(codeOf(relogin)).toEqual({ status: 403, code: 'STAFF_DISABLED' });
  });
});

describe('audit log', () => {
  it('is append-only for the application role', async () => {
    await sys.database.exec(
      "insert into audit_log (actor_kind, actor_id, action) values ('system', 'test', 'test.append')",
    );
    await expect(sys.database.exec("update audit_log set action = 'x' where actor_id = 'test'")).rejects.toThrow(
      /append-only/,
    );
    await expect(sys.database.exec("delete from audit_log where actor_id = 'test'")).rejects.toThrow(/append-only/);
    await expect(sys.database.exec('truncate audit_log')).rejects.toThrow(/append-only/);
    const rows = await sys.database.exec("select action from audit_log where actor_id = 'test'");
    expect(rows).toEqual([{ action: 'test.append' }]);
  });
});

describe('the staff bind’s phone exchange (billed by WeChat per call)', () => {
  const bind = (userId: string, phoneCode: string) =>
    sys.call('/api/auth/staff-bind', { body: { code: sys.sim.issueLoginCode(DEMO_APPID, userId), phoneCode } });

  it('answers a retried code from the first exchange, and refuses a loop of new codes from one WeChat', async () => {
    const stranger = sys.sim.addUser({ nickname: '不是店员', phone: '13700001111' });
    const billed = () => sys.sim.stats(DEMO_APPID).phoneNumberCalls;
    const code = sys.sim.issuePhoneCode(DEMO_APPID, stranger.id);
    const before = billed();
    expect(codeOf(await bind(stranger.id, code))).toEqual({ status: 403, code: 'PHONE_NOT_INVITED' });
    expect(codeOf(await bind(stranger.id, code))).toEqual({ status: 403, code: 'PHONE_NOT_INVITED' });
    // one call to WeChat for the code, however often it is sent, and it is counted with sign-up's
    expect(billed() - before).toBe(1);
    expect(
      await sys.database.exec(
        `select count(*)::int as n from phone_code_exchanges x join identities i on i.id = x.identity_id
          where i.value = $1`,
        [sys.sim.openid(DEMO_APPID, stranger.id)],
      ),
    ).toEqual([{ n: 1 }]);

    // a loop of fresh codes: ten an hour reach WeChat, then 429 without a call
    const answers: number[] = [];
    for (let i = 0; i < 12; i++)
      answers.push((await bind(stranger.id, sys.sim.issuePhoneCode(DEMO_APPID, stranger.id))).status);
    expect(answers.filter((s) => s === 429)).toHaveLength(3);
    expect(billed() - before).toBe(10);
    // an hour later the WeChat user may try again
    sys.clock.advance(3_600_001);
    expect((await bind(stranger.id, sys.sim.issuePhoneCode(DEMO_APPID, stranger.id))).status).toBe(403);
  });
});
