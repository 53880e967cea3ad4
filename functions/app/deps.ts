/**
 * The process-wide dependencies, built once from the parsed environment by a plain factory (no container).
 * On Vercel the first request of a cold instance builds them; the local runner and tests install their own.
 */
import { parseServerEnv, type ServerEnv } from '../../config/env.js';
import { createTokenService, type TokenService } from '../adapters/auth/tokens.js';
import { type Clock, systemClock } from '../adapters/clock.js';
import { type Database, openDatabase } from '../adapters/db/client.js';
import { createIdentityRepo, insertIntegrationLog } from '../adapters/db/repos/identity.repo.js';
import type { WeChatApi } from '../adapters/wechat/wechat.port.js';
import { createWeChatHttpApi } from '../adapters/wechat/wechat-http.adapter.js';
import { withCallLog } from '../adapters/wechat/wechat-logged.js';
import { type CallLog, createCallLog } from './call-log.js';
import { createLogger, type Logger } from './logger.js';

export interface Deps {
  env: ServerEnv;
  database: Database;
  wechat: WeChatApi;
  clock: Clock;
  tokens: TokenService;
  log: Logger;
  /** the integration log of single partner calls (functions/app/call-log.ts) */
  callLog: CallLog;
}

let current: Promise<Deps> | null = null;

export function installDeps(deps: Deps | Promise<Deps>): void {
  current = Promise.resolve(deps);
}

export function getDeps(): Promise<Deps> {
  current ??= buildDeps(parseServerEnv(process.env)).catch((error) => {
    current = null; // a failed cold start must not poison the instance forever
    throw error;
  });
  return current;
}

export async function buildDeps(
  env: ServerEnv,
  overrides: Partial<Pick<Deps, 'database' | 'wechat' | 'clock' | 'log'>> = {},
): Promise<Deps> {
  const clock = overrides.clock ?? systemClock;
  const database =
    overrides.database ??
    (await openDatabase(
      env.DATABASE_URL
        ? {
            kind: 'neon',
            url: env.DATABASE_URL,
            wsProxy: env.NEON_WS_PROXY,
            poolMax: env.DB_POOL_MAX,
            batchInFlight: env.DB_BATCH_IN_FLIGHT,
          }
        : { kind: 'pglite', dataDir: env.PGLITE_DIR },
    ));
  const log = overrides.log ?? createLogger(env.LOG_LEVEL);
  // every call out to WeChat lands in the integration log HQ's health page reads
  const wechat = withCallLog(
    overrides.wechat ??
      createWeChatHttpApi({ baseUrl: env.WECHAT_API_BASE, appid: env.WECHAT_APPID, secret: env.WECHAT_SECRET }),
    {
      now: () => clock.now(),
      record: (call) =>
        createIdentityRepo(database.db).logIntegration({
          at: call.at,
          source: 'wechat',
          direction: 'outbound',
          operation: call.operation,
          keyId: null,
          storeId: null,
          status: call.status,
          latencyMs: call.latencyMs,
          records: 1,
          accepted: call.status === 'ok' ? 1 : 0,
          rejected: call.status === 'ok' ? 0 : 1,
          error: call.error,
          requestId: null,
          summary: null,
        }),
      onLogError: (error) =>
        log.warn('integration log write failed', { error: error instanceof Error ? error.message : String(error) }),
    },
  );
  const tokens = createTokenService(
    {
      secret: env.JWT_SECRET,
      issuer: env.JWT_ISSUER,
      accessTtlSeconds: env.ACCESS_TTL_SECONDS,
      refreshTtlSeconds: env.REFRESH_TTL_SECONDS,
    },
    clock,
  );
  const callLog = createCallLog((entries) => insertIntegrationLog(database.db, entries), {
    flushMs: env.CALL_LOG_FLUSH_MS ?? (env.VERCEL ? 0 : 1000),
    onError: (error) =>
      log.warn('integration log write failed', { error: error instanceof Error ? error.message : String(error) }),
  });
  return { env, database, wechat, clock, tokens, log, callLog };
}
