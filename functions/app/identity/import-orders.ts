/**
 * Purchase history for the initial migration: a POS or mall export with one row per item sold, streamed (a chain's
 * years of sales are millions of rows: the file is never held in memory whole). Consecutive rows of one order
 * number become one order (its own fields repeated on every row or given once); exports list an order's items
 * together, and an order whose rows are apart (found by a first pass) is refused whole with a reason (sort the
 * export by order number), never imported with part of its items. Orders go through the same ingest as the
 * partner API, in batches of `batchSize` (one transaction and one integration-log row each). Rows the import
 * cannot make an order of (no order number, rows of one order that contradict each other, an unknown source, a
 * malformed CSV record) are quarantined with their reason like any rejection, and logged as refused
 * (`quarantineRows`); a row without a source the import knows goes under `import` (NO_SOURCE). Rows are named by
 * their line in the file (import-file.ts `FileRow`).
 */
import { groupOrderRows, ORDER_SOURCES, type OrderSource, type RawOrder } from '../../../shared/identity/order.js';
import { type Refusal, refusal, refusalOf, refusalText } from '../../../shared/identity/refusal.js';
import { cleanText } from '../../../shared/identity/text.js';
import type { Database } from '../../adapters/db/client.js';
import {
  type FieldMapping,
  type ImportInput,
  idOf,
  mapRow,
  NO_SOURCE,
  openImportInput,
  quarantineRows,
  type RowRefusal,
  readColumns,
  readFileFields,
  readFileRows,
  yieldToEventLoop,
} from './import-file.js';
import { ingestOrdersAndLog } from './ingest-orders.js';
import type { RefusedRowsFile, RowText } from './refused-rows.js';

/** Without a mapping file, for orders: one row per item sold, amounts in yuan (or the *_fen columns in fen). */
export const DEFAULT_ORDER_MAPPING: FieldMapping = {
  kind: 'orders',
  sourceColumn: 'source',
  fields: {
    externalId: 'order_id',
    originalExternalId: 'original_order_id',
    memberId: 'member_id',
    storeCode: 'store_code',
    orderedAt: 'ordered_at',
    sku: 'sku',
    productName: 'product_name',
    quantity: 'quantity',
    unitPrice: 'unit_price',
    unitPriceFen: 'unit_price_fen',
    amount: 'amount',
    amountFen: 'amount_fen',
    total: 'total',
    totalFen: 'total_fen',
    discount: 'discount',
    discountFen: 'discount_fen',
    paid: 'paid',
    paidFen: 'paid_fen',
  },
};

export interface OrderImportSummary {
  file: string;
  kind: 'orders';
  /** data rows (items sold) read, after the header */
  rows: number;
  orders: number;
  created: number;
  unchanged: number;
  rejected: number;
  /** of the created orders: member known, member record not here yet (attached when it arrives), no member */
  members: { known: number; waiting: number; none: number };
  unknownSkuLines: number;
  /**
   * the first 1,000 rejected orders in file order: the file line of their first row (the header is line 1, as Excel
   * numbers the rows)
   */
  rejections: { row: number; externalId: string | null; refusal: Refusal | null; reason: string }[];
  seconds: number;
}

export interface OrderImportOptions extends ImportInput {
  /** every row's source; else the mapping's source column names it per row */
  source?: OrderSource;
  mapping?: FieldMapping;
  format?: 'csv' | 'jsonl';
  /** orders per batch (one transaction, one integration-log row each) */
  batchSize?: number;
  now: Date;
  onProgress?: (p: { rows: number; bytes: number; totalBytes: number }) => void;
  /** resume: the file's first rows (as `rowsDone` counted them) were imported by an earlier run */
  skipRows?: number;
  /** asked after each batch: true ends the run at the next order's first row (its rows all sent), `complete` false */
  shouldStop?: () => boolean;
  /** collects the refused rows (every row of a refused order) as a file to correct and upload again */
  refused?: RefusedRowsFile;
}

/** how many refused orders a summary lists */
const LISTED = 1000;

/** The first `LISTED` refused orders by file row, in place (a batch's refusals come after rows read later). */
function firstByRow<T extends { row: number }>(list: T[]): T[] {
  list.sort((a, b) => a.row - b.row);
  if (list.length > LISTED) list.length = LISTED;
  return list;
}

/** An order's identity in a file: its source and its number. */
const orderKey = (source: OrderSource, id: string) => `${source}\u0001${id}`;

/** A row's order: its source and number, or why it has none. */
function orderOf(
  fields: Record<string, unknown>,
  mapping: FieldMapping,
  fixedSource: OrderSource | undefined,
): { source: OrderSource; id: string | null; record: Record<string, unknown> } | { unknownSource: string | null } {
  const { source: rowSource, record } = mapRow(fields, mapping);
  const s = fixedSource ?? rowSource;
  if (!s || !(ORDER_SOURCES as readonly string[]).includes(s)) return { unknownSource: s };
  const id = cleanText(record.externalId === undefined ? null : String(record.externalId));
  return { source: s as OrderSource, id, record };
}

/**
 * The orders whose rows are not together in the file (a first pass, before anything is imported): they are
 * refused whole rather than imported with part of their items.
 */
async function ordersApart(
  input: ImportInput,
  format: 'csv' | 'jsonl',
  mapping: FieldMapping,
  fixedSource: OrderSource | undefined,
): Promise<Set<string>> {
  const seen = new Set<string>();
  const apart = new Set<string>();
  let current = '';
  for await (const fields of readFileFields((await openImportInput(input)).stream, format, readColumns(mapping))) {
    const o = orderOf(fields, mapping, fixedSource);
    if ('unknownSource' in o || !o.id) continue;
    const key = orderKey(o.source, o.id);
    if (key === current) continue;
    if (seen.has(key)) apart.add(key);
    else seen.add(key);
    current = key;
  }
  return apart;
}

export async function importOrdersFile(
  database: Database,
  opts: OrderImportOptions,
): Promise<OrderImportSummary & { rowsDone: number; complete: boolean }> {
  const started = performance.now();
  const format = opts.format ?? (/\.jsonl?$/i.test(opts.file) ? 'jsonl' : 'csv');
  const mapping = opts.mapping ?? DEFAULT_ORDER_MAPPING;
  const batchSize = opts.batchSize ?? 500;
  const summary: OrderImportSummary = {
    file: opts.file,
    kind: 'orders',
    rows: 0,
    orders: 0,
    created: 0,
    unchanged: 0,
    rejected: 0,
    members: { known: 0, waiting: 0, none: 0 },
    unknownSkuLines: 0,
    rejections: [],
    seconds: 0,
  };
  // the rows refused before the ingest, per source they are quarantined under
  const quarantine = new Map<string, RowRefusal[]>();
  const quarantined = (source: string, r: RowRefusal) => {
    const list = quarantine.get(source) ?? [];
    list.push(r);
    quarantine.set(source, list);
  };
  const reject = (
    row: number,
    externalId: string | null,
    r: Refusal | string,
    source: string,
    payload: unknown,
    texts: readonly RowText[],
  ) => {
    summary.rejected += 1;
    for (const t of texts) opts.refused?.add(t, r);
    const reason = typeof r === 'string' ? r : refusalText(r, 'en');
    summary.rejections.push({ row, externalId, refusal: typeof r === 'string' ? null : r, reason });
    if (summary.rejections.length >= 2 * LISTED) firstByRow(summary.rejections);
    // payload undefined: the ingest refused it, quarantined and logged it already
    if (payload !== undefined && typeof r !== 'string')
      quarantined(source, { sourceId: externalId, refusal: r, payload });
  };
  const flushQuarantine = async () => {
    // a file may hold rows of both sources (its source column): one statement per source
    for (const [source, rows] of quarantine) {
      quarantine.delete(source);
      await quarantineRows(database, { source, kind: 'order', operation: 'import.orders', rows, now: opts.now });
    }
  };

  const apart = await ordersApart(opts, format, mapping, opts.source);
  const apartRefused = new Set<string>();
  // orders waiting for their batch, per source; the order being read
  const pending = new Map<OrderSource, { firstRow: number; order: RawOrder; texts: RowText[] }[]>();
  let current: {
    source: OrderSource;
    id: string;
    firstRow: number;
    rows: Record<string, unknown>[];
    texts: RowText[];
  } | null = null;

  // set once a step's time is up (shouldStop, asked after each batch): the run ends at the next order's first row
  let stopping = false;
  const sendBatch = async (source: OrderSource) => {
    const batch = pending.get(source) ?? [];
    if (batch.length === 0) return;
    pending.set(source, []);
    const r = await ingestOrdersAndLog(database, {
      source,
      orders: batch.map((b) => b.order),
      keyId: null,
      requestId: null,
      storeId: null,
      operation: 'import.orders',
      now: opts.now,
    });
    summary.created += r.created;
    summary.unchanged += r.unchanged;
    summary.members.known += r.members.known;
    summary.members.waiting += r.members.waiting;
    summary.members.none += r.members.none;
    summary.unknownSkuLines += r.unknownSkuLines;
    // the ingest quarantined its own rejections already
    for (const x of r.results)
      if (x.status === 'rejected')
        reject(
          batch[x.index].firstRow,
          x.externalId,
          refusalOf(x) ?? x.reason ?? 'rejected',
          source,
          undefined,
          batch[x.index].texts,
        );
    await flushQuarantine();
    // PGlite answers as resolved promises: let the local server's other requests in between two batches
    await yieldToEventLoop();
  };

  const finishCurrent = async () => {
    if (!current) return;
    const { source, id, firstRow, rows, texts } = current;
    current = null;
    summary.orders += 1;
    const [g] = groupOrderRows(rows as Record<string, string | number | null>[]).orders;
    if (g.conflict) {
      reject(firstRow, id, g.conflict, source, g.order, texts);
      return;
    }
    const list = pending.get(source) ?? [];
    list.push({ firstRow, order: g.order, texts });
    pending.set(source, list);
    if (list.length >= batchSize) {
      await sendBatch(source);
      stopping ||= opts.shouldStop?.() ?? false;
    }
  };

  const { stream, bytesRead, totalBytes } = await openImportInput(opts);
  const skip = opts.skipRows ?? 0;
  let rowsRead = 0;
  let complete = true;
  let lastProgress = 0;
  for await (const item of readFileRows(stream, format, opts.refused, readColumns(mapping))) {
    rowsRead += 1;
    if (rowsRead <= skip) {
      // an earlier run took these; it refused an order whose rows are apart at its first row
      if (!('error' in item)) {
        const o = orderOf(item.fields, mapping, opts.source);
        if (!('unknownSource' in o) && o.id && apart.has(orderKey(o.source, o.id)))
          apartRefused.add(orderKey(o.source, o.id));
      }
      continue;
    }
    summary.rows += 1;
    if ('error' in item) {
      // kept with its text: two different rows the reader could not read are two items, not one
      reject(item.row, null, item.error, opts.source ?? NO_SOURCE, item.raw, [{ raw: item.raw, at: item.row }]);
      continue;
    }
    const o = orderOf(item.fields, mapping, opts.source);
    if ('unknownSource' in o) {
      const s = o.unknownSource;
      const id = idOf(mapRow(item.fields, mapping).record.externalId);
      reject(item.row, id, refusal('order_source_unknown', { got: s ?? '' }), NO_SOURCE, item.fields, [
        { fields: item.fields, at: item.row },
      ]);
      continue;
    }
    const { source, id, record } = o;
    if (!id) {
      reject(item.row, null, refusal('order_row_no_id'), source, record, [{ fields: item.fields, at: item.row }]);
      continue;
    }
    const key = orderKey(source, id);
    if (apart.has(key)) {
      // refused whole: counted once, every row kept in quarantine
      if (!apartRefused.has(key)) {
        apartRefused.add(key);
        summary.orders += 1;
        reject(item.row, id, refusal('order_rows_apart', { externalId: id }), source, record, [
          { fields: item.fields, at: item.row },
        ]);
      } else {
        // quarantined too, not counted again: the order is one refusal
        quarantined(source, {
          sourceId: id,
          refusal: refusal('order_row_after_refused', { externalId: id }),
          payload: record,
          counted: false,
        });
        opts.refused?.add({ fields: item.fields, at: item.row }, refusal('order_rows_apart', { externalId: id }));
      }
      continue;
    }
    if (current && (current.source !== source || current.id !== id)) {
      await finishCurrent();
      if (stopping) {
        // this row starts the next order: the next run begins with it
        summary.rows -= 1;
        rowsRead -= 1;
        complete = false;
        break;
      }
    }
    current ??= { source, id, firstRow: item.row, rows: [], texts: [] };
    current.rows.push(record);
    current.texts.push({ fields: item.fields, at: item.row });
    if (summary.rows - lastProgress >= 10_000) {
      lastProgress = summary.rows;
      opts.onProgress?.({ rows: summary.rows, bytes: bytesRead(), totalBytes });
    }
  }
  await finishCurrent();
  for (const source of pending.keys()) await sendBatch(source);
  await flushQuarantine();
  opts.onProgress?.({ rows: summary.rows, bytes: totalBytes, totalBytes });
  firstByRow(summary.rejections);
  summary.seconds = (performance.now() - started) / 1000;
  return { ...summary, rowsDone: rowsRead, complete };
}
