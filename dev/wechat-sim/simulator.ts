import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import QRCode from 'qrcode';
import { renderInboxPage } from './inbox-page.js';
import { BodyError, readJsonObject, sendBytes, sendHtml, sendJson } from './sim-http.js';
import type {
  FaultSpec,
  ListeningSimulator,
  MiniProgramState,
  ScanResult,
  SentMessage,
  SimApp,
  SimStats,
  SimUser,
  SubscribeDecision,
  WeChatSimulator,
  WeChatSimulatorOptions,
} from './simulator.types.js';

export type * from './simulator.types.js';

// wx.login codes and getPhoneNumber codes both live 5 minutes and can be exchanged once.
const CODE_TTL_MS = 5 * 60_000;
const TOKEN_TTL_MS = 7200_000;
// stable_token hands out the same token while valid; we renew inside the last 5 minutes so a client that refreshes
// early (as it should) is not handed back a token that is about to die.
const TOKEN_RENEW_MARGIN_MS = 5 * 60_000;
// requestSubscribeMessage accepts at most 3 one-time templates per call.
const MAX_TEMPLATES_PER_REQUEST = 3;
// Scene: at most 32 visible characters from this set; '%' is excluded, so Chinese cannot be url-encoded into it.
const SCENE_PATTERN = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/;
const CN_MOBILE = /^1[3-9]\d{9}$/;
// Value limits per keyword type of subscribe templates (WeChat answers 47003 beyond them).
const KEYWORD_LIMITS: Record<string, number> = {
  thing: 20,
  number: 32,
  letter: 32,
  symbol: 5,
  character_string: 32,
  phone_number: 17,
  car_number: 8,
  name: 20,
  phrase: 5,
  time: 32,
  date: 32,
  amount: 32,
};
const DEFAULT_FAULT_MESSAGES: Record<number, string> = {
  [-1]: 'system error',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit  mustslower  retry next minute',
};
const CLIENT_PATHS_WITHOUT_FAULTS = new Set(['/__sim/faults']);

interface IssuedCode {
  appid: string;
  userId: string;
  kind: 'login' | 'phone';
  issuedAt: number;
  used: boolean;
}

interface TokenRecord {
  appid: string;
  expiresAt: number;
  revoked: boolean;
}

interface ActiveFault extends FaultSpec {
  remaining: number | null;
}

type Query = URLSearchParams;

class ClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function b64url(input: string): string {
  return createHash('sha256').update(input).digest('base64url');
}

function hex(input: string, length: number): string {
  return createHash('sha256').update(input).digest('hex').slice(0, length);
}

function maskPhone(phone: string): string {
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function createWeChatSimulator(opts: WeChatSimulatorOptions): WeChatSimulator {
  const now = opts.now ?? (() => Date.now());
  const sleep = opts.sleep ?? defaultSleep;
  const apps = new Map<string, SimApp>(opts.apps.map((a) => [a.appid, a]));
  const users = new Map<string, SimUser>();
  const openidIndex = new Map<string, { appid: string; userId: string }>();
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, TokenRecord>();
  const currentToken = new Map<string, string>();
  const grants = new Map<string, number>();
  const sent: SentMessage[] = [];
  const scanQueues = new Map<string, ScanResult[]>();
  const faults = new Map<string, ActiveFault>();
  const stats = new Map<string, SimStats>();
  let counter = 0;

  const nextSeq = () => ++counter;
  const rid = () => {
    const h = hex(`rid:${nextSeq()}`, 24);
    return `${h.slice(0, 8)}-${h.slice(8, 16)}-${h.slice(16, 24)}`;
  };
  const err = (errcode: number, errmsg: string) => ({ errcode, errmsg: `${errmsg}, rid: ${rid()}` });

  const openid = (appid: string, userId: string) => 'o' + b64url(`${appid}:${userId}`).slice(0, 27);
  // One unionid per person across every app bound to the same open-platform account.
  const unionid = (userId: string) => 'o' + b64url(`unionid:${userId}`).slice(0, 27);

  function statsFor(appid: string): SimStats {
    let s = stats.get(appid);
    if (!s) {
      s = {
        tokenRequests: 0,
        forcedRefreshes: 0,
        phoneNumberCalls: 0,
        phoneNumberBilled: 0,
        subscribeSends: 0,
        qrCodes: 0,
      };
      stats.set(appid, s);
    }
    return s;
  }

  function addUser(input: { id?: string; nickname: string; phone: string }): SimUser {
    if (!CN_MOBILE.test(input.phone)) throw new ClientError(400, `invalid mainland mobile number: ${input.phone}`);
    const nickname = input.nickname.trim();
    if (!nickname || nickname.length > 32) throw new ClientError(400, 'nickname must be 1-32 characters');
    const id = input.id ?? `wxu_${String(users.size + 1).padStart(3, '0')}`;
    if (users.has(id)) throw new ClientError(409, `user already exists: ${id}`);
    const user = { id, nickname, phone: input.phone };
    users.set(id, user);
    for (const appid of apps.keys()) openidIndex.set(openid(appid, id), { appid, userId: id });
    return user;
  }

  function requireAppAndUser(appid: unknown, userId: unknown): { app: SimApp; user: SimUser } {
    if (typeof appid !== 'string' || typeof userId !== 'string')
      throw new ClientError(400, 'appid and userId required');
    const app = apps.get(appid);
    if (!app) throw new ClientError(400, `unknown appid: ${appid}`);
    const user = users.get(userId);
    if (!user) throw new ClientError(404, `user not found: ${userId}`);
    return { app, user };
  }

  function issueCode(kind: IssuedCode['kind'], appid: string, userId: string): string {
    requireAppAndUser(appid, userId);
    // wx.login codes are 32 alphanumerics; the phone code is longer in WeChat but opaque to clients either way.
    const code = hex(`${kind}:${appid}:${userId}:${nextSeq()}`, kind === 'login' ? 32 : 64);
    codes.set(code, { appid, userId, kind, issuedAt: now(), used: false });
    return code;
  }

  /** Consumes a code; any mismatch is reported the way WeChat does: just "invalid code". */
  function consumeCode(code: string, kind: IssuedCode['kind'], appid: string): IssuedCode | null {
    const issued = codes.get(code);
    if (!issued || issued.kind !== kind || issued.appid !== appid || issued.used) return null;
    if (now() - issued.issuedAt >= CODE_TTL_MS) return null;
    issued.used = true;
    return issued;
  }

  function issueToken(appid: string): { access_token: string; expires_in: number } {
    const token = `sim_${hex(`token:${appid}:${nextSeq()}`, 40)}`;
    const expiresAt = now() + TOKEN_TTL_MS;
    tokens.set(token, { appid, expiresAt, revoked: false });
    currentToken.set(appid, token);
    return { access_token: token, expires_in: TOKEN_TTL_MS / 1000 };
  }

  function subscribe(
    appid: string,
    userId: string,
    decisions: Record<string, SubscribeDecision>,
  ): Record<string, SubscribeDecision> {
    requireAppAndUser(appid, userId);
    const entries = Object.entries(decisions);
    if (entries.length === 0 || entries.length > MAX_TEMPLATES_PER_REQUEST) {
      throw new ClientError(400, `requestSubscribeMessage:fail tmplIds must hold 1-${MAX_TEMPLATES_PER_REQUEST} ids`);
    }
    for (const [tmpl, d] of entries) {
      if (!tmpl || (d !== 'accept' && d !== 'reject')) throw new ClientError(400, `invalid decision for ${tmpl}`);
    }
    for (const [tmpl, d] of entries) {
      if (d === 'accept') {
        const key = `${appid}|${userId}|${tmpl}`;
        grants.set(key, (grants.get(key) ?? 0) + 1);
      }
    }
    return Object.fromEntries(entries);
  }

  function queueScan(scan: ScanResult & { userId?: string }): void {
    const key = scan.userId ?? '*';
    const q = scanQueues.get(key) ?? [];
    q.push({ result: scan.result, scanType: scan.scanType });
    scanQueues.set(key, q);
  }

  function setFault(path: string, fault: FaultSpec): void {
    if (fault.times !== undefined && (!Number.isInteger(fault.times) || fault.times < 1)) {
      throw new ClientError(400, 'times must be a positive integer');
    }
    if (fault.latencyMs !== undefined && !(fault.latencyMs >= 0 && fault.latencyMs <= 120_000)) {
      throw new ClientError(400, 'latencyMs must be within 0-120000');
    }
    faults.set(path, { ...fault, remaining: fault.times ?? null });
  }

  function takeFault(path: string): ActiveFault | null {
    const key = faults.has(path) ? path : '*';
    const fault = faults.get(key);
    if (!fault) return null;
    if (fault.remaining !== null) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) faults.delete(key);
    }
    return fault;
  }

  // ---- protocol routes -------------------------------------------------------------------------------------------

  /** Resolves the access_token query parameter, or the WeChat error a real server would answer. */
  function authenticate(query: Query): { appid: string } | { errcode: number; errmsg: string } {
    const token = query.get('access_token');
    if (!token) return err(41001, 'access_token missing');
    const record = tokens.get(token);
    if (!record || record.revoked) return err(40001, 'invalid credential, access_token is invalid or not latest');
    if (now() >= record.expiresAt) return err(42001, 'access_token expired');
    return { appid: record.appid };
  }

  function jscode2session(query: Query): unknown {
    const appid = query.get('appid');
    const secret = query.get('secret');
    const code = query.get('js_code');
    if (!appid) return err(41002, 'appid missing');
    if (!secret) return err(41004, 'appsecret missing');
    if (!code) return err(41008, 'missing code');
    if (query.get('grant_type') !== 'authorization_code') return err(40002, 'invalid grant_type');
    const app = apps.get(appid);
    if (!app) return err(40013, 'invalid appid');
    if (app.secret !== secret) return err(40125, 'invalid appsecret');
    const issued = consumeCode(code, 'login', appid);
    if (!issued) return err(40029, 'invalid code');
    return {
      openid: openid(appid, issued.userId),
      session_key: Buffer.from(hex(`session:${code}`, 32), 'hex').toString('base64'),
      unionid: unionid(issued.userId),
    };
  }

  function stableToken(body: Record<string, unknown>): unknown {
    const { grant_type, appid, secret, force_refresh } = body;
    if (typeof appid !== 'string' || !appid) return err(41002, 'appid missing');
    if (typeof secret !== 'string' || !secret) return err(41004, 'appsecret missing');
    if (grant_type !== 'client_credential') return err(40002, 'invalid grant_type');
    if (force_refresh !== undefined && typeof force_refresh !== 'boolean') return err(47001, 'data format error');
    const app = apps.get(appid);
    if (!app) return err(40013, 'invalid appid');
    if (app.secret !== secret) return err(40125, 'invalid appsecret');
    const s = statsFor(appid);
    s.tokenRequests += 1;
    const existing = currentToken.get(appid);
    const record = existing ? tokens.get(existing) : undefined;
    if (force_refresh) {
      s.forcedRefreshes += 1;
      // Force refresh invalidates the previous stable token at once: instances sharing it start getting 40001.
      if (record) record.revoked = true;
      return issueToken(appid);
    }
    if (existing && record && !record.revoked && record.expiresAt - now() > TOKEN_RENEW_MARGIN_MS) {
      return { access_token: existing, expires_in: Math.floor((record.expiresAt - now()) / 1000) };
    }
    return issueToken(appid);
  }

  function getUserPhoneNumber(appid: string, body: Record<string, unknown>): unknown {
    const s = statsFor(appid);
    s.phoneNumberCalls += 1;
    if (typeof body.code !== 'string' || !body.code) return err(47001, 'data format error hint: code');
    const issued = consumeCode(body.code, 'phone', appid);
    if (!issued) return err(40029, 'invalid code');
    const user = users.get(issued.userId)!;
    s.phoneNumberBilled += 1;
    return {
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber: user.phone,
        purePhoneNumber: user.phone,
        countryCode: '86',
        watermark: { timestamp: Math.floor(now() / 1000), appid },
      },
    };
  }

  function validateTemplateData(data: unknown): string | null {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'data';
    const entries = Object.entries(data as Record<string, unknown>);
    if (entries.length === 0) return 'data';
    for (const [key, field] of entries) {
      if (!/^[a-z_]+\d+$/.test(key)) return `data.${key}`;
      if (typeof field !== 'object' || field === null) return `data.${key}`;
      const value = (field as { value?: unknown }).value;
      if (typeof value !== 'string' || value.trim() === '') return `data.${key}.value`;
      const limit = KEYWORD_LIMITS[key.replace(/\d+$/, '')] ?? 200;
      if ([...value].length > limit) return `data.${key}.value exceeds ${limit} characters`;
    }
    return null;
  }

  function sendSubscribe(appid: string, body: Record<string, unknown>): unknown {
    const { touser, template_id, page, data, miniprogram_state, lang } = body;
    if (typeof touser !== 'string' || typeof template_id !== 'string' || !template_id) {
      return err(47001, 'data format error hint: touser, template_id');
    }
    if (page !== undefined && typeof page !== 'string') return err(47001, 'data format error hint: page');
    const target = openidIndex.get(touser);
    if (!target || target.appid !== appid) return err(40003, 'invalid openid');
    const badField = validateTemplateData(data);
    if (badField) return err(47003, `argument invalid! ${badField}`);
    const state = (miniprogram_state ?? 'formal') as MiniProgramState;
    if (!['developer', 'trial', 'formal'].includes(state)) return err(47003, 'argument invalid! miniprogram_state');
    if (lang !== undefined && !['zh_CN', 'en_US', 'zh_HK', 'zh_TW'].includes(String(lang))) {
      return err(47003, 'argument invalid! lang');
    }
    const key = `${appid}|${target.userId}|${template_id}`;
    const left = grants.get(key) ?? 0;
    if (left <= 0) return err(43101, 'user refuse to accept the msg');
    grants.set(key, left - 1);
    const seq = nextSeq();
    const msg: SentMessage = {
      msgid: 2_000_000_000 + seq,
      seq,
      appid,
      userId: target.userId,
      openid: touser,
      templateId: template_id,
      page: typeof page === 'string' && page ? page : null,
      data: structuredClone(data as Record<string, { value: string }>),
      state,
      lang: typeof lang === 'string' ? lang : 'zh_CN',
      sentAt: now(),
    };
    sent.push(msg);
    statsFor(appid).subscribeSends += 1;
    return { errcode: 0, errmsg: 'ok', msgid: msg.msgid };
  }

  async function unlimitedQrCode(appid: string, body: Record<string, unknown>): Promise<Uint8Array | object> {
    const { scene, page, check_path, env_version, width } = body;
    if (typeof scene !== 'string' || !SCENE_PATTERN.test(scene)) {
      return err(40169, 'invalid length for scene, or the data is not json string');
    }
    if (page !== undefined && typeof page !== 'string') return err(47001, 'data format error hint: page');
    if (typeof page === 'string' && page && (page.startsWith('/') || page.includes('?'))) {
      return err(41030, 'invalid page');
    }
    const pages = apps.get(appid)?.pages;
    if (typeof page === 'string' && page && check_path !== false && pages && !pages.includes(page)) {
      return err(41030, 'invalid page');
    }
    const env = env_version ?? 'release';
    if (env !== 'release' && env !== 'trial' && env !== 'develop') return err(40097, 'invalid args env_version');
    if (width !== undefined && typeof width !== 'number') return err(47001, 'data format error hint: width');
    // WeChat clamps width into 280-1280 px rather than failing.
    const px = Math.min(1280, Math.max(280, Math.round((width as number | undefined) ?? 430)));
    const text = `https://sim.wx/qr?${new URLSearchParams({ appid, page: (page as string | undefined) ?? '', scene, env_version: env })}`;
    statsFor(appid).qrCodes += 1;
    return new Uint8Array(
      await QRCode.toBuffer(text, { type: 'png', width: px, margin: 2, errorCorrectionLevel: 'M' }),
    );
  }

  async function protocolRoute(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: Query,
  ): Promise<boolean> {
    const method = req.method ?? 'GET';
    if (path === '/sns/jscode2session') {
      if (method !== 'GET') sendJson(res, 405, err(43001, 'require GET method'));
      else sendJson(res, 200, jscode2session(query));
      return true;
    }
    const postRoutes = [
      '/cgi-bin/stable_token',
      '/wxa/business/getuserphonenumber',
      '/cgi-bin/message/subscribe/send',
      '/wxa/getwxacodeunlimit',
    ];
    if (!postRoutes.includes(path)) return false;
    if (method !== 'POST') {
      sendJson(res, 405, err(43002, 'require POST method'));
      return true;
    }
    let body: Record<string, unknown>;
    try {
      body = await readJsonObject(req);
    } catch (e) {
      if (!(e instanceof BodyError)) throw e;
      sendJson(res, 400, err(47001, `data format error hint: ${e.message}`));
      return true;
    }
    if (path === '/cgi-bin/stable_token') {
      sendJson(res, 200, stableToken(body));
      return true;
    }
    const auth = authenticate(query);
    if ('errcode' in auth) {
      sendJson(res, 200, auth);
      return true;
    }
    if (path === '/wxa/business/getuserphonenumber') sendJson(res, 200, getUserPhoneNumber(auth.appid, body));
    else if (path === '/cgi-bin/message/subscribe/send') sendJson(res, 200, sendSubscribe(auth.appid, body));
    else {
      const out = await unlimitedQrCode(auth.appid, body);
      if (out instanceof Uint8Array) sendBytes(res, 'image/png', out);
      else sendJson(res, 200, out);
    }
    return true;
  }

  // ---- client routes (what wx.* would do inside WeChat; used by the H5 build) -----------------------------------

  async function clientBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    try {
      return await readJsonObject(req);
    } catch (e) {
      if (e instanceof BodyError) throw new ClientError(400, `invalid JSON body: ${e.message}`);
      throw e;
    }
  }

  function publicUser(u: SimUser) {
    return { id: u.id, nickname: u.nickname, phoneMasked: maskPhone(u.phone) };
  }

  async function clientRoute(req: IncomingMessage, res: ServerResponse, path: string, query: Query): Promise<void> {
    const method = req.method ?? 'GET';
    const route = `${method} ${path}`;
    switch (route) {
      case 'GET /__sim':
      case 'GET /__sim/':
        res.writeHead(302, { location: '/__sim/inbox.html' });
        res.end();
        return;
      case 'GET /__sim/inbox.html': {
        const userId = query.get('userId') || undefined;
        sendHtml(res, renderInboxPage([...users.values()], sent, userId));
        return;
      }
      case 'GET /__sim/inbox': {
        const userId = query.get('userId') || undefined;
        sendJson(res, 200, { messages: messages(userId) });
        return;
      }
      case 'GET /__sim/users':
        sendJson(res, 200, { users: [...users.values()].map(publicUser) });
        return;
      case 'POST /__sim/users': {
        const body = await clientBody(req);
        if (typeof body.nickname !== 'string' || typeof body.phone !== 'string') {
          throw new ClientError(400, 'nickname and phone are required strings');
        }
        const user = addUser({ nickname: body.nickname, phone: body.phone });
        sendJson(res, 201, {
          ...publicUser(user),
          openids: Object.fromEntries([...apps.keys()].map((a) => [a, openid(a, user.id)])),
        });
        return;
      }
      case 'POST /__sim/login': {
        const body = await clientBody(req);
        requireAppAndUser(body.appid, body.userId);
        sendJson(res, 200, {
          errMsg: 'login:ok',
          code: issueCode('login', body.appid as string, body.userId as string),
        });
        return;
      }
      case 'POST /__sim/phone-code': {
        const body = await clientBody(req);
        requireAppAndUser(body.appid, body.userId);
        const code = issueCode('phone', body.appid as string, body.userId as string);
        sendJson(res, 200, { errMsg: 'getPhoneNumber:ok', code });
        return;
      }
      case 'POST /__sim/subscribe': {
        const body = await clientBody(req);
        const decisions = body.decisions;
        if (typeof decisions !== 'object' || decisions === null || Array.isArray(decisions)) {
          throw new ClientError(400, 'decisions must be an object of templateId -> accept | reject');
        }
        const result = subscribe(
          body.appid as string,
          body.userId as string,
          decisions as Record<string, SubscribeDecision>,
        );
        sendJson(res, 200, { ...result, errMsg: 'requestSubscribeMessage:ok' });
        return;
      }
      case 'POST /__sim/scan-queue': {
        const body = await clientBody(req);
        const { userId, result, scanType } = body;
        if (typeof result !== 'string' || (userId !== undefined && typeof userId !== 'string')) {
          throw new ClientError(400, 'result (string) required; userId optional string');
        }
        if (scanType !== undefined && typeof scanType !== 'string')
          throw new ClientError(400, 'scanType must be a string');
        queueScan({
          userId: userId as string | undefined,
          result,
          scanType: (scanType as string | undefined) ?? 'QR_CODE',
        });
        sendJson(res, 200, { queued: true });
        return;
      }
      case 'POST /__sim/scan': {
        const body = await clientBody(req);
        if (body.userId !== undefined && typeof body.userId !== 'string')
          throw new ClientError(400, 'userId must be a string');
        const own = typeof body.userId === 'string' ? scanQueues.get(body.userId) : undefined;
        const next = own?.shift() ?? scanQueues.get('*')?.shift();
        if (!next) sendJson(res, 404, { errMsg: 'scanCode:fail cancel' });
        else sendJson(res, 200, { errMsg: 'scanCode:ok', charSet: 'utf-8', ...next });
        return;
      }
      case 'POST /__sim/faults': {
        const body = await clientBody(req);
        const { path: faultPath, latencyMs, errcode, errmsg, drop, times } = body;
        if (typeof faultPath !== 'string' || !faultPath) throw new ClientError(400, 'path required');
        const numOrUndef = (v: unknown) => v === undefined || typeof v === 'number';
        if (![latencyMs, errcode, times].every(numOrUndef))
          throw new ClientError(400, 'latencyMs, errcode, times: numbers');
        if (errmsg !== undefined && typeof errmsg !== 'string') throw new ClientError(400, 'errmsg must be a string');
        if (drop !== undefined && typeof drop !== 'boolean') throw new ClientError(400, 'drop must be a boolean');
        setFault(faultPath, {
          latencyMs: latencyMs as number | undefined,
          errcode: errcode as number | undefined,
          errmsg: errmsg as string | undefined,
          drop: drop as boolean | undefined,
          times: times as number | undefined,
        });
        sendJson(res, 200, { ok: true });
        return;
      }
      case 'DELETE /__sim/faults':
        clearFaults(query.get('path') ?? undefined);
        sendJson(res, 200, { ok: true });
        return;
      default:
        throw new ClientError(404, `no such simulator route: ${route}`);
    }
  }

  // ---- dispatch ---------------------------------------------------------------------------------------------------

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    const path = url.pathname;
    const isClient = path === '/__sim' || path.startsWith('/__sim/');
    if (isClient) {
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('access-control-allow-methods', 'GET, POST, DELETE, OPTIONS');
      res.setHeader('access-control-allow-headers', 'content-type');
      res.setHeader('access-control-max-age', '600');
      if (req.method === 'OPTIONS') {
        res.writeHead(204);
        res.end();
        return;
      }
    }
    if (!CLIENT_PATHS_WITHOUT_FAULTS.has(path)) {
      const fault = takeFault(path);
      if (fault) {
        if (fault.latencyMs) await sleep(fault.latencyMs);
        if (fault.drop) {
          req.socket.destroy();
          return;
        }
        if (fault.errcode !== undefined) {
          const errmsg = fault.errmsg ?? DEFAULT_FAULT_MESSAGES[fault.errcode] ?? 'injected fault';
          sendJson(
            res,
            200,
            isClient ? { errMsg: `fail ${errmsg}`, errcode: fault.errcode } : err(fault.errcode, errmsg),
          );
          return;
        }
      }
    }
    if (isClient) {
      try {
        await clientRoute(req, res, path, url.searchParams);
      } catch (e) {
        if (!(e instanceof ClientError)) throw e;
        sendJson(res, e.status, { errMsg: e.message });
      }
      return;
    }
    if (!(await protocolRoute(req, res, path, url.searchParams))) sendJson(res, 404, err(40066, 'invalid url'));
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    route(req, res).catch((e: unknown) => {
      console.error('[wechat-sim] unexpected error', e);
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { errcode: -1, errmsg: 'system error' });
    });
  }

  async function listen(port = 0, host = '127.0.0.1'): Promise<ListeningSimulator> {
    const server = createServer(handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    const hostPart = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return {
      url: `http://${hostPart}:${addr.port}`,
      close: () =>
        new Promise<void>((resolve, reject) => {
          server.close((e) => (e ? reject(e) : resolve()));
          server.closeAllConnections();
        }),
    };
  }

  function messages(userId?: string): SentMessage[] {
    return sent.filter((m) => !userId || m.userId === userId).map((m) => structuredClone(m));
  }

  function clearFaults(path?: string): void {
    if (path) faults.delete(path);
    else faults.clear();
  }

  for (const u of opts.users ?? []) addUser(u);

  return {
    handle,
    listen,
    addUser,
    users: () => [...users.values()].map((u) => ({ ...u })),
    openid: (appid, userId) => {
      requireAppAndUser(appid, userId);
      return openid(appid, userId);
    },
    unionid,
    issueLoginCode: (appid, userId) => issueCode('login', appid, userId),
    issuePhoneCode: (appid, userId) => issueCode('phone', appid, userId),
    subscribe,
    grantsLeft: (appid, userId, templateId) => grants.get(`${appid}|${userId}|${templateId}`) ?? 0,
    queueScan,
    messages,
    setFault,
    clearFaults,
    expireTokens: () => {
      const t = now();
      for (const record of tokens.values()) record.expiresAt = Math.min(record.expiresAt, t);
    },
    stats: (appid) => ({ ...statsFor(appid) }),
  };
}
