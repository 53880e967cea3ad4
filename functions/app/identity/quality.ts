/**
 * The data-quality report per source (issue 6: valid phones, duplicate rate, completeness of key fields). HQ reads
 * the latest stored report and the one before it; computing one is a pass over every record (seconds at 10^6), so
 * it happens when HQ asks for a fresh one, at most once a minute, and at the end of a batch import.
 */
import type { StaffActor } from '../../../shared/access/policy.js';
import type {
  DataQualityReport,
  QualityRefreshResponse,
  QualityResponse,
  StoreFigures,
  StoreQuality,
  StoreQualityResponse,
} from '../../../shared/contracts/identity.js';
import type { Db } from '../../adapters/db/client.js';
import { createIdentityQualityRepo, type StoredReport } from '../../adapters/db/repos/identity-quality.repo.js';
import { newId } from '../../adapters/ids.js';
import type { Deps } from '../deps.js';
import { scopeOf } from '../onboarding/signup-codes.js';

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

const figuresOf = (x: StoreFigures): StoreFigures => ({
  records: x.records,
  phones: { valid: x.phones.valid, invalid: x.phones.invalid, blocked: x.phones.blocked, missing: x.phones.missing },
  realName: x.realName,
  birthday: x.birthday,
});

/**
 * The POS lines of the stores in a manager's scope (their store; a regional manager's region; HQ all) from the
 * latest report and the one before it, with the chain's POS figures to compare against. Reads stored reports only.
 */
export async function storeQuality(deps: Deps, actor: StaffActor): Promise<StoreQualityResponse> {
  const repo = createIdentityQualityRepo(deps.database.db);
  const [[report, previous], stores] = await Promise.all([repo.latest(2), repo.storesIn(scopeOf(actor))]);
  if (!report) return { report: null };
  const posOf = (r: StoredReport | undefined) => r?.sources.find((x) => x.source === 'pos');
  const pos = posOf(report);
  const lines = (r: StoredReport | undefined) => new Map((posOf(r)?.stores ?? []).map((x) => [x.storeId, x]));
  const now = lines(report);
  const before = lines(previous);
  const figures = (x: StoreQuality | undefined) => (x ? figuresOf(x) : null);
  return {
    report: {
      computedAt: report.computedAt,
      previousComputedAt: previous?.computedAt ?? null,
      perStore: pos === undefined || pos.stores !== undefined,
      chain: pos
        ? figuresOf({
            records: pos.records,
            phones: pos.phones,
            realName: pos.completeness.realName,
            birthday: pos.completeness.birthday,
          })
        : null,
      stores: stores.map((s) => ({
        storeId: s.id,
        code: s.code,
        name: s.name,
        regionName: s.region_name,
        figures: figures(now.get(s.id)),
        previous: figures(before.get(s.id)),
      })),
    },
  };
}
