/**
 * The system under test in its own process, so a bench's load generator (autocannon, request signing) does not
 * share the server's event loop. Run directly, it starts the system on DATABASE_URL (Neon driver, through
 * NEON_WS_PROXY when set) with seed 'fixtures' and sends `{ apiUrl }` to its parent over IPC; it stops when the
 * parent says so, disconnects or dies. `spawnServerChild` is the parent's side.
 *
 *   BENCH_POOL_MAX   the driver pool of the server process (default 10, as DB_POOL_MAX)
 *   BENCH_CPU_PROF   a folder: run the server under `node --cpu-prof` and write the profile there on stop
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startSystem } from '../system.js';

export interface ServerChild {
  apiUrl: string;
  pid: number;
  /** stops the server (the profile, when asked for, is written before this resolves) */
  stop(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);

export async function spawnServerChild(opts: {
  url: string;
  wsProxy?: string;
  poolMax: number;
  cpuProfDir?: string;
}): Promise<ServerChild> {
  const nodeArgs = ['--import', 'tsx', ...(opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : [])];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, SELF], {
    env: {
      ...process.env,
      DATABASE_URL: opts.url,
      NEON_WS_PROXY: opts.wsProxy ?? '',
      BENCH_POOL_MAX: String(opts.poolMax),
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
  return {
    apiUrl,
    pid: child.pid as number,
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
  const system = await startSystem({
    database: {
      kind: 'neon',
      url,
      wsProxy: process.env.NEON_WS_PROXY || undefined,
      poolMax: Number(process.env.BENCH_POOL_MAX ?? 10),
    },
    seed: 'fixtures',
    log: false,
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await system.close();
    process.exit(0); // a normal exit: node writes the --cpu-prof profile now
  };
  process.on('message', (m: { stop?: boolean }) => m.stop && void stop());
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
