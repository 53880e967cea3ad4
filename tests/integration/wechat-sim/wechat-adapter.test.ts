import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isConsentExhausted,
  isInvalidCode,
  isRateLimited,
  type WeChatApi,
  WeChatErrcode,
  WeChatError,
} from '../../../functions/adapters/wechat/wechat.port.js';
import { createWeChatHttpApi, type WeChatHttpOptions } from '../../../functions/adapters/wechat/wechat-http.adapter.js';
import { APP_A, decodeQr, PNG_MAGIC, type SimFixture, startSim, USER } from './sim-fixture.js';

let f: SimFixture;
let waits: number[];

function api(overrides: Partial<WeChatHttpOptions> = {}): WeChatApi {
  return createWeChatHttpApi({
    baseUrl: `${f.url}/`,
    ...APP_A,
    now: () => f.clock.t,
    // Recorded instead of slept: the tests check the backoff without waiting for it.
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...overrides,
  });
}

async function caught(p: Promise<unknown>): Promise<WeChatError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(WeChatError);
  return e as WeChatError;
}

const stats = () => f.sim.stats(APP_A.appid);
const openid = () => f.sim.openid(APP_A.appid, USER.id);

beforeEach(async () => {
  f = await startSim();
  waits = [];
});
afterEach(async () => {
  await f.close();
});

describe('WeChat HTTP adapter against the simulator', () => {
  it('exchanges login and phone codes', async () => {
    const wx = api();
    const session = await wx.code2Session(f.sim.issueLoginCode(APP_A.appid, USER.id));
    expect(session).toEqual({
      openid: openid(),
      unionid: f.sim.unionid(USER.id),
      sessionKey: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/),
    });
    expect(await wx.getPhoneNumber(f.sim.issuePhoneCode(APP_A.appid, USER.id))).toEqual({
      phone: USER.phone,
      countryCode: '86',
    });
  });

  it('surfaces an invalid code as a non-retryable WeChatError without leaking the secret', async () => {
    const e = await caught(api().code2Session('bogus-code'));
    expect(e.errcode).toBe(WeChatErrcode.INVALID_CODE);
    expect(e.retryable).toBe(false);
    expect(e.path).toBe('/sns/jscode2session');
    expect(isInvalidCode(e)).toBe(true);
    expect(e.message).not.toContain(APP_A.secret);
    const phone = await caught(api().getPhoneNumber(f.sim.issueLoginCode(APP_A.appid, USER.id)));
    expect(isInvalidCode(phone)).toBe(true);
  });

  it('caches the access token and refreshes it 5 minutes before expiry', async () => {
    const wx = api();
    for (let i = 0; i < 3; i++) await wx.getUnlimitedQrCode({ scene: `s${i}` });
    expect(stats().tokenRequests).toBe(1);
    f.clock.advance(7200_000 - 5 * 60_000 - 1000);
    await wx.getUnlimitedQrCode({ scene: 'still-cached' });
    expect(stats().tokenRequests).toBe(1);
    f.clock.advance(2000);
    await wx.getUnlimitedQrCode({ scene: 'refreshed' });
    expect(stats().tokenRequests).toBe(2);
    expect(stats().qrCodes).toBe(5);
  });

  it('renews an expired token transparently and repeats the call once', async () => {
    const wx = api();
    await wx.getUnlimitedQrCode({ scene: 'a' });
    f.sim.expireTokens();
    const bytes = await wx.getUnlimitedQrCode({ scene: 'b' });
    expect(decodeQr(bytes)).toContain('scene=b');
    expect(stats()).toMatchObject({ tokenRequests: 2, forcedRefreshes: 0 });
  });

  it('picks up a token another instance force-refreshed (40001) without forcing again', async () => {
    const wx = api();
    await wx.getUnlimitedQrCode({ scene: 'a' });
    await fetch(`${f.url}/cgi-bin/stable_token`, {
      method: 'POST',
      body: JSON.stringify({ grant_type: 'client_credential', ...APP_A, force_refresh: true }),
    });
    await wx.getUnlimitedQrCode({ scene: 'b' });
    expect(stats()).toMatchObject({ tokenRequests: 3, forcedRefreshes: 1, qrCodes: 2 });
  });

  it('retries system busy (-1) twice with backoff, then gives up with a retryable error', async () => {
    f.sim.subscribe(APP_A.appid, USER.id, { TMPL: 'accept' });
    f.sim.setFault('/cgi-bin/message/subscribe/send', { errcode: -1, times: 2 });
    const wx = api();
    const msg = { touser: openid(), templateId: 'TMPL', data: { thing1: '复购提醒' } };
    const { msgid } = await wx.sendSubscribeMessage(msg);
    expect(msgid).toMatch(/^\d+$/);
    expect(waits).toEqual([100, 300]);
    expect(f.sim.messages(USER.id)).toHaveLength(1);

    f.sim.setFault('/cgi-bin/message/subscribe/send', { errcode: -1, times: 3 });
    const e = await caught(wx.sendSubscribeMessage(msg));
    expect(e.errcode).toBe(-1);
    expect(e.retryable).toBe(true);
  });

  it('sends data wrapped as { value } and reports exhausted consent as 43101', async () => {
    const wx = api();
    f.sim.subscribe(APP_A.appid, USER.id, { TMPL: 'accept' });
    await wx.sendSubscribeMessage({
      touser: openid(),
      templateId: 'TMPL',
      page: 'pages/refill/index',
      data: { thing1: '阿托伐他汀', date2: '2025-01-10' },
      state: 'trial',
    });
    expect(f.sim.messages(USER.id)[0]).toMatchObject({
      data: { thing1: { value: '阿托伐他汀' }, date2: { value: '2025-01-10' } },
      page: 'pages/refill/index',
      state: 'trial',
    });
    const e = await caught(wx.sendSubscribeMessage({ touser: openid(), templateId: 'TMPL', data: { thing1: 'x' } }));
    expect(e.errcode).toBe(WeChatErrcode.CONSENT_EXHAUSTED);
    expect(e.retryable).toBe(false);
    expect(isConsentExhausted(e)).toBe(true);
  });

  it('does not resend a subscribe message whose connection dropped', async () => {
    const wx = api();
    f.sim.subscribe(APP_A.appid, USER.id, { TMPL: 'accept' });
    await wx.getUnlimitedQrCode({ scene: 'warm-token' });
    f.sim.setFault('/cgi-bin/message/subscribe/send', { drop: true, times: 1 });
    const e = await caught(wx.sendSubscribeMessage({ touser: openid(), templateId: 'TMPL', data: { thing1: 'x' } }));
    expect(e).toMatchObject({ kind: 'network', retryable: true, outcomeUnknown: true });
    // A retry would have succeeded (the fault was one-shot): none happened.
    expect(f.sim.messages()).toHaveLength(0);
    expect(f.sim.grantsLeft(APP_A.appid, USER.id, 'TMPL')).toBe(1);
  });

  it('retries a QR code whose connection dropped, and returns PNG bytes of the scene', async () => {
    const wx = api();
    f.sim.setFault('/wxa/getwxacodeunlimit', { drop: true, times: 1 });
    const bytes = await wx.getUnlimitedQrCode({ scene: 'st=0012', page: 'pages/index/index', width: 280 });
    expect([...bytes.subarray(0, 8)]).toEqual(PNG_MAGIC);
    expect(new URL(decodeQr(bytes)!).searchParams.get('scene')).toBe('st=0012');
    expect(waits).toEqual([100]);
  });

  it('surfaces rate limits and bad scenes from the QR endpoint', async () => {
    const wx = api();
    f.sim.setFault('/wxa/getwxacodeunlimit', { errcode: 45009, times: 1 });
    const limited = await caught(wx.getUnlimitedQrCode({ scene: 'a' }));
    expect(isRateLimited(limited)).toBe(true);
    expect(limited.retryable).toBe(true);
    expect(waits).toEqual([]);
    const bad = await caught(wx.getUnlimitedQrCode({ scene: 'x'.repeat(33) }));
    expect(bad).toMatchObject({ errcode: WeChatErrcode.INVALID_SCENE, retryable: false });
  });

  it('times out a slow answer with a retryable timeout error', async () => {
    const wx = api({ timeoutMs: 50, busyRetryDelaysMs: [] });
    f.sim.setFault('/cgi-bin/stable_token', { latencyMs: 300 });
    const e = await caught(wx.getUnlimitedQrCode({ scene: 'a' }));
    expect(e).toMatchObject({ kind: 'timeout', errcode: WeChatErrcode.TIMEOUT, retryable: true });
    expect(e.path).toBe('/cgi-bin/stable_token');
  });

  it('rejects a wrong secret at token time, not retryable', async () => {
    const e = await caught(api({ secret: 'wrong' }).getUnlimitedQrCode({ scene: 'a' }));
    expect(e).toMatchObject({ errcode: WeChatErrcode.INVALID_APPSECRET, retryable: false, kind: 'api' });
  });

  it('treats an answer of the wrong shape as a protocol error', async () => {
    const fakeFetch: typeof fetch = async () =>
      new Response(JSON.stringify({ openid: 42 }), { headers: { 'content-type': 'application/json' } });
    const e = await caught(api({ fetch: fakeFetch }).code2Session('c'));
    expect(e).toMatchObject({ kind: 'protocol', errcode: WeChatErrcode.BAD_RESPONSE, retryable: false });
  });

  it('keeps int64 msgids exact', async () => {
    const big = '2127848127374426113';
    const fakeFetch: typeof fetch = async (input) =>
      String(input).includes('stable_token')
        ? Response.json({ access_token: 't', expires_in: 7200 })
        : new Response(`{"errcode":0,"errmsg":"ok","msgid":${big}}`, {
            headers: { 'content-type': 'application/json' },
          });
    const { msgid } = await api({ fetch: fakeFetch }).sendSubscribeMessage({
      touser: 'o',
      templateId: 't',
      data: { thing1: 'x' },
    });
    expect(msgid).toBe(big);
  });
});
