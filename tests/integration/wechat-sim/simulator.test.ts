import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APP_A, APP_B, decodeQr, PNG_MAGIC, type SimFixture, startSim, USER } from './sim-fixture.js';

let f: SimFixture;

beforeEach(async () => {
  f = await startSim();
});
afterEach(async () => {
  await f.close();
});

// biome-ignore lint/suspicious/noExplicitAny: protocol answers are asserted field by field
type Json = any;

async function getJson(path: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(f.url + path);
  return { status: res.status, body: await res.json() };
}

async function postJson(path: string, body: unknown): Promise<{ status: number; body: Json; res: Response }> {
  const res = await fetch(f.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, body: isJson ? await res.json() : null, res };
}

async function loginCode(appid = APP_A.appid, userId = USER.id): Promise<string> {
  const { status, body } = await postJson('/__sim/login', { appid, userId });
  expect(status).toBe(200);
  return body.code;
}

function session(code: string, app = APP_A) {
  const q = new URLSearchParams({
    appid: app.appid,
    secret: app.secret,
    js_code: code,
    grant_type: 'authorization_code',
  });
  return getJson(`/sns/jscode2session?${q}`);
}

async function token(app = APP_A, force?: boolean): Promise<Json> {
  return (await postJson('/cgi-bin/stable_token', { grant_type: 'client_credential', ...app, force_refresh: force }))
    .body;
}

async function grant(decisions: Record<string, 'accept' | 'reject'>, userId = USER.id) {
  return postJson('/__sim/subscribe', { appid: APP_A.appid, userId, decisions });
}

function send(accessToken: string, body: Record<string, unknown>) {
  return postJson(`/cgi-bin/message/subscribe/send?access_token=${accessToken}`, body);
}

const DATA = { thing1: { value: '阿托伐他汀钙片' }, date2: { value: '2025-01-10' } };

describe('jscode2session', () => {
  it('exchanges a login code for openid, session_key and a unionid shared across apps', async () => {
    const a = await session(await loginCode());
    expect(a.status).toBe(200);
    expect(a.body.openid).toBe(f.sim.openid(APP_A.appid, USER.id));
    expect(a.body.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(Buffer.from(a.body.session_key, 'base64')).toHaveLength(16);
    const b = await session(await loginCode(APP_B.appid), APP_B);
    expect(b.body.openid).not.toBe(a.body.openid);
    expect(b.body.unionid).toBe(a.body.unionid);
  });

  it('accepts a code once only', async () => {
    const code = await loginCode();
    expect((await session(code)).body.openid).toBeTruthy();
    const again = await session(code);
    expect(again.body.errcode).toBe(40029);
    expect(again.body.errmsg).toMatch(/^invalid code, rid: /);
  });

  it('expires codes after 5 minutes by the injected clock', async () => {
    const fresh = await loginCode();
    const stale = await loginCode();
    f.clock.advance(5 * 60_000 - 1);
    expect((await session(fresh)).body.openid).toBeTruthy();
    f.clock.advance(1);
    expect((await session(stale)).body.errcode).toBe(40029);
  });

  it('rejects a code issued to another app, a wrong secret and an unknown appid', async () => {
    expect((await session(await loginCode(APP_B.appid))).body.errcode).toBe(40029);
    expect((await session(await loginCode(), { ...APP_A, secret: 'nope' })).body.errcode).toBe(40125);
    expect((await session(await loginCode(), { appid: 'wx_unknown', secret: 'x' })).body.errcode).toBe(40013);
  });
});

describe('stable_token', () => {
  it('returns the same token while valid, with the remaining lifetime', async () => {
    const first = await token();
    expect(first.expires_in).toBe(7200);
    f.clock.advance(60_000);
    const second = await token();
    expect(second.access_token).toBe(first.access_token);
    expect(second.expires_in).toBe(7140);
    expect(f.sim.stats(APP_A.appid).tokenRequests).toBe(2);
  });

  it('answers 42001 once the token expired, and issues a new one near expiry', async () => {
    const first = await token();
    f.clock.advance(7200_000 - 4 * 60_000);
    const renewed = await token();
    expect(renewed.access_token).not.toBe(first.access_token);
    f.clock.advance(4 * 60_000);
    const res = await postJson(`/wxa/business/getuserphonenumber?access_token=${first.access_token}`, { code: 'x' });
    expect(res.body.errcode).toBe(42001);
    expect(res.body.errmsg).toMatch(/^access_token expired/);
  });

  it('force_refresh issues a new token and revokes the previous one; unknown and missing tokens fail', async () => {
    const first = await token();
    const forced = await token(APP_A, true);
    expect(forced.access_token).not.toBe(first.access_token);
    expect(f.sim.stats(APP_A.appid).forcedRefreshes).toBe(1);
    const old = await postJson(`/wxa/getwxacodeunlimit?access_token=${first.access_token}`, { scene: 'a' });
    expect(old.body.errcode).toBe(40001);
    expect((await postJson('/wxa/getwxacodeunlimit?access_token=bogus', { scene: 'a' })).body.errcode).toBe(40001);
    expect((await postJson('/wxa/getwxacodeunlimit', { scene: 'a' })).body.errcode).toBe(41001);
  });

  it('checks credentials and method', async () => {
    expect((await token({ ...APP_A, secret: 'bad' })).errcode).toBe(40125);
    expect((await token({ appid: 'wx_nope', secret: 'x' })).errcode).toBe(40013);
    const wrongMethod = await getJson('/cgi-bin/stable_token');
    expect(wrongMethod.body.errcode).toBe(43002);
  });

  it('expireTokens() makes every issued token answer 42001', async () => {
    const t = await token();
    f.sim.expireTokens();
    const res = await postJson(`/wxa/getwxacodeunlimit?access_token=${t.access_token}`, { scene: 'a' });
    expect(res.body.errcode).toBe(42001);
  });
});

describe('getuserphonenumber', () => {
  async function phoneCode(): Promise<string> {
    return (await postJson('/__sim/phone-code', { appid: APP_A.appid, userId: USER.id })).body.code;
  }

  it('returns phone_info once per code and counts calls', async () => {
    const t = (await token()).access_token;
    const code = await phoneCode();
    const ok = await postJson(`/wxa/business/getuserphonenumber?access_token=${t}`, { code });
    expect(ok.body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber: USER.phone,
        purePhoneNumber: USER.phone,
        countryCode: '86',
        watermark: { timestamp: Math.floor(f.clock.t / 1000), appid: APP_A.appid },
      },
    });
    const again = await postJson(`/wxa/business/getuserphonenumber?access_token=${t}`, { code });
    expect(again.body.errcode).toBe(40029);
    expect(f.sim.stats(APP_A.appid)).toMatchObject({ phoneNumberCalls: 2, phoneNumberBilled: 1 });
  });

  it('expires phone codes after 5 minutes and refuses login codes', async () => {
    const t = (await token()).access_token;
    const code = await phoneCode();
    f.clock.advance(5 * 60_000);
    expect((await postJson(`/wxa/business/getuserphonenumber?access_token=${t}`, { code })).body.errcode).toBe(40029);
    const login = await loginCode();
    expect((await postJson(`/wxa/business/getuserphonenumber?access_token=${t}`, { code: login })).body.errcode).toBe(
      40029,
    );
    expect(f.sim.stats(APP_A.appid).phoneNumberBilled).toBe(0);
  });
});

describe('subscribe message send', () => {
  it('allows one send per accepted one-time grant', async () => {
    const t = (await token()).access_token;
    const touser = f.sim.openid(APP_A.appid, USER.id);
    const granted = await grant({ TMPL_REFILL: 'accept', TMPL_PROMO: 'reject' });
    expect(granted.body).toEqual({
      errMsg: 'requestSubscribeMessage:ok',
      TMPL_REFILL: 'accept',
      TMPL_PROMO: 'reject',
    });
    await grant({ TMPL_REFILL: 'accept' });
    const msg = { touser, template_id: 'TMPL_REFILL', page: 'pages/refill/index?id=7', data: DATA };
    const first = await send(t, msg);
    expect(first.body).toMatchObject({ errcode: 0, errmsg: 'ok' });
    expect(typeof first.body.msgid).toBe('number');
    expect((await send(t, msg)).body.errcode).toBe(0);
    const third = await send(t, msg);
    expect(third.body.errcode).toBe(43101);
    expect(third.body.errmsg).toMatch(/^user refuse to accept the msg/);
    expect((await send(t, { ...msg, template_id: 'TMPL_PROMO' })).body.errcode).toBe(43101);
    const inbox = f.sim.messages(USER.id);
    expect(inbox).toHaveLength(2);
    expect(inbox[0]).toMatchObject({
      templateId: 'TMPL_REFILL',
      page: 'pages/refill/index?id=7',
      data: DATA,
      sentAt: f.clock.t,
      openid: touser,
      state: 'formal',
    });
  });

  it('validates touser and data without consuming the grant', async () => {
    const t = (await token()).access_token;
    const touser = f.sim.openid(APP_A.appid, USER.id);
    await grant({ TMPL_REFILL: 'accept' });
    const base = { touser, template_id: 'TMPL_REFILL' };
    expect((await send(t, { ...base, data: { thing1: '字符串而非对象' } })).body.errcode).toBe(47003);
    expect((await send(t, { ...base, data: { thing1: { value: 12 } } })).body.errcode).toBe(47003);
    expect((await send(t, { ...base, data: { thing1: { value: '超'.repeat(21) } } })).body.errcode).toBe(47003);
    expect((await send(t, { ...base, data: [] })).body.errcode).toBe(47003);
    expect((await send(t, { ...base, touser: 'o_nobody', data: DATA })).body.errcode).toBe(40003);
    const otherAppOpenid = f.sim.openid(APP_B.appid, USER.id);
    expect((await send(t, { ...base, touser: otherAppOpenid, data: DATA })).body.errcode).toBe(40003);
    expect(f.sim.grantsLeft(APP_A.appid, USER.id, 'TMPL_REFILL')).toBe(1);
    expect((await send(t, { ...base, data: DATA })).body.errcode).toBe(0);
  });

  it('answers 47001 with HTTP 400 to a body that is not JSON', async () => {
    const t = (await token()).access_token;
    const res = await postJson(`/cgi-bin/message/subscribe/send?access_token=${t}`, '{not json');
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe(47001);
  });
});

describe('getwxacodeunlimit', () => {
  it('returns a PNG whose QR code decodes back to the scene and page', async () => {
    const t = (await token()).access_token;
    const scene = "s=ST0012&c=x!#$'()*+,/:;?@-._~";
    const res = await postJson(`/wxa/getwxacodeunlimit?access_token=${t}`, {
      scene,
      page: 'pages/store/index',
      width: 300,
    });
    expect(res.res.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await res.res.arrayBuffer());
    expect([...bytes.subarray(0, 8)]).toEqual(PNG_MAGIC);
    const text = decodeQr(bytes);
    expect(text).not.toBeNull();
    const url = new URL(text!);
    expect(url.searchParams.get('scene')).toBe(scene);
    expect(url.searchParams.get('page')).toBe('pages/store/index');
    expect(f.sim.stats(APP_A.appid).qrCodes).toBe(1);
  });

  it('rejects scenes that are too long or use forbidden characters, and bad pages', async () => {
    const t = (await token()).access_token;
    const qr = (body: Record<string, unknown>) => postJson(`/wxa/getwxacodeunlimit?access_token=${t}`, body);
    expect((await qr({ scene: 'a'.repeat(32) })).res.headers.get('content-type')).toBe('image/png');
    for (const scene of ['a'.repeat(33), '门店1', 'a%20b', 'a b', '']) {
      const res = await qr({ scene });
      expect(res.body.errcode, scene).toBe(40169);
      expect(res.body.errmsg).toMatch(/^invalid length for scene/);
    }
    expect((await qr({ scene: 'a', page: '/pages/index/index' })).body.errcode).toBe(41030);
    const tB = (await token(APP_B)).access_token;
    const unpublished = { scene: 'a', page: 'pages/secret/index' };
    const b = (body: Record<string, unknown>) => postJson(`/wxa/getwxacodeunlimit?access_token=${tB}`, body);
    expect((await b(unpublished)).body.errcode).toBe(41030);
    expect((await b({ ...unpublished, check_path: false })).res.headers.get('content-type')).toBe('image/png');
  });
});

describe('fault knobs', () => {
  it('delays answers by latencyMs', async () => {
    f.sim.setFault('/cgi-bin/stable_token', { latencyMs: 150, times: 1 });
    const started = performance.now();
    const delayed = await token();
    const slow = performance.now() - started;
    expect(delayed.access_token).toBeTruthy();
    expect(slow).toBeGreaterThanOrEqual(140);
    const again = performance.now();
    await token();
    expect(performance.now() - again).toBeLessThan(140);
  });

  it('injects -1 for the given number of calls, then recovers', async () => {
    const t = (await token()).access_token;
    f.sim.setFault('/wxa/getwxacodeunlimit', { errcode: -1, times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await postJson(`/wxa/getwxacodeunlimit?access_token=${t}`, { scene: 'a' });
      expect(res.body).toMatchObject({ errcode: -1 });
      expect(res.body.errmsg).toMatch(/^system error, rid: /);
    }
    const ok = await postJson(`/wxa/getwxacodeunlimit?access_token=${t}`, { scene: 'a' });
    expect(ok.res.headers.get('content-type')).toBe('image/png');
  });

  it('injects 45009 over HTTP until cleared over HTTP', async () => {
    const t = (await token()).access_token;
    expect((await postJson('/__sim/faults', { path: '/wxa/getwxacodeunlimit', errcode: 45009 })).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      expect((await postJson(`/wxa/getwxacodeunlimit?access_token=${t}`, { scene: 'a' })).body.errcode).toBe(45009);
    }
    expect((await fetch(`${f.url}/__sim/faults`, { method: 'DELETE' })).status).toBe(200);
    const ok = await postJson(`/wxa/getwxacodeunlimit?access_token=${t}`, { scene: 'a' });
    expect(ok.res.headers.get('content-type')).toBe('image/png');
    expect((await postJson('/__sim/faults', { path: '/x', times: 0 })).status).toBe(400);
  });

  it('drops the connection without an answer', async () => {
    f.sim.setFault('/cgi-bin/stable_token', { drop: true, times: 1 });
    const outcome = await new Promise<string>((resolve) => {
      const req = request(`${f.url}/cgi-bin/stable_token`, { method: 'POST' }, (res) =>
        resolve(`answered ${res.statusCode}`),
      );
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      req.end(JSON.stringify({ grant_type: 'client_credential', ...APP_A }));
    });
    expect(outcome).toBe('ECONNRESET');
    expect((await token()).access_token).toBeTruthy();
  });
});

describe('client routes', () => {
  it('lists and creates users, validating the mobile number', async () => {
    const created = await postJson('/__sim/users', { nickname: '李先生', phone: '13912345678' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ nickname: '李先生', phoneMasked: '139****5678' });
    const list = await getJson('/__sim/users');
    expect(list.body.users).toEqual([
      { id: USER.id, nickname: USER.nickname, phoneMasked: '138****8001' },
      { id: created.body.id, nickname: '李先生', phoneMasked: '139****5678' },
    ]);
    for (const phone of ['12912345678', '1391234567', '+8613912345678']) {
      const bad = await postJson('/__sim/users', { nickname: 'x', phone });
      expect(bad.status, phone).toBe(400);
      expect(bad.body.errMsg).toMatch(/mobile/);
    }
  });

  it('answers CORS preflight and puts CORS headers on answers', async () => {
    const pre = await fetch(`${f.url}/__sim/login`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:10086', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toContain('content-type');
    const res = await fetch(`${f.url}/__sim/users`);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('rejects bad input with 400/404 and an errMsg, never crashing', async () => {
    expect((await postJson('/__sim/login', '{')).status).toBe(400);
    expect((await postJson('/__sim/login', { appid: APP_A.appid })).status).toBe(400);
    expect((await postJson('/__sim/login', { appid: 'wx_nope', userId: USER.id })).status).toBe(400);
    const missing = await postJson('/__sim/login', { appid: APP_A.appid, userId: 'ghost' });
    expect(missing.status).toBe(404);
    expect(missing.body.errMsg).toContain('ghost');
    expect((await grant({ A: 'maybe' } as never)).status).toBe(400);
    expect((await grant({ A: 'accept', B: 'accept', C: 'accept', D: 'accept' })).status).toBe(400);
    expect((await postJson('/__sim/nowhere', {})).status).toBe(404);
    expect((await getJson('/sns/nowhere')).body.errcode).toBe(40066);
    expect((await getJson('/__sim/users')).status).toBe(200);
  });

  it('queues scan results per user, falling back to the shared queue, then cancels', async () => {
    await postJson('/__sim/scan-queue', { result: 'member:123' });
    await postJson('/__sim/scan-queue', { userId: USER.id, result: 'coupon:9', scanType: 'QR_CODE' });
    expect((await postJson('/__sim/scan', { userId: USER.id })).body).toMatchObject({
      result: 'coupon:9',
      scanType: 'QR_CODE',
    });
    expect((await postJson('/__sim/scan', { userId: USER.id })).body.result).toBe('member:123');
    const empty = await postJson('/__sim/scan', { userId: USER.id });
    expect(empty.status).toBe(404);
    expect(empty.body).toEqual({ errMsg: 'scanCode:fail cancel' });
  });

  it('serves the inbox as JSON', async () => {
    const t = (await token()).access_token;
    await grant({ TMPL_REFILL: 'accept' });
    await send(t, { touser: f.sim.openid(APP_A.appid, USER.id), template_id: 'TMPL_REFILL', data: DATA });
    const inbox = await getJson(`/__sim/inbox?userId=${USER.id}`);
    expect(inbox.body.messages).toHaveLength(1);
    expect(inbox.body.messages[0]).toMatchObject({ templateId: 'TMPL_REFILL', data: DATA, userId: USER.id });
    expect((await getJson('/__sim/inbox?userId=someone_else')).body.messages).toEqual([]);
  });
});

describe('inbox page', () => {
  it('renders 服务通知 with escaped content, Shanghai times and a user filter', async () => {
    const evil = f.sim.addUser({ nickname: '<script>alert(1)</script>', phone: '13700001111' });
    await grant({ TMPL_REFILL: 'accept' }, evil.id);
    const t = (await token()).access_token;
    const sent = await send(t, {
      touser: f.sim.openid(APP_A.appid, evil.id),
      template_id: 'TMPL_REFILL',
      page: 'pages/a/index?x=1&y=2',
      data: { character_string1: { value: '<img src=x onerror=alert(1)>' } },
    });
    expect(sent.body.errcode).toBe(0);
    const redirect = await fetch(`${f.url}/__sim/`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/__sim/inbox.html');
    const res = await fetch(`${f.url}/__sim/inbox.html`);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('<title>服务通知');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('pages/a/index?x=1&amp;y=2');
    // 02:00 UTC is 10:00 in Asia/Shanghai.
    expect(html).toContain('2025/01/06 10:00:00');
    const filtered = await (await fetch(`${f.url}/__sim/inbox.html?userId=${USER.id}`)).text();
    expect(filtered).toContain(`value="${USER.id}" selected`);
    expect(filtered).not.toContain('onerror');
    expect(filtered).toContain('暂无服务通知');
  });
});
