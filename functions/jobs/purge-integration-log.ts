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
 * And it deletes the stored answers of idempotent requests (a till's redeem, void, order, points; the counter's) after
 * the same 90 days: a retry comes within minutes, a till's offline queue within days (and a late sale earns within
 * LATE_EARN_DAYS, 90), and an answer may hold a member's masked name, so it is not kept for ever. A request replayed
 * after that changes nothing either, by construction: an order is unique on its number, a used coupon is used, a
 * void of voided redemptions and reversed points returns nothing, a points return of a returned spend returns
 * nothing, and a points spend or a counter sale needs a member code or a counter scan that expired long before
 * (tests/integration/loyalty/stored-answers-purge.test.ts). The one replay that would act again is a redeem whose
 * redemption was voided and whose coupon, returned, is still valid three months on.
 */
import { type SQL, sql } from 'drizzle-orm';
import { dataImportRepo } from '../adapters/db/repos/data-import.repo.js';
import { rows } from '../adapters/db/repos/identity.repo.js';
import { quarantineRepo } from '../adapters/db/repos/quarantine.repo.js';
import type { Deps } from '../app/deps.js';

export const INTEGRATION_LOG_RETENTION_DAYS = 90;
/** an upload takes minutes; one still running after this was left by whoever started it */
export const ABANDONED_IMPORT_DAYS = 2;
/** an upload's refused rows are kept to be corrected and uploaded again */
export const REFUSED_ROWS_DAYS = 30;
/** stored answers of idempotent requests (partner_requests, staff_requests) */
export const STORED_ANSWER_DAYS = 90;
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
  storedAnswersDeleted: number;
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
  const deadline = performance.now() + (opts.budgetMs ?? 45_000);
  const log = await purgeOldest(db, sql`integration_log`, sql`at`, before, deadline);
  const quarantineDeleted = await quarantineRepo.purgeResolved(db, before, QUARANTINE_PURGE_LIMIT);
  const answersBefore = new Date(deps.clock.now().getTime() - STORED_ANSWER_DAYS * 86_400_000);
  const partner = await purgeOldest(db, sql`partner_requests`, sql`created_at`, answersBefore, deadline);
  const staff = await purgeOldest(db, sql`staff_requests`, sql`created_at`, answersBefore, deadline);
  const result = {
    deleted: log.deleted,
    before: before.toISOString(),
    complete: log.complete && partner.complete && staff.complete,
    abandonedImports,
    quarantineDeleted,
    refusedFilesDeleted,
    storedAnswersDeleted: partner.deleted + staff.deleted,
  };
  deps.log.info('purged the integration log', result);
  return result;
}

/**
 * Deletes a table's rows older than `before`, walking its primary key from the oldest row in ranges (ids grow with
 * time): no scan of the table, and it stops at the first range with nothing old enough, or at the deadline (the next
 * night picks up the rest). An interrupted run leaves nothing half done.
 */
async function purgeOldest(
  db: Deps['database']['db'],
  table: SQL,
  at: SQL,
  before: Date,
  deadline: number,
): Promise<{ deleted: number; complete: boolean }> {
  let deleted = 0;
  for (;;) {
    const [first] = await rows<{ id: number | null }>(db, sql`select min(id)::bigint as id from ${table}`);
    if (first?.id === null || first?.id === undefined) return { deleted, complete: true };
    const lo = Number(first.id);
    const [r] = await rows<{ n: number }>(
      db,
      sql`with gone as (delete from ${table} where id >= ${lo} and id < ${lo + RANGE}
                          and ${at} < ${before.toISOString()}::timestamptz returning 1)
          select count(*)::int as n from gone`,
    );
    deleted += r.n;
    // the oldest range had nothing old enough: everything after it is younger
    if (r.n === 0) return { deleted, complete: true };
    if (performance.now() > deadline) return { deleted, complete: false };
  }
}
