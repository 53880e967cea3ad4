import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPID } from '../../../dev/system.js';
import { codeOf, startTestSystem, type TestSystem } from '../../support/system.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

describe('bad input gets a 4xx with a code, never a 500', () => {
  it.each([
    ['malformed JSON', { raw: '{"code":' }, 400, 'BAD_JSON'],
    ['unknown field', { body: { code: 'x', admin: true } }, 400, 'VALIDATION_FAILED'],
    ['wrong type', { body: { code: 42 } }, 400, 'VALIDATION_FAILED'],
    ['empty code', { body: { code: '' } }, 400, 'VALIDATION_FAILED'],
    ['missing body', { method: 'POST' }, 400, 'VALIDATION_FAILED'],
    ['array body', { body: ['code'] }, 400, 'VALIDATION_FAILED'],
    [
      'wrong content type',
      { raw: 'code=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['unknown code', { body: { code: 'never-issued' } }, 400, 'WX_CODE_INVALID'],
  ])('%s', async (_name, init, status, code) => {
    const res = await sys.call('/api/auth/wx-login', init as never);
    expect(codeOf(res)).toEqual({ status, code });
    expect(res.body.error.requestId).toMatch(/^req_/);
    expect(res.body.error.message.length).toBeGreaterThan(3);
  });

  it('refuses a used wx.login code', async () => {
    const code = sys.sim.issueLoginCode(DEMO_APPID, 'u_zhangwei');
    expect((await sys.call('/api/auth/wx-login', { body: { code } })).status).toBe(200);
    expect(codeOf(await sys.call('/api/auth/wx-login', { body: { code } }))).toEqual({
      status: 400,
      code: 'WX_CODE_INVALID',
    });
  });

  it('guards the method', async () => {
    const res = await sys.call('/api/auth/wx-login', { method: 'GET' });
    expect(codeOf(res)).toEqual({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('refuses a body on a GET endpoint and unknown routes', async () => {
    expect(codeOf(await sys.call('/api/nope'))).toEqual({ status: 404, code: 'NOT_FOUND' });
  });

  it('echoes a well-formed request id and replaces a hostile one', async () => {
    const good = await sys.call('/api/health', { headers: { 'x-request-id': 'trace-12345678' } });
    expect(good.headers.get('x-request-id')).toBe('trace-12345678');
    const bad = await sys.call('/api/health', { headers: { 'x-request-id': '<script>' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('rejects a phone that no manager invited and changes nothing', async () => {
    const before = await sys.database.exec('select count(*)::int as n from staff where openid is not null');
    const res = await sys.call('/api/auth/staff-bind', {
      body: {
        code: sys.sim.issueLoginCode(DEMO_APPID, 'u_zhangwei'),
        phoneCode: sys.sim.issuePhoneCode(DEMO_APPID, 'u_zhangwei'),
      },
    });
    expect(codeOf(res)).toEqual({ status: 403, code: 'PHONE_NOT_INVITED' });
    const after = await sys.database.exec('select count(*)::int as n from staff where openid is not null');
    expect(Number(after[0].n)).toBe(Number(before[0].n));
  });

  it('answers a phone code again only to the WeChat login that presented it', async () => {
    const phoneCode = sys.sim.issuePhoneCode(DEMO_APPID, 'u_ph01');
    const ok = await sys.call('/api/auth/staff-bind', {
      body: { code: sys.sim.issueLoginCode(DEMO_APPID, 'u_ph01'), phoneCode },
    });
    expect(ok.status).toBe(200);
    // the same login again (a retry after a lost answer): answered from the first exchange, no second WeChat call
    const again = await sys.call('/api/auth/staff-bind', {
      body: { code: sys.sim.issueLoginCode(DEMO_APPID, 'u_ph01'), phoneCode },
    });
    expect(again.status).toBe(200);
    expect(again.body.staff.staffId).toBe(ok.body.staff.staffId);
    // another WeChat login presenting it: the code proves nothing about them
    const other = await sys.call('/api/auth/staff-bind', {
      body: { code: sys.sim.issueLoginCode(DEMO_APPID, 'u_lina'), phoneCode },
    });
    expect(codeOf(other)).toEqual({ status: 400, code: 'WX_PHONE_CODE_INVALID' });
  });

  it('answers 503 UPSTREAM_UNAVAILABLE when WeChat stays busy', async () => {
    sys.sim.setFault('/sns/jscode2session', { errcode: -1, times: 10 });
    const res = await sys.call('/api/auth/wx-login', { body: { code: sys.sim.issueLoginCode(DEMO_APPID, 'u_lina') } });
    sys.sim.clearFaults();
    expect(codeOf(res)).toEqual({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
  });
});
