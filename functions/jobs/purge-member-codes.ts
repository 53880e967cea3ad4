/**
 * Cron: deletes member codes that expired more than a day ago. Expired codes are already refused by
 * resolveMemberCode; keeping them a day lets a cashier's "expired" answer stay precise (expired, not unknown) for a
 * screenshot shown shortly after, while the table stays small (a code per member per minute of use).
 */
import { createMemberCodeRepo } from '../adapters/db/repos/member-code.repo.js';
import type { Deps } from '../app/deps.js';

export const PURGE_GRACE_MS = 24 * 3600_000;
const BATCH = 5_000;
const MAX_BATCHES = 40;

export async function purgeExpiredMemberCodes(deps: Deps): Promise<{ deleted: number }> {
  const before = new Date(deps.clock.now().getTime() - PURGE_GRACE_MS);
  const repo = createMemberCodeRepo(deps.database.db);
  let deleted = 0;
  // bounded batches: one invocation stays inside the function time limit; the next run picks up the rest
  for (let i = 0; i < MAX_BATCHES; i++) {
    const n = await repo.purgeExpired(before, BATCH);
    deleted += n;
    if (n < BATCH) break;
  }
  deps.log.info('purged expired member codes', { deleted });
  return { deleted };
}
