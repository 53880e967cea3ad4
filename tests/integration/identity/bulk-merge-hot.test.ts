/**
 * The tables a merge rewrites keep free space in their pages (migration 0017), so when the bulk linker sets indexes
 * aside it drops only those on the columns it updates: its UPDATEs of source_records, identities and customers are
 * then heap-only (HOT), touching none of the other indexes, and the catalog is put back as it was.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityRepo } from '../../../functions/adapters/db/repos/identity.repo.js';
import { bulkLink } from '../../../functions/adapters/db/repos/identity-bulk.repo.js';
import { ingestAndLog } from '../../../functions/app/identity/ingest.js';
import { shanghaiDay } from '../../../functions/app/identity/link-record.js';
import { storePhoneKey } from '../../../shared/identity/blocked.js';
import { LINK_LIMITS } from '../../../shared/identity/link.rules.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

class Rollback extends Error {}

describe('bulk merge on pages with free space', () => {
  it('updates the moved rows heap-only and rebuilds only the indexes on updated columns', async () => {
    const common = {
      linking: 'deferred' as const,
      keyId: null,
      requestId: null,
      storeId: null,
      operation: 'test.import',
      now: sys.clock.now(),
    };
    // people with two or three POS cards each (same real name and phone), not linked yet
    await ingestAndLog(sys.database, {
      ...common,
      source: 'pos',
      records: ['钱学文', '孙丽华', '李国强', '周美玲'].flatMap((name, pi) =>
        Array.from({ length: 2 + (pi % 2) }, (_, ci) => ({
          sourceId: `88933${pi}${ci}`,
          name,
          phone: `1339457000${pi}`,
          storeCode: 'HZ001',
        })),
      ),
    });
    sys.clock.advance(60_000);
    let seen: Record<string, unknown> | undefined;
    try {
      await sys.database.db.transaction(async (tx) => {
        const q = async (query: ReturnType<typeof sql>) =>
          ((await tx.execute(query)) as unknown as { rows: Record<string, unknown>[] }).rows;
        const fill = await q(sql`select relname, reloptions::text as opts from pg_class
          where relname in ('source_records', 'identities', 'customers') order by relname`);
        const indexes = () =>
          q(sql`select indexname, indexdef from pg_indexes
            where tablename in ('source_records', 'identities', 'customers') order by indexname`);
        const before = await indexes();
        const dropped: string[] = [];
        let during: Promise<Record<string, unknown>[]> | undefined;
        const now = sys.clock.now();
        const result = await bulkLink(tx, {
          today: shanghaiDay(now),
          now,
          job: 'hottest',
          actorId: 'test',
          dormantDays: LINK_LIMITS.dormantDays,
          phoneLimit: LINK_LIMITS.phoneRecords,
          keyLimit: LINK_LIMITS.keyRecords,
          storePhones: (await createIdentityRepo(tx).storePhones()).map(storePhoneKey),
          rebuildShare: 0,
          // right after the indexes are set aside, before the writes: this query is sent first on the connection
          onProgress: (s) => {
            if (s === 'merges: log') during = indexes();
          },
        });
        const aside = await during;
        if (!aside) throw new Error('no indexes were set aside');
        dropped.push(
          ...before.filter((b) => !aside.some((a) => a.indexname === b.indexname)).map((b) => String(b.indexname)),
        );
        const stats = await q(sql`select c.relname,
            pg_stat_get_xact_tuples_updated(c.oid)::int as upd, pg_stat_get_xact_tuples_hot_updated(c.oid)::int as hot
          from pg_class c where c.relname in ('source_records', 'identities', 'customers') order by c.relname`);
        const after = await indexes();
        seen = { fill, stats, before, after, dropped, merges: result.merges };
        throw new Rollback();
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    }
    if (!seen) throw new Error('the bulk run saw nothing');
    expect(seen.fill).toEqual([
      { relname: 'customers', opts: '{fillfactor=70}' },
      { relname: 'identities', opts: '{fillfactor=70}' },
      { relname: 'source_records', opts: '{fillfactor=70}' },
    ]);
    expect(seen.merges).toBeGreaterThanOrEqual(5);
    // set aside: only the indexes on the columns the UPDATEs set (the others need no entry for a heap-only tuple)
    expect(seen.dropped).toEqual([
      'customers_merged_into_idx',
      'identities_customer_idx',
      'source_records_customer_idx',
    ]);
    // every index is back as it was
    expect(seen.after).toEqual(seen.before);
    // the UPDATEs moved rows, and every one of them stayed on its page
    const stats = seen.stats as { relname: string; upd: number; hot: number }[];
    for (const s of stats) {
      expect(s.upd, s.relname).toBeGreaterThan(0);
      expect(s.hot, s.relname).toBe(s.upd);
    }
  });
});
