/**
 * `api`: the whole system in-process on PostgreSQL, GET /api/health under load, compared with GET /api/ping (the
 * full endpoint wrapper, no database) measured the same way on the same machine. The ratio of p99s says what the
 * health check's database round trip costs, independent of how fast this machine is.
 */
import { startSystem } from '../system.js';
import { runAutocannon } from './autocannon.js';
import type { Flags } from './flags.js';
import { flagNumber } from './flags.js';
import { requireDatabaseUrl, round } from './harness.js';

export async function apiBench(flags: Flags): Promise<Record<string, unknown>> {
  const { url, wsProxy } = requireDatabaseUrl();
  const connections = flagNumber(flags, 'connections', 100);
  const durationSec = flagNumber(flags, 'duration', 10);
  console.log(`api: starting the system on ${url.replace(/\/\/[^@]*@/, '//***@')}`);
  const system = await startSystem({ database: { kind: 'neon', url, wsProxy }, seed: 'none', log: false });
  try {
    const ping = new URL('/api/ping', system.apiUrl).href;
    const health = new URL('/api/health', system.apiUrl).href;
    // a short warm-up so JIT, pool connections and the first query plan are not in the figures
    await runAutocannon({ url: health, connections: Math.min(connections, 10), durationSec: 1 });
    console.log(`api: baseline GET /api/ping, ${connections} connections, ${durationSec} s`);
    const base = await runAutocannon({ url: ping, connections, durationSec });
    console.log(
      `  ${base.rps} req/s, p50 ${base.p50_ms} ms, p99 ${base.p99_ms} ms, errors ${base.errors}, non-2xx ${base.non2xx}`,
    );
    console.log(`api: GET /api/health, ${connections} connections, ${durationSec} s`);
    const h = await runAutocannon({ url: health, connections, durationSec });
    console.log(`  ${h.rps} req/s, p50 ${h.p50_ms} ms, p99 ${h.p99_ms} ms, errors ${h.errors}, non-2xx ${h.non2xx}`);
    if (h.non2xx > 0 || base.non2xx > 0) console.log('api: WARNING: non-2xx responses, figures are not comparable');
    return {
      bench: 'api',
      rps: h.rps,
      p50_ms: h.p50_ms,
      p99_ms: h.p99_ms,
      baseline_rps: base.rps,
      baseline_p50_ms: base.p50_ms,
      baseline_p99_ms: base.p99_ms,
      ratio: round(h.p99_ms / Math.max(base.p99_ms, 1)),
      errors: h.errors,
      non2xx: h.non2xx,
      connections,
      duration_s: durationSec,
    };
  } finally {
    await system.close();
  }
}
