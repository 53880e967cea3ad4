/**
 * One purchase as a POS or the mall exports it, cleaned: what the order API and the file import feed to storage.
 * Money is whole fen (an exact yuan string like "12.50" or "¥1,234.5" becomes fen without floating point); a
 * time without a zone is Beijing time (China has one zone and no daylight saving since 1991); the lines must add
 * up to the total and the total less the discount to what was paid.
 */
import { isRefusal, type MoneyField, type Refusal, refusal } from './refusal.js';
import { cleanText, foldWidth } from './text.js';

/** The sources whose orders MedLoop takes in: the stores' tills and the online mall. */
export const ORDER_SOURCES = ['pos', 'mall'] as const;
export type OrderSource = (typeof ORDER_SOURCES)[number];

export const ORDER_LIMITS = { lines: 200, externalIdLength: 64, skuLength: 64 } as const;

type Cell = string | number | null | undefined;

export interface RawOrderLine {
  sku?: Cell;
  productName?: Cell;
  quantity?: Cell;
  unitPriceFen?: Cell;
  /** yuan, as exports print it */
  unitPrice?: Cell;
  amountFen?: Cell;
  amount?: Cell;
}

export interface RawOrder {
  externalId?: Cell;
  /** a return's original order number (原单号), when the export gives it */
  originalExternalId?: Cell;
  /** the member's id in the source: the POS card number, the mall account (the source record's source_id) */
  memberId?: Cell;
  storeCode?: Cell;
  orderedAt?: Cell;
  totalFen?: Cell;
  total?: Cell;
  discountFen?: Cell;
  discount?: Cell;
  paidFen?: Cell;
  paid?: Cell;
  lines?: readonly RawOrderLine[];
}

export interface NormalizedOrderLine {
  sku: string;
  productName: string | null;
  quantity: number;
  unitPriceFen: number;
  amountFen: number;
}

/** A sale, or a return (退货: every line's quantity negative in the export); amounts are kept positive either way. */
export type OrderKind = 'sale' | 'return';

export interface NormalizedOrder {
  externalId: string;
  kind: OrderKind;
  /** a return's original order number, if given */
  originalExternalId: string | null;
  memberId: string | null;
  storeCode: string | null;
  orderedAt: Date;
  totalFen: number;
  discountFen: number;
  paidFen: number;
  lines: NormalizedOrderLine[];
}

export type OrderCheck = { ok: true; order: NormalizedOrder } | { ok: false; refusal: Refusal };

const empty = (v: Cell) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/**
 * Money in fen from either a fen field (a whole number) or a yuan field (at most two decimals). Null when both are
 * empty; a refusal when a value is malformed or negative, or when both are given and disagree. On a return
 * (`unsigned`) a minus sign is allowed and dropped: exports print a return's amounts either way.
 */
export function moneyFen(
  fen: Cell,
  yuan: Cell,
  what: { field: MoneyField; line?: number },
  unsigned = false,
): number | null | Refusal {
  const sign = (s: string) => (unsigned ? s.replace(/^-\s*/, '').replace(/^([¥￥])\s*-/, '$1') : s);
  let fromFen: number | null = null;
  if (!empty(fen)) {
    const s = sign(foldWidth(String(fen)).trim());
    if (!/^\d{1,12}$/.test(s)) return refusal('money_not_fen', { ...what, got: String(fen) });
    fromFen = Number(s);
  }
  let fromYuan: number | null = null;
  if (!empty(yuan)) {
    const s = sign(foldWidth(String(yuan)).trim())
      .replace(/^[¥￥]\s*/, '')
      .replace(/\s*元$/, '')
      .replace(/,/g, '');
    const m = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(s);
    if (!m) return refusal('money_not_yuan', { ...what, got: String(yuan) });
    fromYuan = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  }
  if (fromFen !== null && fromYuan !== null && fromFen !== fromYuan)
    return refusal('money_disagrees', { ...what, fen: fromFen, yuan: String(yuan) });
  return fromFen ?? fromYuan;
}

/**
 * When the order happened: an ISO time with a zone as is; a local "2026-03-07 14:05[:09]", "2026/3/7 14:05" or a
 * bare date as Beijing time. Null when it is no time.
 */
export function parseOrderTime(input: Cell): Date | null {
  if (empty(input)) return null;
  const s = foldWidth(String(input)).trim();
  if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(s) && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : new Date(t);
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59 || se > 59)
    return null;
  // Beijing is UTC+8 all year
  return new Date(Date.UTC(y, mo - 1, d, h - 8, mi, se));
}

/** How far ahead of the server's clock an order's time may be: a till's clock running a little fast. */
export const ORDER_FUTURE_SKEW_MS = 3_600_000;

/**
 * Why an order's time cannot be the time of a sale, or null: more than ORDER_FUTURE_SKEW_MS after `now` (a wrong
 * clock or time zone, a typo's 9999), or before 2000 (a typo, a till's unset clock; the database has no year 0).
 * The till's live order API and the ingest of history both hold to it.
 */
export function orderTimeRefusal(orderedAt: Date, now: Date): 'ordered_at_future' | 'ordered_at_too_old' | null {
  if (orderedAt.getTime() > now.getTime() + ORDER_FUTURE_SKEW_MS) return 'ordered_at_future';
  if (orderedAt.getUTCFullYear() < 2000) return 'ordered_at_too_old';
  return null;
}

/**
 * A line may cost less than quantity × unit price (a line discount, 会员价, a free item at 0), never more. The unit
 * price is printed rounded to the fen, so the amount may pass quantity × unit price by under half a fen a unit
 * (3 for 10 yuan: 3 × 3.33 → 10.00). Exact: quantity × price passes 2^53 at the schemas' limits.
 */
export function lineAmountExceeds(l: { quantity: number; unitPriceFen: number; amountFen: number }): boolean {
  return BigInt(l.amountFen) * 2n > BigInt(l.quantity) * (BigInt(l.unitPriceFen) * 2n + 1n);
}

/** The quantity as the export wrote it: a whole number, negative on a return's line; null when it is none. */
function signedQuantity(raw: RawOrderLine): number | null {
  const q = empty(raw.quantity) ? '' : foldWidth(String(raw.quantity)).trim();
  return /^-?\d{1,6}$/.test(q) && Number(q) !== 0 ? Number(q) : null;
}

function line(raw: RawOrderLine, n: number, isReturn: boolean): NormalizedOrderLine | Refusal {
  const sku = cleanText(raw.sku === null || raw.sku === undefined ? null : String(raw.sku));
  if (!sku) return refusal('line_sku_missing', { line: n });
  if (sku.length > ORDER_LIMITS.skuLength)
    return refusal('line_sku_too_long', { line: n, max: ORDER_LIMITS.skuLength });
  const signed = signedQuantity(raw);
  if (signed === null)
    return refusal('line_quantity_invalid', { line: n, got: empty(raw.quantity) ? '' : String(raw.quantity).trim() });
  const quantity = Math.abs(signed);
  const unit = moneyFen(raw.unitPriceFen, raw.unitPrice, { field: 'unit_price', line: n }, isReturn);
  if (isRefusal(unit)) return unit;
  const amount = moneyFen(raw.amountFen, raw.amount, { field: 'amount', line: n }, isReturn);
  if (isRefusal(amount)) return amount;
  if (unit === null && amount === null) return refusal('line_price_missing', { line: n });
  if (unit !== null && amount !== null && lineAmountExceeds({ quantity, unitPriceFen: unit, amountFen: amount }))
    return refusal('line_amount_exceeds', { line: n, amount, quantity, unitPrice: unit });
  // a line discount makes the amount less than quantity × unit price; the amount is what the line cost
  const amountFen = amount ?? (unit as number) * quantity;
  return {
    sku,
    productName: cleanText(raw.productName === null || raw.productName === undefined ? null : String(raw.productName)),
    quantity,
    unitPriceFen: unit ?? Math.round(amountFen / quantity),
    amountFen,
  };
}

/** Validates and cleans one order; `now` bounds its time (an order an hour or more in the future is refused). */
export function normalizeOrder(raw: RawOrder, now: Date): OrderCheck {
  const bad = (r: Refusal): OrderCheck => ({ ok: false, refusal: r });
  const externalId = cleanText(empty(raw.externalId) ? null : String(raw.externalId));
  if (!externalId) return bad(refusal('order_id_missing'));
  if (externalId.length > ORDER_LIMITS.externalIdLength)
    return bad(refusal('order_id_too_long', { max: ORDER_LIMITS.externalIdLength }));
  const orderedAt = parseOrderTime(raw.orderedAt);
  if (!orderedAt) return bad(refusal('ordered_at_invalid', { got: empty(raw.orderedAt) ? '' : String(raw.orderedAt) }));
  const outOfRange = orderTimeRefusal(orderedAt, now);
  if (outOfRange) return bad(refusal(outOfRange));
  const rawLines = raw.lines ?? [];
  if (rawLines.length === 0) return bad(refusal('no_lines'));
  if (rawLines.length > ORDER_LIMITS.lines) return bad(refusal('too_many_lines', { max: ORDER_LIMITS.lines }));
  // a return lists what came back with negative quantities; an order with both is an exchange, two documents
  const returned = rawLines.filter((r) => (signedQuantity(r) ?? 0) < 0).length;
  if (returned > 0 && returned < rawLines.length) return bad(refusal('order_mixes_return'));
  const isReturn = returned > 0;
  const lines: NormalizedOrderLine[] = [];
  for (const [i, r] of rawLines.entries()) {
    const l = line(r, i + 1, isReturn);
    if (isRefusal(l)) return bad(l);
    lines.push(l);
  }
  const sum = lines.reduce((s, l) => s + l.amountFen, 0);
  const total = moneyFen(raw.totalFen, raw.total, { field: 'total' }, isReturn);
  if (isRefusal(total)) return bad(total);
  if (total !== null && total !== sum) return bad(refusal('total_not_sum', { total, sum }));
  const discount = moneyFen(raw.discountFen, raw.discount, { field: 'discount' }, isReturn);
  if (isRefusal(discount)) return bad(discount);
  const paid = moneyFen(raw.paidFen, raw.paid, { field: 'paid' }, isReturn);
  if (isRefusal(paid)) return bad(paid);
  const discountFen = discount ?? (paid === null ? 0 : sum - paid);
  if (discountFen < 0 || discountFen > sum)
    return bad(refusal('paid_exceeds', { paid: paid ?? sum - discountFen, sum }));
  if (paid !== null && paid !== sum - discountFen)
    return bad(refusal('paid_mismatch', { paid, sum, discount: discountFen }));
  const memberId = cleanText(empty(raw.memberId) ? null : String(raw.memberId));
  if (memberId && memberId.length > 128) return bad(refusal('member_id_too_long'));
  // some tills print a sale's own number (or a dash) in the 原单号 column: only a return's says which order it undoes
  const original = isReturn ? cleanText(empty(raw.originalExternalId) ? null : String(raw.originalExternalId)) : null;
  if (original && original.length > ORDER_LIMITS.externalIdLength)
    return bad(refusal('order_id_too_long', { max: ORDER_LIMITS.externalIdLength }));
  return {
    ok: true,
    order: {
      externalId,
      kind: isReturn ? 'return' : 'sale',
      originalExternalId: original,
      memberId,
      storeCode: cleanText(empty(raw.storeCode) ? null : String(raw.storeCode)),
      orderedAt,
      totalFen: sum,
      discountFen,
      paidFen: sum - discountFen,
      lines,
    },
  };
}

const ORDER_FIELDS = [
  'originalExternalId',
  'memberId',
  'storeCode',
  'orderedAt',
  'totalFen',
  'total',
  'discountFen',
  'discount',
  'paidFen',
  'paid',
] as const;
const LINE_FIELDS = ['sku', 'productName', 'quantity', 'unitPriceFen', 'unitPrice', 'amountFen', 'amount'] as const;

export interface GroupedOrder {
  /** 0-based index of the order's first row in the file */
  firstRow: number;
  rows: number;
  order: RawOrder;
  /** set when the order's rows contradict each other: the order is rejected with it */
  conflict?: Refusal;
}

/**
 * A line-per-row export (one row per item sold, the order's own fields repeated or given once) as orders: rows
 * with one order number become one order, its lines in file order. An order field given on several rows must say
 * the same on each. Rows without an order number are returned apart.
 */
export function groupOrderRows(rows: readonly Record<string, Cell>[]): {
  orders: GroupedOrder[];
  orphans: number[];
} {
  const byId = new Map<string, GroupedOrder>();
  const orphans: number[] = [];
  rows.forEach((row, i) => {
    const id = cleanText(empty(row.externalId) ? null : String(row.externalId));
    if (!id) {
      orphans.push(i);
      return;
    }
    let g = byId.get(id);
    if (!g) {
      g = { firstRow: i, rows: 0, order: { externalId: id, lines: [] } };
      byId.set(id, g);
    }
    g.rows += 1;
    const order = g.order as Record<string, Cell> & { lines: RawOrderLine[] };
    for (const f of ORDER_FIELDS) {
      const v = row[f];
      if (empty(v)) continue;
      const had = order[f];
      if (empty(had)) order[f] = v;
      else if (String(had).trim() !== String(v).trim())
        g.conflict ??= refusal('order_rows_disagree', {
          externalId: id,
          field: f,
          first: String(had),
          other: String(v),
        });
    }
    const l: RawOrderLine = {};
    for (const f of LINE_FIELDS) if (!empty(row[f])) l[f] = row[f];
    order.lines.push(l);
  });
  return { orders: [...byId.values()], orphans };
}
