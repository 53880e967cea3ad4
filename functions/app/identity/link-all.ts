/**
 * The full re-link job (initial migration, `npm run import` of a whole export, the benchmark): the bulk SQL linker
 * in one transaction. New records after it link incrementally on ingest.
 */

import { storePhoneKey } from '../../../shared/identity/blocked.js';
import { LINK_LIMITS } from '../../../shared/identity/link.rules.js';
import type { Database } from '../../adapters/db/client.js';
import { createIdentityRepo } from '../../adapters/db/repos/identity.repo.js';
import { type BulkLinkResult, bulkLink } from '../../adapters/db/repos/identity-bulk.repo.js';
import { newId } from '../../adapters/ids.js';
import { shanghaiDay } from './link-record.js';

export async function linkAll(
  database: Database,
  opts: { now: Date; actorId?: string; onProgress?: (step: string) => void },
): Promise<BulkLinkResult & { job: string; seconds: number }> {
  const started = performance.now();
  const job = newId('lnk', opts.now.getTime()).slice(4);
  const result = await database.db.transaction(async (tx) => {
    const storePhones = (await createIdentityRepo(tx).storePhones()).map(storePhoneKey);
    return bulkLink(tx, {
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
  });
  return { ...result, job, seconds: (performance.now() - started) / 1000 };
}
