/**
 * The data-quality report per source (issue 6: valid phones, duplicate rate, completeness of key fields). HQ reads
 * the latest stored report and the one before it; computing one is a pass over every record (seconds at 10^6), so
 * it happens when HQ asks for a fresh one, at most once a minute, and at the end of a batch import.
 */
import type { DataQualityReport, QualityRefreshResponse, QualityResponse } from '../../../shared/contracts/identity.js';
import type { Db } from '../../adapters/db/client.js';
import { createIdentityQualityRepo, type StoredReport } from '../../adapters/db/repos/identity-quality.repo.js';
import { newId } from '../../adapters/ids.js';
import type { Deps } from '../deps.js';

/** A refresh within this long of the latest report returns that report instead of computing another. */
export const QUALITY_REFRESH_MIN_MS = 60_000;

/** `computed_by` of a report made at the end of a batch import. */
export const IMPORT_ACTOR = 'import';

/** The chain's own systems first, then the others, each in a fixed place (not by name: 门店收银 before 商城). */
const SOURCE_ORDER = ['pos', 'mall', 'miniprogram', 'wecom'];
const rank = (source: string) => {
  const i = SOURCE_ORDER.indexOf(source);
  return i < 0 ? SOURCE_ORDER.length : i;
};

const view = (r: StoredReport): DataQualityReport => ({
  computedAt: r.computedAt,
  computedByName: r.computedBy === IMPORT_ACTOR ? null : r.computedByName,
  durationMs: r.durationMs,
  sources: [...r.sources].sort((a, b) => rank(a.source) - rank(b.source) || a.source.localeCompare(b.source)),
});

export async function latestQuality(deps: Deps): Promise<QualityResponse> {
  const [report, previous] = await createIdentityQualityRepo(deps.database.db).latest(2);
  return { report: report ? view(report) : null, previous: previous ? view(previous) : null };
}

/**
 * Computes and stores a report unless one was computed in the last minute. Concurrent calls wait for the one
 * computing (an advisory lock) and then return its report: one pass over the base, however many ask.
 */
export async function computeQuality(
  db: Db,
  input: { actorId: string; now: () => Date; minIntervalMs: number },
): Promise<QualityRefreshResponse> {
  return db.transaction(async (tx) => {
    const repo = createIdentityQualityRepo(tx);
    await repo.lockComputation();
    const [latest] = await repo.latest(1);
    const started = input.now();
    if (latest && started.getTime() - Date.parse(latest.computedAt) < input.minIntervalMs)
      return { report: view(latest), computed: false };
    const t0 = performance.now();
    const sources = await repo.compute();
    const durationMs = Math.round(performance.now() - t0);
    const report = { computedAt: started, computedBy: input.actorId, durationMs, sources };
    await repo.insert({ id: newId('dqr', started.getTime()), ...report });
    const computedByName = input.actorId === IMPORT_ACTOR ? null : await repo.staffName(input.actorId);
    return { report: view({ ...report, computedAt: started.toISOString(), computedByName }), computed: true };
  });
}

export function refreshQuality(deps: Deps, staffId: string): Promise<QualityRefreshResponse> {
  return computeQuality(deps.database.db, {
    actorId: staffId,
    now: () => deps.clock.now(),
    minIntervalMs: QUALITY_REFRESH_MIN_MS,
  });
}
