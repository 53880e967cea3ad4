/**
 * The data-quality report per source (issue 6: valid phones, duplicate rate, completeness of key fields), with the
 * POS per store. HQ reads the latest stored report and the one before it; store and regional managers read their
 * stores' lines of it and the cards behind them. Computing one is a pass over every record (seconds at 10^6), so it
 * happens when HQ asks for a fresh one (at most once a minute), at the end of a batch import and every night.
 */
import type { StaffActor } from '../../../shared/access/policy.js';
import type {
  DataQualityReport,
  QualityRecordsQuery,
  QualityRecordsResponse,
  QualityRefreshResponse,
  QualityResponse,
  StoreFigures,
  StoreQuality,
  StoreQualityResponse,
} from '../../../shared/contracts/identity.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import { isPlaceholderPhone } from '../../../shared/identity/blocked.js';
import { maskName } from '../../../shared/identity/name.js';
import type { Db } from '../../adapters/db/client.js';
import { createIdentityQualityRepo, type StoredReport } from '../../adapters/db/repos/identity-quality.repo.js';
import { createOnboardingRepo } from '../../adapters/db/repos/onboarding.repo.js';
import { newId } from '../../adapters/ids.js';
import { recordAudit } from '../audit.js';
import type { Deps } from '../deps.js';
import { scopeOf } from '../onboarding/signup-codes.js';

/** A refresh within this long of the latest report returns that report instead of computing another. */
export const QUALITY_REFRESH_MIN_MS = 60_000;

/** `computed_by` of a report made at the end of a batch import. */
export const IMPORT_ACTOR = 'import';
/** `computed_by` of a report made by the nightly job (vercel.json crons), so managers start the day with figures. */
export const SCHEDULE_ACTOR = 'schedule';

const triggerOf = (computedBy: string): DataQualityReport['trigger'] =>
  computedBy === IMPORT_ACTOR ? 'import' : computedBy === SCHEDULE_ACTOR ? 'schedule' : 'staff';

/** The chain's own systems first, then the others, each in a fixed place (not by name: 门店收银 before 商城). */
const SOURCE_ORDER = ['pos', 'mall', 'miniprogram', 'wecom'];
const rank = (source: string) => {
  const i = SOURCE_ORDER.indexOf(source);
  return i < 0 ? SOURCE_ORDER.length : i;
};

const view = (r: StoredReport): DataQualityReport => ({
  computedAt: r.computedAt,
  trigger: triggerOf(r.computedBy),
  computedByName: triggerOf(r.computedBy) === 'staff' ? r.computedByName : null,
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
    const computedByName = triggerOf(input.actorId) === 'staff' ? await repo.staffName(input.actorId) : null;
    return { report: view({ ...report, computedAt: started.toISOString(), computedByName }), computed: true };
  });
}

/** The nightly job: a report unless one was made in the last minute (a retried cron call computes once). */
export function scheduledQuality(deps: Deps): Promise<QualityRefreshResponse> {
  return computeQuality(deps.database.db, {
    actorId: SCHEDULE_ACTOR,
    now: () => deps.clock.now(),
    minIntervalMs: QUALITY_REFRESH_MIN_MS,
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
      trigger: triggerOf(report.computedBy),
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

/** What a clerk typed that is no mobile number, masked as a phone is: the first three and the last two stay. */
export function maskTyped(raw: string): string {
  const chars = Array.from(raw.trim());
  if (chars.length <= 5) return `${chars[0] ?? ''}${'*'.repeat(Math.max(0, chars.length - 1))}`;
  return `${chars.slice(0, 3).join('')}${'*'.repeat(chars.length - 5)}${chars.slice(-2).join('')}`;
}

/**
 * 待核实名单: the POS cards of one store whose phone is a placeholder or the store's number, not a mobile number, or
 * missing, for the store to put right when the customer next comes in. Names and typed numbers masked; a blocked
 * value (a placeholder, the store's own number) is no one's own and shown as typed. The card number is the key the
 * clerk looks the card up by in the till. Every page read is audited (staff reading members' records).
 */
export async function problemRecords(
  deps: Deps,
  actor: StaffActor,
  query: QualityRecordsQuery,
  requestId: string | null,
): Promise<Result<QualityRecordsResponse, 'STORE_NOT_FOUND'>> {
  const store = await createOnboardingRepo(deps.database.db).storeById(query.storeId);
  if (!store) return fail('STORE_NOT_FOUND', `store ${query.storeId} not found`);
  const found = await createIdentityQualityRepo(deps.database.db).problemRecords(
    store.id,
    query.problem,
    query.cursor ?? null,
    query.limit + 1,
  );
  const page = found.slice(0, query.limit);
  await recordAudit(deps.database.db, {
    actorKind: 'staff',
    actorId: actor.staffId,
    action: 'identity.quality_records_read',
    storeId: store.id,
    requestId,
    details: { problem: query.problem, records: page.length, cursor: query.cursor ?? null },
    at: deps.clock.now(),
  });
  return ok({
    store: { id: store.id, code: store.code, name: store.name },
    problem: query.problem,
    records: page.map((r) => ({
      recordId: r.id,
      cardNo: r.source_id,
      nameMasked: maskName(r.name),
      phoneMasked: r.raw_value === null ? null : r.blocked ? r.raw_value.trim() : maskTyped(r.raw_value),
      blockReason: r.blocked ? (r.reason ?? (isPlaceholderPhone(r.value ?? '') ? 'placeholder' : 'store_phone')) : null,
      lastActive: r.last_active,
      createdAt: new Date(r.created_at).toISOString(),
    })),
    nextCursor: found.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  });
}
