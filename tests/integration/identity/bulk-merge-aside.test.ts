/**
 * The bulk linker sets the rewritten tables' secondary indexes and row-checked foreign keys aside when its merges
 * move a large share of the records (identity-bulk-merge.repo.ts). Both paths must leave the same rows, and the
 * set-aside path must leave every index and key as it found it. Both runs link the same base from the same state
 * in a transaction that is rolled back, with the same job id, so merge ids match.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../../functions/adapters/db/client.js';
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

const TABLES = ['source_records', 'identities', 'identity_merges', 'identity_merge_moves', 'customers'];

async function state(tx: Tx) {
  const q = async (query: ReturnType<typeof sql>) =>
    ((await tx.execute(query)) as unknown as { rows: Record<string, unknown>[] }).rows;
  const tables = JSON.stringify(TABLES);
  return {
    records: await q(sql`select id, customer_id, updated_at::text from source_records order by id`),
    identities: await q(sql`select id, customer_id from identities order by id`),
    customers: await q(sql`select id, status, merged_into from customers order by id`),
    merges: await q(sql`select id, survivor_id, merged_id, rule, evidence from identity_merges order by id`),
    moves: await q(sql`select merge_id, table_name, row_id, from_customer_id from identity_merge_moves
      order by merge_id, table_name, row_id`),
    holds: await q(sql`select record_id, candidate_customer_id, reason from held_links
      order by record_id, candidate_customer_id`),
    indexes: await q(sql`select tablename, indexname, indexdef from pg_indexes
      where tablename in (select jsonb_array_elements_text(${tables}::jsonb)) order by tablename, indexname`),
    keys: await q(sql`select conrelid::regclass::text as tbl, conname, pg_get_constraintdef(oid) as def, convalidated
      from pg_constraint where conrelid::regclass::text in (select jsonb_array_elements_text(${tables}::jsonb))
      order by 1, 2`),
  };
}

class Rollback extends Error {}

async function bulkRun(rebuildShare: number) {
  let seen: { before: Awaited<ReturnType<typeof state>>; after: Awaited<ReturnType<typeof state>> } | undefined;
  let steps: string[] = [];
  try {
    await sys.database.db.transaction(async (tx) => {
      const now = sys.clock.now();
      const before = await state(tx);
      const result = await bulkLink(tx, {
        today: shanghaiDay(now),
        now,
        job: 'astest',
        actorId: 'test',
        dormantDays: LINK_LIMITS.dormantDays,
        phoneLimit: LINK_LIMITS.phoneRecords,
        keyLimit: LINK_LIMITS.keyRecords,
        storePhones: (await createIdentityRepo(tx).storePhones()).map(storePhoneKey),
        rebuildShare,
      });
      steps = Object.keys(result.steps);
      seen = { before, after: await state(tx) };
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  if (!seen) throw new Error('the bulk run saw nothing');
  return { ...seen, steps };
}

describe('bulk merge with indexes and keys set aside', () => {
  it('leaves the same rows as the row-level path, and every index and key as it found them', async () => {
    // people with several POS cards each (same real name and phone), a mall account on one of them, not linked
    const people = Array.from({ length: 6 }, (_, i) => ({
      name: ['钱学文', '孙丽华', '李国强', '周美玲', '吴建平', '郑秀英'][i],
      phone: `1339456000${i}`,
      cards: 2 + (i % 3),
    }));
    const common = {
      linking: 'deferred' as const,
      keyId: null,
      requestId: null,
      storeId: null,
      operation: 'test.import',
      now: sys.clock.now(),
    };
    await ingestAndLog(sys.database, {
      ...common,
      source: 'pos',
      records: people.flatMap((p, pi) =>
        Array.from({ length: p.cards }, (_, ci) => ({
          sourceId: `77833${pi}${ci}`,
          name: p.name,
          phone: p.phone,
          storeCode: 'HZ001',
        })),
      ),
    });
    await ingestAndLog(sys.database, {
      ...common,
      source: 'mall',
      records: [{ sourceId: 'mall_as_1', mallAccount: 'mall_as_1', name: '钱学文', phone: '13394560000' }],
    });
    sys.clock.advance(60_000);

    const aside = await bulkRun(0);
    const rowLevel = await bulkRun(2);

    // the first run set things aside and the second did not; both merged
    expect(aside.steps).toContain('merges: set indexes aside');
    expect(rowLevel.steps).not.toContain('merges: set indexes aside');
    expect(aside.after.merges.length).toBeGreaterThanOrEqual(9);
    expect(aside.after.moves.length).toBeGreaterThan(aside.before.moves.length);
    // the catalog was set aside and put back exactly (same names, definitions, validated keys)
    expect(aside.before.keys.some((k) => k.conname === 'identities_customer_id_customers_id_fk')).toBe(true);
    expect(aside.after.indexes).toEqual(aside.before.indexes);
    expect(aside.after.keys).toEqual(aside.before.keys);
    expect(aside.after).toEqual(rowLevel.after);
  });
});
