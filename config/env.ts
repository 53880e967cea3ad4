/**
 * The server environment, parsed once with zod (fail fast at start, never `process.env` in handlers).
 * Every variable here is documented in README.md; only TARO_APP_* variables ever reach the client bundle.
 */
import { z } from 'zod';

const secret = z
  .string()
  .min(43, 'must be at least 32 random bytes (base64url: 43+ characters)')
  .describe('HS256 key for session JWTs');

export const ServerEnv = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** postgres://… → Neon serverless driver; unset → embedded PGlite in PGLITE_DIR */
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DIR: z.string().default('.data/pglite'),
  /** host:port of a loopback WebSocket-to-TCP proxy, for the Neon driver against a local PostgreSQL server */
  NEON_WS_PROXY: z
    .string()
    .regex(/^(127\.0\.0\.1|localhost|\[::1\]):\d+$/, 'the proxy must be on loopback')
    .optional(),
  /** connections per process in the Neon driver's pool */
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** batched statements (POS redemptions of one event-loop turn) running at once per process */
  DB_BATCH_IN_FLIGHT: z.coerce.number().int().min(1).max(200).default(2),
  JWT_SECRET: secret,
  JWT_ISSUER: z.string().default('medloop'),
  /** access token lifetime in seconds; refresh tokens live REFRESH_TTL_SECONDS */
  ACCESS_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(900),
  REFRESH_TTL_SECONDS: z.coerce.number().int().min(600).max(2592000).default(1209600),
  WECHAT_API_BASE: z.string().url().default('https://api.weixin.qq.com'),
  WECHAT_APPID: z.string().min(1).default('wxmedloopdemo0001'),
  WECHAT_SECRET: z.string().min(1),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /**
   * ms the log of partner calls (POS, mall, WeCom) buffers before one INSERT; 0 writes each call after its
   * response. Default 1000, and 0 on Vercel (an idle serverless instance may be frozen with a buffer in it).
   */
  CALL_LOG_FLUSH_MS: z.coerce.number().int().min(0).max(60_000).optional(),
  /**
   * ms one step of an uploaded import (数据导入) may work before it stops at the next batch and answers; the page
   * asks for the next step. Well inside the function's 60 s (vercel.json), with room for a batch on a slow link.
   */
  IMPORT_STEP_MS: z.coerce.number().int().min(0).max(50_000).default(20_000),
  /** set to "1" by Vercel in its functions */
  VERCEL: z.string().optional(),
  /** bearer token Vercel crons send to functions/api/jobs/*; unset = jobs cannot be triggered over HTTP */
  CRON_SECRET: z.string().min(16, 'use at least 16 random characters').optional(),
});
export type ServerEnv = z.infer<typeof ServerEnv>;

export class ConfigError extends Error {}

export function parseServerEnv(source: Record<string, string | undefined>): ServerEnv {
  const parsed = ServerEnv.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid server environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
