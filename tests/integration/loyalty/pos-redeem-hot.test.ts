/**
 * A redemption changes only a coupon's status and its timestamps, none of them indexed (migration 0018), on a table
 * that keeps free space in its pages (0019): the UPDATE stays on its page as a heap-only tuple and writes no entry
 * into any of the coupon's indexes. Counted inside the transaction with PostgreSQL's own per-transaction statistics.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../functions/adapters/db/client.js';
import { redeemAtPos } from '../../../functions/app/pos/redeem.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { createMember, giveCoupon, posKey, uniqueKey } from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

class Rollback extends Error {}

describe('redeeming a coupon', () => {
  it('updates each redeemed coupon heap-only: no index entry written', async () => {
    const m = await createMember(sys.database);
    const first = await giveCoupon(sys, m.customerId, 'FULL_100_15');
    const second = await giveCoupon(sys, m.customerId, 'FULL_100_15');
    const key = posKey('HZ001');
    let seen: { results: { ok: boolean }[]; stats: Record<string, unknown>; options: unknown } | undefined;
    try {
      await sys.database.db.transaction(async (tx) => {
        const db = tx as unknown as Db;
        const caller = { keyId: key.id, storeId: key.storeId as string };
        const now = sys.clock.now();
        const results = [
          await redeemAtPos(
            db,
            caller,
            { idempotencyKey: uniqueKey('hot-a'), couponCode: first.code, orderAmountFen: 23_000 },
            now,
          ),
          await redeemAtPos(
            db,
            caller,
            {
              idempotencyKey: uniqueKey('hot-b'),
              couponCode: second.code,
              orderAmountFen: 12_000,
              externalOrderId: 'HOT-2',
            },
            now,
          ),
        ];
        const rows = async (query: ReturnType<typeof sql>) =>
          ((await tx.execute(query)) as unknown as { rows: Record<string, unknown>[] }).rows;
        const [stats] = await rows(sql`select pg_stat_get_xact_tuples_updated('coupons'::regclass)::int as updated,
          pg_stat_get_xact_tuples_hot_updated('coupons'::regclass)::int as hot`);
        const [options] = await rows(sql`select reloptions::text as opts from pg_class where relname = 'coupons'`);
        seen = { results, stats, options: options.opts };
        throw new Rollback();
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    }
    if (!seen) throw new Error('nothing was redeemed');
    expect(seen.results.map((r) => r.ok)).toEqual([true, true]);
    expect(seen.options).toBe('{fillfactor=85}');
    expect(seen.stats).toEqual({ updated: 2, hot: 2 });
  });
});
