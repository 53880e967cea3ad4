/**
 * The endpoint wrapper: everything every handler needs, done once. Method guard, request id, raw body,
 * JSON and zod validation (strict), authentication, the access decision from the one policy, domain error
 * code → HTTP status, and unknown errors → 500 with a generic body and a logged cause.
 * Handlers keep the @vercel/node signature `(req, res)` so Vercel and the local runner call them alike.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { type Action, type Actor, type Decision, decide, type Resource } from '../../shared/access/policy.js';
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from '../../shared/errors.js';
import { UNSTORABLE_TEXT, unstorableTextPath } from '../../shared/storable-text.js';
import type { IntegrationLogEntry } from '../adapters/db/repos/identity.repo.js';
import { newRequestId } from '../adapters/ids.js';
import { resolveActor, resolveCron, resolvePartner } from '../app/auth/resolve-actor.js';
import { type Deps, getDeps } from '../app/deps.js';
import { AppError } from './app-error.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/**
 * Who may call: `none` = anyone (the policy still decides), `member`/`staff` = a valid session of that kind,
 * `partner` = a signed server-to-server request (POS, mall, WeCom; functions/adapters/auth/partner-signature.ts),
 * `cron` = a scheduled job: `Authorization: Bearer $CRON_SECRET`, as Vercel crons send it.
 */
export type AuthKind = 'none' | 'member' | 'staff' | 'partner' | 'cron';

export interface EndpointDefinition<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  method: Method;
  auth: AuthKind;
  action: Action;
  body?: B;
  query?: Q;
  /** the resource the action applies to, loaded after validation; default: none */
  resource?: (input: { body: Infer<B>; query: Infer<Q>; deps: Deps; actor: Actor }) => Promise<Resource> | Resource;
  maxBodyBytes?: number;
  /**
   * The body's array (`records`, `orders`) whose items the handler judges one by one: text that cannot be stored
   * (a NUL, an unpaired surrogate) in one item refuses that item, not the whole request
   */
  itemsJudgedAlone?: string;
  /**
   * A partner endpoint whose handler writes its own integration-log row (the batch ingests, with their counts):
   * the wrapper then logs only the calls that never reached the handler (a bad signature, a malformed body).
   */
  logsItself?: boolean;
}

/** What the wrapper learns while answering, for the log of a partner's call. */
interface CallContext {
  deps: Deps | null;
  key: { keyId: string; source: string; storeId: string | null } | null;
  handled: boolean;
}

/** Refusals that say the partner's integration is broken, not that the business said no. */
const INTEGRATION_FAILURES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'SIGNATURE_INVALID',
  'SIGNATURE_EXPIRED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_JSON',
  'VALIDATION_FAILED',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'METHOD_NOT_ALLOWED',
]);

/**
 * One call of a partner system as an integration-log row. A business refusal (a coupon already used, a threshold
 * not met) is the integration working: `ok`, its code kept in the summary. A bad signature, a malformed payload or
 * a server error is `failed`, with the reason. Never the payload (it carries members' codes and amounts).
 */
function partnerCallEntry(
  action: Action,
  req: IncomingMessage,
  call: CallContext,
  reply: Reply,
  requestId: string,
  started: number,
): IntegrationLogEntry {
  const now = call.deps?.clock.now() ?? new Date();
  const latencyMs = performance.now() - started;
  const code = reply.kind === 'error' ? reply.code : null;
  const failed = code !== null && (INTEGRATION_FAILURES.has(code) || ERROR_STATUS[code] >= 500);
  const header = req.headers['x-medloop-key'];
  const claimedKey = (Array.isArray(header) ? header[0] : header)?.slice(0, 64) ?? null;
  return {
    at: new Date(now.getTime() - latencyMs),
    source: call.key?.source ?? 'unknown',
    direction: 'inbound',
    operation: action,
    keyId: call.key?.keyId ?? claimedKey,
    storeId: call.key?.storeId ?? null,
    status: failed ? 'failed' : 'ok',
    latencyMs,
    records: 1,
    accepted: failed ? 0 : 1,
    rejected: failed ? 1 : 0,
    error: failed && reply.kind === 'error' ? `${code}: ${(reply.message ?? '').slice(0, 300)}` : null,
    requestId,
    summary: code === null ? null : { code },
  };
}

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface HandlerContext<B, Q> {
  deps: Deps;
  actor: Actor;
  decision: Decision;
  body: B;
  query: Q;
  rawBody: Buffer;
  requestId: string;
  req: IncomingMessage;
}

export type Reply =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'binary'; status: number; contentType: string; body: Uint8Array; headers?: Record<string, string> }
  | { kind: 'error'; code: ErrorCode; message?: string; details?: unknown; headers?: Record<string, string> };

/** A JSON reply parsed through its response schema on the way out, so database columns never leak. */
export function json<S extends z.ZodType>(status: number, schema: S, value: z.input<S>): Reply {
  return { kind: 'json', status, body: schema.parse(value) };
}

export function failure(code: ErrorCode, message?: string, details?: unknown, headers?: Record<string, string>): Reply {
  return { kind: 'error', code, message, details, headers };
}

/** Turns a use case's Result into a reply. */
export function fromResult<T, S extends z.ZodType>(
  result: { ok: true; value: T } | { ok: false; code: ErrorCode; message?: string; details?: unknown },
  schema: S,
  status = 200,
): Reply {
  return result.ok
    ? json(status, schema, result.value as z.input<S>)
    : failure(result.code, result.message, result.details);
}

export type VercelStyleHandler = ((req: IncomingMessage, res: ServerResponse) => Promise<void>) & {
  definition: EndpointDefinition<z.ZodType | undefined, z.ZodType | undefined>;
};

const DEFAULT_MESSAGES: Partial<Record<ErrorCode, string>> = {
  BAD_JSON: 'request body is not valid JSON',
  VALIDATION_FAILED: 'request failed validation',
  METHOD_NOT_ALLOWED: 'method not allowed',
  UNAUTHENTICATED: 'a session token is required',
  TOKEN_EXPIRED: 'the session token has expired',
  TOKEN_INVALID: 'the session token is invalid',
  FORBIDDEN: 'not allowed',
  INTERNAL: 'internal error',
};

export function endpoint<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
  definition: EndpointDefinition<B, Q>,
  handler: (ctx: HandlerContext<Infer<B>, Infer<Q>>) => Promise<Reply>,
): VercelStyleHandler {
  const run = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = pickRequestId(req.headers['x-request-id']);
    const started = performance.now();
    const call: CallContext = { deps: null, key: null, handled: false };
    const reply = await answer(req, requestId, call);
    send(res, requestId, reply);
    // a partner's call (POS, mall, WeCom) goes into the integration log after its answer is on its way
    if (definition.auth === 'partner' && call.deps && !(definition.logsItself && call.handled))
      await call.deps.callLog.record(partnerCallEntry(definition.action, req, call, reply, requestId, started));
  };

  const answer = async (req: IncomingMessage, requestId: string, call: CallContext): Promise<Reply> => {
    let deps: Deps | null = null;
    try {
      if (req.method === 'OPTIONS') return { kind: 'json', status: 204, body: null };
      if (req.method !== definition.method && !(definition.method === 'GET' && req.method === 'HEAD')) {
        return failure('METHOD_NOT_ALLOWED', `use ${definition.method}`, undefined, { allow: definition.method });
      }
      deps = await getDeps();
      call.deps = deps;
      const rawBody = await readBody(req, definition.maxBodyBytes ?? 256 * 1024);
      // a partner's signature covers the raw bytes: checked before the body is parsed, so an unsigned payload is
      // never parsed and a malformed one from a known key is logged as that partner's
      const auth = definition.auth;
      const partner =
        auth === 'partner'
          ? await resolvePartner(deps, req, rawBody, (key) => {
              call.key = key;
            })
          : null;
      const body = parseBody(rawBody, req, definition.body, definition.itemsJudgedAlone);
      const query = parseQuery(req, definition.query);
      const actor =
        auth === 'partner'
          ? (partner as Actor)
          : auth === 'cron'
            ? resolveCron(deps, readBearer(req.headers.authorization))
            : await resolveActor(deps, readBearer(req.headers.authorization), auth);
      const input = { body: body as Infer<B>, query: query as Infer<Q>, deps, actor };
      const resource = definition.resource ? await definition.resource(input) : ({ kind: 'none' } as const);
      const decision = decide(actor, definition.action, resource);
      if (decision === 'deny') {
        throw new AppError(
          actor.kind === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN',
          `${actor.kind} may not ${definition.action}`,
        );
      }
      call.handled = true;
      // spelled out, not `{ ...input, … }`: V8 may allocate a spread's result straight in the old generation,
      // and a dead old object pointing at this request's young objects keeps them alive through every young
      // collection until the next full one (measured: ~0.8 KB of every request survived two scavenges, and each
      // scavenge took ~3 ms instead of ~0.5)
      return await handler({
        body: input.body,
        query: input.query,
        deps,
        actor,
        decision,
        rawBody,
        requestId,
        req,
      });
    } catch (error) {
      if (error instanceof AppError) {
        if (ERROR_STATUS[error.code] >= 500) {
          (deps?.log ?? console).error?.('request failed', {
            requestId,
            code: error.code,
            cause: describeForLog(error),
          });
        }
        return failure(error.code, error.message, error.options.details);
      }
      const log = deps?.log;
      const fields = { requestId, path: req.url, cause: describeForLog(error) };
      if (log) log.error('unhandled error', fields);
      else console.error(JSON.stringify({ level: 'error', msg: 'unhandled error', ...fields }));
      return failure('INTERNAL', 'internal error');
    }
  };
  return Object.assign(run, { definition }) as unknown as VercelStyleHandler;
}

function send(res: ServerResponse, requestId: string, reply: Reply): void {
  res.setHeader('x-request-id', requestId);
  res.setHeader('cache-control', 'no-store');
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  if (reply.kind === 'error') {
    const body: ErrorBody = {
      error: {
        code: reply.code,
        message: reply.message ?? DEFAULT_MESSAGES[reply.code] ?? reply.code.toLowerCase().replaceAll('_', ' '),
        requestId,
        ...(reply.details === undefined ? {} : { details: reply.details }),
      },
    };
    writeJson(res, ERROR_STATUS[reply.code], body);
    return;
  }
  if (reply.kind === 'binary') {
    res.statusCode = reply.status;
    res.setHeader('content-type', reply.contentType);
    res.end(Buffer.from(reply.body));
    return;
  }
  if (reply.status === 204) {
    res.statusCode = 204;
    res.end();
    return;
  }
  writeJson(res, reply.status, reply.body);
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

function pickRequestId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[\w-]{8,64}$/.test(value) ? value : newRequestId();
}

function readBearer(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new AppError('TOKEN_INVALID', 'authorization header must be "Bearer <token>"');
  return match[1];
}

/**
 * Reads the exact bytes with `on('data')`: under Vercel's helpers `for await` yields nothing, and signature
 * checks (POS, WeChat Pay) need the raw body anyway.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (req.method === 'GET' || req.method === 'HEAD') return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit && !failed) {
        failed = true;
        reject(new AppError('PAYLOAD_TOO_LARGE', `body exceeds ${limit} bytes`));
      }
      if (!failed) chunks.push(chunk);
    });
    req.on('end', () => !failed && resolve(Buffer.concat(chunks)));
    req.on('error', (e) => !failed && reject(e));
  });
}

/** Strict: a byte sequence that is not UTF-8 throws instead of turning into U+FFFD. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function parseBody(
  raw: Buffer,
  req: IncomingMessage,
  schema: z.ZodType | undefined,
  itemsJudgedAlone: string | undefined,
): unknown {
  if (!schema) {
    if (raw.length > 0) throw new AppError('VALIDATION_FAILED', 'this endpoint takes no request body');
    return undefined;
  }
  const type = String(req.headers['content-type'] ?? '');
  if (raw.length > 0 && !/^application\/json\b/i.test(type)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  }
  // JSON is UTF-8 (RFC 8259). Chinese till software often writes GBK: decoded as UTF-8 its names became U+FFFD and
  // were stored so, answered 200; a declared other charset, or bytes that are not UTF-8, are refused instead
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new AppError('BODY_NOT_UTF8', `send the body in UTF-8, not ${charset}`);
  }
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    throw new AppError('BODY_NOT_UTF8', 'request body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = raw.length === 0 ? undefined : JSON.parse(text);
  } catch {
    throw new AppError('BAD_JSON', 'request body is not valid JSON');
  }
  refuseDeepNesting(value);
  refuseUnstorableText(
    itemsJudgedAlone && value !== null && typeof value === 'object' && !Array.isArray(value)
      ? { ...value, [itemsJudgedAlone]: null }
      : value,
    'body',
  );
  return validate(schema, value, 'body');
}

/** No contract nests half as deep; the checks and the validation after this walk a body recursively. */
export const MAX_BODY_DEPTH = 32;

/**
 * A body nested deeper than MAX_BODY_DEPTH is refused before anything walks it: a 256 KB body of `[[[…]]]` is
 * 100,000 levels, and the recursive walks overflowed the stack, a 500 on every route (a security walk sent it).
 * Iterative, so the check itself cannot overflow.
 */
function refuseDeepNesting(value: unknown): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_BODY_DEPTH) {
      throw new AppError('VALIDATION_FAILED', `invalid body: nested deeper than ${MAX_BODY_DEPTH} levels`, {
        details: { issues: [{ path: 'body', message: `nested deeper than ${MAX_BODY_DEPTH} levels` }] },
      });
    }
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
}

/** PostgreSQL keeps no NUL and no unpaired surrogate: such text is refused here, before anything is written. */
function refuseUnstorableText(value: unknown, where: 'body' | 'query'): void {
  const path = unstorableTextPath(value);
  if (path === null) return;
  const at = path === '' ? where : `${where}.${path}`;
  throw new AppError('VALIDATION_FAILED', `invalid ${where}: ${at} ${UNSTORABLE_TEXT}`, {
    details: { issues: [{ path: at, message: UNSTORABLE_TEXT }] },
  });
}

function parseQuery(req: IncomingMessage, schema: z.ZodType | undefined): unknown {
  if (!schema) return undefined;
  const fromVercel = (req as IncomingMessage & { query?: Record<string, string | string[]> }).query;
  const query: Record<string, string | string[]> = fromVercel ? { ...fromVercel } : {};
  if (!fromVercel) {
    const url = new URL(req.url ?? '/', 'http://local');
    for (const key of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(key);
      query[key] = all.length > 1 ? all : all[0];
    }
  }
  refuseUnstorableText(query, 'query');
  return validate(schema, query, 'query');
}

function validate(schema: z.ZodType, value: unknown, where: 'body' | 'query'): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: [where, ...i.path].join('.'), message: i.message }));
  throw new AppError(
    'VALIDATION_FAILED',
    `invalid ${where}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
    {
      details: { issues },
    },
  );
}

/**
 * An error for the log, without members' data: drizzle's message ends with the query's parameters (names, phones,
 * payloads), which are left out; the database's own error keeps its code.
 */
export function describeForLog(error: unknown): string {
  if (error instanceof Error) {
    const message = error.message.replace(/\nparams: [\s\S]*$/, '\nparams: (withheld)');
    const code = (error as { code?: unknown }).code;
    return `${error.name}: ${message}${typeof code === 'string' ? ` [${code}]` : ''}${error.cause ? ` (cause: ${describeForLog(error.cause)})` : ''}`;
  }
  return String(error);
}
