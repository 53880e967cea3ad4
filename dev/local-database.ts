/**
 * The database a dev command works on (`npm start`, `npm run import`, `npm run demo`, `npm run db:migrate`): the
 * PostgreSQL server at DATABASE_URL through the Neon driver (NEON_WS_PROXY for a local one, DB_POOL_MAX and
 * DB_BATCH_IN_FLIGHT as the functions read them, config/env.ts), else the embedded PGlite in PGLITE_DIR
 * (default .data/pglite in the checkout). A PGlite folder is claimed before it is opened (dev/pglite-lock.ts): one
 * process at a time.
 */
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ServerEnv } from '../config/env.js';
import { type Database, type DatabaseConfig, openDatabase } from '../functions/adapters/db/client.js';
import { claimPgliteDir, PgliteBusyError } from './pglite-lock.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_PGLITE_DIR = join(ROOT, '.data', 'pglite');

const DatabaseEnv = ServerEnv.pick({
  DATABASE_URL: true,
  NEON_WS_PROXY: true,
  DB_POOL_MAX: true,
  DB_BATCH_IN_FLIGHT: true,
});

/** The database the environment names, parsed as the functions parse it (a bad value: ConfigError). */
export function databaseConfigFromEnv(env: Record<string, string | undefined> = process.env): DatabaseConfig {
  // an empty variable is an unset one (`NEON_WS_PROXY= npm run …`)
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = DatabaseEnv.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid database environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.DATABASE_URL)
    return {
      kind: 'neon',
      url: e.DATABASE_URL,
      wsProxy: e.NEON_WS_PROXY,
      poolMax: e.DB_POOL_MAX,
      batchInFlight: e.DB_BATCH_IN_FLIGHT,
    };
  return { kind: 'pglite', dataDir: resolve(set.PGLITE_DIR ?? DEFAULT_PGLITE_DIR) };
}

/** The database as a log line may name it: the URL without its password, or the PGlite folder. */
export function describeDatabase(config: DatabaseConfig): string {
  if (config.kind === 'pglite') return config.dataDir ? `PGlite ${shortPath(config.dataDir)}` : 'in-memory PGlite';
  return `PostgreSQL ${maskPassword(config.url)}${config.wsProxy ? ` (Neon driver through ${config.wsProxy})` : ' (Neon driver)'}`;
}

/** Relative to the working directory when inside it (`.data/pglite`), else absolute. */
function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

export function maskPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

/**
 * Opens the database; a PGlite folder is claimed first and released when the database is closed (or the process
 * ends). Throws PgliteBusyError when another live process has the folder open.
 */
export async function openLocalDatabase(config: DatabaseConfig, command?: string): Promise<Database> {
  if (config.kind !== 'pglite' || !config.dataDir) return openDatabase(config);
  const claim = claimPgliteDir(config.dataDir, command);
  let database: Database;
  try {
    database = await openDatabase(config);
  } catch (error) {
    claim.release();
    throw error;
  }
  return {
    ...database,
    close: async () => {
      try {
        await database.close();
      } finally {
        claim.release();
      }
    },
  };
}

/**
 * Throws PgliteBusyError now if another process has the folder open: for a command that has minutes of work to do
 * before it opens the database (`npm start` building the H5 app). The claim itself is made when it opens.
 */
export function assertDatabaseFree(config: DatabaseConfig, command?: string): void {
  if (config.kind === 'pglite' && config.dataDir) claimPgliteDir(config.dataDir, command).release();
}

/** For a command line: a busy PGlite folder or a bad variable as one line on stderr and exit code 1. */
export function exitOnDatabaseError(error: unknown, prefix = ''): void {
  if (error instanceof PgliteBusyError || error instanceof ConfigError) {
    console.error(`${prefix}${error.message}`);
    process.exit(1);
  }
}
