/**
 * Ingest of source records: the partner API and the file import both come here. Each record is validated on its
 * own (a malformed one is rejected with its reason and quarantined, the rest of the batch lands), normalised,
 * upserted idempotently on (source, source_id) (a byte-identical replay changes nothing; a changed record keeps
 * its old payload as a revision), and linked: incrementally inside the same transaction, or deferred to the bulk
 * job for a large import.
 */
import { z } from 'zod';
import { storePhoneKey } from '../../../shared/identity/blocked.js';
import { normalizeRecord, type RawSourceRecord, type RecordSource } from '../../../shared/identity/record.js';
import {
  type Refusal,
  type RefusalCode,
  type RefusalParams,
  refusal,
  refusalFields,
  refusalLogLine,
  refusalOf,
  refusalOfSchema,
} from '../../../shared/identity/refusal.js';
import { storableCopy, UNSTORABLE_TEXT, unstorableTextPath } from '../../../shared/storable-text.js';
import type { Database, Tx } from '../../adapters/db/client.js';
import { createIdentityRepo, type IdentityRepo, type PreparedRecord } from '../../adapters/db/repos/identity.repo.js';
import { orderIngestRepo } from '../../adapters/db/repos/order-ingest.repo.js';
import { quarantineRepo } from '../../adapters/db/repos/quarantine.repo.js';
import { retryingLostRaces } from '../../adapters/db/retry.js';
import { newId } from '../../adapters/ids.js';
import { earnForAttachedOrders } from '../points/points.js';
import { type LinkOutcome, linkRecord } from './link-record.js';
import { canonicalPayload } from './payload.js';

const field = z.union([z.string().max(500), z.number(), z.null()]).optional();

/** One record as partners send it (camelCase or the eval's snake_case columns, after mapping). */
export const IngestRecordSchema = z
  .object({
    sourceId: z.union([z.string().min(1).max(128), z.number()]),
    name: field,
    birthday: field,
    gender: field,
    phone: field,
    phoneVerified: z.union([z.boolean(), z.string().max(10), z.null()]).optional(),
    email: field,
    cardNo: field,
    openid: field,
    unionid: field,
    wecomId: field,
    mallAccount: field,
    address: field,
    storeCode: field,
    lastActive: field,
  })
  .strict();

export type RecordStatus = 'created' | 'updated' | 'unchanged' | 'rejected';

export interface RecordResult {
  index: number;
  sourceId: string | null;
  status: RecordStatus;
  code?: RefusalCode;
  params?: RefusalParams;
  reason?: string;
  customerId?: string;
  link?: LinkOutcome | 'deferred';
  /** the record's data-quality flags (shared/identity/record.ts: an invalid phone kept, an id ignored…), if any */
  flags?: string[];
}

export interface IngestSummary {
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  linked: number;
  held: number;
  /** orders stored earlier with this batch's new cards or accounts as their member, now given to its customer */
  ordersAttached: number;
  /** the points those orders' till sales promised, credited now (live till orders within LATE_EARN_DAYS) */
  pointsCredited: number;
  /** this source's quarantined items for the same records, closed because the records were now taken in */
  quarantineClosed: number;
  results: RecordResult[];
  /** data-quality flags per kind (invalid phones, bad emails…): counted, never fatal */
  flags: Record<string, number>;
}

export interface IngestInput {
  source: RecordSource;
  records: readonly unknown[];
  linking: 'incremental' | 'deferred';
  keyId: string | null;
  /** a store-bound key (a store's POS) ingests for its own store only; records without a store code get it */
  keyStoreId?: string | null;
  requestId: string | null;
  now: Date;
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** Validates and normalises; returns the prepared records and the per-record rejections (not yet stored). */
export function prepareRecords(
  input: Pick<IngestInput, 'source' | 'records' | 'now' | 'keyStoreId'>,
  storePhones: ReadonlySet<string>,
  stores: ReadonlyMap<string, { id: string }>,
): {
  prepared: { index: number; p: PreparedRecord }[];
  rejected: RecordResult[];
  raw: Map<number, unknown>;
  flags: Record<string, number>;
} {
  const prepared: { index: number; p: PreparedRecord }[] = [];
  const rejected: RecordResult[] = [];
  const raw = new Map<number, unknown>();
  const flags: Record<string, number> = {};
  const seen = new Set<string>();
  for (const [index, item] of input.records.entries()) {
    const parsed = IngestRecordSchema.safeParse(item);
    const sourceId = str((item as { sourceId?: unknown } | null)?.sourceId ?? null);
    const reject = (id: string | null, r: Refusal) => {
      rejected.push({ index, sourceId: id, status: 'rejected', ...refusalFields(r) });
      raw.set(index, item);
    };
    if (sourceId === null || sourceId.trim() === '') {
      reject(null, refusal('source_id_missing'));
      continue;
    }
    const unstorable = unstorableTextPath(item);
    if (unstorable !== null) {
      reject(
        storableCopy(sourceId),
        refusal('invalid_field', {
          field: storableCopy(unstorable),
          issue: 'unstorable_text',
          detail: UNSTORABLE_TEXT,
        }),
      );
      continue;
    }
    if (!parsed.success) {
      reject(sourceId, refusalOfSchema(parsed.error, 'record'));
      continue;
    }
    const r = parsed.data;
    const rawRecord: RawSourceRecord = {
      sourceId: String(r.sourceId),
      name: str(r.name),
      birthday: str(r.birthday),
      gender: str(r.gender),
      phone: str(r.phone),
      phoneVerified: r.phoneVerified ?? null,
      email: str(r.email),
      cardNo: str(r.cardNo),
      openid: str(r.openid),
      unionid: str(r.unionid),
      wecomId: str(r.wecomId),
      mallAccount: str(r.mallAccount),
      address: str(r.address),
      storeCode: str(r.storeCode),
      lastActive: str(r.lastActive),
    };
    const n = normalizeRecord(input.source, rawRecord, storePhones);
    if (!n.ok) {
      reject(sourceId, n.refusal);
      continue;
    }
    if (seen.has(n.record.sourceId)) {
      reject(n.record.sourceId, refusal('source_id_repeated'));
      continue;
    }
    if (n.record.storeCode !== null && !stores.has(n.record.storeCode)) {
      reject(n.record.sourceId, refusal('unknown_store', { storeCode: n.record.storeCode }));
      continue;
    }
    let storeId = n.record.storeCode ? (stores.get(n.record.storeCode)?.id ?? null) : null;
    if (input.keyStoreId) {
      if (storeId !== null && storeId !== input.keyStoreId) {
        reject(n.record.sourceId, refusal('other_store', { storeCode: n.record.storeCode ?? '' }));
        continue;
      }
      storeId = input.keyStoreId;
    }
    seen.add(n.record.sourceId);
    for (const f of n.record.flags) flags[f] = (flags[f] ?? 0) + 1;
    const { payload, hash } = canonicalPayload(rawRecord as unknown as Record<string, unknown>);
    prepared.push({
      index,
      p: {
        recordId: newId('rec', input.now.getTime()),
        customerId: newId('cus', input.now.getTime()),
        storeId,
        record: n.record,
        payload,
        payloadHash: hash,
      },
    });
  }
  return { prepared, rejected, raw, flags };
}

/** One batch in one transaction. */
export async function ingestBatch(tx: Tx, input: IngestInput): Promise<IngestSummary> {
  const repo = createIdentityRepo(tx);
  const { byCode: stores, phones } = await repo.stores();
  const storePhones = new Set(phones.map(storePhoneKey));
  const prepareds = prepareRecords(input, storePhones, stores);
  const { raw, flags } = prepareds;
  let { prepared, rejected } = prepareds;
  if (input.keyStoreId) {
    // a store's till sends its own store's records: a card another store's till (or HQ, for a store) created is not
    // its to rename or renumber, even under the same card number
    const others = await repo.recordsOfOtherStores(
      input.source,
      prepared.map((x) => x.p.record.sourceId),
      input.keyStoreId,
    );
    if (others.size > 0) {
      rejected = [
        ...rejected,
        ...prepared
          .filter((x) => others.has(x.p.record.sourceId))
          .map((x) => {
            const sourceId = x.p.record.sourceId;
            raw.set(x.index, input.records[x.index]);
            // counted as taken in by prepareRecords: a refused record's flags are not the batch's
            for (const f of x.p.record.flags) {
              flags[f] -= 1;
              if (flags[f] === 0) delete flags[f];
            }
            const fields = refusalFields(refusal('record_of_other_store', { sourceId }));
            return { index: x.index, sourceId, status: 'rejected' as const, ...fields };
          }),
      ];
      prepared = prepared.filter((x) => !others.has(x.p.record.sourceId));
    }
  }
  const outcomes = await repo.upsertRecords(
    input.source,
    prepared.map((x) => x.p),
    input.now,
  );
  // the records taken in close their source's quarantined earlier attempts; the refused ones go in
  const quarantineClosed = await quarantineRepo.settle(tx, {
    source: input.source,
    kind: 'record',
    taken: outcomes.map((o) => o.sourceId),
    refused: rejected.map((r) => ({
      id: newId('qua', input.now.getTime()),
      sourceId: r.sourceId,
      keyId: input.keyId,
      requestId: input.requestId,
      // every rejection here has its code: prepareRecords made it from a refusal
      refusal: refusalOf(r) as Refusal,
      payload: raw.get(r.index) ?? null,
    })),
    at: input.now,
  });
  const results: RecordResult[] = [...rejected];
  let linked = 0;
  let held = 0;
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i];
    const result: RecordResult = {
      index: prepared[i].index,
      sourceId: o.sourceId,
      status: o.status,
      customerId: o.customerId,
    };
    const recordFlags = prepared[i].p.record.flags;
    if (recordFlags.length > 0) result.flags = [...recordFlags];
    if (o.status !== 'unchanged') {
      if (input.linking === 'incremental') {
        const link = await linkRecord(tx, o.recordId, input.now);
        result.customerId = link.customerId;
        result.link = link.outcome;
        if (link.outcome === 'linked') linked += 1;
        if (link.outcome === 'held') held += 1;
      } else result.link = 'deferred';
    }
    results.push(result);
  }
  // orders that arrived before their member's card or account find their customer now
  const attached = await orderIngestRepo.attachWaiting(
    tx,
    input.source,
    outcomes.filter((o) => o.status === 'created').map((o) => o.sourceId),
  );
  // and the points a till promised while the card was unknown
  const pointsCredited = await earnForAttachedOrders(tx, attached, input.now);
  const ordersAttached = attached.length;
  results.sort((a, b) => a.index - b.index);
  const countOf = (s: RecordStatus) => results.filter((r) => r.status === s).length;
  return {
    received: input.records.length,
    created: countOf('created'),
    updated: countOf('updated'),
    unchanged: countOf('unchanged'),
    rejected: countOf('rejected'),
    linked,
    held,
    ordersAttached,
    pointsCredited,
    quarantineClosed,
    results,
    flags,
  };
}

/** A batch plus its integration-log row (written even when the batch fails). */
export async function ingestAndLog(
  database: Database,
  input: IngestInput & { operation: string; storeId: string | null },
): Promise<IngestSummary> {
  return loggedBatch(
    database,
    { ...input, received: input.records.length },
    // two batches bringing the same new card at once (a till's retry during a timeout): the loser runs again and
    // finds the card the winner created
    () =>
      retryingLostRaces(() => database.db.transaction((tx) => ingestBatch(tx, input)), {
        constraints: ['source_records_source_uq'],
      }),
    (summary) => ({
      error: refusalLogLine(summary.results),
      summary: {
        created: summary.created,
        updated: summary.updated,
        unchanged: summary.unchanged,
        linked: summary.linked,
        held: summary.held,
        ordersAttached: summary.ordersAttached,
        pointsCredited: summary.pointsCredited,
        quarantineClosed: summary.quarantineClosed,
        flags: summary.flags,
      },
    }),
  );
}

/**
 * Runs one inbound batch and writes its integration-log row: status ok, partial (some items rejected) or failed
 * (all rejected, or the batch threw: then the row is written and the error rethrown).
 */
export async function loggedBatch<T extends { received: number; rejected: number }>(
  database: Database,
  meta: {
    source: string;
    operation: string;
    keyId: string | null;
    storeId: string | null;
    requestId: string | null;
    now: Date;
    received: number;
  },
  run: () => Promise<T>,
  describe: (result: T) => { error: string | null; summary: Record<string, unknown> },
): Promise<T> {
  const started = performance.now();
  const log = (
    e: Pick<Parameters<IdentityRepo['logIntegration']>[0], 'status' | 'accepted' | 'rejected' | 'error' | 'summary'>,
  ) =>
    createIdentityRepo(database.db).logIntegration({
      at: meta.now,
      source: meta.source,
      direction: 'inbound',
      operation: meta.operation,
      keyId: meta.keyId,
      storeId: meta.storeId,
      latencyMs: performance.now() - started,
      records: meta.received,
      requestId: meta.requestId,
      ...e,
    });
  try {
    const result = await run();
    const { error, summary } = describe(result);
    await log({
      status: result.rejected === 0 ? 'ok' : result.rejected === result.received ? 'failed' : 'partial',
      accepted: result.received - result.rejected,
      rejected: result.rejected,
      error: result.rejected > 0 ? error : null,
      summary,
    });
    return result;
  } catch (error) {
    await log({
      status: 'failed',
      accepted: 0,
      rejected: meta.received,
      error: error instanceof Error ? error.message.slice(0, 500) : String(error),
      summary: null,
    }).catch(() => undefined);
    throw error;
  }
}
