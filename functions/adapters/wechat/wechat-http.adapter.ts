import { z } from 'zod';
import {
  isTokenError,
  isWeChatError,
  type SubscribeMessage,
  type UnlimitedQrCodeRequest,
  type WeChatApi,
  WeChatErrcode,
  WeChatError,
} from './wechat.port.js';

export const WECHAT_PRODUCTION_BASE_URL = 'https://api.weixin.qq.com';

export interface WeChatHttpOptions {
  /** https://api.weixin.qq.com in production; the simulator's URL locally. */
  baseUrl: string;
  appid: string;
  secret: string;
  fetch?: typeof fetch;
  now?: () => number;
  /** Per attempt, covering connect, headers and body. */
  timeoutMs?: number;
  /** Waits before each retry of errcode -1 (system busy); its length is the number of retries. */
  busyRetryDelaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
}

const PATHS = {
  code2Session: '/sns/jscode2session',
  stableToken: '/cgi-bin/stable_token',
  phoneNumber: '/wxa/business/getuserphonenumber',
  subscribeSend: '/cgi-bin/message/subscribe/send',
  unlimitedQr: '/wxa/getwxacodeunlimit',
} as const;

// Refresh ahead of expiry so a call never leaves with a token that dies in flight (WeChat's own advice: 5 minutes).
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

const ErrorBody = z.object({ errcode: z.number(), errmsg: z.string().optional() });
const StableTokenResponse = z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive() });
const Code2SessionResponse = z.object({
  openid: z.string().min(1),
  session_key: z.string().min(1),
  unionid: z.string().min(1).optional(),
});
const PhoneNumberResponse = z.object({
  phone_info: z.object({
    phoneNumber: z.string(),
    purePhoneNumber: z.string().min(1),
    countryCode: z.string().min(1),
    watermark: z.object({ timestamp: z.number(), appid: z.string() }),
  }),
});
const SubscribeSendResponse = z.object({ msgid: z.union([z.number(), z.string()]) });

type Outcome = { type: 'json'; body: unknown; text: string } | { type: 'image'; bytes: Uint8Array };

interface CallOptions {
  method: 'GET' | 'POST';
  query?: Record<string, string>;
  body?: unknown;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function transportError(path: string, cause: unknown): WeChatError {
  const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
  return new WeChatError({
    errcode: timedOut ? WeChatErrcode.TIMEOUT : WeChatErrcode.NETWORK,
    errmsg: timedOut ? 'request timed out' : `network error: ${cause instanceof Error ? cause.message : String(cause)}`,
    path,
    kind: timedOut ? 'timeout' : 'network',
    retryable: true,
    // The request may have reached WeChat and been executed before the answer was lost.
    outcomeUnknown: true,
    cause,
  });
}

function protocolError(path: string, errmsg: string, retryable = false): WeChatError {
  return new WeChatError({ errcode: WeChatErrcode.BAD_RESPONSE, errmsg, path, kind: 'protocol', retryable });
}

function parseJson<S extends z.ZodType>(schema: S, outcome: Outcome, path: string): z.output<S> {
  if (outcome.type !== 'json') throw protocolError(path, 'expected JSON, got an image');
  const parsed = schema.safeParse(outcome.body);
  if (!parsed.success) throw protocolError(path, `unexpected response shape: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * WeChat server API over HTTPS (or the simulator over HTTP).
 *
 * Retry policy, per call:
 * - errcode -1 (system busy): WeChat did not process the call; retried up to busyRetryDelaysMs.length times.
 * - 40001/42001: the token is renewed once and the call repeated once. Renewal first asks stable_token in normal
 *   mode, which returns the current token if another instance already refreshed it; force_refresh is used only when
 *   that gives back the rejected token, because a forced refresh revokes the token every other instance holds and is
 *   capped per day.
 * - Lost connection or timeout: retried only where repeating cannot act twice (stable_token in normal mode, QR
 *   codes). Never for subscribe sends: the message may have been delivered and the user's one-time grant consumed, so
 *   a blind resend could notify twice when the user holds several grants. Never for code exchanges: the code may
 *   have been consumed and a repeat would only turn the lost answer into a misleading 40029. These surface as
 *   WeChatError { retryable: true, outcomeUnknown: true } for the caller (outbox, use case) to decide.
 * - 45009/45011 quota limits are not retried here (they last minutes); they surface as retryable.
 */
export function createWeChatHttpApi(opts: WeChatHttpOptions): WeChatApi {
  const fetchImpl = opts.fetch ?? globalThis.fetch;
  const now = opts.now ?? (() => Date.now());
  const timeoutMs = opts.timeoutMs ?? 5000;
  const busyDelays = opts.busyRetryDelaysMs ?? [100, 300];
  const sleep = opts.sleep ?? defaultSleep;
  const base = opts.baseUrl.replace(/\/+$/, '');

  let cached: { token: string; refreshAt: number } | null = null;
  let tokenInflight: Promise<string> | null = null;
  let forceInflight: Promise<string> | null = null;

  async function attempt(path: string, call: CallOptions): Promise<Outcome> {
    const qs = call.query ? `?${new URLSearchParams(call.query)}` : '';
    let res: Response;
    let buf: ArrayBuffer;
    try {
      res = await fetchImpl(`${base}${path}${qs}`, {
        method: call.method,
        headers: call.body === undefined ? undefined : { 'content-type': 'application/json' },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      buf = await res.arrayBuffer();
    } catch (cause) {
      throw transportError(path, cause);
    }
    const contentType = res.headers.get('content-type') ?? '';
    if (res.ok && contentType.startsWith('image/')) return { type: 'image', bytes: new Uint8Array(buf) };
    const text = new TextDecoder().decode(buf);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // A gateway page (502/504) rather than WeChat's JSON: worth another try later.
      throw protocolError(path, `HTTP ${res.status} with non-JSON ${contentType || 'body'}`, res.status >= 500);
    }
    const error = ErrorBody.safeParse(body);
    if (error.success && error.data.errcode !== 0) {
      throw new WeChatError({ errcode: error.data.errcode, errmsg: error.data.errmsg ?? '', path });
    }
    if (!res.ok) throw protocolError(path, `HTTP ${res.status}`, res.status >= 500);
    return { type: 'json', body, text };
  }

  async function withRetries(path: string, call: CallOptions, retryTransport: boolean): Promise<Outcome> {
    for (let i = 0; ; i++) {
      try {
        return await attempt(path, call);
      } catch (e) {
        const retry =
          i < busyDelays.length &&
          isWeChatError(e) &&
          (e.errcode === WeChatErrcode.SYSTEM_BUSY ||
            (retryTransport && (e.kind === 'network' || e.kind === 'timeout')));
        if (!retry) throw e;
        await sleep(busyDelays[i]);
      }
    }
  }

  async function fetchToken(force: boolean): Promise<string> {
    const outcome = await withRetries(
      PATHS.stableToken,
      {
        method: 'POST',
        body: { grant_type: 'client_credential', appid: opts.appid, secret: opts.secret, force_refresh: force },
      },
      // A forced refresh is counted against a daily cap and revokes the previous token: do not repeat it blindly.
      !force,
    );
    const { access_token, expires_in } = parseJson(StableTokenResponse, outcome, PATHS.stableToken);
    const ttlMs = expires_in * 1000;
    // stable_token returns the remaining lifetime; a token handed out late in its life is kept for half of what is left.
    cached = { token: access_token, refreshAt: now() + ttlMs - Math.min(TOKEN_REFRESH_MARGIN_MS, ttlMs / 2) };
    return access_token;
  }

  function normalToken(): Promise<string> {
    tokenInflight ??= fetchToken(false).finally(() => {
      tokenInflight = null;
    });
    return tokenInflight;
  }

  function getToken(): Promise<string> {
    if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
    return normalToken();
  }

  async function renewToken(rejected: string): Promise<string> {
    if (cached && cached.token !== rejected && now() < cached.refreshAt) return cached.token;
    cached = null;
    const fresh = await normalToken();
    if (fresh !== rejected) return fresh;
    forceInflight ??= fetchToken(true).finally(() => {
      forceInflight = null;
    });
    return forceInflight;
  }

  async function withToken(path: string, body: unknown, retryTransport: boolean): Promise<Outcome> {
    const run = (token: string) =>
      withRetries(path, { method: 'POST', query: { access_token: token }, body }, retryTransport);
    const token = await getToken();
    try {
      return await run(token);
    } catch (e) {
      if (!isTokenError(e)) throw e;
      return run(await renewToken(token));
    }
  }

  return {
    async code2Session(code) {
      const outcome = await withRetries(
        PATHS.code2Session,
        {
          method: 'GET',
          query: { appid: opts.appid, secret: opts.secret, js_code: code, grant_type: 'authorization_code' },
        },
        false,
      );
      const res = parseJson(Code2SessionResponse, outcome, PATHS.code2Session);
      return { openid: res.openid, unionid: res.unionid ?? null, sessionKey: res.session_key };
    },

    async getPhoneNumber(code) {
      const outcome = await withToken(PATHS.phoneNumber, { code }, false);
      const { phone_info } = parseJson(PhoneNumberResponse, outcome, PATHS.phoneNumber);
      // The watermark names the app the number was issued to; anything else means a confused deputy or a proxy bug.
      if (phone_info.watermark.appid !== opts.appid) {
        throw protocolError(PATHS.phoneNumber, `phone watermark appid ${phone_info.watermark.appid} is not ours`);
      }
      return { phone: phone_info.purePhoneNumber, countryCode: phone_info.countryCode };
    },

    async sendSubscribeMessage(msg: SubscribeMessage) {
      const body = {
        touser: msg.touser,
        template_id: msg.templateId,
        page: msg.page,
        data: Object.fromEntries(Object.entries(msg.data).map(([k, value]) => [k, { value }])),
        miniprogram_state: msg.state,
        lang: 'zh_CN',
      };
      const outcome = await withToken(PATHS.subscribeSend, body, false);
      const parsed = parseJson(SubscribeSendResponse, outcome, PATHS.subscribeSend);
      // msgid is an int64 JSON number: read its digits from the raw text, JSON.parse would round it past 2^53.
      const raw = outcome.type === 'json' ? /"msgid"\s*:\s*"?(\d+)/.exec(outcome.text)?.[1] : undefined;
      return { msgid: raw ?? String(parsed.msgid) };
    },

    async getUnlimitedQrCode(req: UnlimitedQrCodeRequest) {
      const body = {
        scene: req.scene,
        page: req.page,
        width: req.width,
        check_path: req.checkPath,
        env_version: req.envVersion,
      };
      const outcome = await withToken(PATHS.unlimitedQr, body, true);
      if (outcome.type !== 'image') throw protocolError(PATHS.unlimitedQr, 'expected image bytes, got JSON');
      return outcome.bytes;
    },
  };
}
