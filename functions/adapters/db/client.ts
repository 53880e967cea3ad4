/**
 * One database module, two drivers: embedded PGlite (the local default, one owning process) and the Neon
 * serverless driver (production; locally through a loopback WebSocket proxy to a real PostgreSQL server).
 * Both give the same drizzle API; repositories only see `Db`.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import type { Pool } from '@neondatabase/serverless';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Driver = 'pglite' | 'neon';

export interface Database {
  db: Db;
  driver: Driver;
  /** the raw client, for bulk SQL the ORM cannot express well */
  exec(query: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
  /** PGlite only: the data directory as a tarball, to restore a migrated database fast in tests */
  dump?: () => Promise<Blob>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

export type DatabaseConfig =
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob | File }
  | { kind: 'neon'; url: string; wsProxy?: string; poolMax?: number; batchInFlight?: number };

/**
 * How many batched statements (turn-batcher.ts) may run at once on this handle: PGlite has one connection that runs
 * one statement at a time, so one; the Neon pool DB_BATCH_IN_FLIGHT (default 2). Fewer than the pool's connections,
 * so that a backlog becomes a few larger batches rather than many concurrent statements competing for the
 * database's cores (the bench figures are in the README, "Redemption latency").
 */
export function batchInFlight(db: Db): number {
  return batchInFlightByDb.get(db) ?? 1;
}
const batchInFlightByDb = new WeakMap<Db, number>();
export const DEFAULT_BATCH_IN_FLIGHT = 2;

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.kind === 'pglite') return openPglite(config);
  return openNeon(config);
}

async function openPglite(config: { dataDir?: string; loadDataDir?: Blob | File }): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  // PGlite does not create parent folders; memory:// when no folder is given (tests).
  if (config.dataDir) mkdirSync(config.dataDir, { recursive: true });
  const client: PGlite = new PGlite(config.dataDir ?? 'memory://', { loadDataDir: config.loadDataDir });
  await client.waitReady;
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    exec: async (query, params) => (await client.query<Record<string, unknown>>(query, params)).rows,
    close: () => client.close(),
    dump: async () => (await client.dumpDataDir('gzip')) as Blob,
  };
}

async function openNeon(config: {
  url: string;
  wsProxy?: string;
  poolMax?: number;
  batchInFlight?: number;
}): Promise<Database> {
  const neon = await import('@neondatabase/serverless');
  const { drizzle } = await import('drizzle-orm/neon-serverless');
  if (!(globalThis as { WebSocket?: unknown }).WebSocket) {
    // node 20 has no global WebSocket; Vercel's node 24 does
    const ws = await import('ws');
    neon.neonConfig.webSocketConstructor = ws.default as never;
  }
  if (config.wsProxy) {
    const proxy = config.wsProxy;
    neon.neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
    neon.neonConfig.useSecureWebSocket = false;
    neon.neonConfig.pipelineTLS = false;
    neon.neonConfig.pipelineConnect = false;
    // on loopback, no batching of writes on a timer (the driver's coalescing waits for a setTimeout(0), ~1 ms; it
    // pays off over the internet to Neon, where it stays on); the messages of one query (bind, describe, execute,
    // sync: written in one tick) still go as ONE frame, flushed at the end of the tick: one write instead of four
    // for this process, the proxy and PostgreSQL
    neon.neonConfig.coalesceWrites = false;
    neon.neonConfig.webSocketConstructor = await tickCoalescingWebSocket();
  }
  // one serverless instance serves one request at a time, so a small pool suffices there; the local runner
  // and benchmarks serve many connections from one process and raise it (DB_POOL_MAX)
  const pool: Pool = new neon.Pool({ connectionString: config.url, max: config.poolMax ?? 10 });
  const db = drizzle(pool, { schema }) as unknown as Db;
  batchInFlightByDb.set(db, config.batchInFlight ?? DEFAULT_BATCH_IN_FLIGHT);
  return {
    db,
    driver: 'neon',
    exec: async (query, params) => (await pool.query(query, params)).rows as Record<string, unknown>[],
    close: () => pool.end(),
  };
}

/** `ws`'s WebSocket whose binary sends within one tick go out as one frame (order kept), flushed in a microtask. */
async function tickCoalescingWebSocket(): Promise<never> {
  const { WebSocket } = await import('ws');
  const send = WebSocket.prototype.send as (this: unknown, ...args: unknown[]) => void;
  class TickCoalescingWebSocket extends WebSocket {
    #pending: Buffer[] = [];
    override send(data: unknown, ...rest: unknown[]): void {
      if (rest.length > 0 || !(data instanceof Uint8Array)) {
        this.#flush();
        send.call(this, data, ...rest);
        return;
      }
      this.#pending.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      if (this.#pending.length === 1) queueMicrotask(() => this.#flush());
    }
    #flush(): void {
      const parts = this.#pending;
      if (parts.length === 0) return;
      this.#pending = [];
      try {
        send.call(this, parts.length === 1 ? parts[0] : Buffer.concat(parts));
      } catch (error) {
        this.emit('error', error);
      }
    }
  }
  return TickCoalescingWebSocket as never;
}

export async function migrateDatabase(database: Database): Promise<void> {
  if (database.driver === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    // biome-ignore lint/suspicious/noExplicitAny: the migrator is typed per driver; Db is the common supertype
    await migrate(database.db as any, { migrationsFolder: MIGRATIONS_FOLDER });
  } else {
    const { migrate } = await import('drizzle-orm/neon-serverless/migrator');
    // biome-ignore lint/suspicious/noExplicitAny: see above
    await migrate(database.db as any, { migrationsFolder: MIGRATIONS_FOLDER });
  }
}

/** The newest applied migration, as `<created_at millis>` (drizzle's journal "when"), or null before any. */
export async function currentMigration(database: Database): Promise<string | null> {
  const rows = await database.exec(
    'select created_at::text as at from drizzle.__drizzle_migrations order by created_at desc limit 1',
  );
  return rows[0] ? String(rows[0].at) : null;
}

export async function ping(database: Database): Promise<boolean> {
  try {
    await database.db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
