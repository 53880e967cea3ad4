/**
 * What order ingest stores (the order API and the file import of purchase history): orders and their lines, set
 * based per batch, once per (source, external id, store); and the orders still waiting for their member's record.
 * No rules here.
 */
import { sql } from 'drizzle-orm';
import type { OrderSource } from '../../../../shared/identity/order.js';
import type { Db, Tx } from '../client.js';
import type { orderLines, orders } from '../schema.js';
import { rows } from './identity.repo.js';

type Conn = Db | Tx;

const jsonArray = (values: readonly string[]) => sql`jsonb_array_elements_text(${JSON.stringify(values)}::jsonb)`;

/** A till order that waited for its card, now attached to its customer. */
export interface AttachedOrder {
  orderId: string;
  customerId: string;
  storeId: string | null;
  storeName: string | null;
  paidFen: number;
  orderedAt: Date;
  pointsOnAttach: number | null;
}

export type OrderInsert = typeof orders.$inferInsert;
export type OrderLineInsert = Omit<typeof orderLines.$inferInsert, 'orderId'>;

/** An order's number at its store (null: none, a mall order), as a map key: a number is unique per store. */
export const orderNumberKey = (storeId: string | null, externalId: string) => `${storeId ?? ''}\u0001${externalId}`;

export const orderIngestRepo = {
  /**
   * The orders of these numbers at these stores that exist already (keyed by orderNumberKey), with the hash of what
   * they were stored from. Another store's order of the same number is not one of them.
   */
  async existing(
    conn: Conn,
    source: OrderSource,
    numbers: readonly { storeId: string | null; externalId: string }[],
  ): Promise<Map<string, string | null>> {
    if (numbers.length === 0) return new Map();
    const wanted = numbers.map((n) => ({ store_id: n.storeId, external_id: n.externalId }));
    const r = await rows<{ store_id: string | null; external_id: string; payload_hash: string | null }>(
      conn,
      sql`select o.store_id, o.external_id, o.payload_hash from orders o
          join jsonb_to_recordset(${JSON.stringify(wanted)}::jsonb) as s(store_id text, external_id text)
            on s.external_id = o.external_id and s.store_id is not distinct from o.store_id
          where o.source = ${source}`,
    );
    return new Map(r.map((x) => [orderNumberKey(x.store_id, x.external_id), x.payload_hash]));
  },

  /** The customer behind each member id that is a known record of the source, following merges. */
  async customersOfMembers(
    conn: Conn,
    source: OrderSource,
    memberIds: readonly string[],
  ): Promise<Map<string, string>> {
    if (memberIds.length === 0) return new Map();
    const r = await rows<{ source_id: string; customer_id: string }>(
      conn,
      sql`select r.source_id, coalesce(c.merged_into, c.id) as customer_id
          from source_records r
          join ${jsonArray([...new Set(memberIds)])} s(v) on s.v = r.source_id
          join customers c on c.id = r.customer_id
          where r.source = ${source}`,
    );
    return new Map(r.map((x) => [x.source_id, x.customer_id]));
  },

  /** Catalogue products by SKU. */
  async productsBySku(conn: Conn, skus: readonly string[]): Promise<Map<string, string>> {
    if (skus.length === 0) return new Map();
    const r = await rows<{ sku: string; id: string }>(
      conn,
      sql`select p.sku, p.id from products p join ${jsonArray([...new Set(skus)])} s(v) on s.v = p.sku`,
    );
    return new Map(r.map((x) => [x.sku, x.id]));
  },

  /**
   * Inserts the orders that do not exist yet and the lines of exactly those (an order a concurrent batch stored
   * first is skipped whole, lines and all), in one statement whose parameters are two JSON arrays. Returns the ids
   * of the orders inserted (a number alone is not an order: two stores may have it in one batch).
   */
  async insert(
    conn: Conn,
    batch: readonly { order: OrderInsert; lines: readonly OrderLineInsert[] }[],
  ): Promise<Set<string>> {
    if (batch.length === 0) return new Set();
    const orderRows = batch.map(({ order: o }) => ({
      id: o.id,
      source: o.source,
      external_id: o.externalId,
      store_id: o.storeId ?? null,
      customer_id: o.customerId ?? null,
      member_source_id: o.memberSourceId ?? null,
      total_fen: o.totalFen,
      discount_fen: o.discountFen ?? 0,
      paid_fen: o.paidFen,
      ordered_at: o.orderedAt instanceof Date ? o.orderedAt.toISOString() : o.orderedAt,
      kind: o.kind ?? 'sale',
      original_external_id: o.originalExternalId ?? null,
      payload_hash: o.payloadHash ?? null,
    }));
    const lineRows = batch.flatMap(({ order, lines }) =>
      lines.map((l) => ({
        order_id: order.id,
        line_no: l.lineNo,
        product_id: l.productId ?? null,
        sku: l.sku,
        product_name: l.productName ?? null,
        quantity: l.quantity,
        unit_price_fen: l.unitPriceFen,
        amount_fen: l.amountFen,
      })),
    );
    const r = await rows<{ id: string }>(
      conn,
      sql`with o as (
            insert into orders (id, source, external_id, store_id, customer_id, member_source_id, total_fen,
                                discount_fen, paid_fen, ordered_at, kind, original_external_id, payload_hash)
            select * from jsonb_to_recordset(${JSON.stringify(orderRows)}::jsonb) as t(id text, source text,
              external_id text, store_id text, customer_id text, member_source_id text, total_fen int,
              discount_fen int, paid_fen int, ordered_at timestamptz, kind text, original_external_id text,
              payload_hash text)
            on conflict (source, external_id, store_id) do nothing
            returning id),
          l as (
            insert into order_lines (order_id, line_no, product_id, sku, product_name, quantity, unit_price_fen,
                                     amount_fen)
            select t.* from jsonb_to_recordset(${JSON.stringify(lineRows)}::jsonb) as t(order_id text, line_no int,
              product_id text, sku text, product_name text, quantity int, unit_price_fen int, amount_fen int)
            join o on o.id = t.order_id)
          select id from o`,
    );
    return new Set(r.map((x) => x.id));
  },

  /**
   * Gives the orders that waited for these records (their member id is the record's source id, their customer
   * still unknown) to the records' customers, and returns them with what a late earn needs. One statement over the
   * partial index of waiting orders.
   */
  async attachWaiting(conn: Conn, source: string, sourceIds: readonly string[]): Promise<AttachedOrder[]> {
    if (sourceIds.length === 0 || (source !== 'pos' && source !== 'mall')) return [];
    const r = await rows<{
      id: string;
      customer_id: string;
      store_id: string | null;
      store_name: string | null;
      paid_fen: number;
      ordered_at: string | Date;
      points_on_attach: number | null;
    }>(
      conn,
      sql`with attached as (
            update orders o set customer_id = coalesce(c.merged_into, c.id)
            from source_records r join customers c on c.id = r.customer_id
            where o.customer_id is null and o.member_source_id is not null
              and o.source = ${source} and o.member_source_id in (select v from ${jsonArray(sourceIds)} s(v))
              and r.source = o.source and r.source_id = o.member_source_id
            returning o.id, o.customer_id, o.store_id, o.paid_fen, o.ordered_at, o.points_on_attach)
          select a.*, s.name as store_name from attached a left join stores s on s.id = a.store_id
          order by a.ordered_at, a.id`,
    );
    return r.map((x) => ({
      orderId: x.id,
      customerId: x.customer_id,
      storeId: x.store_id,
      storeName: x.store_name,
      paidFen: Number(x.paid_fen),
      orderedAt: new Date(x.ordered_at),
      pointsOnAttach: x.points_on_attach === null ? null : Number(x.points_on_attach),
    }));
  },
};
