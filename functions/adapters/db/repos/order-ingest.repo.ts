/**
 * What order ingest stores (the order API and the file import of purchase history): orders and their lines, set
 * based per batch, once per (source, external id); and the orders still waiting for their member's record.
 * No rules here.
 */
import { sql } from 'drizzle-orm';
import type { OrderSource } from '../../../../shared/identity/order.js';
import type { Db, Tx } from '../client.js';
import { orderLines, orders } from '../schema.js';
import { rows } from './identity.repo.js';

type Conn = Db | Tx;

const jsonArray = (values: readonly string[]) => sql`jsonb_array_elements_text(${JSON.stringify(values)}::jsonb)`;

export type OrderInsert = typeof orders.$inferInsert;
export type OrderLineInsert = Omit<typeof orderLines.$inferInsert, 'orderId'>;

export const orderIngestRepo = {
  /** The orders of these external ids that exist already, with the hash of what they were stored from. */
  async existing(conn: Conn, source: OrderSource, externalIds: readonly string[]): Promise<Map<string, string | null>> {
    if (externalIds.length === 0) return new Map();
    const r = await rows<{ external_id: string; payload_hash: string | null }>(
      conn,
      sql`select o.external_id, o.payload_hash from orders o
          join ${jsonArray(externalIds)} s(v) on s.v = o.external_id
          where o.source = ${source}`,
    );
    return new Map(r.map((x) => [x.external_id, x.payload_hash]));
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
   * first is skipped whole, lines and all). Returns the external ids inserted.
   */
  async insert(
    conn: Conn,
    batch: readonly { order: OrderInsert; lines: readonly OrderLineInsert[] }[],
  ): Promise<Set<string>> {
    const inserted = new Set<string>();
    for (let i = 0; i < batch.length; i += 500) {
      const part = batch.slice(i, i + 500);
      const r = await conn
        .insert(orders)
        .values(part.map((b) => b.order))
        .onConflictDoNothing({ target: [orders.source, orders.externalId] })
        .returning({ id: orders.id, externalId: orders.externalId });
      const ids = new Set(r.map((x) => x.id));
      for (const x of r) inserted.add(x.externalId);
      const lines = part.flatMap((b) =>
        ids.has(b.order.id) ? b.lines.map((l) => ({ ...l, orderId: b.order.id })) : [],
      );
      for (let j = 0; j < lines.length; j += 2000) await conn.insert(orderLines).values(lines.slice(j, j + 2000));
    }
    return inserted;
  },

  /**
   * Gives the orders that waited for these records (their member id is the record's source id, their customer
   * still unknown) to the records' customers. One statement over the partial index of waiting orders.
   */
  async attachWaiting(conn: Conn, source: string, sourceIds: readonly string[]): Promise<number> {
    if (sourceIds.length === 0 || (source !== 'pos' && source !== 'mall')) return 0;
    const r = await rows<{ n: number }>(
      conn,
      sql`with attached as (
            update orders o set customer_id = coalesce(c.merged_into, c.id)
            from source_records r join customers c on c.id = r.customer_id
            where o.customer_id is null and o.member_source_id is not null
              and o.source = ${source} and o.member_source_id in (select v from ${jsonArray(sourceIds)} s(v))
              and r.source = o.source and r.source_id = o.member_source_id
            returning 1)
          select count(*)::int as n from attached`,
    );
    return r[0]?.n ?? 0;
  },
};
