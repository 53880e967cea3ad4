/**
 * The WeChat server API as use cases see it. Production talks to api.weixin.qq.com, local runs and tests to the
 * simulator in dev/wechat-sim (same wire protocol); unit tests may implement this interface with a fake.
 */
export interface WeChatApi {
  /** Exchanges a wx.login code (single use, 5 minutes) for the member's ids. unionid is null when the app is not bound
   * to an open-platform account. sessionKey must never leave the server. */
  code2Session(code: string): Promise<{ openid: string; unionid: string | null; sessionKey: string }>;
  /** Exchanges a getPhoneNumber button code (single use, 5 minutes; WeChat bills each successful call).
   * phone is the purePhoneNumber, without country code. */
  getPhoneNumber(code: string): Promise<{ phone: string; countryCode: string }>;
  /** Sends a subscribe message; each send consumes one of the user's one-time grants for that template (43101 when
   * none is left). data values are plain strings; the adapter wraps them as { value }. */
  sendSubscribeMessage(msg: SubscribeMessage): Promise<{ msgid: string }>;
  /** Image bytes of an unlimited mini-program code. The simulator answers PNG; check magic bytes before assuming a
   * format from WeChat itself. scene: at most 32 chars of [0-9A-Za-z!#$&'()*+,/:;=?@-._~]. */
  getUnlimitedQrCode(req: UnlimitedQrCodeRequest): Promise<Uint8Array>;
}

export interface SubscribeMessage {
  /** openid of the receiver in this app. */
  touser: string;
  templateId: string;
  /** Mini-program page opened from the notification, e.g. 'pages/refill/index?id=1'. */
  page?: string;
  data: Record<string, string>;
  /** Which build the notification opens; WeChat defaults to formal. */
  state?: 'developer' | 'trial' | 'formal';
}

export interface UnlimitedQrCodeRequest {
  scene: string;
  /** Without a leading '/' and without query parameters (parameters belong in scene). */
  page?: string;
  width?: number;
  /** false lets a not-yet-published page be encoded (WeChat otherwise answers 41030). */
  checkPath?: boolean;
  envVersion?: 'release' | 'trial' | 'develop';
}

/** errcodes the code reacts to; WeChat documents many more, all surfaced as WeChatError. */
export const WeChatErrcode = {
  SYSTEM_BUSY: -1,
  INVALID_CREDENTIAL: 40001,
  INVALID_OPENID: 40003,
  INVALID_APPID: 40013,
  INVALID_CODE: 40029,
  INVALID_APPSECRET: 40125,
  INVALID_SCENE: 40169,
  /** High-risk user: WeChat refuses the code exchange. */
  CODE_BLOCKED: 40226,
  INVALID_PAGE: 41030,
  ACCESS_TOKEN_EXPIRED: 42001,
  /** The user holds no one-time grant (left) for this template. */
  CONSENT_EXHAUSTED: 43101,
  QUOTA_LIMIT: 45009,
  MINUTE_QUOTA_LIMIT: 45011,
  DATA_FORMAT_ERROR: 47001,
  ARGUMENT_INVALID: 47003,
  // Not WeChat's: failures before a WeChat answer was read.
  NETWORK: -1001,
  TIMEOUT: -1002,
  BAD_RESPONSE: -1003,
} as const;

export type WeChatErrorKind = 'api' | 'network' | 'timeout' | 'protocol';

// Busy and quota errors pass with time; a lost connection or an unreadable answer may too.
const RETRYABLE_ERRCODES = new Set<number>([
  WeChatErrcode.SYSTEM_BUSY,
  WeChatErrcode.QUOTA_LIMIT,
  WeChatErrcode.MINUTE_QUOTA_LIMIT,
]);

export function isRetryableErrcode(errcode: number): boolean {
  return RETRYABLE_ERRCODES.has(errcode);
}

export class WeChatError extends Error {
  override readonly name = 'WeChatError';
  readonly errcode: number;
  readonly errmsg: string;
  /** API path without query (the query may carry secrets or codes). */
  readonly path: string;
  readonly kind: WeChatErrorKind;
  /** Whether the same call may succeed later. */
  readonly retryable: boolean;
  /** The request may have been executed although no answer arrived (e.g. a send whose connection dropped). */
  readonly outcomeUnknown: boolean;

  constructor(init: {
    errcode: number;
    errmsg: string;
    path: string;
    kind?: WeChatErrorKind;
    retryable?: boolean;
    outcomeUnknown?: boolean;
    cause?: unknown;
  }) {
    super(`WeChat ${init.path} failed: ${init.errcode} ${init.errmsg}`, { cause: init.cause });
    this.errcode = init.errcode;
    this.errmsg = init.errmsg;
    this.path = init.path;
    this.kind = init.kind ?? 'api';
    this.retryable = init.retryable ?? (this.kind !== 'api' || isRetryableErrcode(init.errcode));
    this.outcomeUnknown = init.outcomeUnknown ?? false;
  }
}

export const isWeChatError = (e: unknown): e is WeChatError => e instanceof WeChatError;

/** The wx.login or phone code was unknown, used, expired or for another app: ask the client for a fresh one. */
export const isInvalidCode = (e: unknown): e is WeChatError =>
  isWeChatError(e) && e.errcode === WeChatErrcode.INVALID_CODE;

/** No one-time subscription left: an expected outcome for reminder senders, not a failure to retry. */
export const isConsentExhausted = (e: unknown): e is WeChatError =>
  isWeChatError(e) && e.errcode === WeChatErrcode.CONSENT_EXHAUSTED;

export const isRateLimited = (e: unknown): e is WeChatError =>
  isWeChatError(e) && (e.errcode === WeChatErrcode.QUOTA_LIMIT || e.errcode === WeChatErrcode.MINUTE_QUOTA_LIMIT);

export const isTokenError = (e: unknown): e is WeChatError =>
  isWeChatError(e) &&
  (e.errcode === WeChatErrcode.INVALID_CREDENTIAL || e.errcode === WeChatErrcode.ACCESS_TOKEN_EXPIRED);
