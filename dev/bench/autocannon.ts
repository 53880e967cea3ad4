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
  const result = await autocannon({
    url: run.url,
    connections: run.connections,
    duration: run.durationSec,
    method: run.method ?? 'GET',
    headers: { ...(jsonBody ? { 'content-type': 'application/json' } : {}), ...run.headers },
    body: run.body === undefined ? undefined : jsonBody ? JSON.stringify(run.body) : (run.body as string),
    ...(run.amount ? { amount: run.amount } : {}),
    ...(run.requests ? { requests: run.requests } : {}),
  });
  return {
    // responses over the run's measured duration (the per-second average only has whole seconds of resolution:
    // 20,000 requests in 13.4 s would read 20,000 / 13)
    rps: Math.round((result.requests.total / result.duration) * 10) / 10,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
