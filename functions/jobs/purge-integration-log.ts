/**
 * Cron: deletes integration-log rows older than the retention period. The log takes a row per call of every till
 * (tens of thousands a day in a chain of dozens of stores), and HQ's health page only reads the last day and the
 * latest good call per source and store; three months keep enough to answer "since when has this store failed".
 * The ids grow with time, so the job walks the primary key from the oldest row in ranges and stops at the first
 * range with nothing old enough: no scan of the log, and an interrupted run leaves nothing half done.
 * It also ends the uploaded imports (数据导入) nobody went on with for two days: their text (names, phones) is
 * deleted and they are marked failed, so a file left half imported does not keep a second copy of members' data.
 * And it deletes quarantined items resolved more than the same 90 days ago (their payloads went when they were
 * resolved; what is left is the id, the reason and who marked it, kept as long as the log that shows the failure).
 * And it deletes the refused rows' files of uploads (names and phones) 30 days after their import ended: time enough
 * to correct and upload them again.
 */
import { sql } from 'drizzle-orm';
import { dataImportRepo } from '../adapters/db/repos/data-import.repo.js';
import { rows } from '../adapters/db/repos/identity.repo.js';
import { quarantineRepo } from '../adapters/db/repos/quarantine.repo.js';
import type { Deps } from '../app/deps.js';

export const INTEGRATION_LOG_RETENTION_DAYS = 90;
/** an upload takes minutes; one still running after this was left by whoever started it */
export const ABANDONED_IMPORT_DAYS = 2;
/** an upload's refused rows are kept to be corrected and uploaded again */
export const REFUSED_ROWS_DAYS = 30;
const RANGE = 20_000;
/** resolved quarantine items deleted a night at most: a bounded statement; a backlog goes over a few nights */
const QUARANTINE_PURGE_LIMIT = 50_000;

export async function purgeIntegrationLog(
  deps: Deps,
  opts: { budgetMs?: number } = {},
): Promise<{
  deleted: number;
  before: string;
  complete: boolean;
  abandonedImports: number;
  quarantineDeleted: number;
  refusedFilesDeleted: number;
}> {
  const db = deps.database.db;
  const abandonedImports = await dataImportRepo.abandon(
    db,
    new Date(deps.clock.now().getTime() - ABANDONED_IMPORT_DAYS * 86_400_000),
    deps.clock.now(),
  );
  const refusedFilesDeleted = await dataImportRepo.purgeRefused(
    db,
    new Date(deps.clock.now().getTime() - REFUSED_ROWS_DAYS * 86_400_000),
  );
  const before = new Date(deps.clock.now().getTime() - INTEGRATION_LOG_RETENTION_DAYS * 86_400_000);
  const budgetMs = opts.budgetMs ?? 45_000;
  const started = performance.now();
  let deleted = 0;
  let complete = false;
  for (;;) {
    const [first] = await rows<{ id: number | null }>(db, sql`select min(id)::bigint as id from integration_log`);
    if (first?.id === null || first?.id === undefined) {
      complete = true;
      break;
    }
    const lo = Number(first.id);
    const [r] = await rows<{ n: number }>(
      db,
      sql`with gone as (delete from integration_log where id >= ${lo} and id < ${lo + RANGE}
                          and at < ${before.toISOString()}::timestamptz returning 1)
          select count(*)::int as n from gone`,
    );
    deleted += r.n;
    // the oldest range had nothing old enough: everything after it is younger
    if (r.n === 0) {
      complete = true;
      break;
    }
    // bounded: one invocation stays inside the function's time limit; the next night picks up the rest
    if (performance.now() - started > budgetMs) break;
  }
  const quarantineDeleted = await quarantineRepo.purgeResolved(db, before, QUARANTINE_PURGE_LIMIT);
  const result = {
    deleted,
    before: before.toISOString(),
    complete,
    abandonedImports,
    quarantineDeleted,
    refusedFilesDeleted,
  };
  deps.log.info('purged the integration log', result);
  return result;
}
