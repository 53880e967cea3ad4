/**
 * The full re-link job (initial migration, `npm run import` of a whole export, the benchmark): the bulk SQL linker
 * in one transaction. New records after it link incrementally on ingest. When its merges move a large share of the
 * records (an initial migration), it holds source_records, identities, customers and the merge logs exclusively from
 * its merge phase until it commits (indexes and keys set aside: identity-bulk-merge.repo.ts): run it as the
 * maintenance operation it is, not beside live ingests.
 */

import { sql } from 'drizzle-orm';
import { storePhoneKey } from '../../../shared/identity/blocked.js';
import { LINK_LIMITS } from '../../../shared/identity/link.rules.js';
import type { Database } from '../../adapters/db/client.js';
import { createIdentityRepo } from '../../adapters/db/repos/identity.repo.js';
import { type BulkLinkResult, bulkLink } from '../../adapters/db/repos/identity-bulk.repo.js';
import { newId } from '../../adapters/ids.js';
import { linkRecord, shanghaiDay } from './link-record.js';

export async function linkAll(
  database: Database,
  opts: { now: Date; actorId?: string; onProgress?: (step: string) => void },
): Promise<BulkLinkResult & { job: string; seconds: number }> {
  const started = performance.now();
  const job = newId('lnk', opts.now.getTime()).slice(4);
  const result = await database.db.transaction(async (tx) => {
    // this transaction's own settings: no JIT (fresh temp tables have poor estimates, and compiling the plans costs
    // more than it saves); moderate memory for its hashes, sorts and temp tables (temp_buffers is settable only
    // before the session's first temp table). At 10^6 members more memory measured within noise (one run each: 69 s
    // with these, 74 s with work_mem 256MB, which keeps the survivors' and holds' sorts off disk, and
    // maintenance_work_mem 1GB), so these stay modest for small serverless computes.
    await tx.execute(sql`set local jit = off`);
    await tx.execute(sql`set local work_mem = '64MB'`);
    await tx.execute(sql`set local maintenance_work_mem = '128MB'`);
    await tx.transaction((sp) => sp.execute(sql`set local temp_buffers = '256MB'`)).catch(() => undefined);
    const storePhones = (await createIdentityRepo(tx).storePhones()).map(storePhoneKey);
    const bulk = await bulkLink(tx, {
      today: shanghaiDay(opts.now),
      now: opts.now,
      job,
      actorId: opts.actorId ?? 'bulk-linker',
      dormantDays: LINK_LIMITS.dormantDays,
      phoneLimit: LINK_LIMITS.phoneRecords,
      keyLimit: LINK_LIMITS.keyRecords,
      storePhones,
      onProgress: opts.onProgress,
    });
    // the records the bulk job left alone because HQ keeps two of them apart: one by one, in record order
    if (bulk.apart.length > 0) opts.onProgress?.('kept apart: incremental');
    for (const recordId of bulk.apart) await linkRecord(tx, recordId, opts.now);
    return bulk;
  });
  return { ...result, job, seconds: (performance.now() - started) / 1000 };
}
