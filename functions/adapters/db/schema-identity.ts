/**
 * Identity linking: the source records behind every customer, the merges that joined them (with evidence, and
 * undoable), the weak matches a store manager decides, the holds a member or reviewer decides, blocked values, and
 * the integration log and quarantine of inbound data. Conventions as in schema.ts.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { HOLD_REASON_CODES } from '../../../shared/contracts/identity.js';
import { createdAt, IDENTITY_KINDS, SOURCES, updatedAt } from './columns.js';
import { customers, staff, stores } from './schema.js';

export const NAME_KINDS = ['real', 'honorific', 'unknown'] as const;

/**
 * One row per record a source system holds (a POS card, a mall account, a mini-program login, a WeCom contact),
 * unique per (source, source_id) so a replayed ingest lands once. The raw payload is kept as received; the
 * normalised fields are what linking reads. `origin_customer_id` is the customer made for this record alone:
 * undoing a merge sends the record (and its history) back there.
 */
export const sourceRecords = pgTable(
  'source_records',
  {
    id: text('id').primaryKey(),
    source: text('source', { enum: SOURCES }).notNull(),
    sourceId: text('source_id').notNull(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    originCustomerId: text('origin_customer_id')
      .notNull()
      .references(() => customers.id),
    storeId: text('store_id').references(() => stores.id),
    name: text('name'),
    /** real = a plausible Chinese full name; honorific = 王先生; unknown = a nickname or nothing */
    nameKind: text('name_kind', { enum: NAME_KINDS }).notNull().default('unknown'),
    surname: text('surname'),
    /** real names: surname|toneless pinyin of the given name (王|su fen); linking compares names by it */
    nameKey: text('name_key'),
    birthday: date('birthday'),
    gender: text('gender', { enum: ['male', 'female', 'unknown'] })
      .notNull()
      .default('unknown'),
    /** canonical mobile when valid, else null (the raw value stays in payload and identities) */
    phone: text('phone'),
    phoneVerified: boolean('phone_verified').notNull().default(false),
    email: text('email'),
    province: text('province'),
    city: text('city'),
    district: text('district'),
    lastActive: date('last_active'),
    /**
     * when its member closed the account: every personal field, the payload and the identities are gone, and the
     * source id is renamed (`erased:<id>`) so that a later sync of the same card starts a new, unlinked record
     */
    erasedAt: timestamp('erased_at', { withTimezone: true }),
    payload: jsonb('payload').notNull(),
    /** sha-256 of the canonical payload: a replay with the same bytes changes nothing */
    payloadHash: text('payload_hash').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('source_records_source_uq').on(t.source, t.sourceId),
    index('source_records_customer_idx').on(t.customerId),
    index('source_records_phone_idx').on(t.phone),
    index('source_records_name_birthday_idx').on(t.name, t.birthday),
    // a store's POS cards whose phone cannot reach the customer (会员资料质量's lists): a few percent of the records
    index('source_records_store_unusable_phone_idx')
      .on(t.storeId, t.id)
      .where(sql`${t.phone} is null and ${t.source} = 'pos'`),
  ],
);

/** Nothing is overwritten without a trace: the payload a later ingest replaced. */
export const sourceRecordRevisions = pgTable(
  'source_record_revisions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    recordId: text('record_id')
      .notNull()
      .references(() => sourceRecords.id),
    payload: jsonb('payload').notNull(),
    replacedAt: timestamp('replaced_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('source_record_revisions_record_idx').on(t.recordId)],
);

export const MERGE_ACTOR_KINDS = ['system', 'staff', 'member'] as const;

/** One merge of customer `merged_id` into `survivor_id`, with the evidence that justified it. */
export const identityMerges = pgTable(
  'identity_merges',
  {
    id: text('id').primaryKey(),
    survivorId: text('survivor_id')
      .notNull()
      .references(() => customers.id),
    mergedId: text('merged_id')
      .notNull()
      .references(() => customers.id),
    /** what linked them: unionid, pos_card, verified_phone, phone, confirmed_match, suggestion, bulk… */
    rule: text('rule').notNull(),
    evidence: jsonb('evidence').notNull(),
    actorKind: text('actor_kind', { enum: MERGE_ACTOR_KINDS }).notNull(),
    actorId: text('actor_id').notNull(),
    createdAt: createdAt(),
    /**
     * The order merges were made in. Not created_at: a batch's merges share its one `now`, and undo needs which of
     * two merges of one row came later (migration 0031)
     */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    undoneAt: timestamp('undone_at', { withTimezone: true }),
    undoneBy: text('undone_by'),
    /** its customer closed the account: the evidence is erased and the merge can no longer be undone or listed */
    erasedAt: timestamp('erased_at', { withTimezone: true }),
  },
  (t) => [
    index('identity_merges_survivor_idx').on(t.survivorId),
    index('identity_merges_merged_idx').on(t.mergedId),
    // HQ's merge history pages newest first
    index('identity_merges_created_idx').on(t.createdAt, t.id),
    check('identity_merges_distinct_ck', sql`${t.survivorId} <> ${t.mergedId}`),
  ],
);

/**
 * The rows a merge moved, per table, with the customer they came from: undo puts exactly these back. Source
 * records are logged here too; identities follow their record, so they are not.
 */
export const identityMergeMoves = pgTable(
  'identity_merge_moves',
  {
    mergeId: text('merge_id')
      .notNull()
      .references(() => identityMerges.id),
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    fromCustomerId: text('from_customer_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.mergeId, t.tableName, t.rowId] }),
    index('identity_merge_moves_row_idx').on(t.tableName, t.rowId),
  ],
);

export const DECISION_STATUSES = ['open', 'confirmed', 'rejected', 'superseded'] as const;

/** Weak evidence (same name + birthday + district): never merges by itself, a store manager decides. */
export const mergeSuggestions = pgTable(
  'merge_suggestions',
  {
    id: text('id').primaryKey(),
    recordA: text('record_a')
      .notNull()
      .references(() => sourceRecords.id),
    recordB: text('record_b')
      .notNull()
      .references(() => sourceRecords.id),
    /** the store whose manager may decide: the store of either record (a POS card's store first) */
    storeId: text('store_id').references(() => stores.id),
    evidence: jsonb('evidence').notNull(),
    status: text('status', { enum: DECISION_STATUSES }).notNull().default('open'),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    mergeId: text('merge_id').references(() => identityMerges.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('merge_suggestions_pair_uq').on(t.recordA, t.recordB),
    index('merge_suggestions_store_idx').on(t.storeId, t.status),
    index('merge_suggestions_open_idx').on(t.createdAt, t.id).where(sql`${t.status} = 'open'`),
    check('merge_suggestions_order_ck', sql`${t.recordA} < ${t.recordB}`),
  ],
);

/**
 * why two records are kept apart: HQ undid their merge, someone said "not the same person" to a proposal, or HQ marked
 * two records never proposed together as two people (`manual`: twins, a parent and child on one phone)
 */
export const SEPARATION_REASONS = ['undo', 'hold_rejected', 'match_declined', 'suggestion_rejected', 'manual'] as const;

/**
 * A person's word that two records are two people: HQ undid a merge of them (`undo`), a store manager rejected a
 * held card (`hold_rejected`), the member said a card offered at sign-up is not theirs (`match_declined`), or a
 * manager rejected a merge suggestion (`suggestion_rejected`). No linker (incremental, bulk, the untangle) and no
 * confirmation puts the two records in one customer again while it stands, whatever a later sync brings: the linker
 * never overrules a person. HQ may lift it: an undo's by 恢复合并 (which merges them back), a decision's on the
 * review page (the hold or suggestion is open again). The pair is one record of each side: an undone merge's
 * evidence records where they are on those sides, a hold's record and the candidate's record on its phone, a
 * suggestion's two records. A record never leaves its customer except through an undo, so the pair keeps the two
 * customers apart however many records join either later.
 */
export const identitySeparations = pgTable(
  'identity_separations',
  {
    id: text('id').primaryKey(),
    recordA: text('record_a')
      .notNull()
      .references(() => sourceRecords.id),
    recordB: text('record_b')
      .notNull()
      .references(() => sourceRecords.id),
    reason: text('reason', { enum: SEPARATION_REASONS }).notNull().default('undo'),
    /** the undone merge this separation came from (`undo`) */
    mergeId: text('merge_id').references(() => identityMerges.id),
    /** the hold decided "not the same person" (`hold_rejected`, `match_declined`) */
    heldLinkId: text('held_link_id').references(() => heldLinks.id),
    /** the suggestion rejected (`suggestion_rejected`) */
    suggestionId: text('suggestion_id').references(() => mergeSuggestions.id),
    /** why HQ marked the two apart, in its words (`manual`) */
    note: text('note'),
    /** a staff id, or the member's identity id (`match_declined`) */
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    liftedAt: timestamp('lifted_at', { withTimezone: true }),
    liftedBy: text('lifted_by'),
    /** the merge that joined them again when HQ lifted an undo's */
    liftMergeId: text('lift_merge_id').references(() => identityMerges.id),
  },
  (t) => [
    uniqueIndex('identity_separations_merge_uq').on(t.mergeId),
    uniqueIndex('identity_separations_held_uq').on(t.heldLinkId),
    uniqueIndex('identity_separations_suggestion_uq').on(t.suggestionId),
    index('identity_separations_a_idx').on(t.recordA).where(sql`lifted_at is null`),
    index('identity_separations_b_idx').on(t.recordB).where(sql`lifted_at is null`),
    index('identity_separations_decided_idx').on(t.createdAt).where(sql`reason <> 'undo'`),
    // one live mark of a pair by HQ: marking it again is the same mark
    uniqueIndex('identity_separations_manual_uq')
      .on(t.recordA, t.recordB)
      .where(sql`reason = 'manual' and lifted_at is null`),
    check('identity_separations_order_ck', sql`${t.recordA} < ${t.recordB}`),
    check(
      'identity_separations_origin_ck',
      sql`case ${t.reason} when 'undo' then ${t.mergeId} is not null and ${t.heldLinkId} is null and ${t.suggestionId} is null
            when 'suggestion_rejected' then ${t.suggestionId} is not null and ${t.mergeId} is null and ${t.heldLinkId} is null
            when 'manual' then ${t.note} is not null and ${t.mergeId} is null and ${t.heldLinkId} is null and ${t.suggestionId} is null
            else ${t.heldLinkId} is not null and ${t.mergeId} is null and ${t.suggestionId} is null end`,
    ),
  ],
);

/** why a record was held (shared/contracts/identity.ts: the staff review shows each in words) */
export const HOLD_REASONS = HOLD_REASON_CODES;

/**
 * A record that shares a phone with a customer but was not linked because something contradicts it. The member
 * confirms it in the mini-program ("这是您在××店的会员卡吗?") or staff resolve it.
 */
export const heldLinks = pgTable(
  'held_links',
  {
    id: text('id').primaryKey(),
    recordId: text('record_id')
      .notNull()
      .references(() => sourceRecords.id),
    /** the customer the record may belong to */
    candidateCustomerId: text('candidate_customer_id')
      .notNull()
      .references(() => customers.id),
    phone: text('phone'),
    /**
     * the held record's store, a copy of source_records.store_id kept in step by the database (migration 0036: a
     * trigger follows a record that changes store): a store's review queue pages through its own holds by index. No
     * foreign key: the record's own key checks it, and the bulk job inserts a chain's holds at once
     */
    storeId: text('store_id'),
    reason: text('reason', { enum: HOLD_REASONS }).notNull(),
    evidence: jsonb('evidence').notNull(),
    status: text('status', { enum: DECISION_STATUSES }).notNull().default('open'),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    mergeId: text('merge_id').references(() => identityMerges.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('held_links_record_candidate_uq').on(t.recordId, t.candidateCustomerId),
    index('held_links_candidate_idx').on(t.candidateCustomerId, t.status),
    // the review queue pages through the open ones oldest first, and finds those on a customer's phone
    index('held_links_open_idx')
      .on(t.createdAt, t.id)
      .where(sql`${t.status} = 'open'`),
    index('held_links_open_phone_idx').on(t.phone).where(sql`${t.status} = 'open'`),
    index('held_links_open_store_idx').on(t.storeId, t.createdAt, t.id).where(sql`${t.status} = 'open'`),
  ],
);

export const BLOCK_REASONS = ['placeholder', 'store_phone', 'cluster_limit', 'manual'] as const;

/** Values that never link anything, whatever record carries them. */
export const blockedValues = pgTable(
  'blocked_values',
  {
    kind: text('kind', { enum: IDENTITY_KINDS }).notNull(),
    value: text('value').notNull(),
    reason: text('reason', { enum: BLOCK_REASONS }).notNull(),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.value] })],
);

export const INTEGRATION_STATUSES = ['ok', 'partial', 'failed'] as const;

/** Every inbound batch or call, and every call out to an external system: what HQ's health view reads. */
export const integrationLog = pgTable(
  'integration_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    source: text('source').notNull(),
    direction: text('direction', { enum: ['inbound', 'outbound'] }).notNull(),
    operation: text('operation').notNull(),
    keyId: text('key_id'),
    storeId: text('store_id'),
    status: text('status', { enum: INTEGRATION_STATUSES }).notNull(),
    /** the slowest of the calls this row stands for */
    latencyMs: integer('latency_ms').notNull(),
    /**
     * calls this row stands for: 1 for a batch or a call out; the partner calls of one flush of the call log with
     * the same source, key, operation, outcome and error are one row (functions/app/call-log.ts)
     */
    calls: integer('calls').notNull().default(1),
    records: integer('records').notNull().default(0),
    accepted: integer('accepted').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    error: text('error'),
    requestId: text('request_id'),
    summary: jsonb('summary'),
  },
  (t) => [
    index('integration_log_source_idx').on(t.source, t.at),
    // each store's till on HQ's health page: its last good call and its day, without reading the whole log
    index('integration_log_store_idx')
      .on(t.storeId, t.at)
      .where(sql`${t.storeId} is not null`),
  ],
);

/** A malformed inbound record, kept with its reason instead of being lost. */
export const ingestQuarantine = pgTable(
  'ingest_quarantine',
  {
    id: text('id').primaryKey(),
    source: text('source').notNull(),
    /** a customer record, or an order (source_id is then the order number) */
    kind: text('kind', { enum: ['record', 'order'] })
      .notNull()
      .default('record'),
    sourceId: text('source_id'),
    keyId: text('key_id'),
    requestId: text('request_id'),
    /** the refusal's machine code and particulars (shared/identity/refusal.ts); null on rows from before 0026 */
    code: text('code'),
    params: jsonb('params'),
    /** the refusal in English, as the partner was answered */
    reason: text('reason').notNull(),
    payload: jsonb('payload'),
    createdAt: createdAt(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    /**
     * how it left the list: `handled` (HQ marked it), `resent` (its source sent the same record or order again and it
     * was taken in); the payload is deleted either way (migration 0029)
     */
    resolution: text('resolution', { enum: ['handled', 'resent'] }),
    /** the staff member who marked it handled */
    resolvedBy: text('resolved_by'),
  },
  (t) => [
    index('ingest_quarantine_source_idx').on(t.source, t.createdAt),
    // a batch that lands closes the open items of the same records or orders: one probe per batch
    index('ingest_quarantine_open_item_idx')
      .on(t.source, t.kind, t.sourceId)
      .where(sql`resolved_at is null`),
    check(
      'ingest_quarantine_resolution_ck',
      sql`(${t.resolvedAt} is null) = (${t.resolution} is null) and coalesce(${t.resolution}, 'handled') in ('handled', 'resent')`,
    ),
  ],
);

/**
 * An upload format HQ made on the staff pages (数据导入 → 新建导入格式): which column of a chain's export fills which
 * field, for member records or for orders, from one source. The same shape as a config/import-mappings file, so a
 * POS export with other columns imports without a code change or a deployment. Never edited: an import names its
 * format, and a format changed under a running or finished import would misread it; HQ makes a new one and stops
 * offering the old (`archived_at`), which stays readable for the imports that used it.
 */
export const importFormats = pgTable(
  'import_formats',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['records', 'orders'] }).notNull(),
    /** the name HQ gave it, shown when picking a format */
    label: text('label').notNull(),
    source: text('source').notNull(),
    /** { our field: their column } (shared/identity/import-fields.ts) */
    fields: jsonb('fields').notNull(),
    createdBy: text('created_by')
      .notNull()
      .references(() => staff.id),
    createdAt: createdAt(),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    archivedBy: text('archived_by').references(() => staff.id),
  },
  (t) => [
    // two formats offered under one name would be picked by mistake
    uniqueIndex('import_formats_label_uq')
      .on(t.label)
      .where(sql`archived_at is null`),
    check('import_formats_source_ck', sql`${t.source} in ('pos', 'mall', 'wecom')`),
  ],
);

/**
 * A file HQ uploaded from the staff pages (数据导入): a POS or mall export of member records or of orders, run
 * through the same import as the CLI, in steps of one request each. One row per distinct upload: the same content
 * with the same mapping is answered from the row (and continued while it runs), never imported twice.
 */
export const dataImports = pgTable(
  'data_imports',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['records', 'orders'] }).notNull(),
    /** the built-in mapping's name (functions/app/identity/import-mappings.ts) */
    mapping: text('mapping').notNull(),
    fileName: text('file_name').notNull(),
    contentSha256: text('content_sha256').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    status: text('status', { enum: ['running', 'done', 'failed'] }).notNull(),
    /**
     * The file's text while the import runs (it goes on in steps, each one request); cleared once done: names and
     * phones do not stay behind in a second copy.
     */
    content: text('content'),
    rowsTotal: integer('rows_total').notNull(),
    /** rows the steps so far have taken: where the next step starts */
    rowsDone: integer('rows_done').notNull().default(0),
    /** a step is under way until then; a function that died lets the next step take over after it */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    /** ImportSummaryView (shared/contracts/identity.ts), summed over the steps so far */
    summary: jsonb('summary'),
    /**
     * The refused rows as a file of the upload's kind (functions/app/identity/refused-rows.ts), written step by step:
     * HQ downloads it to correct and upload again. Kept 30 days after the import ends (the nightly purge), as it
     * holds members' names and phones.
     */
    refusedText: text('refused_text'),
    /** rows in `refused_text` (an order refused whole is all its rows); 0 once purged */
    refusedRows: integer('refused_rows').notNull().default(0),
    error: text('error'),
    staffId: text('staff_id')
      .notNull()
      .references(() => staff.id),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('data_imports_content_uq').on(t.contentSha256, t.mapping),
    index('data_imports_started_idx').on(t.startedAt),
  ],
);

/**
 * The data-quality report per source (valid phones, duplicates, completeness of key fields), one row per
 * computation: HQ reads the latest, and the rows before it show whether a source's data got better. Computed on
 * request by HQ and at the end of a batch import, never per page view (one pass over every record: seconds at 10^6).
 */
export const dataQualityReports = pgTable(
  'data_quality_reports',
  {
    id: text('id').primaryKey(),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull(),
    /** staff user id, or 'import' for a batch import */
    computedBy: text('computed_by').notNull(),
    durationMs: integer('duration_ms').notNull(),
    /** DataQualityReport['sources'] (shared/contracts/identity.ts) */
    sources: jsonb('sources').notNull(),
  },
  (t) => [index('data_quality_reports_at_idx').on(t.computedAt)],
);
