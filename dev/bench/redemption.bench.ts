/**
 * `redemption`: POST /api/pos/redeem on real PostgreSQL next to GET /api/ping (the endpoint wrapper, no database) on
 * the same server. Every redemption is a distinct coupon, idempotency key and fresh HMAC signature (rotating over
 * the 16 stores' POS keys), and the bench checks that coupon_redemptions holds one row per request.
 *
 * The server runs in its own process (dev/bench/server-child.ts); this process only generates load. Two measures:
 *   (a) saturation: autocannon, 100 closed-loop connections as fast as the server answers, for the redemption and
 *       for the baseline: the throughputs (capacity). At saturation p99 is mostly queueing (Little's law: about
 *       connections / throughput), so it compares capacities, not the cost of one request. The redemption runs
 *       --saturation-runs times (default 2) and its capacity is the best run: other work only lowers a throughput.
 *   (b) fixed offered load: both handlers driven at the SAME rate, a stated fraction (--load, default 0.5) of the
 *       redemption capacity measured in (a), open loop over 100 keep-alive connections (dev/bench/paced.ts; latency
 *       from each request's due time). This is the latency comparison. It runs in --rounds interleaved rounds
 *       (default 3: redemption window, ping window, ...; 10 s each), and each percentile is taken over all of that
 *       handler's requests: one 10-second window's p99 moved by ±50 % between identical runs on this machine. The
 *       redemptions are signed just before their window (valid for 5 minutes), so the load generator's signing is in
 *       neither figure.
 *   (c) the database floor, in the same rounds at the same rate right after each redemption window: GET
 *       FLOOR_PATH (dev/bench/server-child.ts), one `select 1` through the same wrapper, pool and proxy, the
 *       cheapest handler with one database round trip. It says how much of the redemption's p99 any database
 *       round trip costs on this machine (`floor_p99_ms`, `floor_ratio` = floor_p99_ms / baseline_p99_ms).
 * Before the rounds: VACUUM (ANALYZE) of coupons, coupon_redemptions and partner_requests, so that an autovacuum of
 * these growing tables does not land in a round.
 * JSON: `rps` is the saturated redemption capacity; `p50_ms`, `p99_ms`, `baseline_p99_ms` and `ratio` (= p99_ms /
 * baseline_p99_ms, goal ≤ 3) come from the fixed-rate rounds (b), `round_figures` per round; `saturated_*` from (a);
 * `offered_rps` is (b)'s rate. A non-2xx answer, a transport error or a missing redemption fails the run (exit 1,
 * after the figures line).
 *
 *   npm run bench -- redemption [--connections 100] [--requests 20000] [--duration 10] [--load 0.5] [--pool 10]
 *                               [--batch-in-flight 2]  (batched redemption statements at once: DB_BATCH_IN_FLIGHT)
 *                               [--rate N]         (offer N req/s in (b) and (c) instead of --load × the capacity)
 *                               [--rounds 3] [--saturation-runs 2]
 *                               [--semi-space 0]   (the server's V8 semi-space in MB; 0 = V8's default)
 *                               [--sign-when-due]  (sign each fixed-rate redemption when due, not before the run)
 *                               [--node-args=…]    (more node/V8 flags for the server process, e.g. --trace-gc)
 *                               [--cpu-prof DIR]   (profile the server process; the .cpuprofile lands in DIR)
 * BENCH_WINDOW_PROF=DIR writes CPU and allocation profiles of each measured window of the server (server-diag.ts).
 *
 * Why the p99 is what it is, in the output (the fixed-rate round with the slowest redemption p99): the server-side time of the path, the server's GC pauses
 * and event-loop delay, the database round trips, the load generator's own GC and timer lag, CPU per process group
 * (server, proxy, PostgreSQL, load generator, everything else on the machine), autovacuum on the hot tables, and
 * how many of the slowest 1 % of requests were in flight during a GC pause (vs all requests: chance).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AutocannonRequest } from 'autocannon';
import { partnerHeaders } from '../../functions/adapters/auth/partner-signature.js';
import { type Database, DEFAULT_BATCH_IN_FLIGHT, openDatabase } from '../../functions/adapters/db/client.js';
import { newCouponCode } from '../../functions/app/coupons/issue-coupon.js';
import { DEMO_PARTNER_KEYS } from '../demo/fixtures.js';
import { type AutocannonFigures, runAutocannon } from './autocannon.js';
import { type Flags, flagBoolean, flagNumber, flagString, UsageError } from './flags.js';
import { requireDatabaseUrl, round } from './harness.js';
import { type PacedFigures, type PacedRequest, runPaced } from './paced.js';
import { cpuWindow } from './proc-cpu.js';
import { FLOOR_PATH, spawnServerChild } from './server-child.js';
import { type DiagWindow, dist, type ProcessWindow, processMonitor } from './server-diag.js';

const REDEEM_PATH = '/api/pos/redeem';

export async function redemptionBench(flags: Flags): Promise<Record<string, unknown>> {
  const { url, wsProxy } = requireDatabaseUrl();
  const connections = flagNumber(flags, 'connections', 100);
  const amount = flagNumber(flags, 'requests', 20_000);
  const durationSec = flagNumber(flags, 'duration', 10);
  const load = flagNumber(flags, 'load', 0.5);
  // an absolute rate instead of a fraction of the capacity: runs of different code (or on a busier day) compared at
  // the same load; the capacity measured by the saturation runs moved between 2,000 and 3,200 req/s from run to run
  const fixedRate = flagString(flags, 'rate');
  const rate = fixedRate === undefined ? undefined : Number(fixedRate);
  if (rate !== undefined && !(Number.isFinite(rate) && rate >= 1))
    throw new UsageError('--rate is requests per second, at least 1');
  const rounds = flagNumber(flags, 'rounds', 3);
  const saturationRuns = flagNumber(flags, 'saturation-runs', 2);
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError('--rounds is a whole number of at least 1');
  if (!Number.isInteger(saturationRuns) || saturationRuns < 1)
    throw new UsageError('--saturation-runs is a whole number of at least 1');
  const poolMax = flagNumber(flags, 'pool', 10);
  const batchInFlight = flagNumber(flags, 'batch-in-flight', DEFAULT_BATCH_IN_FLIGHT);
  if (!Number.isInteger(batchInFlight) || batchInFlight < 1)
    throw new UsageError('--batch-in-flight is a whole number of at least 1');
  const cpuProf = flagString(flags, 'cpu-prof');
  // the server's young generation (V8 semi-space, MB; 0 = V8's default): a GC experiment. 64 MB made a quarter of
  // the scavenges, each two to three times as long, and the p99 no better: V8's default stays
  const semiSpace = flagNumber(flags, 'semi-space', 0);
  const signWhenDue = flagBoolean(flags, 'sign-when-due');
  // more V8/node flags for the server process, e.g. --node-args=--trace-gc (GC experiments)
  const serverNodeArgs = [
    ...(semiSpace > 0 ? [`--max-semi-space-size=${semiSpace}`] : []),
    ...(flagString(flags, 'node-args') ?? '').split(/\s+/).filter(Boolean),
  ];
  const warmup = 1_000;
  const dbName = decodeURIComponent(new URL(url).pathname.slice(1));
  // other work on the machine shares its cores with the server, PostgreSQL and this load generator: say how much
  const loadBefore = round(loadavg()[0]);

  console.log(`redemption: starting the server process on ${url.replace(/\/\/[^@]*@/, '//***@')} (pool ${poolMax})`);
  const cpuProfDir = cpuProf ? resolve(cpuProf) : undefined;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  const server = await spawnServerChild({ url, wsProxy, poolMax, batchInFlight, cpuProfDir, nodeArgs: serverNodeArgs });
  // the bench's own connection: issuing coupons and counting redemptions, never during a timed run
  const database = await openDatabase({ kind: 'neon', url, wsProxy, poolMax: 2 });
  try {
    const run = randomBytes(4).toString('hex');
    const keys = DEMO_PARTNER_KEYS.filter((k) => k.source === 'pos');
    const codes: string[] = [];
    let next = 0;
    /** request i: coupon i, key i, a signature made now (the server accepts it for 5 minutes) */
    const redeemRequest = (): PacedRequest => {
      const i = next++;
      if (i >= codes.length) throw new Error(`request ${i} has no coupon left (issued ${codes.length})`);
      const key = keys[i % keys.length];
      const body = JSON.stringify({
        idempotencyKey: `bench-${run}-${i}`,
        couponCode: codes[i],
        orderAmountFen: 5_000 + (i % 100) * 100,
        externalOrderId: `BENCH-${run}-${i}`,
      });
      const headers = partnerHeaders({
        keyId: key.id,
        secret: key.secret,
        method: 'POST',
        path: REDEEM_PATH,
        body,
        now: new Date(),
      });
      return {
        method: 'POST',
        path: REDEEM_PATH,
        headers: { ...headers, 'content-type': 'application/json' },
        body,
      };
    };
    const signedRedeem = (): AutocannonRequest => ({
      method: 'POST',
      path: REDEEM_PATH,
      setupRequest: (req) => {
        const r = redeemRequest();
        return { ...req, headers: r.headers, body: r.body };
      },
    });
    const redeemUrl = new URL(REDEEM_PATH, server.apiUrl).href;
    const ping = new URL('/api/ping', server.apiUrl).href;

    codes.push(...(await preIssue(database, run, 0, warmup + amount * saturationRuns)));
    // warm-up: JIT, pool connections, query plans, the partner key cache
    await runAutocannon({
      url: redeemUrl,
      connections: Math.min(connections, 10),
      durationSec: 1,
      amount: warmup,
      requests: [signedRedeem()],
    });
    await runAutocannon({ url: ping, connections: Math.min(connections, 10), durationSec: 1 });

    // (a) saturation. Other work on the machine only ever lowers a throughput, so the capacity is the best of
    // --saturation-runs runs: a low one would offer the fixed-rate rounds below a lighter load than the goal says
    console.log(`redemption (a) saturation: GET /api/ping, ${connections} connections, ${durationSec} s`);
    const base = await runAutocannon({ url: ping, connections, durationSec });
    console.log(`  ${line(base)}`);
    const redeemedBefore = next;
    const sats: AutocannonFigures[] = [];
    for (let i = 1; i <= saturationRuns; i++) {
      console.log(
        `redemption (a) saturation ${i}/${saturationRuns}: POST ${REDEEM_PATH}, ${connections} connections, ` +
          `${amount} requests`,
      );
      sats.push(await runAutocannon({ url: redeemUrl, connections, durationSec, amount, requests: [signedRedeem()] }));
      console.log(`  ${line(sats[sats.length - 1])}`);
    }
    const sat = sats.reduce((a, b) => (b.rps > a.rps ? b : a));
    const saturatedRequests = next - redeemedBefore;

    // (b) the same fixed rate for both, a fraction of the measured redemption capacity, in interleaved rounds: the
    // p99 of one 10-second window moves with whatever else the machine did in it, so both handlers get the same
    // number of windows, alternating, and each figure is the percentile over all of its rounds' requests
    const offered = rate !== undefined ? Math.round(rate) : Math.max(1, Math.round(sat.rps * load));
    const perWindow = Math.round(offered * durationSec);
    const rewarm = 200;
    codes.push(...(await preIssue(database, run, codes.length, rounds * (perWindow + rewarm) + 10)));
    console.log(
      `redemption (b) fixed rate ${offered} req/s (${Math.round((100 * offered) / sat.rps)} % of the redemption capacity${rate !== undefined ? ', --rate' : ''}), ` +
        `${connections} connections, ${rounds} rounds of ${durationSec} s per handler, open loop`,
    );
    // the hot tables grow by ~70,000 rows per run in a database that keeps them: without this, every few runs an
    // autovacuum or autoanalyze of one of them landed in a round (and moved its p99); now their counters start low
    const vacuumStarted = performance.now();
    await database.exec(`vacuum (analyze) coupons, coupon_redemptions, partner_requests`);
    const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
    console.log(`redemption: vacuum (analyze) of the hot tables before the rounds: ${vacuumSeconds.toFixed(1)} s`);
    const vacuumBefore = await autovacuumCounts(database);
    const vacuumSeen = new Set<string>();
    const sampler = setInterval(() => {
      database
        .exec(
          `select query from pg_stat_activity where backend_type = 'autovacuum worker' and datname = current_database()`,
        )
        .then((rows) => {
          for (const r of rows) vacuumSeen.add(String(r.query).replace(/^autovacuum: /, ''));
        })
        .catch(() => {});
    }, 500);
    /** one measured window of (b)/(c): `next` at the offered rate over the connections, with the server's diagnostics */
    const fixedRateWindow = (next: (i: number) => PacedRequest) =>
      measure(server, dbName, () =>
        runPaced({ url: server.apiUrl, connections, rate: offered, durationSec, next, timeline: true }),
      );
    const redeemRounds: Measured[] = [];
    const floorRounds: Measured[] = [];
    const pingRounds: Measured[] = [];
    try {
      for (let r = 1; r <= rounds; r++) {
        // each redemption window right after redemptions: the driver's pool closes connections idle for 10 s, as
        // they are through a ping window and, in round 1, through the vacuum above (10.7 s on a database with 7.5 M
        // coupons), and a reconnect's SCRAM handshake would land in the figures as a one-off stall (a round-1 p99 of
        // 446 ms, 10 connections opened in the window, the slowest in 550 ms)
        await runAutocannon({
          url: redeemUrl,
          connections: 10,
          durationSec: 1,
          amount: rewarm,
          requests: [signedRedeem()],
        });
        // signed before the window (seconds before they are sent, well inside the 5-minute window): building and
        // signing thousands of requests while timing them would add the load generator's CPU and garbage to the
        // redemption's latency and not to the baseline's (--sign-when-due to do it anyway)
        const prebuilt = signWhenDue
          ? null
          : Array.from({ length: perWindow }, () => {
              const q = redeemRequest();
              return { ...q, headers: { ...q.headers, 'content-length': String(Buffer.byteLength(q.body ?? '')) } };
            });
        const m = await fixedRateWindow(prebuilt ? (i) => prebuilt[i] : redeemRequest);
        redeemRounds.push(m);
        console.log(`  round ${r}: POST ${REDEEM_PATH} ${pacedLine(m.figures)}`);
        console.log(`    ${brief(m, REDEEM_PATH)}`);
        // right after the redemptions, while the pool's connections are open
        const f = await fixedRateWindow(() => ({ method: 'GET', path: FLOOR_PATH }));
        floorRounds.push(f);
        console.log(`  round ${r}: GET ${FLOOR_PATH} ${pacedLine(f.figures)}`);
        console.log(`    ${brief(f, FLOOR_PATH)}`);
        const b = await fixedRateWindow(() => ({ method: 'GET', path: '/api/ping' }));
        pingRounds.push(b);
        console.log(`  round ${r}: GET /api/ping       ${pacedLine(b.figures)}`);
      }
    } finally {
      clearInterval(sampler);
    }
    const vacuumed = [...new Set([...diffCounts(vacuumBefore, await autovacuumCounts(database)), ...vacuumSeen])];
    const paced = pooled(redeemRounds);
    const basePaced = pooled(pingRounds);
    const floorPaced = pooled(floorRounds);
    const roundFigures = redeemRounds.map((m, i) => {
      const p = pingRounds[i].figures;
      return {
        p99_ms: m.figures.p99_ms,
        floor_p99_ms: floorRounds[i].figures.p99_ms,
        baseline_p99_ms: p.p99_ms,
        ratio: round(m.figures.p99_ms / Math.max(p.p99_ms, 1)),
        floor_ratio: round(floorRounds[i].figures.p99_ms / Math.max(p.p99_ms, 1)),
        other_cpu_ms_per_s: m.cpu?.other ?? null,
      };
    });
    // the diagnosis of the round with the slowest redemption p99 (the one the tail comes from), and its ping round
    const worst = redeemRounds.reduce((w, m, i) => (m.figures.p99_ms > redeemRounds[w].figures.p99_ms ? i : w), 0);
    const why = explain(redeemRounds[worst], redeemRounds[worst].figures, REDEEM_PATH);
    const baseWhy = explain(pingRounds[worst], pingRounds[worst].figures, '/api/ping');
    console.log(
      `redemption: over ${rounds} rounds, POST ${REDEEM_PATH} p50 ${paced.p50_ms} ms, p99 ${paced.p99_ms} ms; ` +
        `GET /api/ping p50 ${basePaced.p50_ms} ms, p99 ${basePaced.p99_ms} ms; per round p99 / baseline p99: ` +
        roundFigures.map((f) => `${f.p99_ms} / ${f.baseline_p99_ms} = ${f.ratio}`).join(', '),
    );
    console.log(
      `redemption: the database floor (one select 1 through the same wrapper, pool and proxy) at the same rate: ` +
        `p50 ${floorPaced.p50_ms} ms, p99 ${floorPaced.p99_ms} ms, ${round(floorPaced.p99_ms / Math.max(basePaced.p99_ms, 1))} × the baseline; per round ` +
        roundFigures.map((f) => f.floor_ratio).join(', '),
    );
    console.log(`redemption: where the time went, POST ${REDEEM_PATH} at ${offered} req/s, round ${worst + 1}:`);
    for (const l of why.lines) console.log(`  ${l}`);
    console.log(`  autovacuum during the rounds: ${vacuumed.length ? vacuumed.join(', ') : 'none'}`);
    console.log(`redemption: GET /api/ping at the same rate, round ${worst + 1}:`);
    for (const l of baseWhy.lines) console.log(`  ${l}`);
    const [settings] = await database.exec(
      `select current_setting('synchronous_commit') as sc, current_setting('fsync') as fsync`,
    );

    const [row] = await database.exec(
      `select count(*)::int as n from coupon_redemptions where external_order_id like $1`,
      [`BENCH-${run}-%`],
    );
    const redeemed = Number(row.n);
    console.log(`redemption: ${redeemed} redemptions recorded for ${next} requests (warm-up included)`);

    const figures = {
      bench: 'redemption',
      rps: sat.rps,
      p50_ms: paced.p50_ms,
      p99_ms: paced.p99_ms,
      baseline_p99_ms: basePaced.p99_ms,
      ratio: round(paced.p99_ms / Math.max(basePaced.p99_ms, 1)),
      offered_rps: offered,
      baseline_p50_ms: basePaced.p50_ms,
      floor_p50_ms: floorPaced.p50_ms,
      floor_p99_ms: floorPaced.p99_ms,
      floor_ratio: round(floorPaced.p99_ms / Math.max(basePaced.p99_ms, 1)),
      saturated_p50_ms: sat.p50_ms,
      saturated_p99_ms: sat.p99_ms,
      baseline_rps: base.rps,
      baseline_saturated_p50_ms: base.p50_ms,
      baseline_saturated_p99_ms: base.p99_ms,
      saturated_ratio: round(sat.p99_ms / Math.max(base.p99_ms, 1)),
      saturated_requests: saturatedRequests,
      errors:
        sats.reduce((n, f) => n + f.errors, 0) + paced.errors + base.errors + basePaced.errors + floorPaced.errors,
      non2xx:
        sats.reduce((n, f) => n + f.non2xx, 0) + paced.non2xx + base.non2xx + basePaced.non2xx + floorPaced.non2xx,
      redeemed,
      requests: next,
      connections,
      load: rate !== undefined ? null : load,
      rounds,
      round_figures: roundFigures,
      saturated_rps_runs: sats.map((f) => f.rps),
      pool: poolMax,
      batch_in_flight: batchInFlight,
      timer_lag_p99_ms: paced.send_lag_p99_ms,
      baseline_timer_lag_p99_ms: basePaced.send_lag_p99_ms,
      load_avg_1m: [loadBefore, round(loadavg()[0])],
      // why (the fixed-rate round with the slowest redemption p99, server process unless named): see explain()
      why_round: worst + 1,
      ...why.figures,
      baseline_server_loop_delay_p99_ms: baseWhy.figures.server_loop_delay_p99_ms,
      baseline_server_gc_max_ms: baseWhy.figures.server_gc_max_ms,
      baseline_cpu_ms_per_s: baseWhy.figures.cpu_ms_per_s,
      autovacuum_during_rounds: vacuumed,
      vacuum_before_rounds_s: round(vacuumSeconds, 2),
      pg_synchronous_commit: settings?.sc,
      pg_fsync: settings?.fsync,
      server_node_args: serverNodeArgs.join(' '),
      signed: signWhenDue ? 'when due' : 'before the run',
    };
    if (figures.errors > 0 || figures.non2xx > 0 || redeemed !== next) {
      console.log(
        `redemption: WARNING: the run failed: ${figures.non2xx} non-2xx, ${figures.errors} errors, ` +
          `${redeemed} of ${next} redemptions recorded; the figures are not valid`,
      );
      process.stdout.write(`${JSON.stringify({ ...figures, failed: true })}\n`);
      throw new Error('redemption: the run had failed requests (figures above)');
    }
    return figures;
  } finally {
    await database.close();
    await server.stop();
  }
}

const line = (f: { rps: number; p50_ms: number; p99_ms: number; errors: number; non2xx: number }) =>
  `${f.rps} req/s, p50 ${f.p50_ms} ms, p99 ${f.p99_ms} ms, errors ${f.errors}, non-2xx ${f.non2xx}`;

const pacedLine = (f: Awaited<ReturnType<typeof runPaced>>) =>
  `${f.rps} req/s, p50 ${f.p50_ms} ms, p90 ${f.p90_ms} ms, p99 ${f.p99_ms} ms, max ${f.max_ms} ms ` +
  `(timer lag p99 ${f.send_lag_p99_ms} ms), errors ${f.errors}, non-2xx ${f.non2xx}`;

const benchMonitor = processMonitor();

/** A round's server side in one line: how far the tail of each part moved from round to round. */
function brief(m: Measured, path: string): string {
  const s = m.server;
  const http = s.http[path];
  const db = Object.values(s.db).reduce((a, d) => (d.n > a.n ? d : a), { n: 0, p50_ms: 0, p99_ms: 0, max_ms: 0 });
  return (
    `server-side p99 ${http?.p99_ms ?? 0} ms; GC ${s.gc_count} pauses, max ${s.gc_max_ms} ms, total ${s.gc_total_ms} ms ` +
    `(${Object.entries(s.gc_kinds)
      .map(([k, [n]]) => `${k} ${n}`)
      .join(', ')}); ` +
    `event-loop delay max ${s.loop_delay_max_ms} ms; main statement p99 ${db.p99_ms} ms; CPU other ${m.cpu?.other ?? '?'}`
  );
}

/** One handler's rounds as one sample: percentiles over every request of every round, errors summed. */
function pooled(rounds: Measured[]) {
  const d = dist(rounds.flatMap((m) => Array.from(m.figures.timeline?.latency ?? [])));
  return {
    p50_ms: d.p50_ms,
    p99_ms: d.p99_ms,
    max_ms: d.max_ms,
    send_lag_p99_ms: Math.max(...rounds.map((m) => m.figures.send_lag_p99_ms)),
    errors: rounds.reduce((n, m) => n + m.figures.errors, 0),
    non2xx: rounds.reduce((n, m) => n + m.figures.non2xx, 0),
  };
}

/**
 * A full GC of THIS process (the load generator; never the server): its issued codes and pre-signed requests would
 * otherwise be marked and compacted in the middle of a measured run. `gc` without --expose-gc on the command line.
 */
const collectLoadGeneratorGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

interface Measured {
  figures: PacedFigures;
  server: DiagWindow;
  /** this process: the load generator */
  bench: ProcessWindow;
  cpu: ReturnType<ReturnType<typeof cpuWindow>>;
}

/** One run with the server's diagnostics and every process group's CPU over the same window. */
async function measure(
  server: { pid: number; diagStart(): Promise<void>; diagStop(): Promise<DiagWindow> },
  dbName: string,
  run: () => Promise<PacedFigures>,
): Promise<Measured> {
  collectLoadGeneratorGarbage();
  await server.diagStart();
  const cpu = cpuWindow(server.pid, dbName);
  benchMonitor.start();
  const figures = await run();
  const bench = benchMonitor.stop();
  const cpuFigures = cpu();
  return { figures, server: await server.diagStop(), bench, cpu: cpuFigures };
}

/**
 * The figures that say why the p99 is what it is: the server's own time for the path (the rest of the client's
 * latency is queueing outside it: the load generator, sockets), its GC pauses and event-loop delay, the database
 * round trips, each process group's CPU, and how many of the slowest 1 % of requests were in flight during a
 * server GC pause (vs all requests: a chance overlap).
 */
function explain(m: Measured, paced: PacedFigures, path: string) {
  const s = m.server;
  const http = s.http[path] ?? { n: 0, p50_ms: 0, p99_ms: 0, max_ms: 0 };
  const db = Object.fromEntries(Object.entries(s.db).map(([k, d]) => [k, d.p99_ms]));
  // share of requests in flight during a GC pause ≥ 2 ms of the given process: the slowest 1 %, and all
  const inGc = (gcPauses: ProcessWindow['gc_pauses']) => {
    const t = paced.timeline;
    if (!t || t.due.length === 0) return [null, null] as const;
    const pauses = gcPauses.filter(([, d]) => d >= 2);
    const overlaps = (i: number) => {
      const a = t.due[i];
      const b = a + t.latency[i];
      return pauses.some(([start, d]) => start < b && start + d > a);
    };
    const order = Array.from(t.latency.keys()).sort((x, y) => t.latency[y] - t.latency[x]);
    const slow = order.slice(0, Math.max(1, Math.floor(order.length / 100)));
    return [
      round((100 * slow.filter(overlaps).length) / slow.length, 1),
      round((100 * order.filter(overlaps).length) / order.length, 1),
    ] as const;
  };
  const [slowOverlap, allOverlap] = inGc(s.gc_pauses);
  const [slowBenchOverlap] = inGc(m.bench.gc_pauses);
  const b = m.bench;
  const cpu = m.cpu;
  const figures = {
    server_time_p50_ms: http.p50_ms,
    server_time_p99_ms: http.p99_ms,
    server_gc_count: s.gc_count,
    server_gc_over_5ms: s.gc_over_5ms,
    server_gc_p99_ms: s.gc_p99_ms,
    server_gc_max_ms: s.gc_max_ms,
    server_gc_total_ms: s.gc_total_ms,
    server_gc_kinds: s.gc_kinds,
    server_loop_delay_p99_ms: s.loop_delay_p99_ms,
    server_loop_delay_max_ms: s.loop_delay_max_ms,
    server_elu: s.elu,
    db_p99_ms: db,
    pool_query_p99_ms: s.pool_query.p99_ms,
    new_connections: s.connects.n,
    new_connection_max_ms: s.connects.max_ms,
    slowest_1pct_in_gc_pct: slowOverlap,
    all_in_gc_pct: allOverlap,
    bench_gc_max_ms: b.gc_max_ms,
    bench_gc_total_ms: b.gc_total_ms,
    bench_loop_delay_p99_ms: b.loop_delay_p99_ms,
    slowest_1pct_in_bench_gc_pct: slowBenchOverlap,
    cpu_ms_per_s: cpu,
  };
  const lines = [
    `client p50 ${paced.p50_ms} ms, p99 ${paced.p99_ms} ms; server-side p50 ${http.p50_ms} ms, p99 ${http.p99_ms} ms, ` +
      `max ${http.max_ms} ms (${http.n} requests)`,
    `server GC: ${s.gc_count} pauses, ${s.gc_over_5ms} over 5 ms, p99 ${s.gc_p99_ms} ms, max ${s.gc_max_ms} ms, ` +
      `total ${s.gc_total_ms} ms (${Object.entries(s.gc_kinds)
        .map(([k, [n, ms]]) => `${k} ${n}× ${ms} ms`)
        .join(', ')}); event-loop delay p99 ${s.loop_delay_p99_ms} ms, max ${s.loop_delay_max_ms} ms; ` +
      `loop busy ${Math.round(s.elu * 100)} %`,
    `database round trips (p50/p99 ms): ${
      Object.entries(s.db)
        .map(([k, d]) => `${k} ${d.p50_ms}/${d.p99_ms} (${d.n})`)
        .join(', ') || 'none'
    }; pool.query incl. waiting for a connection ${s.pool_query.p50_ms}/${s.pool_query.p99_ms}; ` +
      `connections opened ${s.connects.n}${s.connects.n ? ` (max ${s.connects.max_ms} ms)` : ''}`,
    ...(slowOverlap === null
      ? []
      : [`slowest 1 % in flight during a server GC pause ≥ 2 ms: ${slowOverlap} % (all requests: ${allOverlap} %)`]),
    `load generator (this process): GC ${b.gc_count} pauses, max ${b.gc_max_ms} ms, total ${b.gc_total_ms} ms; ` +
      `event-loop delay p99 ${b.loop_delay_p99_ms} ms; timer lag p99 ${paced.send_lag_p99_ms} ms` +
      (slowBenchOverlap === null ? '' : `; slowest 1 % in flight during its GC pause ≥ 2 ms: ${slowBenchOverlap} %`),
    cpu
      ? `CPU ms per s (1000 = one core of ${cpu.machine_cores}): bench ${cpu.bench}, server ${cpu.server}, ` +
        `proxy ${cpu.proxy}, postgres ${cpu.postgres}, other ${cpu.other}`
      : 'CPU per process: /proc not available',
  ];
  return { figures, lines };
}

const HOT_TABLES = ['coupons', 'coupon_redemptions', 'partner_requests'];

async function autovacuumCounts(database: Database): Promise<Record<string, number>> {
  const rows = await database.exec(
    `select relname, autovacuum_count + autoanalyze_count as n from pg_stat_user_tables where relname = any($1)`,
    [HOT_TABLES],
  );
  return Object.fromEntries(rows.map((r) => [String(r.relname), Number(r.n)]));
}

function diffCounts(before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.keys(after).filter((k) => after[k] !== (before[k] ?? 0));
}

/** Bulk-issues `n` NEW_MEMBER coupons over 1,000 fresh customers (one statement per 20,000, unnest arrays). */
async function preIssue(database: Database, run: string, from: number, n: number): Promise<string[]> {
  const started = Date.now();
  const customers = Array.from({ length: 1_000 }, (_, i) => `cus_bench_${run}_${i}`);
  if (from === 0) {
    await database.exec(
      `insert into customers (id, display_name, registered_at) select unnest($1::text[]), '压测会员', now()`,
      [customers],
    );
  }
  const codes = Array.from({ length: n }, () => newCouponCode());
  const ids = codes.map((_, i) => `cpn_bench_${run}_${from + i}`);
  for (let at = 0; at < n; at += 20_000) {
    const slice = (a: string[]) => a.slice(at, at + 20_000);
    await database.exec(
      `insert into coupons (id, template_id, customer_id, code, status, valid_from, valid_until, reason, issue_key, issued_at)
       select id, 'ctp_new_member', ($3::text[])[1 + (ord::int % 1000)], code, 'available', now() - interval '1 hour',
         now() + interval '30 days', 'campaign', 'bench:' || id, now()
       from unnest($1::text[], $2::text[]) with ordinality as t(id, code, ord)`,
      [slice(ids), slice(codes), customers],
    );
  }
  console.log(`redemption: issued ${n} coupons in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return codes;
}
