/**
 * `redemption`: POST /api/pos/redeem under load on PostgreSQL, each request a distinct coupon and idempotency key,
 * signed per request (HMAC, rotating over the 16 stores' POS keys), next to GET /api/ping (the endpoint wrapper, no
 * database) on the same server. A redemption is one transaction: claim the idempotency key, read the coupon and
 * its template, the conditional UPDATE, insert the redemption, store the answer.
 */
import { randomBytes } from 'node:crypto';
import type { AutocannonRequest } from 'autocannon';
import { partnerHeaders } from '../../functions/adapters/auth/partner-signature.js';
import { newCouponCode } from '../../functions/app/coupons/issue-coupon.js';
import { DEMO_PARTNER_KEYS } from '../demo/fixtures.js';
import { startSystem } from '../system.js';
import { runAutocannon } from './autocannon.js';
import type { Flags } from './flags.js';
import { flagNumber } from './flags.js';
import { requireDatabaseUrl, round } from './harness.js';

export async function redemptionBench(flags: Flags): Promise<Record<string, unknown>> {
  const { url, wsProxy } = requireDatabaseUrl();
  const connections = flagNumber(flags, 'connections', 100);
  const amount = flagNumber(flags, 'requests', 20_000);
  const durationSec = flagNumber(flags, 'duration', 10);
  const warmup = 1_000;
  console.log(`redemption: starting the system on ${url.replace(/\/\/[^@]*@/, '//***@')}`);
  const poolMax = flagNumber(flags, 'pool', 10);
  const system = await startSystem({ database: { kind: 'neon', url, wsProxy, poolMax }, seed: 'fixtures', log: false });
  try {
    const run = randomBytes(4).toString('hex');
    const codes = await preIssue(system.database, run, warmup + amount);
    const keys = DEMO_PARTNER_KEYS.filter((k) => k.source === 'pos');
    const redeemUrl = new URL('/api/pos/redeem', system.apiUrl).href;
    let next = 0;
    const signedRedeem = (): AutocannonRequest => ({
      method: 'POST',
      path: '/api/pos/redeem',
      setupRequest: (req) => {
        const i = next++;
        const key = keys[i % keys.length];
        const body = JSON.stringify({
          idempotencyKey: `bench-${run}-${i}`,
          couponCode: codes[i % codes.length],
          orderAmountFen: 5_000 + (i % 100) * 100,
          externalOrderId: `BENCH-${run}-${i}`,
        });
        const headers = partnerHeaders({
          keyId: key.id,
          secret: key.secret,
          method: 'POST',
          path: '/api/pos/redeem',
          body,
          now: new Date(),
        });
        return { ...req, headers: { ...headers, 'content-type': 'application/json' }, body };
      },
    });

    const ping = new URL('/api/ping', system.apiUrl).href;
    await runAutocannon({
      url: redeemUrl,
      connections: Math.min(connections, 10),
      durationSec: 1,
      amount: warmup,
      requests: [signedRedeem()],
    });
    await runAutocannon({ url: ping, connections: Math.min(connections, 10), durationSec: 1 });
    console.log(`redemption: baseline GET /api/ping, ${connections} connections, ${durationSec} s`);
    const base = await runAutocannon({ url: ping, connections, durationSec });
    console.log(
      `  ${base.rps} req/s, p50 ${base.p50_ms} ms, p99 ${base.p99_ms} ms, errors ${base.errors}, non-2xx ${base.non2xx}`,
    );

    console.log(`redemption: POST /api/pos/redeem, ${connections} connections, ${amount} distinct coupons`);
    const startedAt = next;
    const r = await runAutocannon({ url: redeemUrl, connections, durationSec, amount, requests: [signedRedeem()] });
    console.log(`  ${r.rps} req/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, errors ${r.errors}, non-2xx ${r.non2xx}`);
    const [row] = await system.database.exec(
      `select count(*)::int as n from coupon_redemptions where external_order_id like $1`,
      [`BENCH-${run}-%`],
    );
    const redeemed = Number(row.n) - Math.min(warmup, startedAt);
    console.log(`redemption: ${redeemed} redemptions recorded for ${next - startedAt} requests`);
    if (r.non2xx > 0 || base.non2xx > 0)
      console.log('redemption: WARNING: non-2xx responses, figures are not comparable');
    return {
      bench: 'redemption',
      rps: r.rps,
      p50_ms: r.p50_ms,
      p99_ms: r.p99_ms,
      baseline_rps: base.rps,
      baseline_p50_ms: base.p50_ms,
      baseline_p99_ms: base.p99_ms,
      ratio: round(r.p99_ms / Math.max(base.p99_ms, 1)),
      errors: r.errors,
      non2xx: r.non2xx,
      redeemed,
      connections,
    };
  } finally {
    await system.close();
  }
}

/** Bulk-issues `n` NEW_MEMBER coupons over 1,000 fresh customers (one statement each, unnest arrays). */
async function preIssue(
  database: Awaited<ReturnType<typeof startSystem>>['database'],
  run: string,
  n: number,
): Promise<string[]> {
  const started = Date.now();
  const customers = Array.from({ length: 1_000 }, (_, i) => `cus_bench_${run}_${i}`);
  await database.exec(
    `insert into customers (id, display_name, registered_at) select unnest($1::text[]), '压测会员', now()`,
    [customers],
  );
  const codes = Array.from({ length: n }, () => newCouponCode());
  const ids = codes.map((_, i) => `cpn_bench_${run}_${i}`);
  for (let from = 0; from < n; from += 20_000) {
    const slice = (a: string[]) => a.slice(from, from + 20_000);
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
