/**
 * Identity API: partner ingest of source records, the member's held matches ("这是您在××店的会员卡吗?"), the
 * store manager's merge suggestions, the merge history and its undo, and the integration-health view.
 */
import { z } from 'zod';
import { REFUSAL_CODES, type RefusalCode } from '../identity/refusal.js';

const Id = z.string().min(1).max(64);

// ---- ingest (partner) ----

const RefusalCodeSchema = z.enum(REFUSAL_CODES as [RefusalCode, ...RefusalCode[]]);
/** a refusal's particulars: the field, the line, the value received… */
const RefusalParamsSchema = z.record(z.string(), z.union([z.string(), z.number()]));

/** Each record is validated on its own: a malformed one is rejected with a reason while the rest lands. */
export const IngestRecordsBody = z.strictObject({ records: z.array(z.unknown()).min(1).max(1000) });

export const IngestRecordResult = z.object({
  index: z.number().int(),
  sourceId: z.string().nullable(),
  status: z.enum(['created', 'updated', 'unchanged', 'rejected']),
  /** a rejection's machine code (shared/identity/refusal.ts) and its sentence */
  code: RefusalCodeSchema.optional(),
  params: RefusalParamsSchema.optional(),
  reason: z.string().optional(),
  customerId: z.string().optional(),
  link: z.enum(['linked', 'held', 'own', 'deferred']).optional(),
  /**
   * what was kept but not used as sent, e.g. `phone_invalid` (kept, flagged, links nothing), `phone_placeholder`,
   * `email_bad_syntax`, `birthday_unparseable`, `openid_ignored` (a WeChat id from a source that cannot have it)
   */
  flags: z.array(z.string()).optional(),
});
export const IngestRecordsResponse = z.object({
  received: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  linked: z.number().int(),
  held: z.number().int(),
  ordersAttached: z.number().int(),
  /** points of those orders' till sales, credited to their members now */
  pointsCredited: z.number().int(),
  /** this source's quarantined items for these records (an earlier attempt refused), closed now they came in */
  quarantineClosed: z.number().int(),
  results: z.array(IngestRecordResult),
});
export type IngestRecordsResponse = z.infer<typeof IngestRecordsResponse>;

// ---- order ingest (partners: POS, mall) ----

export const IngestOrdersBody = z.strictObject({ orders: z.array(z.unknown()).min(1).max(500) });

export const IngestOrderResult = z.object({
  index: z.number().int(),
  externalId: z.string().nullable(),
  /** unchanged: the order number is stored already with the same contents (a replay) */
  status: z.enum(['created', 'unchanged', 'rejected']),
  code: RefusalCodeSchema.optional(),
  params: RefusalParamsSchema.optional(),
  reason: z.string().optional(),
  /** the member's customer; null when the order names no member or one whose record has not arrived yet */
  customerId: z.string().nullable().optional(),
});
export const IngestOrdersResponse = z.object({
  received: z.number().int(),
  created: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  /** of the created orders: member known, member id given but its record not here yet (kept, attached when it
   * arrives), no member (a walk-in sale) */
  members: z.object({ known: z.number().int(), waiting: z.number().int(), none: z.number().int() }),
  /** created lines whose SKU is not in the catalogue (kept with the name the source gave) */
  unknownSkuLines: z.number().int(),
  /** this source's quarantined items for these order numbers, closed now they came in (not `order_changed` ones) */
  quarantineClosed: z.number().int(),
  results: z.array(IngestOrderResult),
});
export type IngestOrdersResponse = z.infer<typeof IngestOrdersResponse>;

// ---- held matches (member) ----

export const HeldMatch = z.object({
  matchId: z.string(),
  storeName: z.string(),
  cardMasked: z.string(),
  /**
   * what tells a member their own card from a family member's on the same phone, masked: the holder's name (张**),
   * gender and the month of the last visit; null where the card does not say
   */
  holderMasked: z.string().nullable(),
  gender: z.enum(['male', 'female']).nullable(),
  lastVisit: z.string().nullable(),
});
export type HeldMatch = z.infer<typeof HeldMatch>;
export const HeldMatchesResponse = z.object({ matches: z.array(HeldMatch) });
export type HeldMatchesResponse = z.infer<typeof HeldMatchesResponse>;

export const HeldDecideBody = z.strictObject({ matchId: Id, decision: z.enum(['confirm', 'decline']) });
export type HeldDecideBody = z.infer<typeof HeldDecideBody>;
export const HeldDecideResponse = z.object({ status: z.enum(['confirmed', 'rejected']), customerId: z.string() });
export type HeldDecideResponse = z.infer<typeof HeldDecideResponse>;

// ---- merge suggestions (store manager+) ----

export const REVIEW_PAGE_MAX = 50;

/**
 * A page of a review queue (merge suggestions, held cards), oldest first: a store's backlog after a migration runs to
 * thousands. `phone` finds the ones of the customer at the counter: either record carries it (held cards: or the
 * candidate member holds it).
 */
export const SuggestionsQuery = z.strictObject({
  storeId: Id.optional(),
  phone: z.string().min(1).max(20).optional(),
  /** opaque: the `nextCursor` of the previous page */
  cursor: z.string().min(1).max(120).optional(),
  limit: z.coerce.number().int().min(1).max(REVIEW_PAGE_MAX).optional(),
});
export type SuggestionsQuery = z.infer<typeof SuggestionsQuery>;

/** A queue counts up to this many; past it the page says "1000+" (an exact count of a chain's backlog reads every record). */
export const REVIEW_COUNT_CAP = 1000;

/** Every page of a queue says how many wait in all (in the caller's scope, under the same phone). */
const queuePage = {
  total: z.number().int(),
  /** more than `total` wait: the count stopped at REVIEW_COUNT_CAP */
  totalCapped: z.boolean(),
  nextCursor: z.string().nullable(),
};

export const RecordView = z.object({
  recordId: z.string(),
  customerId: z.string(),
  source: z.string(),
  sourceIdMasked: z.string(),
  storeName: z.string().nullable(),
  name: z.string().nullable(),
  birthday: z.string().nullable(),
  gender: z.string(),
  phoneMasked: z.string().nullable(),
  district: z.string().nullable(),
  lastActive: z.string().nullable(),
});
export type RecordView = z.infer<typeof RecordView>;

export const Suggestion = z.object({
  id: z.string(),
  storeId: z.string().nullable(),
  createdAt: z.string(),
  a: RecordView,
  b: RecordView,
  /** how many records each side's customer has in all: a merge joins them all, not only the two shown */
  aRecords: z.number().int(),
  bRecords: z.number().int(),
});
export type Suggestion = z.infer<typeof Suggestion>;
export const SuggestionsResponse = z.object({ suggestions: z.array(Suggestion), ...queuePage });
export type SuggestionsResponse = z.infer<typeof SuggestionsResponse>;

// ---- held cards for staff review (store manager+) ----

/** why the linker held a record instead of joining it (held_links.reason) */
export const HOLD_REASON_CODES = [
  'family_phone',
  'name_conflict',
  'birthday_conflict',
  'dormant_card',
  'ambiguous',
  'cluster_limit',
  // the record's evidence points at two customers HQ keeps apart (identity_separations), equally strongly
  'kept_apart',
] as const;

/**
 * A record the linker held against a customer it shares a phone (or, `kept_apart`, other evidence) with: the held
 * record beside the candidate's record on that phone, for a store manager to decide.
 */
export const HeldReview = z.object({
  id: z.string(),
  reason: z.enum(HOLD_REASON_CODES),
  storeId: z.string().nullable(),
  createdAt: z.string(),
  record: RecordView,
  candidate: RecordView,
  /** how many records the candidate customer has in all */
  candidateRecords: z.number().int(),
});
export type HeldReview = z.infer<typeof HeldReview>;
export const HeldReviewsResponse = z.object({ holds: z.array(HeldReview), ...queuePage });
export type HeldReviewsResponse = z.infer<typeof HeldReviewsResponse>;
export const HeldReviewDecideBody = z.strictObject({ id: Id, decision: z.enum(['confirm', 'reject']) });
export type HeldReviewDecideBody = z.infer<typeof HeldReviewDecideBody>;
export const HeldReviewDecideResponse = z.object({
  status: z.enum(['confirmed', 'rejected']),
  mergeId: z.string().nullable(),
});
export type HeldReviewDecideResponse = z.infer<typeof HeldReviewDecideResponse>;

export const SuggestionDecideBody = z.strictObject({ id: Id, decision: z.enum(['confirm', 'reject']) });
export type SuggestionDecideBody = z.infer<typeof SuggestionDecideBody>;
export const SuggestionDecideResponse = z.object({
  status: z.enum(['confirmed', 'rejected']),
  mergeId: z.string().nullable(),
});
export type SuggestionDecideResponse = z.infer<typeof SuggestionDecideResponse>;

// ---- "not the same person" decisions (HQ) ----

export const SEPARATION_DECISIONS = ['hold_rejected', 'match_declined', 'suggestion_rejected', 'manual'] as const;
/** Two records someone said are two people: no linker joins them while it stands; HQ may take it back. */
export const DecidedSeparation = z.object({
  id: z.string(),
  /**
   * a manager rejected a held card, the member declined a card offered at sign-up, a manager rejected a suggestion,
   * or HQ marked two records never proposed together (`manual`, with its `note`)
   */
  reason: z.enum(SEPARATION_DECISIONS),
  /** HQ's words for a `manual` mark (e.g. 双胞胎兄弟，同名同生日); null otherwise */
  note: z.string().nullable(),
  storeId: z.string().nullable(),
  decidedAt: z.string(),
  /** the staff member who decided; null when the member did */
  decidedByName: z.string().nullable(),
  a: RecordView,
  b: RecordView,
  /** HQ took the decision back: when and who (the hold or suggestion was open again) */
  lifted: z.object({ at: z.string(), byName: z.string().nullable() }).nullable(),
});
export type DecidedSeparation = z.infer<typeof DecidedSeparation>;
/** Newest first; `phone`: decisions where either record carries it. */
export const DecidedSeparationsQuery = z.strictObject({
  phone: z.string().min(1).max(20).optional(),
  cursor: z.string().min(1).max(120).optional(),
  limit: z.coerce.number().int().min(1).max(REVIEW_PAGE_MAX).optional(),
});
export type DecidedSeparationsQuery = z.infer<typeof DecidedSeparationsQuery>;
/** `total` counts the decisions that stand (not taken back) under the same phone. */
export const DecidedSeparationsResponse = z.object({ separations: z.array(DecidedSeparation), ...queuePage });
export type DecidedSeparationsResponse = z.infer<typeof DecidedSeparationsResponse>;
export const SeparationLiftBody = z.strictObject({ id: Id });
export const SeparationLiftResponse = z.object({
  /** what is open again for a decision; `nothing` for HQ's own mark (no proposal was behind it) */
  reopened: z.enum(['hold', 'suggestion', 'nothing']),
});
export type SeparationLiftResponse = z.infer<typeof SeparationLiftResponse>;

// ---- HQ marks two records as two people (手动标记不是同一人) ----

/** The records carrying a phone, for HQ to pick the two it keeps apart (a search: audited with what it showed). */
export const PhoneRecordsQuery = z.strictObject({ phone: z.string().min(1).max(20) });
export type PhoneRecordsQuery = z.infer<typeof PhoneRecordsQuery>;
export const PhoneRecordsResponse = z.object({
  /** by customer, then record; at most `PHONE_RECORDS_MAX` */
  records: z.array(RecordView),
  /** more records carry the phone than are shown (a placeholder or a store's own counter phone) */
  truncated: z.boolean(),
});
export type PhoneRecordsResponse = z.infer<typeof PhoneRecordsResponse>;
export const PHONE_RECORDS_MAX = 50;

/**
 * Two records of two customers that no proposal put together (a hold or suggestion between them is decided in its
 * queue instead), marked as two people: no linker joins their customers while the mark stands. `note` says why.
 */
export const SeparationCreateBody = z.strictObject({
  recordA: Id,
  recordB: Id,
  note: z.string().trim().min(2).max(200),
});
export type SeparationCreateBody = z.infer<typeof SeparationCreateBody>;
export const SeparationCreateResponse = z.object({
  /** the mark; when the two were kept apart already, the separation that keeps them so */
  id: z.string(),
  /** false: they were kept apart already (by this mark or another decision), nothing was written */
  created: z.boolean(),
});
export type SeparationCreateResponse = z.infer<typeof SeparationCreateResponse>;

// ---- merge undo (HQ) ----

/**
 * What undoing a merge does to points. `back`: the points the absorbed side gets back (what it brought in, and what
 * its card earned since), still live; `used`: of those, the points the member had used meanwhile, which the undo
 * does not take back from them (the chain bears them: a member is never left owing points).
 */
export const UndoPoints = z.object({ back: z.number().int(), used: z.number().int().nonnegative() });
export type UndoPoints = z.infer<typeof UndoPoints>;

export const MergeUndoBody = z.strictObject({ mergeId: Id });
export const MergeUndoResponse = z.object({
  mergeId: z.string(),
  restoredCustomerId: z.string(),
  undoneAt: z.string(),
  /** the two sides are kept apart from now on: no linker joins them again until HQ restores the merge */
  keptApart: z.boolean(),
  /** what the undo did to points */
  points: UndoPoints,
});
export type MergeUndoResponse = z.infer<typeof MergeUndoResponse>;

// ---- restoring a merge HQ undid (HQ) ----

export const MergeRestoreBody = z.strictObject({ mergeId: Id });
export type MergeRestoreBody = z.infer<typeof MergeRestoreBody>;
export const MergeRestoreResponse = z.object({
  /** the undone merge */
  mergeId: z.string(),
  /** the merge that joined the two sides again */
  restoreMergeId: z.string(),
  customerId: z.string(),
  restoredAt: z.string(),
});
export type MergeRestoreResponse = z.infer<typeof MergeRestoreResponse>;

// ---- merge history (HQ) ----

export const MERGE_LIST_MAX = 50;

/** Newest first. `phone`: merges where either customer holds (or held) a record with that phone. */
export const MergesQuery = z.strictObject({
  phone: z.string().min(1).max(20).optional(),
  customerId: Id.optional(),
  /** opaque: the `nextCursor` of the previous page */
  cursor: z.string().min(1).max(120).optional(),
  limit: z.coerce.number().int().min(1).max(MERGE_LIST_MAX).optional(),
});
export type MergesQuery = z.infer<typeof MergesQuery>;

/** How a merge came about, for people: the linker in bulk, the linker at an ingest or sign-up, or a person. */
export const MERGE_KINDS = ['bulk', 'incremental', 'staff_confirmed', 'member_confirmed'] as const;

export const MergeRecord = z.object({
  source: z.string(),
  sourceIdMasked: z.string(),
  storeName: z.string().nullable(),
  nameMasked: z.string().nullable(),
  phoneMasked: z.string().nullable(),
});
export type MergeRecord = z.infer<typeof MergeRecord>;

/** One side of a merge; only masked values. `records` lists at most a few, `recordCount` all of them. */
export const MergeSide = z.object({
  customerId: z.string(),
  nameMasked: z.string().nullable(),
  phonesMasked: z.array(z.string()),
  records: z.array(MergeRecord),
  recordCount: z.number().int(),
});
export type MergeSide = z.infer<typeof MergeSide>;

export const MergeItem = z.object({
  id: z.string(),
  createdAt: z.string(),
  /** the linker's rule as stored: bulk, unionid, pos_card, verified_phone, phone, transitive, suggestion… */
  rule: z.string(),
  kind: z.enum(MERGE_KINDS),
  evidence: z.object({
    /** identifiers that linked them: unionid, openid, pos_card, mall_account, wecom_id, verified_phone, phone… */
    via: z.array(z.string()),
    valueMasked: z.string().nullable(),
    /** the evidence in words (Chinese), masked values only */
    text: z.string(),
  }),
  actor: z.object({
    kind: z.enum(['system', 'staff', 'member']),
    /** 系统批量关联 / 系统实时关联 / the staff member's name / 会员本人 */
    name: z.string(),
  }),
  survivor: MergeSide,
  merged: MergeSide,
  /** rows the merge moved, per table (identity_merge_moves) */
  moved: z.array(z.object({ table: z.string(), count: z.number().int() })),
  undone: z
    .object({
      at: z.string(),
      byName: z.string().nullable(),
      /** HQ's undo: the two sides stay apart until restored (the linker's own undos keep nothing apart) */
      keptApart: z.boolean(),
      restored: z.object({ at: z.string(), byName: z.string().nullable() }).nullable(),
    })
    .nullable(),
  /** what undoing it now would do to points, for the undo's confirmation; null once undone */
  undoPoints: UndoPoints.nullable(),
});
export type MergeItem = z.infer<typeof MergeItem>;
export const MergesResponse = z.object({ merges: z.array(MergeItem), nextCursor: z.string().nullable() });
export type MergesResponse = z.infer<typeof MergesResponse>;

// ---- integration health (HQ) ----

export const SourceHealth = z.object({
  source: z.string(),
  lastOkAt: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
  lastError: z.string().nullable(),
  calls24h: z.number().int(),
  failures24h: z.number().int(),
  rejectedRecords24h: z.number().int(),
  /** minutes since the last good sync; null when there never was one */
  lagMinutes: z.number().int().nullable(),
});
/** One store's till (its POS key's calls), for HQ: which counter cannot get through. */
export const TillHealth = z.object({
  storeId: z.string(),
  storeName: z.string(),
  /** the store has a live POS key; without one its clerks redeem and record sales at the counter (扫码核销) */
  connected: z.boolean(),
  lastOkAt: z.string().nullable(),
  /** minutes since the till last got through; null when it never did */
  lagMinutes: z.number().int().nullable(),
  calls24h: z.number().int(),
  failures24h: z.number().int(),
  /** the latest failure of the last 24 hours (a stale clock's SIGNATURE_EXPIRED, a bad payload…) */
  lastError: z.string().nullable(),
});
export type TillHealth = z.infer<typeof TillHealth>;

/**
 * The file import as a source (数据导入, HQ's uploads): its latest upload, with the figures its steps stored, the
 * ones 数据导入 shows for it (never recounted). `npm run import` records no run and is not here.
 */
export const FileImportHealth = z.object({
  id: z.string(),
  kind: z.enum(['records', 'orders']),
  fileName: z.string(),
  staffName: z.string().nullable(),
  /** running: steps remain (数据导入 goes on with them); failed: upload the file again to go on */
  status: z.enum(['running', 'done', 'failed']),
  /** why it failed, in English (the step's error, or the nightly job ending an upload left half done) */
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** minutes since it ended, or since it started while it runs */
  lagMinutes: z.number().int(),
  rowsTotal: z.number().int(),
  rowsDone: z.number().int(),
  /** as in ImportSummaryView, summed over the steps so far; null before the first step ended */
  figures: z
    .object({
      rows: z.number().int(),
      created: z.number().int(),
      updated: z.number().int(),
      unchanged: z.number().int(),
      /** refused rows, each in the quarantine (隔离的异常数据) */
      rejected: z.number().int(),
      linked: z.number().int(),
      held: z.number().int(),
      warned: z.number().int(),
      orders: z.number().int(),
      ordersKnown: z.number().int(),
      ordersWaiting: z.number().int(),
    })
    .nullable(),
});
export type FileImportHealth = z.infer<typeof FileImportHealth>;

export const HealthResponse = z.object({
  sources: z.array(SourceHealth),
  /** every store's till, in store order */
  tills: z.array(TillHealth),
  /** null before the first upload */
  fileImport: FileImportHealth.nullable(),
  quarantined: z.number().int(),
  /** the review queues, counted as their tabs count them: up to REVIEW_COUNT_CAP, then capped */
  openHolds: z.number().int(),
  openHoldsCapped: z.boolean(),
  openSuggestions: z.number().int(),
  openSuggestionsCapped: z.boolean(),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

// ---- quarantine (HQ): what partners sent that could not be taken in ----

export const QuarantineQuery = z.strictObject({
  source: z.string().max(32).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  /** the previous page's `nextCursor` */
  cursor: Id.optional(),
});
export type QuarantineQuery = z.infer<typeof QuarantineQuery>;
export const QuarantineItem = z.object({
  id: z.string(),
  source: z.string(),
  kind: z.enum(['record', 'order']),
  /** the record's id in its source (a card number, an account) or the order number; null when it had none */
  sourceId: z.string().nullable(),
  /** the refusal's machine code; null on items quarantined before codes (then only `reason` says why) */
  code: z.string().nullable(),
  /** why, in Chinese for HQ (shared/identity/refusal.ts); null when there is no code */
  explanation: z.string().nullable(),
  /** why, in the English the partner was answered with: to forward to the system's vendor */
  reason: z.string(),
  /** the key that sent it; null for a file import */
  keyId: z.string().nullable(),
  /** the store whose till sent it (a store's POS key); null for the mall's or WeCom's key and a file import */
  senderStoreName: z.string().nullable(),
  at: z.string(),
});
export type QuarantineItem = z.infer<typeof QuarantineItem>;
export const QuarantineResponse = z.object({
  items: z.array(QuarantineItem),
  nextCursor: z.string().nullable(),
  /** open items of the source asked for (every source without one) */
  open: z.number().int(),
  /** items of the same sources that left the list in the last 7 days because their source re-sent them correctly */
  resentLastWeek: z.number().int(),
});
export type QuarantineResponse = z.infer<typeof QuarantineResponse>;
export const QuarantineResolveBody = z.strictObject({ id: Id });
export const QuarantineResolveResponse = z.object({ id: z.string(), resolvedAt: z.string() });

/** The nightly retention job: rows older than 90 days deleted; `complete` false when its time ran out first. */
export const PurgeIntegrationLogResponse = z.object({
  deleted: z.number().int(),
  before: z.string(),
  complete: z.boolean(),
  /** uploaded imports left running for two days, ended (their text deleted) */
  abandonedImports: z.number().int(),
  /** quarantined items resolved before `before`, deleted */
  quarantineDeleted: z.number().int(),
  /** refused rows' files of imports that ended more than 30 days ago, deleted */
  refusedFilesDeleted: z.number().int(),
  /** stored answers of idempotent requests (till, counter) older than 90 days, deleted */
  storedAnswersDeleted: z.number().int(),
});

// ---- data quality per source (HQ) ----

/** Each record in exactly one class. */
export const PhoneClasses = z.object({
  valid: z.number().int(),
  invalid: z.number().int(),
  /** a placeholder (13800000000-style) or a store's own counter phone: kept, never linked */
  blocked: z.number().int(),
  missing: z.number().int(),
});
export type PhoneClasses = z.infer<typeof PhoneClasses>;

/** A store's records of a source typed at its counter (POS): where placeholders and missing phones come from. */
export const StoreFigures = z.object({
  records: z.number().int(),
  phones: PhoneClasses,
  realName: z.number().int(),
  birthday: z.number().int(),
});
export type StoreFigures = z.infer<typeof StoreFigures>;
export const StoreQuality = StoreFigures.extend({
  storeId: z.string(),
  storeName: z.string(),
  regionName: z.string().nullable(),
});
export type StoreQuality = z.infer<typeof StoreQuality>;

/** Counts of records (not shares: the page divides, the figures stay exact). */
export const SourceQuality = z.object({
  source: z.string(),
  records: z.number().int(),
  /** verified ⊆ valid (WeChat proved it) */
  phones: PhoneClasses.extend({ verified: z.number().int() }),
  emails: z.object({ valid: z.number().int(), invalid: z.number().int(), missing: z.number().int() }),
  duplicates: z.object({
    /** records whose valid phone another record of the same source carries too (one person's second card, or a family) */
    sharedPhone: z.number().int(),
    /** records whose customer holds another record of the same source: duplicates the linker joined */
    sameCustomer: z.number().int(),
  }),
  /** records with the field filled in (a real name: not a nickname or 王先生-style honorific) */
  completeness: z.object({
    realName: z.number().int(),
    birthday: z.number().int(),
    gender: z.number().int(),
    city: z.number().int(),
    store: z.number().int(),
    lastActive: z.number().int(),
  }),
  /**
   * per store, for the sources staff type in at a store's counter (POS; records without a store are in no line);
   * absent for the other sources and in reports computed before per-store figures existed
   */
  stores: z.array(StoreQuality).optional(),
  /**
   * the source's orders (POS, mall), when it has any: walk-in sales, and sales to a member id (a card number, an
   * account) no record of the source carries, which wait for their member: many of those mean the member export
   * is incomplete. Absent in reports computed before order ingest.
   */
  orders: z
    .object({ total: z.number().int(), withoutMember: z.number().int(), waitingForMember: z.number().int() })
    .optional(),
});
export type SourceQuality = z.infer<typeof SourceQuality>;
/** Who made a report: HQ staff asking, the end of a batch import, or the nightly job. */
export const QUALITY_TRIGGERS = ['staff', 'import', 'schedule'] as const;
export const DataQualityReport = z.object({
  computedAt: z.string(),
  trigger: z.enum(QUALITY_TRIGGERS),
  /** the staff member who asked; null for a batch import or the nightly job */
  computedByName: z.string().nullable(),
  durationMs: z.number().int(),
  sources: z.array(SourceQuality),
});
export type DataQualityReport = z.infer<typeof DataQualityReport>;
/** The latest report, null before the first one; `previous` is the one before it (the trend). */
export const QualityResponse = z.object({
  report: DataQualityReport.nullable(),
  previous: DataQualityReport.nullable(),
});
export type QualityResponse = z.infer<typeof QualityResponse>;
/** Nothing to choose: the report always covers every source. */
export const QualityRefreshBody = z.strictObject({});
export const QualityRefreshResponse = z.object({
  report: DataQualityReport,
  /** false when a report computed in the last minute was returned instead of computing another */
  computed: z.boolean(),
});
export type QualityRefreshResponse = z.infer<typeof QualityRefreshResponse>;

/**
 * 会员资料质量 for store managers and regional managers: the POS lines of the stores in the caller's scope from the
 * latest report (HQ computes it), each with the report before it, and the chain's POS figures as the yardstick.
 */
export const StoreQualityResponse = z.object({
  report: z
    .object({
      computedAt: z.string(),
      trigger: z.enum(QUALITY_TRIGGERS),
      previousComputedAt: z.string().nullable(),
      /** false for a report computed before per-store figures existed: HQ must compute a new one */
      perStore: z.boolean(),
      /** the POS records of every store (null when the report has no POS records at all) */
      chain: StoreFigures.nullable(),
      stores: z.array(
        z.object({
          storeId: z.string(),
          code: z.string(),
          name: z.string(),
          regionName: z.string().nullable(),
          /** null: no POS record of this store in the report */
          figures: StoreFigures.nullable(),
          previous: StoreFigures.nullable(),
        }),
      ),
    })
    .nullable(),
});
export type StoreQualityResponse = z.infer<typeof StoreQualityResponse>;

/** Why a POS card's phone cannot reach the customer. */
export const PHONE_PROBLEMS = ['blocked', 'invalid', 'missing'] as const;
export type PhoneProblem = (typeof PHONE_PROBLEMS)[number];

/** 待核实名单: one store's POS cards with one kind of unusable phone, oldest card first, a page at a time. */
export const QualityRecordsQuery = z.strictObject({
  storeId: Id,
  problem: z.enum(PHONE_PROBLEMS),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  /** the previous page's `nextCursor` */
  cursor: Id.optional(),
});
export type QualityRecordsQuery = z.infer<typeof QualityRecordsQuery>;
export const QualityRecordsResponse = z.object({
  store: z.object({ id: z.string(), code: z.string(), name: z.string() }),
  problem: z.enum(PHONE_PROBLEMS),
  records: z.array(
    z.object({
      recordId: z.string(),
      /** the POS card number, in full: the key the clerk finds the card by in the till */
      cardNo: z.string(),
      /** 张* */
      nameMasked: z.string().nullable(),
      /** what was typed, masked (blocked: which placeholder or the store's phone; invalid: the wrong number) */
      phoneMasked: z.string().nullable(),
      /** placeholder | store_phone for a blocked phone, null otherwise */
      blockReason: z.string().nullable(),
      lastActive: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
export type QualityRecordsResponse = z.infer<typeof QualityRecordsResponse>;

// ---- file imports from the staff pages (HQ) ----

/**
 * What one upload may hold: the file's bytes, sent as base64 when they are not UTF-8 (a GBK export), in a JSON body
 * under Vercel's 4.5 MB request limit (3.3 MB of bytes are 4.4 MB of base64).
 */
export const IMPORT_LIMITS = { bytes: 3_300_000 } as const;

/** a file's bytes in base64 (its size is checked once decoded; the endpoint's body limit bounds it) */
const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

/**
 * A file's content as the staff pages send it: its text when the file is UTF-8 (a BOM is fine), else its bytes in
 * base64 (`contentBase64`), which the server reads as UTF-8 or GB18030 (the superset of GBK: Chinese Excel's CSV and
 * most POS exports). Exactly one of the two.
 */
const oneFileContent = (b: { content?: string; contentBase64?: string }) =>
  (b.content === undefined) !== (b.contentBase64 === undefined);
const ONE_FILE_CONTENT = {
  message: 'give the file as content (UTF-8 text) or as contentBase64 (its bytes), one of the two',
  path: ['content'],
};

export const ImportMappingView = z.object({
  name: z.string(),
  kind: z.enum(['records', 'orders']),
  /** 会员资料 (POS 导出，中文列名) … */
  label: z.string(),
  /** the source every row is from; null when the file's `source` column names it per row */
  source: z.string().nullable(),
  /** the file's columns the mapping reads, in the file's own words */
  columns: z.array(z.string()),
  /** of those, the ones a file must have (the source column, the required fields' columns) */
  required: z.array(z.string()),
  /** a format HQ made on the staff pages (it can be stopped); null for a configured one */
  custom: z.object({ createdBy: z.string().nullable(), createdAt: z.string() }).nullable(),
});
export type ImportMappingView = z.infer<typeof ImportMappingView>;
export const ImportMappingsResponse = z.object({
  mappings: z.array(ImportMappingView),
  limits: z.object({ bytes: z.number().int() }),
});
export type ImportMappingsResponse = z.infer<typeof ImportMappingsResponse>;

/**
 * Why an upload was refused before anything was read (IMPORT_COLUMNS_MISMATCH): the chosen format's required columns
 * the file lacks, or (none lacking) the other kind of file it looks like (a sales export chosen as member records);
 * the columns it has; the formats it fits, the most of its columns read first.
 */
export const ImportColumnsMismatch = z.object({
  missing: z.array(z.string()),
  looksLike: z.enum(['records', 'orders']).nullable(),
  columns: z.array(z.string()),
  fits: z.array(z.object({ name: z.string(), label: z.string(), kind: z.enum(['records', 'orders']) })),
});
export type ImportColumnsMismatch = z.infer<typeof ImportColumnsMismatch>;

/**
 * Why an upload (or a format's sample) was refused before anything was read (IMPORT_COLUMNS_DUPLICATE): its header
 * names these columns, which the format reads, more than once, so which one holds the value cannot be told.
 */
export const ImportColumnsDuplicate = z.object({ columns: z.array(z.string()) });
export type ImportColumnsDuplicate = z.infer<typeof ImportColumnsDuplicate>;

const ImportKindSchema = z.enum(['records', 'orders']);
/** { our field: their column } (shared/identity/import-fields.ts) */
const FormatFields = z.record(z.string().max(32), z.string().trim().min(1).max(64));

/**
 * The head of a sample file is enough to see its columns and try the first rows: this many characters (64,000 CJK
 * characters are 192 KB of UTF-8, inside an endpoint's 256 KB body).
 */
export const IMPORT_SAMPLE_CHARS = 64_000;

/**
 * 新建导入格式: a sample file's columns, the mapping they suggest (or the one given), and its first rows (records) or
 * orders as the import would take or refuse them. Nothing is stored.
 */
/** the head of the file (`content` or `contentBase64`) */
export const ImportFormatPreviewBody = z
  .strictObject({
    kind: ImportKindSchema,
    source: z.enum(['pos', 'mall', 'wecom']),
    fields: FormatFields.optional(),
    fileName: z.string().trim().min(1).max(200),
    content: z.string().max(IMPORT_SAMPLE_CHARS).optional(),
    contentBase64: Base64.max(Math.ceil(IMPORT_SAMPLE_CHARS / 3) * 4).optional(),
    /** the head of a longer file, cut anywhere: its last, cut row is left out */
    partial: z.boolean().optional(),
  })
  .refine(oneFileContent, ONE_FILE_CONTENT);
export type ImportFormatPreviewBody = z.infer<typeof ImportFormatPreviewBody>;
export const ImportFormatPreviewResponse = z.object({
  columns: z.array(z.string()),
  /** the mapping tried: the one given, else the one the header row suggests */
  fields: z.record(z.string(), z.string()),
  /** the required fields it lacks, in Chinese (empty: it can be saved) */
  missing: z.array(z.string()),
  /** the first records, or orders, of the sample */
  items: z.array(
    z.object({
      /** the file's row (the order's first row) */
      row: z.number().int(),
      id: z.string().nullable(),
      accepted: z.boolean(),
      /** why it would be refused, in Chinese; null when it would be taken */
      explanation: z.string().nullable(),
      /** what the mapping read from the row, field by field (our field names), as the file has it */
      values: z.record(z.string(), z.string()),
      /** an order's items */
      lines: z.number().int().nullable(),
    }),
  ),
});
export type ImportFormatPreviewResponse = z.infer<typeof ImportFormatPreviewResponse>;
export const ImportFormatCreateBody = z.strictObject({
  kind: ImportKindSchema,
  source: z.enum(['pos', 'mall', 'wecom']),
  label: z.string().trim().min(2).max(40),
  fields: FormatFields,
});
export type ImportFormatCreateBody = z.infer<typeof ImportFormatCreateBody>;
export const ImportFormatArchiveBody = z.strictObject({ name: Id });
export const ImportFormatArchiveResponse = z.object({ name: z.string(), archivedAt: z.string() });

/** the file (`content` or `contentBase64`): CSV with a header row or JSON lines */
export const ImportUploadBody = z
  .strictObject({
    mapping: z.string().min(1).max(64),
    fileName: z.string().trim().min(1).max(200),
    content: z.string().max(IMPORT_LIMITS.bytes).optional(),
    contentBase64: Base64.optional(),
  })
  .refine(oneFileContent, ONE_FILE_CONTENT);
export type ImportUploadBody = z.infer<typeof ImportUploadBody>;

export const ImportRejection = z.object({
  /** its line in the file, as Excel numbers the rows (the header is line 1); null when not known */
  row: z.number().int().nullable(),
  /** the record's id or the order number, when the row had one */
  id: z.string().nullable(),
  code: z.string().nullable(),
  /** why, in Chinese */
  explanation: z.string(),
  /** why, in English, for the system's vendor */
  reason: z.string(),
});

/** A row imported with a value that failed its check: kept, the value not used (flagged, not dropped). */
export const ImportWarning = z.object({
  /** its line in the file, as Excel numbers the rows (the header is line 1) */
  row: z.number().int(),
  id: z.string().nullable(),
  /** birthday_unparseable, last_active_unparseable, phone_not_mobile, phone_placeholder, email_bad_syntax… */
  code: z.string(),
  /** the file's column and its value as read */
  column: z.string().nullable(),
  value: z.string().nullable(),
  /** what was wrong and what the import did, in Chinese */
  explanation: z.string(),
});
export type ImportWarning = z.infer<typeof ImportWarning>;

export const ImportSummaryView = z.object({
  rows: z.number().int(),
  /** records, or orders */
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  /** records: linked to another record of the person, and held for review */
  linked: z.number().int(),
  held: z.number().int(),
  /** orders: read from the file, given to a known member, and waiting for their member's record */
  orders: z.number().int(),
  ordersKnown: z.number().int(),
  ordersWaiting: z.number().int(),
  seconds: z.number(),
  /** the first 50 refused rows */
  rejections: z.array(ImportRejection),
  /** rows imported with a flagged value (an impossible date, a phone that is no mobile…); 0 in imports before */
  warned: z.number().int().default(0),
  /** per kind of flag: its column, what it means in Chinese, and how many rows */
  warningCounts: z
    .array(
      z.object({ code: z.string(), column: z.string().nullable(), explanation: z.string(), rows: z.number().int() }),
    )
    .default([]),
  /** the first 50 flagged values, row by row */
  warnings: z.array(ImportWarning).default([]),
});
export type ImportSummaryView = z.infer<typeof ImportSummaryView>;

export const ImportView = z.object({
  id: z.string(),
  kind: z.enum(['records', 'orders']),
  mapping: z.string(),
  mappingLabel: z.string(),
  fileName: z.string(),
  sizeBytes: z.number().int(),
  /** running: steps remain (`POST …/imports/continue`); done; failed (upload the file again to go on) */
  status: z.enum(['running', 'done', 'failed']),
  /** the file's data rows (counted by line until the import is done, then as read), and those taken so far */
  rowsTotal: z.number().int(),
  rowsDone: z.number().int(),
  /** rows in the refused rows' file (`GET …/imports/refused`); 0 when none were refused, or the file was purged */
  refusedRows: z.number().int(),
  /** this upload had been imported before (the same content and mapping): the answer is that import's */
  repeated: z.boolean(),
  staffName: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  summary: ImportSummaryView.nullable(),
});
export type ImportView = z.infer<typeof ImportView>;
export const ImportContinueBody = z.strictObject({ id: Id });
export const ImportRefusedQuery = z.strictObject({ id: Id });
/** An import's refused rows as a file of the upload's kind: its own columns, then 拒收原因 */
export const ImportRefusedFile = z.object({
  fileName: z.string(),
  rows: z.number().int(),
  /** the file's text: CSV with a UTF-8 BOM and CRLF rows, or JSON lines */
  content: z.string(),
});
export type ImportRefusedFile = z.infer<typeof ImportRefusedFile>;
export const ImportListResponse = z.object({ imports: z.array(ImportView) });
export type ImportListResponse = z.infer<typeof ImportListResponse>;
