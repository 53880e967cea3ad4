/**
 * `review`: the review queues of 会员合并建议 on a linked base of N demo members, through the use cases the pages
 * call (a page of 20 with the queue's total count): HQ's first page of held cards, a page deep in the queue (by the
 * cursor), the busiest store's first page, its region's (a regional manager's several stores), HQ's search by a held
 * card's phone, HQ's first page of suggestions, and the integration-health page (its counts of open holds and
 * suggestions).
 * Each is timed `--rounds` times after a warm-up, next to the baseline of a plain `select count(*)` of the open
 * holds in the same run. `ratio` = HQ's first page p50 / the baseline's p50.
 *
 *   npm run bench -- review [--members 100000] [--seed 1] [--rounds 20] [--from medloop_bench_…]
 *
 * `--from` copies a database the identity bench left behind (`npm run bench -- identity --keep`) instead of loading
 * and linking one: 10^6 members without loading them again.
 */
import { migrateDatabase } from '../../functions/adapters/db/client.js';
import { linkAll } from '../../functions/app/identity/link-all.js';
import { integrationHealth, listHeldReviews, listSuggestions } from '../../functions/app/identity/review.js';
import { generateDemo } from '../demo/generate.js';
import { loadDemo } from '../demo/load.js';
import { openScratchDatabase } from '../identity/drop-database.js';
import { type Flags, flagNumber, flagString, UsageError } from './flags.js';
import { requireDatabaseUrl, round } from './harness.js';

const NOW = new Date('2025-06-30T16:00:00Z');

export async function reviewBench(flags: Flags): Promise<Record<string, unknown>> {
  const members = flagNumber(flags, 'members', 100_000);
  const seed = flagNumber(flags, 'seed', 1);
  const rounds = flagNumber(flags, 'rounds', 20);
  const from = flagString(flags, 'from');
  if (from !== undefined && !/^medloop_bench_[a-z0-9_]+$/.test(from))
    throw new UsageError('--from names a database the bench made (medloop_bench_…)');
  const scratch = await openScratchDatabase({
    ...requireDatabaseUrl(),
    prefix: 'medloop_bench',
    label: 'review',
    template: from,
    keep: false,
  });
  const database = scratch.database;
  try {
    await migrateDatabase(database);
    if (from === undefined) {
      console.log(`review: loading ${members} members`);
      await loadDemo(database, generateDemo({ seed, members, now: NOW }), { skipOrders: true });
    }
    const [{ n: linked }] = await database.exec('select count(*)::int as n from identity_merges');
    if (Number(linked) === 0) {
      console.log('review: bulk link');
      await linkAll(database, { now: NOW });
    }
    await database.exec('analyze');
    const [facts] = await database.exec(
      `select (select count(*)::int from held_links where status = 'open') as holds,
              (select count(*)::int from merge_suggestions where status = 'open') as suggestions,
              (select count(*)::int from source_records) as records`,
    );
    console.log(`review: ${facts.records} records, ${facts.holds} open holds, ${facts.suggestions} open suggestions`);
    if (Number(facts.holds) === 0) throw new Error('no open holds to page through');

    const deps = { database, clock: { now: () => NOW } };
    const who = { staffId: 'bench', requestId: 'bench' };
    const holds = (storeIds: readonly string[] | null, query: { phone?: string; cursor?: string } = {}) =>
      listHeldReviews(deps, { storeIds, query, ...who }).then((r) => {
        if (!r.ok) throw new Error(`holds: ${r.code}`);
        return r.value;
      });

    // the busiest store, a cursor five pages in, a phone a held card carries
    const [busiest] = await database.exec(
      `select r.store_id from held_links h join source_records r on r.id = h.record_id
       where h.status = 'open' and r.store_id is not null group by r.store_id order by count(*) desc limit 1`,
    );
    const storeIds = [String(busiest.store_id)];
    // a regional manager's scope: every store of the busiest store's region
    const regionStoreIds = (
      await database.exec(
        `select id from stores where region_id = (select region_id from stores where id = $1) order by id`,
        [storeIds[0]],
      )
    ).map((r) => String(r.id));
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) cursor = (await holds(null, { cursor })).nextCursor ?? cursor;
    const [held] = await database.exec(
      `select h.phone from held_links h where h.status = 'open' and h.phone is not null order by h.id desc limit 1`,
    );
    const phone = String(held.phone);

    const cases: Record<string, () => Promise<unknown>> = {
      baseline_count: () => database.exec(`select count(*) from held_links where status = 'open'`),
      hq_first_page: () => holds(null),
      hq_page_6: () => holds(null, { cursor }),
      store_first_page: () => holds(storeIds),
      region_first_page: () => holds(regionStoreIds),
      hq_phone_search: () => holds(null, { phone }),
      hq_suggestions: () =>
        listSuggestions(deps, { storeIds: null, query: {}, ...who }).then((r) => {
          if (!r.ok) throw new Error(`suggestions: ${r.code}`);
        }),
      // 数据对接状态, whose 待核实会员卡 opens the held cards' tab
      hq_health: () => integrationHealth(deps),
    };
    const timings: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    for (const run of Object.values(cases)) await run();
    // interleaved rounds: a noisy second hits every case alike
    for (let i = 0; i < rounds; i++) {
      for (const [name, run] of Object.entries(cases)) {
        const t = performance.now();
        await run();
        timings[name].push(performance.now() - t);
      }
    }
    const pct = (xs: number[], q: number) => {
      const s = [...xs].sort((a, b) => a - b);
      return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
    };
    const figures: Record<string, number> = {};
    for (const [name, xs] of Object.entries(timings)) {
      figures[`${name}_p50_ms`] = round(pct(xs, 0.5), 1);
      figures[`${name}_p99_ms`] = round(pct(xs, 0.99), 1);
      console.log(`  ${name.padEnd(18)} p50 ${pct(xs, 0.5).toFixed(1)} ms, p99 ${pct(xs, 0.99).toFixed(1)} ms`);
    }
    const first = await holds(null);
    const store = await holds(storeIds);
    return {
      bench: 'review',
      driver: database.driver,
      records: Number(facts.records),
      open_holds: Number(facts.holds),
      hq_total: first.total,
      store_total: store.total,
      region_stores: regionStoreIds.length,
      open_suggestions: Number(facts.suggestions),
      ...figures,
      ratio: round(figures.hq_first_page_p50_ms / Math.max(figures.baseline_count_p50_ms, 0.01)),
    };
  } finally {
    await scratch.close().catch((err: unknown) => console.error('review: cleanup failed', err));
  }
}
