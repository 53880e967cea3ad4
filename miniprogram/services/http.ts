import { SessionTokens } from '@shared/contracts/auth';
import { isErrorCode } from '@shared/errors';
import Taro from '@tarojs/taro';
import type { z } from 'zod';
import { ApiError, type ApiErrorCode } from './api-error';
import { type Audience, clearSession, getSession, saveSession } from './session';

const API_BASE = (process.env.TARO_APP_API_BASE ?? '').replace(/\/$/, '');
const TIMEOUT_MS = 15_000;
/** Only GETs are retried: they are idempotent; a repeated POST could e.g. trade a one-time WeChat code twice. */
const GET_RETRY_DELAYS_MS = [300, 1_000];
const RETRYABLE_STATUS = new Set([0, 502, 503, 504]);

export type Auth = Audience | 'none';

export interface ApiRequest<S extends z.ZodType> {
  method: 'GET' | 'POST';
  path: `/api/${string}`;
  body?: unknown;
  /**
   * the contract's schema for `body`: checked (and defaults applied) inside the returned promise, so a value the
   * server would refuse rejects the call like the server's 400 (VALIDATION_FAILED), nothing sent
   */
  bodySchema?: z.ZodType;
  auth: Auth;
  schema: S;
  /** a call that does long work before it answers (a file import): longer than the default 15 s */
  timeoutMs?: number;
}

interface RawResponse {
  status: number;
  data: unknown;
  requestId: string;
}

/** Request ids are for log correlation, not security: Math.random is enough (no crypto in every WeChat runtime). */
const newRequestId = (): string => `req_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function send(
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  token: string | null,
  timeout = TIMEOUT_MS,
): Promise<RawResponse> {
  const requestId = newRequestId();
  const header: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId };
  if (token) header.authorization = `Bearer ${token}`;
  try {
    const res = await Taro.request({
      url: API_BASE + path,
      method,
      data: method === 'GET' ? undefined : (body ?? {}),
      header,
      dataType: 'json',
      timeout,
    });
    let data: unknown = res.data;
    if (typeof data === 'string' && data) {
      try {
        data = JSON.parse(data);
      } catch {
        // leave as text; the caller treats it as an invalid response
      }
    }
    return { status: res.statusCode, data, requestId };
  } catch {
    return { status: 0, data: null, requestId };
  }
}

function errorOf(raw: RawResponse): ApiError {
  if (raw.status === 0) return new ApiError('NETWORK_ERROR', 0, raw.requestId);
  const error = (raw.data as { error?: { code?: unknown; requestId?: unknown; details?: unknown } } | null)?.error;
  const requestId = typeof error?.requestId === 'string' ? error.requestId : raw.requestId;
  let code: ApiErrorCode;
  if (isErrorCode(error?.code)) code = error.code;
  else if (raw.status >= 500) code = raw.status === 503 ? 'UPSTREAM_UNAVAILABLE' : 'INTERNAL';
  else code = 'INVALID_RESPONSE';
  return new ApiError(code, raw.status, requestId, error?.details);
}

const isOk = (status: number) => status >= 200 && status < 300;

async function sendWithRetries(
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  token: string | null,
  timeout?: number,
) {
  let raw = await send(method, path, body, token, timeout);
  if (method !== 'GET') return raw;
  for (const delay of GET_RETRY_DELAYS_MS) {
    if (!RETRYABLE_STATUS.has(raw.status)) break;
    await sleep(delay);
    raw = await send(method, path, body, token, timeout);
  }
  return raw;
}

/** One refresh at a time per audience: parallel calls that all hit TOKEN_EXPIRED share it. */
const refreshing: Partial<Record<Audience, Promise<string>>> = {};

function refresh(audience: Audience, refreshToken: string): Promise<string> {
  const pending = refreshing[audience];
  if (pending) return pending;
  const task = (async () => {
    const raw = await send('POST', '/api/auth/refresh', { refreshToken }, null);
    if (!isOk(raw.status)) {
      const error = errorOf(raw);
      // An answer from the server that rejects the refresh token ends the session; a network failure does not.
      if (error.status !== 0 && error.status < 500) clearSession(audience);
      throw error;
    }
    const tokens = SessionTokens.safeParse(raw.data);
    if (!tokens.success) throw new ApiError('INVALID_RESPONSE', raw.status, raw.requestId);
    return saveSession(audience, tokens.data).accessToken;
  })();
  refreshing[audience] = task;
  return task.finally(() => {
    delete refreshing[audience];
  });
}

/** Calls the API and parses the answer with the contract schema; throws ApiError on any failure. */
export async function apiRequest<S extends z.ZodType>(request: ApiRequest<S>): Promise<z.output<S>> {
  let req = request;
  if (req.bodySchema) {
    const body = req.bodySchema.safeParse(req.body);
    if (!body.success) throw new ApiError('VALIDATION_FAILED', 400, '');
    req = { ...req, body: body.data };
  }
  let token: string | null = null;
  if (req.auth !== 'none') {
    const session = getSession(req.auth);
    if (!session) throw new ApiError('UNAUTHENTICATED', 401, '');
    token = session.accessToken;
  }

  let raw = await sendWithRetries(req.method, req.path, req.body, token, req.timeoutMs);
  if (!isOk(raw.status) && req.auth !== 'none' && errorOf(raw).code === 'TOKEN_EXPIRED') {
    const session = getSession(req.auth);
    if (!session) throw errorOf(raw);
    token = await refresh(req.auth, session.refreshToken);
    raw = await sendWithRetries(req.method, req.path, req.body, token, req.timeoutMs);
  }
  if (!isOk(raw.status)) throw errorOf(raw);

  const parsed = req.schema.safeParse(raw.data);
  if (!parsed.success) throw new ApiError('INVALID_RESPONSE', raw.status, raw.requestId);
  return parsed.data;
}
