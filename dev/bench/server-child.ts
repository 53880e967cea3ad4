/**
 * The system under test in its own process, so a bench's load generator (autocannon, request signing) does not
 * share the server's event loop. Run directly, it starts the system on DATABASE_URL (Neon driver, through
 * NEON_WS_PROXY when set) with seed 'fixtures' and sends `{ apiUrl }` to its parent over IPC; it stops when the
 * parent says so, disconnects or dies. `spawnServerChild` is the parent's side.
 *
 *   BENCH_POOL_MAX     the driver pool of the server process (default 10, as DB_POOL_MAX)
 *   BENCH_BATCH_IN_FLIGHT  batched statements in flight (default 2, as DB_BATCH_IN_FLIGHT)
 *   BENCH_WINDOW_PROF  a folder: CPU and allocation profiles of each measured window (server-diag.ts)
 * It also serves FLOOR_PATH, outside functions/api and only here: one `select 1` through the endpoint wrapper, the
 * driver's pool and the proxy: what any handler with one database round trip costs on this machine (the redemption
 * bench measures it next to the redemption and the ping).
 * `cpuProfDir` runs the server under `node --cpu-prof` (the profile lands there on stop); `nodeArgs` adds V8/node
 * flags (e.g. `--max-semi-space-size=16`). `diagStart()` / `diagStop()` bracket a measured window and return what
 * the server process did in it (dev/bench/server-diag.ts: GC pauses, event-loop delay, server-side request time,
 * database round trips, CPU).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { DEFAULT_BATCH_IN_FLIGHT } from '../../functions/adapters/db/client.js';
import { endpoint, json } from '../../functions/http/endpoint.js';
import { startSystem } from '../system.js';
import { type DiagWindow, installServerDiag } from './server-diag.js';

/** The database floor: the cheapest handler with one database round trip (see the file's comment). */
export const FLOOR_PATH = '/api/__bench/floor';

const FloorResponse = z.object({ one: z.literal(1) });

export const floorHandler = endpoint({ method: 'GET', auth: 'none', action: 'system.health' }, async ({ deps }) => {
  const rows = await deps.database.exec('select 1 as one');
  return json(200, FloorResponse, { one: Number(rows[0]?.one) as 1 });
});

export interface ServerChild {
  apiUrl: string;
  pid: number;
  /** starts a measured window in the server process (resets its diagnostics) */
  diagStart(): Promise<void>;
  /** ends the window: what the server process did in it */
  diagStop(): Promise<DiagWindow>;
  /** stops the server (the profile, when asked for, is written before this resolves) */
  stop(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);

export async function spawnServerChild(opts: {
  url: string;
  wsProxy?: string;
  poolMax: number;
  /** batched statements in flight (client.ts batchInFlight) */
  batchInFlight?: number;
  cpuProfDir?: string;
  nodeArgs?: string[];
}): Promise<ServerChild> {
  const nodeArgs = [
    '--import',
    'tsx',
    ...(opts.nodeArgs ?? []),
    ...(opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : []),
  ];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, SELF], {
    env: {
      ...process.env,
      DATABASE_URL: opts.url,
      NEON_WS_PROXY: opts.wsProxy ?? '',
      BENCH_POOL_MAX: String(opts.poolMax),
      BENCH_BATCH_IN_FLIGHT: String(opts.batchInFlight ?? DEFAULT_BATCH_IN_FLIGHT),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const apiUrl = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { apiUrl?: string }) =>
      m.apiUrl ? resolve(m.apiUrl) : reject(new Error('server child sent no url')),
    );
    child.once('exit', (code) => reject(new Error(`server child exited (${code}) before it was ready`)));
  });
  let asked = 0;
  const ask = <T>(what: 'start' | 'stop') =>
    new Promise<T>((resolve, reject) => {
      const id = ++asked;
      const onMessage = (m: { diagId?: number; window?: T }) => {
        if (m.diagId !== id) return;
        child.off('message', onMessage);
        resolve(m.window as T);
      };
      child.on('message', onMessage);
      if (!child.send({ diag: what, diagId: id })) reject(new Error('server child is gone'));
    });
  return {
    apiUrl,
    pid: child.pid as number,
    diagStart: () => ask<void>('start'),
    diagStop: () => ask<DiagWindow>('stop'),
    stop: async () => {
      if (child.exitCode === null) child.send({ stop: true });
      const timeout = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url || !process.send) throw new Error('server-child runs under spawnServerChild (IPC and DATABASE_URL)');
  const diag = await installServerDiag(process.env.BENCH_WINDOW_PROF || undefined);
  const system = await startSystem({
    database: {
      kind: 'neon',
      url,
      wsProxy: process.env.NEON_WS_PROXY || undefined,
      poolMax: Number(process.env.BENCH_POOL_MAX ?? 10),
      batchInFlight: Number(process.env.BENCH_BATCH_IN_FLIGHT ?? DEFAULT_BATCH_IN_FLIGHT),
    },
    seed: 'fixtures',
    log: false,
    extraRoutes: { [FLOOR_PATH]: floorHandler },
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await system.close();
    process.exit(0); // a normal exit: node writes the --cpu-prof profile now
  };
  process.on('message', (m: { stop?: boolean; diag?: 'start' | 'stop'; diagId?: number }) => {
    if (m.stop) void stop();
    else if (m.diag === 'start') void diag.start().then(() => process.send?.({ diagId: m.diagId }));
    else if (m.diag === 'stop') void diag.stop().then((window) => process.send?.({ diagId: m.diagId, window }));
  });
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.send({ apiUrl: system.apiUrl });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
