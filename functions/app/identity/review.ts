/**
 * Decisions on what the linker would not decide alone: a member confirming or declining a held match, a store
 * manager confirming or rejecting a merge suggestion, HQ reading the merge history and undoing a merge. Every merge,
 * undo and read of the history is audited.
 */

import type { Resource, StaffActor } from '../../../shared/access/policy.js';
import type {
  DecidedSeparationsQuery,
  DecidedSeparationsResponse,
  FileImportHealth,
  HealthResponse,
  HeldDecideResponse,
  HeldMatchesResponse,
  HeldReviewDecideResponse,
  HeldReviewsResponse,
  MergeRecord,
  MergeRestoreResponse,
  MergeSide,
  MergesQuery,
  MergesResponse,
  MergeUndoResponse,
  PhoneRecordsQuery,
  PhoneRecordsResponse,
  RecordView,
  SeparationCreateBody,
  SeparationCreateResponse,
  SeparationLiftResponse,
  SuggestionDecideResponse,
  SuggestionsQuery,
  SuggestionsResponse,
} from '../../../shared/contracts/identity.js';
import { PHONE_RECORDS_MAX, REVIEW_COUNT_CAP } from '../../../shared/contracts/identity.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import { maskName } from '../../../shared/identity/name.js';
import { maskPhone, normalizePhone } from '../../../shared/identity/phone.js';
import type { Tx } from '../../adapters/db/client.js';
import { type DataImportRow, dataImportRepo } from '../../adapters/db/repos/data-import.repo.js';
import { createIdentityRepo } from '../../adapters/db/repos/identity.repo.js';
import {
  createIdentityReviewRepo,
  type MergeRecordRow,
  type MergeSideRow,
  type RecordRowView,
} from '../../adapters/db/repos/identity-review.repo.js';
import { loyaltyMergeRepo, type UndoPoints } from '../../adapters/db/repos/loyalty-merge.repo.js';
import { createOnboardingRepo } from '../../adapters/db/repos/onboarding.repo.js';
import { newId } from '../../adapters/ids.js';
import { recordAudit } from '../audit.js';
import type { Deps } from '../deps.js';
import { listCursor, parseListCursor } from './cursor.js';
import { maskCard } from './link-on-signup.js';
import { shanghaiDay } from './link-record.js';
import { describeActor, describeEvidence, maskIdentifier, mergeKind } from './merge-words.js';

export async function listHeldMatches(
  deps: Pick<Deps, 'database'>,
  customerId: string | null,
  now: Date,
): Promise<HeldMatchesResponse> {
  if (!customerId) return { matches: [] };
  const held = await createIdentityReviewRepo(deps.database.db).heldMatchesOf(customerId, shanghaiDay(now));
  return {
    matches: held.map((h) => ({
      matchId: h.id,
      storeName: h.store_name ?? '门店',
      cardMasked: maskCard(h.card),
      holderMasked: maskName(h.name),
      gender: h.gender === 'unknown' ? null : h.gender,
      lastVisit: h.last_active ? h.last_active.slice(0, 7) : null,
    })),
  };
}

/** Merges `loser` into `survivor` (the repo logs every moved row) and audits it. */
async function mergeAudited(
  tx: Tx,
  m: {
    survivorId: string;
    mergedId: string;
    rule: string;
    evidence: Record<string, unknown>;
    actorKind: 'staff' | 'member';
    actorId: string;
    now: Date;
    requestId: string | null;
  },
): Promise<string> {
  const id = newId('mrg', m.now.getTime());
  await createIdentityRepo(tx).merge({ id, ...m });
  await recordAudit(tx, {
    actorKind: m.actorKind,
    actorId: m.actorId,
    action: 'identity.merge',
    customerId: m.survivorId,
    requestId: m.requestId,
    details: { mergeId: id, merged: m.mergedId, rule: m.rule },
    at: m.now,
  });
  return id;
}

/**
 * "Not the same person" on a hold: closed, and its two records kept apart from now on, by every linker and review
 * queue, until HQ takes the decision back (`liftDecidedSeparation`).
 */
async function rejectHold(
  repo: ReturnType<typeof createIdentityReviewRepo>,
  holdId: string,
  reason: 'hold_rejected' | 'match_declined',
  by: string,
  now: Date,
): Promise<void> {
  await repo.decideHeld(holdId, 'rejected', by, null, now);
  await repo.separateHold({ id: newId('sep', now.getTime()), heldLinkId: holdId, reason, by, now });
}

export async function decideHeldMatch(
  deps: Deps,
  input: {
    customerId: string | null;
    identityId: string;
    matchId: string;
    decision: 'confirm' | 'decline';
    requestId: string;
  },
): Promise<Result<HeldDecideResponse>> {
  const now = deps.clock.now();
  return deps.database.db.transaction(async (tx) => {
    const repo = createIdentityReviewRepo(tx);
    const held = await repo.heldLink(input.matchId);
    // a match offered to someone else is "not found" for this member: no hint that it exists
    if (!held || !input.customerId || held.candidate !== input.customerId) return fail('HELD_MATCH_NOT_FOUND');
    if (held.status !== 'open') {
      // the same answer again (a retry after a lost response) gets the first one's outcome
      const same = held.status === (input.decision === 'confirm' ? 'confirmed' : 'rejected');
      return same
        ? ok({ status: held.status as 'confirmed' | 'rejected', customerId: input.customerId })
        : fail('ALREADY_DECIDED');
    }
    if (input.decision === 'decline') {
      // the member's word: no later sync of the card joins it to them
      await rejectHold(repo, held.id, 'match_declined', input.identityId, now);
      return ok({ status: 'rejected' as const, customerId: input.customerId });
    }
    // a card dormant for years, or one whose name is not the member's, is for the store to check, not the phone
    if (!(await repo.offeredToMember(held.id, input.customerId, shanghaiDay(now))))
      return fail('HELD_MATCH_NEEDS_STORE');
    let mergeId: string | null = null;
    if (held.record_customer !== input.customerId && (await repo.keptApart(held.record_customer, input.customerId)))
      return fail('IDENTITY_KEPT_APART');
    if (held.record_customer !== input.customerId) {
      mergeId = await mergeAudited(tx, {
        survivorId: input.customerId,
        mergedId: held.record_customer,
        rule: 'confirmed_match',
        evidence: { heldLink: held.id, record: held.record_id, confirmedBy: 'member' },
        actorKind: 'member',
        actorId: input.identityId,
        now,
        requestId: input.requestId,
      });
    }
    await repo.verifyRecordPhone(held.source, held.source_id);
    await repo.decideHeld(held.id, 'confirmed', input.identityId, mergeId, now);
    return ok({ status: 'confirmed' as const, customerId: input.customerId });
  });
}

function view(r: RecordRowView): RecordView {
  const id = r.source_id;
  return {
    recordId: r.record_id,
    customerId: r.customer_id,
    source: r.source,
    sourceIdMasked: r.source === 'pos' ? maskCard(id) : id.length > 8 ? `${id.slice(0, 4)}****${id.slice(-2)}` : id,
    storeName: r.store_name,
    name: r.name,
    birthday: r.birthday,
    gender: r.gender,
    phoneMasked: r.phone ? maskPhone(r.phone) : null,
    district: r.district,
    lastActive: r.last_active,
  };
}

/** What the review queues read with (the benchmark calls them on a database of its own). */
type QueueDeps = Pick<Deps, 'database' | 'clock'>;
interface QueueInput {
  staffId: string;
  requestId: string;
  /** count up to this many (REVIEW_COUNT_CAP; a test passes a small one) */
  countCap?: number;
}

/** The rows of a page, by default: a review queue's, and the merge history's (each merge lists its records). */
const REVIEW_PAGE = 20;
const MERGE_PAGE = 20;

/** The phone and cursor of a list query, parsed; a refusal names the field. */
function listFilter(
  query: { phone?: string; cursor?: string; limit?: number },
  pageSize = REVIEW_PAGE,
): Result<{ phone?: string; from?: { createdKey: string; id: string }; limit: number }> {
  let phone: string | undefined;
  if (query.phone !== undefined) {
    const parsed = normalizePhone(query.phone);
    if (!parsed.ok) return fail('VALIDATION_FAILED', 'phone: enter an 11-digit mainland mobile number');
    phone = parsed.canonical;
  }
  const cursor = parseListCursor(query.cursor);
  if (cursor === 'bad') return fail('VALIDATION_FAILED', 'cursor: not one this list handed out');
  return ok({ phone, from: cursor ?? undefined, limit: query.limit ?? pageSize });
}

/**
 * A page of a list (one more row was asked for, to know whether another page follows) and the cursor of the next.
 */
function paged<T extends { created_key: string; id: string }>(found: T[], limit: number) {
  const page = found.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: found.length > limit && last ? listCursor(last) : null };
}

/** A search by phone looks a person up: audited with what it showed, like the merge history's. */
async function auditPhoneSearch(
  deps: QueueDeps,
  input: { staffId: string; requestId: string; action: string; phone: string | undefined; shown: string[] },
): Promise<void> {
  if (!input.phone) return;
  await recordAudit(deps.database.db, {
    actorKind: 'staff',
    actorId: input.staffId,
    action: input.action,
    requestId: input.requestId,
    details: { filter: { phone: maskPhone(input.phone) }, shown: input.shown },
    at: deps.clock.now(),
  });
}

/**
 * One page of a review list, the same way for each: the query parsed, the page (one row more, to know whether
 * another follows) and the capped count read together, the rows shown, a search by phone audited.
 */
async function queuePage<Row extends { created_key: string; id: string }, Item extends { id: string }>(
  deps: QueueDeps,
  input: QueueInput & { query: { phone?: string; cursor?: string; limit?: number } },
  list: {
    action: string;
    page: (f: { phone?: string; from?: { createdKey: string; id: string }; limit: number }) => Promise<Row[]>;
    count: (f: { phone?: string }, cap: number) => Promise<number>;
    item: (row: Row) => Item;
  },
): Promise<Result<{ items: Item[]; total: number; totalCapped: boolean; nextCursor: string | null }>> {
  const cap = input.countCap ?? REVIEW_COUNT_CAP;
  const filter = listFilter(input.query);
  if (!filter.ok) return filter;
  const f = filter.value;
  const [found, total] = await Promise.all([list.page({ ...f, limit: f.limit + 1 }), list.count(f, cap)]);
  const { page, nextCursor } = paged(found, f.limit);
  const items = page.map(list.item);
  await auditPhoneSearch(deps, { ...input, action: list.action, phone: f.phone, shown: items.map((x) => x.id) });
  return ok({ items, total: Math.min(total, cap), totalCapped: total > cap, nextCursor });
}

/** A page of the open merge suggestions in scope (`storeIds` null = every store: HQ), oldest first. */
export async function listSuggestions(
  deps: QueueDeps,
  input: QueueInput & { storeIds: readonly string[] | null; query: SuggestionsQuery },
): Promise<Result<SuggestionsResponse>> {
  const repo = createIdentityReviewRepo(deps.database.db);
  const scope = { storeIds: input.storeIds };
  const listed = await queuePage(deps, input, {
    action: 'identity.suggestions_list',
    page: (f) => repo.suggestions({ ...scope, ...f }),
    count: (f, cap) => repo.suggestionsCount({ ...scope, ...f }, cap),
    item: (s) => ({
      id: s.id,
      storeId: s.store_id,
      createdAt: new Date(s.created_at).toISOString(),
      a: view(s.a as RecordRowView),
      b: view(s.b as RecordRowView),
      aRecords: s.a_records,
      bRecords: s.b_records,
    }),
  });
  if (!listed.ok) return listed;
  const { items, ...counts } = listed.value;
  return ok({ suggestions: items, ...counts });
}

/**
 * A decided hold or suggestion asked again: the same decision (a retry after a lost response, a second manager of
 * the same mind) is answered with the first one's outcome; the other one is `ALREADY_DECIDED`.
 */
function sameDecision(
  row: { status: string; merge_id: string | null },
  decision: 'confirm' | 'reject',
): Result<{ status: 'confirmed' | 'rejected'; mergeId: string | null }> {
  const wanted = decision === 'confirm' ? 'confirmed' : 'rejected';
  return row.status === wanted ? ok({ status: wanted, mergeId: row.merge_id }) : fail('ALREADY_DECIDED');
}

export async function decideSuggestion(
  deps: Deps,
  input: { id: string; decision: 'confirm' | 'reject'; staffId: string; requestId: string },
): Promise<Result<SuggestionDecideResponse>> {
  const now = deps.clock.now();
  return deps.database.db.transaction(async (tx) => {
    const repo = createIdentityReviewRepo(tx);
    // locked: of two decisions at once, the second waits and finds this one's
    const s = await repo.suggestion(input.id, { lock: true });
    if (!s) return fail('SUGGESTION_NOT_FOUND');
    if (s.status !== 'open') return sameDecision(s, input.decision);
    if (input.decision === 'reject' || s.a_customer === s.b_customer) {
      const status = input.decision === 'reject' ? 'rejected' : 'confirmed';
      await repo.decideSuggestion(s.id, status, input.staffId, null, now);
      // two people: no later evidence (a phone, a card) joins these two records by itself
      if (status === 'rejected')
        await repo.separateSuggestion({ id: newId('sep', now.getTime()), suggestionId: s.id, by: input.staffId, now });
      return ok({ status, mergeId: null });
    }
    if (await repo.keptApart(s.a_customer, s.b_customer)) return fail('IDENTITY_KEPT_APART');
    const survivor = await createIdentityRepo(tx).survivorOf([s.a_customer, s.b_customer]);
    const mergeId = await mergeAudited(tx, {
      survivorId: survivor,
      mergedId: survivor === s.a_customer ? s.b_customer : s.a_customer,
      rule: 'suggestion',
      evidence: { suggestion: s.id, records: [s.record_a, s.record_b], confirmedBy: input.staffId },
      actorKind: 'staff',
      actorId: input.staffId,
      now,
      requestId: input.requestId,
    });
    await repo.decideSuggestion(s.id, 'confirmed', input.staffId, mergeId, now);
    return ok({ status: 'confirmed' as const, mergeId });
  });
}

/** A page of the open held cards in scope (`storeIds` null = every store: HQ), oldest first. */
export async function listHeldReviews(
  deps: QueueDeps,
  input: QueueInput & { storeIds: readonly string[] | null; query: SuggestionsQuery },
): Promise<Result<HeldReviewsResponse>> {
  const repo = createIdentityReviewRepo(deps.database.db);
  const scope = { storeIds: input.storeIds };
  const listed = await queuePage(deps, input, {
    action: 'identity.holds_list',
    page: (f) => repo.heldReviews({ ...scope, ...f }),
    count: (f, cap) => repo.heldReviewsCount({ ...scope, ...f }, cap),
    item: (h) => ({
      id: h.id,
      reason: h.reason as HeldReviewsResponse['holds'][number]['reason'],
      storeId: h.store_id,
      createdAt: new Date(h.created_at).toISOString(),
      record: view(h.record as RecordRowView),
      candidate: view(h.candidate as RecordRowView),
      candidateRecords: h.n,
    }),
  });
  if (!listed.ok) return listed;
  const { items, ...counts } = listed.value;
  return ok({ holds: items, ...counts });
}

/**
 * A store manager decides a held card: the same person (merged into the candidate's customer, rule `reviewed_hold`,
 * audited) or not (closed, never offered again). A staff decision merges but does not verify the card's phone: only
 * WeChat's phone check does that. Refused across a separation HQ made.
 */
export async function decideHeldReview(
  deps: Deps,
  input: { id: string; decision: 'confirm' | 'reject'; staffId: string; requestId: string },
): Promise<Result<HeldReviewDecideResponse>> {
  const now = deps.clock.now();
  return deps.database.db.transaction(async (tx) => {
    const repo = createIdentityReviewRepo(tx);
    const h = await repo.heldReview(input.id);
    if (!h) return fail('HELD_MATCH_NOT_FOUND');
    if (h.status !== 'open') return sameDecision(h, input.decision);
    if (input.decision === 'reject' || h.record_customer === h.candidate) {
      // not the same person: a later sync of the card (a visit that ends its dormancy, say) does not join them
      if (input.decision === 'reject') await rejectHold(repo, h.id, 'hold_rejected', input.staffId, now);
      else await repo.decideHeld(h.id, 'confirmed', input.staffId, null, now);
      return ok({
        status: input.decision === 'reject' ? ('rejected' as const) : ('confirmed' as const),
        mergeId: null,
      });
    }
    if (await repo.keptApart(h.record_customer, h.candidate)) return fail('IDENTITY_KEPT_APART');
    const survivor = await createIdentityRepo(tx).survivorOf([h.record_customer, h.candidate]);
    const mergeId = await mergeAudited(tx, {
      survivorId: survivor,
      mergedId: survivor === h.candidate ? h.record_customer : h.candidate,
      rule: 'reviewed_hold',
      evidence: { heldLink: h.id, record: h.record_id, reason: h.reason, confirmedBy: input.staffId },
      actorKind: 'staff',
      actorId: input.staffId,
      now,
      requestId: input.requestId,
    });
    await repo.decideHeld(h.id, 'confirmed', input.staffId, mergeId, now);
    return ok({ status: 'confirmed' as const, mergeId });
  });
}

/** The held record's store as the policy resource; a record with no store (a mall account) only HQ decides. */
export async function heldReviewResource(deps: Deps, id: string): Promise<Resource> {
  const h = await createIdentityReviewRepo(deps.database.db).heldReview(id);
  if (!h) return { kind: 'none' };
  if (!h.store_id || !h.region_id) return { kind: 'store', storeId: '-', regionId: '-' };
  return { kind: 'store', storeId: h.store_id, regionId: h.region_id };
}

export async function undoMerge(
  deps: Deps,
  input: { mergeId: string; staffId: string; requestId: string },
): Promise<Result<MergeUndoResponse>> {
  const now = deps.clock.now();
  return deps.database.db.transaction(async (tx) => {
    const repo = createIdentityRepo(tx);
    const m = await repo.findMerge(input.mergeId);
    if (!m) return fail('MERGE_NOT_FOUND');
    if (m.erased_at) return fail('MERGE_ERASED');
    if (m.undone_at) return fail('ALREADY_DECIDED');
    await repo.undoMerge(m.id, input.staffId, now);
    // what went back to the absorbed side, and what of it the member had used and keeps: the chain bears that
    const points = await loyaltyMergeRepo.undone(tx, {
      mergeId: m.id,
      survivorId: m.survivor_id,
      mergedId: m.merged_id,
    });
    // a person's word that these are two people: no linker joins them again (the next sync of either record would)
    const keptApart = await repo.keepApart({
      id: newId('sep', now.getTime()),
      mergeId: m.id,
      createdBy: input.staffId,
      now,
    });
    await recordAudit(tx, {
      actorKind: 'staff',
      actorId: input.staffId,
      action: 'identity.merge_undo',
      customerId: m.merged_id,
      requestId: input.requestId,
      details: { mergeId: m.id, survivor: m.survivor_id, keptApart, pointsBack: points.back, pointsBorne: points.used },
      at: now,
    });
    return ok({ mergeId: m.id, restoredCustomerId: m.merged_id, undoneAt: now.toISOString(), keptApart, points });
  });
}

/**
 * HQ takes back its own undo: the separation is lifted and the two sides (the customers its two records are in
 * now) are merged again, as one new merge with the undone one as its evidence. Only an undo HQ made keeps anything
 * apart, so only such a merge can be restored.
 */
export async function restoreMerge(
  deps: Deps,
  input: { mergeId: string; staffId: string; requestId: string },
): Promise<Result<MergeRestoreResponse>> {
  const now = deps.clock.now();
  return deps.database.db.transaction(async (tx) => {
    const repo = createIdentityRepo(tx);
    const m = await repo.findMerge(input.mergeId);
    if (!m) return fail('MERGE_NOT_FOUND');
    if (m.erased_at) return fail('MERGE_ERASED');
    const s = await repo.separationOf(m.id);
    if (!s) return fail('MERGE_NOT_SEPARATED');
    // another separation may still keep the two customers apart (two undos between them): HQ restores that too
    if (await createIdentityReviewRepo(tx).keptApart(s.a_customer, s.b_customer, s.id))
      return fail('IDENTITY_KEPT_APART');
    const survivor = await repo.survivorOf([s.a_customer, s.b_customer]);
    const restoreMergeId = await mergeAudited(tx, {
      survivorId: survivor,
      mergedId: survivor === s.a_customer ? s.b_customer : s.a_customer,
      rule: 'restored',
      evidence: { restores: m.id, records: [s.record_a, s.record_b] },
      actorKind: 'staff',
      actorId: input.staffId,
      now,
      requestId: input.requestId,
    });
    await repo.liftSeparation(s.id, input.staffId, restoreMergeId, now);
    return ok({ mergeId: m.id, restoreMergeId, customerId: survivor, restoredAt: now.toISOString() });
  });
}

const RECORDS_PER_SIDE = 5;

function mergeRecord(r: MergeRecordRow): MergeRecord {
  return {
    source: r.source,
    sourceIdMasked: maskIdentifier(r.source === 'pos' ? 'pos_card' : r.source, r.source_id),
    storeName: r.store_name,
    nameMasked: maskName(r.name),
    phoneMasked: r.phone ? maskPhone(r.phone) : null,
  };
}

function mergeSide(s: MergeSideRow): MergeSide {
  return {
    customerId: s.customer_id,
    nameMasked: maskName(s.display_name ?? s.records.find((r) => r.name)?.name ?? null),
    phonesMasked: [...new Set((s.phones ?? []).map(maskPhone))],
    records: s.records.map(mergeRecord),
    recordCount: s.n,
  };
}

/**
 * The merge history for HQ, newest first, filtered by a phone or a customer. Names, phones and identifiers are
 * masked, yet the list still says who was joined with whom and why, for customers whose history includes health
 * data (their medicines): so each call is audited with the merges and customers it showed.
 */
export async function listMerges(
  deps: Deps,
  input: { query: MergesQuery; staffId: string; requestId: string },
): Promise<Result<MergesResponse>> {
  const { query } = input;
  const filter = listFilter(query, MERGE_PAGE);
  if (!filter.ok) return filter;
  const { phone, from: before, limit } = filter.value;
  const db = deps.database.db;
  const found = await createIdentityReviewRepo(db).merges({
    phone,
    customerId: query.customerId,
    before,
    limit: limit + 1,
    recordsPerSide: RECORDS_PER_SIDE,
  });
  const { page, nextCursor } = paged(found, limit);
  // what undoing each merge still live would do to points, said in its confirmation before HQ decides
  const now = deps.clock.now();
  const undoPoints = new Map<string, UndoPoints>();
  for (const m of page) {
    if (m.undone_at) continue;
    undoPoints.set(
      m.id,
      await loyaltyMergeRepo.undoPreview(db, {
        mergeId: m.id,
        survivorId: m.survivor.customer_id,
        mergedId: m.merged.customer_id,
        now,
      }),
    );
  }
  const merges = page.map((m) => ({
    id: m.id,
    createdAt: new Date(m.created_at).toISOString(),
    rule: m.rule,
    kind: mergeKind(m.rule),
    evidence: describeEvidence(m.rule, m.evidence ?? {}),
    actor: { kind: m.actor_kind, name: describeActor(m.actor_kind, m.rule, m.actor_name) },
    survivor: mergeSide(m.survivor),
    merged: mergeSide(m.merged),
    moved: Object.entries(m.moved ?? {})
      .map(([table, count]) => ({ table, count }))
      .sort((a, b) => b.count - a.count || a.table.localeCompare(b.table)),
    undone: m.undone_at
      ? {
          at: new Date(m.undone_at).toISOString(),
          byName: m.undone_by_name,
          keptApart: m.separation !== null && m.separation.lifted_at === null,
          restored: m.separation?.lifted_at
            ? { at: new Date(m.separation.lifted_at).toISOString(), byName: m.separation.lifted_by_name }
            : null,
        }
      : null,
    undoPoints: undoPoints.get(m.id) ?? null,
  }));
  await recordAudit(db, {
    actorKind: 'staff',
    actorId: input.staffId,
    action: 'identity.merge_list',
    customerId: query.customerId ?? null,
    requestId: input.requestId,
    details: {
      filter: { phone: phone ? maskPhone(phone) : null, customerId: query.customerId ?? null, cursor: !!before },
      merges: merges.map((m) => m.id),
      customers: [...new Set(merges.flatMap((m) => [m.survivor.customerId, m.merged.customerId]))],
    },
    at: now,
  });
  return ok({ merges, nextCursor });
}

/** The sources always shown, and those shown once they have a row (an import of mini-program records, a call
 * with a key MedLoop does not know). */
const SOURCES_SHOWN = ['pos', 'mall', 'wecom', 'wechat'] as const;
const SOURCES_WHEN_SEEN = ['miniprogram', 'unknown'] as const;

/**
 * The latest upload as 数据对接状态 shows it: the summary its steps stored, the one 数据导入 shows, not counted again
 * (a summary stored before a figure existed, warned, has it as 0, as 数据导入 reads it).
 */
function fileImportHealth(r: DataImportRow, now: Date): FileImportHealth {
  const startedAt = new Date(r.started_at);
  const finishedAt = r.finished_at === null ? null : new Date(r.finished_at);
  const s = r.summary as Partial<NonNullable<FileImportHealth['figures']>> | null;
  const n = (v: number | undefined) => Number(v ?? 0);
  return {
    id: r.id,
    kind: r.kind,
    fileName: r.file_name,
    staffName: r.staff_name,
    status: r.status,
    error: r.status === 'failed' ? r.error : null,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt?.toISOString() ?? null,
    lagMinutes: Math.max(0, Math.floor((now.getTime() - (finishedAt ?? startedAt).getTime()) / 60_000)),
    rowsTotal: Number(r.rows_total),
    rowsDone: Math.min(Number(r.rows_done), Number(r.rows_total)),
    figures: s
      ? {
          rows: n(s.rows),
          created: n(s.created),
          updated: n(s.updated),
          unchanged: n(s.unchanged),
          rejected: n(s.rejected),
          linked: n(s.linked),
          held: n(s.held),
          warned: n(s.warned),
          orders: n(s.orders),
          ordersKnown: n(s.ordersKnown),
          ordersWaiting: n(s.ordersWaiting),
        }
      : null,
  };
}

export async function integrationHealth(deps: QueueDeps): Promise<HealthResponse> {
  const now = deps.clock.now();
  const db = deps.database.db;
  const { sources, tills, counts } = await createIdentityReviewRepo(db).health(
    now,
    [...SOURCES_SHOWN, ...SOURCES_WHEN_SEEN],
    REVIEW_COUNT_CAP,
  );
  // the file import's card: its latest upload (one probe of data_imports_started_idx)
  const [lastUpload] = await dataImportRepo.recent(db, 1);
  const lag = (at: string | null) =>
    at === null ? null : Math.max(0, Math.floor((now.getTime() - new Date(at).getTime()) / 60_000));
  return {
    fileImport: lastUpload ? fileImportHealth(lastUpload, now) : null,
    sources: sources
      .filter((s) => (SOURCES_SHOWN as readonly string[]).includes(s.source) || s.last_ok_at || s.last_failure_at)
      .map((s) => {
        const lastOk = s.last_ok_at ? new Date(s.last_ok_at) : null;
        return {
          source: s.source,
          lastOkAt: lastOk?.toISOString() ?? null,
          lastFailureAt: s.last_failure_at ? new Date(s.last_failure_at).toISOString() : null,
          lastError: s.last_error,
          calls24h: s.calls,
          failures24h: s.failures,
          rejectedRecords24h: s.rejected,
          lagMinutes: lag(s.last_ok_at),
        };
      }),
    tills: tills.map((t) => ({
      storeId: t.store_id,
      storeName: t.store_name,
      connected: t.connected,
      lastOkAt: t.last_ok_at ? new Date(t.last_ok_at).toISOString() : null,
      lagMinutes: lag(t.last_ok_at),
      calls24h: t.calls,
      failures24h: t.failures,
      lastError: t.last_error,
    })),
    quarantined: counts.quarantined,
    openHolds: Math.min(counts.holds, REVIEW_COUNT_CAP),
    openHoldsCapped: counts.holds > REVIEW_COUNT_CAP,
    openSuggestions: Math.min(counts.suggestions, REVIEW_COUNT_CAP),
    openSuggestionsCapped: counts.suggestions > REVIEW_COUNT_CAP,
  };
}

/**
 * The stores whose suggestions and holds the caller sees: a named store, else their store, region, or everything
 * (HQ). A named store the policy let through is in the caller's scope (one outside is refused before), or does not
 * exist (store-resource.ts leaves that to the handler): STORE_NOT_FOUND, not an empty queue.
 */
export async function suggestionScope(
  deps: Deps,
  actor: StaffActor,
  storeId: string | undefined,
): Promise<Result<readonly string[] | null, 'STORE_NOT_FOUND'>> {
  if (storeId) {
    const store = await createOnboardingRepo(deps.database.db).storeById(storeId);
    return store ? ok([store.id]) : fail('STORE_NOT_FOUND', `store ${storeId} not found`);
  }
  if (actor.role === 'hq_admin') return ok(null);
  if (actor.role === 'regional_manager') {
    return ok(actor.regionId ? await createIdentityReviewRepo(deps.database.db).storesOfRegion(actor.regionId) : []);
  }
  return ok(actor.storeId ? [actor.storeId] : []);
}

/**
 * The suggestion's store as the policy resource. A suggestion with no store (two mall accounts) spans the chain:
 * a resource no store or region covers, so only HQ decides it.
 */
export async function suggestionResource(deps: Deps, id: string): Promise<Resource> {
  const s = await createIdentityReviewRepo(deps.database.db).suggestion(id);
  if (!s) return { kind: 'none' };
  if (!s.store_id || !s.region_id) return { kind: 'store', storeId: '-', regionId: '-' };
  return { kind: 'store', storeId: s.store_id, regionId: s.region_id };
}

/** HQ: the "not the same person" decisions of every store, newest first, with who decided and whether it stands. */
export async function listDecidedSeparations(
  deps: QueueDeps,
  input: QueueInput & { query: DecidedSeparationsQuery },
): Promise<Result<DecidedSeparationsResponse>> {
  const repo = createIdentityReviewRepo(deps.database.db);
  const listed = await queuePage(deps, input, {
    action: 'identity.separations_list',
    page: (f) => repo.decidedSeparations(f),
    count: (f, cap) => repo.decidedSeparationsCount(f, cap),
    item: (x) => ({
      id: x.id,
      reason: x.reason,
      note: x.note,
      storeId: x.store_id,
      decidedAt: new Date(x.created_at).toISOString(),
      decidedByName: x.reason === 'match_declined' ? null : x.decided_by_name,
      a: view(x.a as RecordRowView),
      b: view(x.b as RecordRowView),
      lifted: x.lifted_at ? { at: new Date(x.lifted_at).toISOString(), byName: x.lifted_by_name } : null,
    }),
  });
  if (!listed.ok) return listed;
  const { items, ...counts } = listed.value;
  return ok({ separations: items, ...counts });
}

/**
 * HQ takes back a "not the same person" decision made by mistake: the two records are no longer kept apart, and the
 * hold or suggestion is open again, for the member or a manager to decide (nothing merges here). Audited.
 */
export async function liftDecidedSeparation(
  deps: Deps,
  input: { id: string; staffId: string; requestId: string },
): Promise<Result<SeparationLiftResponse, 'SEPARATION_NOT_FOUND'>> {
  const now = deps.clock.now();
  return deps.database.db.transaction(async (tx) => {
    const lifted = await createIdentityReviewRepo(tx).liftDecided(input.id, input.staffId, now);
    if (!lifted) return fail('SEPARATION_NOT_FOUND', `no live decision ${input.id}`);
    await recordAudit(tx, {
      actorKind: 'staff',
      actorId: input.staffId,
      action: 'identity.separation_lift',
      requestId: input.requestId,
      details: { separationId: input.id, ...lifted },
      at: now,
    });
    return ok({
      reopened: lifted.heldLinkId
        ? ('hold' as const)
        : lifted.suggestionId
          ? ('suggestion' as const)
          : ('nothing' as const),
    });
  });
}

/** The records on a phone, for HQ to pick the two it keeps apart: a search, audited with what it showed. */
export async function recordsOnPhone(
  deps: QueueDeps,
  input: { query: PhoneRecordsQuery; staffId: string; requestId: string },
): Promise<Result<PhoneRecordsResponse>> {
  const parsed = normalizePhone(input.query.phone);
  if (!parsed.ok) return fail('VALIDATION_FAILED', 'phone: enter an 11-digit mainland mobile number');
  const repo = createIdentityReviewRepo(deps.database.db);
  const found = await repo.recordsOnPhone(parsed.canonical, PHONE_RECORDS_MAX + 1);
  const records = found.slice(0, PHONE_RECORDS_MAX).map(view);
  await auditPhoneSearch(deps, {
    ...input,
    action: 'identity.records_on_phone',
    phone: parsed.canonical,
    shown: records.map((r) => r.recordId),
  });
  return ok({ records, truncated: found.length > PHONE_RECORDS_MAX });
}

/**
 * HQ marks two records never proposed together as two people (twins with one name and birthday, a parent and child
 * on one phone): from now on no linker, incremental or bulk, joins their customers, as after an undo or a rejected
 * proposal, until HQ takes the mark back. The records are locked, so a merge of either waits; a pair that a hold or
 * suggestion already puts to a reviewer is decided there (its decision keeps them apart the same way), and a pair
 * kept apart already answers the separation that does. Audited.
 */
export async function markSeparate(
  deps: Deps,
  input: { body: SeparationCreateBody; staffId: string; requestId: string },
): Promise<
  Result<
    SeparationCreateResponse,
    'RECORD_NOT_FOUND' | 'SEPARATION_SAME_CUSTOMER' | 'SEPARATION_PROPOSAL_OPEN' | 'VALIDATION_FAILED'
  >
> {
  const { recordA, recordB, note } = input.body;
  if (recordA === recordB) return fail('VALIDATION_FAILED', 'recordB: pick a record of another customer');
  const now = deps.clock.now();
  return deps.database.db.transaction(async (tx) => {
    const repo = createIdentityReviewRepo(tx);
    const locked = await repo.recordsForUpdate(recordA, recordB);
    const a = locked.find((r) => r.id === recordA);
    const b = locked.find((r) => r.id === recordB);
    if (!a || !b) return fail('RECORD_NOT_FOUND', `no record ${a ? recordB : recordA}`);
    if (a.customer_id === b.customer_id) {
      return fail('SEPARATION_SAME_CUSTOMER', 'the two records are one customer: undo that merge on the merge history');
    }
    const standing = await repo.separationBetween(a.customer_id, b.customer_id);
    if (standing) return ok({ id: standing, created: false });
    if (await repo.proposalBetween(a.customer_id, b.customer_id)) {
      return fail('SEPARATION_PROPOSAL_OPEN', 'a hold or suggestion puts the two to a reviewer: decide it there');
    }
    const id = newId('sep', now.getTime());
    await repo.separateManually({ id, recordA, recordB, note, by: input.staffId, now });
    await recordAudit(tx, {
      actorKind: 'staff',
      actorId: input.staffId,
      action: 'identity.separation_create',
      customerId: a.customer_id,
      requestId: input.requestId,
      details: { separationId: id, records: [recordA, recordB], customers: [a.customer_id, b.customer_id], note },
      at: now,
    });
    return ok({ id, created: true });
  });
}
