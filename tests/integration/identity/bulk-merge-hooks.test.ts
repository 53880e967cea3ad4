/**
 * The bulk linker reconciles loyalty set-based (MergeHook.mergeAll); it must leave exactly the rows that calling the
 * per-merge hook for each merge in merge-id order leaves (the fallback path). Both runs link the same base from the
 * same state in a transaction that is rolled back, with the same job id, so merge ids match.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../../functions/adapters/db/client.js';
import { createIdentityRepo } from '../../../functions/adapters/db/repos/identity.repo.js';
import { bulkLink } from '../../../functions/adapters/db/repos/identity-bulk.repo.js';
import { MERGE_HOOKS } from '../../../functions/adapters/db/repos/merge-steps.js';
import { ingestAndLog } from '../../../functions/app/identity/ingest.js';
import { shanghaiDay } from '../../../functions/app/identity/link-record.js';
import { storePhoneKey } from '../../../shared/identity/blocked.js';
import { LINK_LIMITS } from '../../../shared/identity/link.rules.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { customerOf, loyaltyRows } from './helpers.js';

let sys: TestSystem;
let rows: Rows;
beforeAll(async () => {
  sys = await startTestSystem();
  rows = loyaltyRows(sys);
});
afterAll(async () => sys?.close());

const exec = (q: string, p?: unknown[]) => sys.database.exec(q, p);
type Rows = ReturnType<typeof loyaltyRows>;
const earn = (...a: Parameters<Rows['earn']>) => rows.earn(...a);
const spend = (...a: Parameters<Rows['spend']>) => rows.spend(...a);
const coupon = (...a: Parameters<Rows['coupon']>) => rows.coupon(...a);

/** Loyalty rows as they are, ledger lines in id order (ids themselves differ: sequences do not roll back). */
async function loyalty(tx: Tx) {
  const q = async (query: ReturnType<typeof sql>) =>
    ((await tx.execute(query)) as unknown as { rows: Record<string, unknown>[] }).rows;
  return {
    ledger: await q(sql`select customer_id, kind, points, entry_key, earn_year, note, occurred_at::text
      from points_ledger order by id`),
    coupons: await q(sql`select id, customer_id, status, voided_at::text, void_reason, voided_by_merge
      from coupons order by id`),
    counts: await q(sql`select template_id, customer_id, issued from coupon_member_counts
      order by template_id, customer_id`),
    merges: await q(sql`select id, survivor_id, merged_id from identity_merges order by id`),
  };
}

class Rollback extends Error {}

/** The bulk job from the current state, rolled back; what it left, read inside its transaction. */
async function bulkRun(job: string, perMerge: boolean) {
  const hook = MERGE_HOOKS[0] as { mergeAll?: unknown };
  const saved = hook.mergeAll;
  if (perMerge) delete hook.mergeAll;
  let seen: Awaited<ReturnType<typeof loyalty>> | undefined;
  try {
    await sys.database.db.transaction(async (tx) => {
      const now = sys.clock.now();
      await bulkLink(tx, {
        today: shanghaiDay(now),
        now,
        job,
        actorId: 'test',
        dormantDays: LINK_LIMITS.dormantDays,
        phoneLimit: LINK_LIMITS.phoneRecords,
        keyLimit: LINK_LIMITS.keyRecords,
        storePhones: (await createIdentityRepo(tx).storePhones()).map(storePhoneKey),
      });
      seen = await loyalty(tx);
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  } finally {
    hook.mergeAll = saved;
  }
  if (!seen) throw new Error('the bulk run saw nothing');
  return seen;
}

describe('bulk merge hooks', () => {
  it('reconcile loyalty set-based exactly as per-merge calls in merge-id order do', async () => {
    // three people, each with several POS cards (same real name and phone), not linked yet
    const groups = [
      { name: '钱学文', phone: '13394550001', cards: 3 },
      { name: '孙丽华', phone: '13394550002', cards: 4 },
      { name: '李国强', phone: '13394550003', cards: 3 },
    ];
    await ingestAndLog(sys.database, {
      source: 'pos',
      records: groups.flatMap((g, gi) =>
        Array.from({ length: g.cards }, (_, ci) => ({
          sourceId: `88955${gi}${ci}`,
          name: g.name,
          phone: g.phone,
          storeCode: 'HZ001',
        })),
      ),
      linking: 'deferred',
      keyId: null,
      requestId: null,
      storeId: null,
      operation: 'test.import',
      now: sys.clock.now(),
    });
    const card = (gi: number, ci: number) => customerOf(sys, 'pos', `88955${gi}${ci}`);
    const issued = '2026-11-20T02:00:00Z';

    // 0: the survivor (registered) holds a live new-member coupon; both absorbed cards bring one too
    const s0 = await card(0, 0);
    await exec("update customers set registered_at = '2026-01-01T00:00:00Z' where id = $1", [s0]);
    await coupon('cpn_bm_0_0', s0, { newMember: true, issuedAt: issued });
    await coupon('cpn_bm_0_1', await card(0, 1), { newMember: true, issuedAt: '2026-11-19T02:00:00Z' });
    await coupon('cpn_bm_0_2', await card(0, 2), { newMember: true, issuedAt: '2026-11-21T02:00:00Z' });
    await earn(await card(0, 1), 'earn:bm_0_1', 40, 2025, '2025-05-01T02:00:00Z');
    await earn(await card(0, 2), 'earn:bm_0_2', 60, 2026, '2026-05-01T02:00:00Z');

    // 1: the survivor holds none; absorbed cards bring two, one, and an expired one: one stays for the person
    const s1 = await card(1, 0);
    await exec("update customers set registered_at = '2026-01-01T00:00:00Z' where id = $1", [s1]);
    await coupon('cpn_bm_1_1a', await card(1, 1), { newMember: true, issuedAt: '2026-11-18T02:00:00Z' });
    await coupon('cpn_bm_1_1b', await card(1, 1), { newMember: true, issuedAt: '2026-11-22T02:00:00Z' });
    await coupon('cpn_bm_1_2', await card(1, 2), { newMember: true, issuedAt: '2026-11-17T02:00:00Z' });
    await coupon('cpn_bm_1_3', await card(1, 3), { newMember: true, issuedAt: '2026-10-01T02:00:00Z', days: 30 });
    await coupon('cpn_bm_1_m', await card(1, 2), { issuedAt: issued });
    await earn(await card(1, 3), 'earn:bm_1_3', 100, 2025, '2025-03-01T02:00:00Z');
    await spend(await card(1, 3), 'spend:bm_1_3', 30, '2025-04-01T02:00:00Z');

    // 2: no survivor chosen; points with a debt and coupons spread over the cards
    await earn(await card(2, 1), 'earn:bm_2_1', 20, 2026, '2026-02-01T02:00:00Z');
    await spend(await card(2, 1), 'spend:bm_2_1', 50, '2026-03-01T02:00:00Z');
    await earn(await card(2, 2), 'earn:bm_2_2', 80, 2026, '2026-02-01T02:00:00Z');
    await coupon('cpn_bm_2_0', await card(2, 0), { newMember: true, issuedAt: issued });
    await coupon('cpn_bm_2_2', await card(2, 2), { newMember: true, issuedAt: issued });

    sys.clock.advance(60_000);
    const setBased = await bulkRun('bmtest', false);
    const perMerge = await bulkRun('bmtest', true);

    // the runs merged, moved points and voided coupons (so the comparison below compares something)
    expect(setBased.merges.length).toBeGreaterThanOrEqual(7);
    expect(setBased.ledger.filter((l) => l.kind === 'transfer').length).toBeGreaterThanOrEqual(8);
    const voided = setBased.coupons.filter((c) => c.status === 'voided').map((c) => c.id);
    expect(voided).toEqual(expect.arrayContaining(['cpn_bm_0_1', 'cpn_bm_0_2']));
    // group 1: of its three live new-member coupons exactly one stays live, and the expired one is left alone
    const live1 = setBased.coupons.filter(
      (c) => String(c.id).startsWith('cpn_bm_1_') && c.id !== 'cpn_bm_1_m' && c.status === 'available',
    );
    expect(live1.map((c) => c.id).filter((id) => id !== 'cpn_bm_1_3')).toHaveLength(1);

    expect(setBased).toEqual(perMerge);
  });
});
