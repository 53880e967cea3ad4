/**
 * Ingest of purchase history from a POS or the mall: the order API and the file import both come here. Each order
 * is judged alone (a malformed one is rejected with its reason and quarantined, the rest of the batch lands), stored
 * once per (source, store, order number) with its lines (a replay changes nothing; the same number at the same store
 * with other contents is refused, never overwritten; another store's is another sale), and given to its member's
 * customer: the source record whose source_id is the order's member id (the POS card, the mall account), following
 * merges. An order whose member record has not arrived yet keeps the member id and is attached when the record is
 * ingested. No points: this is history (the till's live order API, /api/pos/orders, earns them).
 */

import { hash } from 'node:crypto';
import { z } from 'zod';
import type { IngestOrdersResponse } from '../../../shared/contracts/identity.js';
import { type NormalizedOrder, normalizeOrder, type OrderSource } from '../../../shared/identity/order.js';
import {
  type Refusal,
  refusal,
  refusalFields,
  refusalLogLine,
  refusalOfSchema,
} from '../../../shared/identity/refusal.js';
import { storableCopy, UNSTORABLE_TEXT, unstorableTextPath } from '../../../shared/storable-text.js';
import type { Database, Tx } from '../../adapters/db/client.js';
import { createIdentityRepo } from '../../adapters/db/repos/identity.repo.js';
import { orderIngestRepo, orderNumberKey } from '../../adapters/db/repos/order-ingest.repo.js';
import { quarantineRepo } from '../../adapters/db/repos/quarantine.repo.js';
import { newId } from '../../adapters/ids.js';
import { loggedBatch } from './ingest.js';

const cell = z.union([z.string().max(500), z.number(), z.null()]).optional();

const OrderLineSchema = z.strictObject({
  sku: cell,
  productName: cell,
  quantity: cell,
  unitPriceFen: cell,
  unitPrice: cell,
  amountFen: cell,
  amount: cell,
});

/** One order as partners send it (and as the file import groups a line-per-row export). */
export const IngestOrderSchema = z.strictObject({
  externalId: z.union([z.string().max(200), z.number()]),
  /** a return's original order number (原单号) */
  originalExternalId: cell,
  memberId: cell,
  storeCode: cell,
  orderedAt: cell,
  totalFen: cell,
  total: cell,
  discountFen: cell,
  discount: cell,
  paidFen: cell,
  paid: cell,
  lines: z.array(OrderLineSchema).max(1000),
});

export interface OrderIngestInput {
  source: OrderSource;
  orders: readonly unknown[];
  keyId: string | null;
  /** a store-bound key (a store's POS) ingests its own store's orders only; orders without a store code get it */
  keyStoreId?: string | null;
  requestId: string | null;
  now: Date;
}

type Result = IngestOrdersResponse['results'][number];

/**
 * What an order is, whatever form it came in (yuan or fen, a local time or UTC, columns in any order): a replay
 * of the same order from a file or the API hashes the same.
 */
export function orderHash(o: NormalizedOrder, storeId: string | null): string {
  const canonical = [
    o.externalId,
    o.memberId,
    storeId,
    o.orderedAt.toISOString(),
    o.totalFen,
    o.discountFen,
    o.paidFen,
    o.lines.map((l) => [l.sku, l.productName, l.quantity, l.unitPriceFen, l.amountFen]),
    // a sale hashes as before returns were taken in, so the orders already stored still match their replays
    ...(o.kind === 'return' ? ['return', o.originalExternalId] : []),
  ];
  return hash('sha256', JSON.stringify(canonical));
}

/**
 * How a till's live order (/api/pos/orders) is hashed: orderHash of what the till sent, marked, because an export
 * of the same sale says it in other terms (the product names a till does not send, the card where the till sent a
 * member code) and would never hash the same.
 */
const TILL_HASH_PREFIX = 'till:';
export const tillOrderHash = (o: NormalizedOrder, storeId: string): string =>
  `${TILL_HASH_PREFIX}${orderHash(o, storeId)}`;

/**
 * Whether an order arriving with `hash` is the one stored under its number at its store with `stored` (a replay)
 * rather than other contents (`order_changed`, ORDER_CHANGED at a till). Null: stored without a hash (a till's order
 * recorded before till orders kept one, a counter's sale), nothing to compare, as before. A till's order and an export of it are
 * compared on their number only, as before either kept a hash: a history export repeats the till's sales, and a
 * till may send a sale the history holds.
 */
export function sameOrderContents(stored: string | null, hash: string): boolean {
  if (stored === null) return true;
  if (stored.startsWith(TILL_HASH_PREFIX) !== hash.startsWith(TILL_HASH_PREFIX)) return true;
  return stored === hash;
}

/** One batch in one transaction. */
export async function ingestOrderBatch(tx: Tx, input: OrderIngestInput): Promise<IngestOrdersResponse> {
  const { byCode: stores } = await createIdentityRepo(tx).stores();
  const rejected: (Result & { payload: unknown; refusal: Refusal })[] = [];
  const valid: { index: number; order: NormalizedOrder; storeId: string | null; hash: string }[] = [];
  const seen = new Set<string>();
  for (const [index, item] of input.orders.entries()) {
    const externalIdOf = (item as { externalId?: unknown } | null)?.externalId;
    const externalId =
      typeof externalIdOf === 'string' || typeof externalIdOf === 'number' ? String(externalIdOf) : null;
    const reject = (r: Refusal) => {
      rejected.push({ index, externalId, status: 'rejected', ...refusalFields(r), refusal: r, payload: item ?? null });
    };
    const unstorable = unstorableTextPath(item);
    if (unstorable !== null) {
      reject(
        refusal('invalid_field', {
          field: storableCopy(unstorable),
          issue: 'unstorable_text',
          detail: UNSTORABLE_TEXT,
        }),
      );
      continue;
    }
    const parsed = IngestOrderSchema.safeParse(item);
    if (!parsed.success) {
      reject(refusalOfSchema(parsed.error, 'order'));
      continue;
    }
    const checked = normalizeOrder(parsed.data, input.now);
    if (!checked.ok) {
      reject(checked.refusal);
      continue;
    }
    const order = checked.order;
    let storeId: string | null = null;
    if (order.storeCode !== null) {
      storeId = stores.get(order.storeCode)?.id ?? null;
      if (storeId === null) {
        reject(refusal('unknown_store', { storeCode: order.storeCode }));
        continue;
      }
    }
    if (input.keyStoreId) {
      if (storeId !== null && storeId !== input.keyStoreId) {
        reject(refusal('other_store', { storeCode: order.storeCode ?? '' }));
        continue;
      }
      storeId = input.keyStoreId;
    }
    // an order number is its store's: a chain-wide export may hold two stores' sales with one number
    const number = orderNumberKey(storeId, order.externalId);
    if (seen.has(number)) {
      reject(refusal('order_id_repeated'));
      continue;
    }
    seen.add(number);
    valid.push({ index, order, storeId, hash: orderHash(order, storeId) });
  }

  // a stored order number at the order's store: the same contents are a replay, other contents are refused (history
  // is not rewritten); another store's order of the number is not this one
  const existing = await orderIngestRepo.existing(
    tx,
    input.source,
    valid.map((v) => ({ storeId: v.storeId, externalId: v.order.externalId })),
  );
  const results: Result[] = rejected.map(({ payload: _, refusal: __, ...r }) => r);
  const fresh: typeof valid = [];
  for (const v of valid) {
    const stored = existing.get(orderNumberKey(v.storeId, v.order.externalId));
    if (stored === undefined) fresh.push(v);
    else if (sameOrderContents(stored, v.hash))
      results.push({ index: v.index, externalId: v.order.externalId, status: 'unchanged' });
    else {
      const r = refusal('order_changed', { externalId: v.order.externalId });
      const result = {
        index: v.index,
        externalId: v.order.externalId,
        status: 'rejected',
        ...refusalFields(r),
      } as const;
      results.push(result);
      rejected.push({ ...result, refusal: r, payload: input.orders[v.index] });
    }
  }

  const members = await orderIngestRepo.customersOfMembers(
    tx,
    input.source,
    fresh.flatMap((v) => (v.order.memberId === null ? [] : [v.order.memberId])),
  );
  const products = await orderIngestRepo.productsBySku(
    tx,
    fresh.flatMap((v) => v.order.lines.map((l) => l.sku)),
  );
  const rows = fresh.map((v) => ({
    order: {
      id: newId('ord', input.now.getTime()),
      source: input.source,
      externalId: v.order.externalId,
      storeId: v.storeId,
      customerId: v.order.memberId === null ? null : (members.get(v.order.memberId) ?? null),
      memberSourceId: v.order.memberId,
      totalFen: v.order.totalFen,
      discountFen: v.order.discountFen,
      paidFen: v.order.paidFen,
      orderedAt: v.order.orderedAt,
      kind: v.order.kind,
      originalExternalId: v.order.originalExternalId,
      payloadHash: v.hash,
    },
    lines: v.order.lines.map((l, i) => ({
      lineNo: i + 1,
      productId: products.get(l.sku) ?? null,
      sku: l.sku,
      productName: l.productName,
      quantity: l.quantity,
      unitPriceFen: l.unitPriceFen,
      amountFen: l.amountFen,
    })),
  }));
  const inserted = await orderIngestRepo.insert(tx, rows);
  const tally = { known: 0, waiting: 0, none: 0 };
  let unknownSkuLines = 0;
  rows.forEach((r, i) => {
    const v = fresh[i];
    if (!inserted.has(r.order.id)) {
      // stored by a concurrent batch between our read and our insert: that is a replay too
      results.push({ index: v.index, externalId: v.order.externalId, status: 'unchanged' });
      return;
    }
    if (r.order.customerId !== null) tally.known += 1;
    else if (r.order.memberSourceId !== null) tally.waiting += 1;
    else tally.none += 1;
    unknownSkuLines += r.lines.filter((l) => l.productId === null).length;
    results.push({ index: v.index, externalId: v.order.externalId, status: 'created', customerId: r.order.customerId });
  });

  // taken in now (created, or stored already with these contents): their source's quarantined earlier attempts
  // close; the refused ones go in
  const quarantineClosed = await quarantineRepo.settle(tx, {
    source: input.source,
    kind: 'order',
    taken: results.flatMap((r) => (r.status !== 'rejected' && r.externalId !== null ? [r.externalId] : [])),
    refused: rejected.map((r) => ({
      id: newId('qua', input.now.getTime()),
      sourceId: r.externalId,
      keyId: input.keyId,
      requestId: input.requestId,
      refusal: r.refusal,
      payload: r.payload,
    })),
    at: input.now,
  });
  results.sort((a, b) => a.index - b.index);
  const count = (s: Result['status']) => results.filter((r) => r.status === s).length;
  return {
    received: input.orders.length,
    created: count('created'),
    unchanged: count('unchanged'),
    rejected: count('rejected'),
    members: tally,
    unknownSkuLines,
    quarantineClosed,
    results,
  };
}

/** A batch in its own transaction plus its integration-log row. */
export function ingestOrdersAndLog(
  database: Database,
  input: OrderIngestInput & { operation: string; storeId: string | null },
): Promise<IngestOrdersResponse> {
  return loggedBatch(
    database,
    { ...input, received: input.orders.length },
    () => database.db.transaction((tx) => ingestOrderBatch(tx, input)),
    (r) => ({
      error: refusalLogLine(r.results),
      summary: {
        created: r.created,
        unchanged: r.unchanged,
        members: r.members,
        unknownSkuLines: r.unknownSkuLines,
        quarantineClosed: r.quarantineClosed,
      },
    }),
  );
}
