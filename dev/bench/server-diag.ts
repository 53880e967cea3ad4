/**
 * What the server process did during a measured window, for a bench to say WHY a latency is what it is:
 *   - GC pauses (perf_hooks 'gc' entries): count, how many over 5 ms, p99, max, total, and when (epoch ms), so the
 *     bench can tell whether its slowest requests overlapped one;
 *   - event-loop delay (monitorEventLoopDelay, 2 ms resolution) and utilisation (busy share of the loop);
 *   - server-side request time per path (diagnostics_channel http.server.request.start → response.finish), so the
 *     part of the client's latency spent outside the server (load generator, kernel) is the difference;
 *   - database calls (the Neon driver patched in this process only): time inside one connection (a round trip
 *     through the WebSocket proxy to PostgreSQL and back, per statement name) and pool.query (that plus the wait
 *     for a free pool connection);
 *   - the process's CPU time.
 * Installed by server-child.ts before the system starts; `start()` resets, `stop()` returns the window's figures.
 */
import diagnostics from 'node:diagnostics_channel';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';

/** GC, event loop and CPU of one process over a window (any process: the server, the load generator). */
export interface ProcessWindow {
  wall_ms: number;
  cpu_ms: number;
  /** event-loop utilisation over the window (0..1) */
  elu: number;
  loop_delay_p50_ms: number;
  loop_delay_p99_ms: number;
  loop_delay_max_ms: number;
  gc_count: number;
  gc_over_5ms: number;
  gc_p99_ms: number;
  gc_max_ms: number;
  gc_total_ms: number;
  /** pause count and total ms per kind (scavenge, mark-compact, incremental, weakcb) */
  gc_kinds: Record<string, [number, number]>;
  /** gc pauses ≥ 1 ms: [start epoch ms, duration ms, kind] */
  gc_pauses: [number, number, string][];
}

export interface DiagWindow extends ProcessWindow {
  /** server-side time per request path: count, p50, p99, max (ms) */
  http: Record<string, Dist>;
  /** one statement on one connection, per statement name (prepared) or first words */
  db: Record<string, Dist>;
  /** pool.query: waiting for a connection + the statement */
  pool_query: Dist;
  /** connections the pool opened in the window (WebSocket, startup, SCRAM), and how long each took */
  connects: Dist;
}

export interface Dist {
  n: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

const GC_KINDS: Record<number, string> = { 1: 'scavenge', 2: 'mark-compact', 4: 'incremental', 8: 'weakcb', 15: 'all' };

/**
 * `profileDir`: also profile each window (CPU, and allocations including the objects GC has collected) into
 * window-N.cpuprofile / window-N.heapprofile there (slows the server: diagnosis only).
 */
export async function installServerDiag(
  profileDir?: string,
): Promise<{ start(): Promise<void>; stop(): Promise<DiagWindow> }> {
  const inspector = profileDir ? new Session() : null;
  // the folder first: a missing one would fail the first window's write in this process, and the bench would wait
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const keep = process.env.BENCH_WINDOW_PROF_KEEP ?? 'all';
  inspector?.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      inspector?.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))),
    );
  let windowNo = 0;
  const proc = processMonitor();

  let http = new Map<string, number[]>();
  // a Map emptied as requests finish, not a WeakMap: thousands of weak entries with young keys would lengthen
  // every scavenge (ephemerons), and the figures are about the server, not this
  let started = new Map<IncomingMessage, number>();
  diagnostics.subscribe('http.server.request.start', (m) => {
    started.set((m as { request: IncomingMessage }).request, performance.now());
  });
  diagnostics.subscribe('http.server.response.finish', (m) => {
    const req = (m as { request: IncomingMessage }).request;
    const t0 = started.get(req);
    if (t0 === undefined) return;
    started.delete(req);
    const path = (req.url ?? '/').split('?')[0];
    let xs = http.get(path);
    if (!xs) {
      xs = [];
      http.set(path, xs);
    }
    xs.push(performance.now() - t0);
  });

  // the driver, patched in this process only: the same module instance functions/adapters/db/client.ts imports
  let db = new Map<string, number[]>();
  let poolQuery: number[] = [];
  const neon = await import('@neondatabase/serverless');
  // pg's Client (the parent of neon's): every pool connection is one of its subclasses
  const pgClient = Object.getPrototypeOf(neon.Client.prototype) as { query: (...a: unknown[]) => unknown };
  const clientQuery = pgClient.query;
  const record = (label: string, ms: number) => {
    const key = label.replace(/\s+/g, ' ').trim().slice(0, 40);
    let xs = db.get(key);
    if (!xs) {
      xs = [];
      db.set(key, xs);
    }
    xs.push(ms);
  };
  pgClient.query = function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    const q = args[0] as string | { name?: string; text?: string };
    const label = typeof q === 'string' ? q : (q?.name ?? q?.text ?? '?');
    // pg-pool calls with a callback (pool.query), others take the promise
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (...a: unknown[]) => unknown;
      args[last] = (...a: unknown[]) => {
        record(label, performance.now() - t0);
        return callback(...a);
      };
      return clientQuery.apply(this, args);
    }
    const result = clientQuery.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(
        () => record(label, performance.now() - t0),
        () => {},
      );
    }
    return result;
  };
  // a connection the pool opens during a window (it closes those idle for idleTimeoutMillis) is a stall of its own
  let connects: number[] = [];
  const connectOrig = neon.Client.prototype.connect as (...a: unknown[]) => unknown;
  neon.Client.prototype.connect = function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (...a: unknown[]) => unknown;
      args[last] = (...a: unknown[]) => {
        connects.push(performance.now() - t0);
        return callback(...a);
      };
      return connectOrig.apply(this, args);
    }
    const result = connectOrig.apply(this, args);
    (result as Promise<unknown>)?.then?.(
      () => connects.push(performance.now() - t0),
      () => {},
    );
    return result;
  } as typeof neon.Client.prototype.connect;
  const poolQueryOrig = neon.Pool.prototype.query as (...a: unknown[]) => unknown;
  neon.Pool.prototype.query = function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    const result = poolQueryOrig.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(
        () => poolQuery.push(performance.now() - t0),
        () => {},
      );
    }
    return result;
  } as typeof neon.Pool.prototype.query;

  return {
    async start() {
      if (inspector) {
        await post('Profiler.enable');
        await post('Profiler.start');
        await post('HeapProfiler.startSampling', {
          samplingInterval: 4096,
          // BENCH_WINDOW_PROF_KEEP: all (everything the window allocated), old (what outlived the young
          // generation: the objects that make scavenges long), live (what is still on the heap at the end)
          includeObjectsCollectedByMajorGC: keep === 'all' || keep === 'old',
          includeObjectsCollectedByMinorGC: keep === 'all',
        });
      }
      http = new Map();
      started = new Map();
      db = new Map();
      poolQuery = [];
      connects = [];
      proc.start();
    },
    async stop(): Promise<DiagWindow> {
      const window = proc.stop();
      if (inspector && profileDir) {
        windowNo++;
        const { profile } = (await post('Profiler.stop')) as { profile: unknown };
        writeFileSync(join(profileDir, `window-${windowNo}.cpuprofile`), JSON.stringify(profile));
        const heap = (await post('HeapProfiler.stopSampling')) as { profile: unknown };
        writeFileSync(join(profileDir, `window-${windowNo}.heapprofile`), JSON.stringify(heap.profile));
      }
      return {
        ...window,
        http: Object.fromEntries([...http].map(([k, xs]) => [k, dist(xs)])),
        db: Object.fromEntries([...db].map(([k, xs]) => [k, dist(xs)])),
        pool_query: dist(poolQuery),
        connects: dist(connects),
      };
    },
  };
}

/** GC pauses (perf_hooks), event-loop delay (2 ms resolution) and utilisation, CPU time: start() … stop(). */
export function processMonitor(): { start(): void; stop(): ProcessWindow } {
  let gc: { start: number; duration: number; kind: string }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e.detail as { kind?: number } | undefined)?.kind ?? 0;
      gc.push({
        start: performance.timeOrigin + e.startTime,
        duration: e.duration,
        kind: GC_KINDS[kind] ?? String(kind),
      });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 2 });
  loop.enable();
  let t0 = performance.now();
  let cpu0 = process.cpuUsage();
  let elu0 = performance.eventLoopUtilization();
  return {
    start() {
      gc = [];
      loop.reset();
      t0 = performance.now();
      cpu0 = process.cpuUsage();
      elu0 = performance.eventLoopUtilization();
    },
    stop(): ProcessWindow {
      const cpu = process.cpuUsage(cpu0);
      const pauses = gc.map((g) => g.duration).sort((a, b) => a - b);
      const ns = (n: number) => round(n / 1e6);
      return {
        wall_ms: round(performance.now() - t0),
        cpu_ms: round((cpu.user + cpu.system) / 1000),
        elu: round(performance.eventLoopUtilization(elu0).utilization, 3),
        loop_delay_p50_ms: ns(loop.percentile(50)),
        loop_delay_p99_ms: ns(loop.percentile(99)),
        loop_delay_max_ms: ns(loop.max),
        gc_count: pauses.length,
        gc_over_5ms: pauses.filter((d) => d > 5).length,
        gc_p99_ms: round(quantile(pauses, 0.99)),
        gc_max_ms: round(pauses[pauses.length - 1] ?? 0),
        gc_total_ms: round(pauses.reduce((s, d) => s + d, 0)),
        gc_kinds: gc.reduce<Record<string, [number, number]>>((acc, g) => {
          const [n, ms] = acc[g.kind] ?? [0, 0];
          acc[g.kind] = [n + 1, round(ms + g.duration)];
          return acc;
        }, {}),
        gc_pauses: gc.filter((g) => g.duration >= 1).map((g) => [round(g.start), round(g.duration), g.kind]),
      };
    },
  };
}

export function dist(xs: number[]): Dist {
  const s = [...xs].sort((a, b) => a - b);
  return {
    n: s.length,
    p50_ms: round(quantile(s, 0.5)),
    p99_ms: round(quantile(s, 0.99)),
    max_ms: round(s.at(-1) ?? 0),
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
