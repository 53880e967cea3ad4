// autocannon ships no types; only the part of its API the benches use.
declare module 'autocannon' {
  interface AutocannonOptions {
    url: string;
    connections?: number;
    duration?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** stop after this many requests (then `duration` is ignored) */
    amount?: number;
    /** per-request setup: each request may rewrite its headers and body (e.g. sign it) */
    requests?: AutocannonRequest[];
  }
  export interface AutocannonRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    setupRequest?: (req: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
  }
  interface Histogram {
    average: number;
    mean: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
  }
  interface AutocannonResult {
    requests: Histogram & { total: number };
    latency: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
  }
  /** the run: a promise of its result that is also an EventEmitter ('start', and 'response' per response) */
  interface AutocannonInstance extends Promise<AutocannonResult> {
    on(event: 'start' | 'response', listener: () => void): this;
  }
  function autocannon(options: AutocannonOptions): AutocannonInstance;
  export default autocannon;
}
