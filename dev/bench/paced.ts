/**
 * Open-loop load at a fixed rate: request i is due at start + i / rate, whatever happened to the earlier ones, over
 * at most `connections` keep-alive connections (a request finding them all busy waits for one, as a client pool
 * would). Latency runs from the request's DUE time to its last response byte, so neither a slow server nor a late
 * timer can hide queueing (no coordinated omission, as in wrk2).
 *
 * Why not autocannon's `overallRate`: it gives each connection a quota per one-second window and sends that quota
 * back to back when the window opens (all windows open together), so the load arrives as one burst per second at
 * full speed and p99 is that burst's queue; and it "corrects" latencies with an expected interval of
 * ceil(1 / per-connection rate) = 1 ms. Closed-loop saturation runs still use autocannon.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface PacedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface PacedRun {
  /** the server's base URL (http://host:port) */
  url: string;
  connections: number;
  /** requests per second offered */
  rate: number;
  durationSec: number;
  /** built when the request is due (so a signature is fresh) */
  next: (i: number) => PacedRequest;
  /** also return each request's due time (epoch ms) and latency, to line them up with the server's events */
  timeline?: boolean;
}

export interface PacedFigures {
  offered_rps: number;
  /** responses per second over the run (equals the offered rate when the server keeps up) */
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  /** how late the timer sent requests (p99): the client's own share of the latency */
  send_lag_p99_ms: number;
  sent: number;
  errors: number;
  non2xx: number;
  /** when asked for: request i was due at `due[i]` (epoch ms) and took `latency[i]` ms */
  timeline?: { due: Float64Array; latency: Float64Array };
}

export async function runPaced(run: PacedRun): Promise<PacedFigures> {
  const base = new URL(run.url);
  const agent = new Agent({ keepAlive: true, maxSockets: run.connections });
  const total = Math.round(run.rate * run.durationSec);
  const latencies = new Float64Array(total);
  const lags = new Float64Array(total);
  let done = 0;
  let errors = 0;
  let non2xx = 0;
  let lastResponseAt = 0;
  let finish: () => void = () => {};
  const allDone = new Promise<void>((resolve) => {
    finish = resolve;
  });

  const settle = (i: number, due: number, ok: boolean, status: number) => {
    const at = performance.now();
    latencies[i] = at - due;
    lastResponseAt = at;
    if (!ok) errors++;
    else if (status < 200 || status >= 300) non2xx++;
    if (++done === total) finish();
  };

  const fire = (i: number, due: number) => {
    const r = run.next(i);
    lags[i] = performance.now() - due;
    let settled = false;
    const once = (ok: boolean, status: number) => {
      if (settled) return;
      settled = true;
      settle(i, due, ok, status);
    };
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: r.method,
        path: r.path,
        agent,
        headers:
          r.body === undefined || r.headers?.['content-length'] !== undefined
            ? r.headers
            : { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) },
      },
      (res) => {
        res.resume();
        res.on('end', () => once(true, res.statusCode ?? 0));
        res.on('error', () => once(false, 0));
      },
    );
    req.on('error', () => once(false, 0));
    req.end(r.body);
  };

  // open the connections first, so the run does not time TCP handshakes
  await Promise.all(
    Array.from(
      { length: run.connections },
      () =>
        new Promise<void>((resolve) => {
          const req = request({ host: base.hostname, port: base.port, path: '/api/ping', agent }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          req.on('error', () => resolve());
          req.end();
        }),
    ),
  );

  const interval = 1000 / run.rate;
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        fire(sent, start + sent * interval);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
      else resolve();
    };
    tick();
  });
  if (total > 0) await allDone;
  agent.destroy();

  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const lagSorted = Array.from(lags).sort((a, b) => a - b);
  const at = (xs: number[], q: number) =>
    xs.length === 0 ? 0 : xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)];
  const ms = (n: number) => Math.round(n * 100) / 100;
  return {
    offered_rps: run.rate,
    rps: ms(total / ((lastResponseAt - start) / 1000)),
    p50_ms: ms(at(sorted, 0.5)),
    p90_ms: ms(at(sorted, 0.9)),
    p99_ms: ms(at(sorted, 0.99)),
    max_ms: ms(sorted[sorted.length - 1] ?? 0),
    send_lag_p99_ms: ms(at(lagSorted, 0.99)),
    sent: total,
    errors,
    non2xx,
    ...(run.timeline
      ? {
          timeline: {
            due: Float64Array.from({ length: total }, (_, i) => performance.timeOrigin + start + i * interval),
            latency: latencies,
          },
        }
      : {}),
  };
}
