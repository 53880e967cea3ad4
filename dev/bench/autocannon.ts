import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

export interface AutocannonRun {
  url: string;
  connections: number;
  durationSec: number;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: string | object;
  /** stop after this many requests instead of after durationSec */
  amount?: number;
  /** autocannon's per-request setup (e.g. a fresh signature and idempotency key per request) */
  requests?: import('autocannon').AutocannonRequest[];
}

export interface AutocannonFigures {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  non2xx: number;
}

/** One load run; objects as body are sent as JSON. */
export async function runAutocannon(run: AutocannonRun): Promise<AutocannonFigures> {
  const jsonBody = run.body !== undefined && typeof run.body !== 'string';
  const instance = autocannon({
    url: run.url,
    connections: run.connections,
    duration: run.durationSec,
    method: run.method ?? 'GET',
    headers: { ...(jsonBody ? { 'content-type': 'application/json' } : {}), ...run.headers },
    body: run.body === undefined ? undefined : jsonBody ? JSON.stringify(run.body) : (run.body as string),
    ...(run.amount ? { amount: run.amount } : {}),
    ...(run.requests ? { requests: run.requests } : {}),
  });
  // throughput from the first request to the last response, timed here: autocannon hands its result over at its
  // next one-second sample after the last response, so its own duration is up to a second long (20,000 responses
  // in 7.2 s read as 20,000 / 8.0), and the per-second average has whole seconds of resolution
  let startedAt = performance.now();
  let lastAt = startedAt;
  let responses = 0;
  instance.on('start', () => {
    startedAt = performance.now();
  });
  instance.on('response', () => {
    responses++;
    lastAt = performance.now();
  });
  const result = await instance;
  return {
    rps: lastAt > startedAt ? Math.round((responses / ((lastAt - startedAt) / 1000)) * 10) / 10 : 0,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
