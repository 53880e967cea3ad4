/**
 * Bulk loader for demo data: `INSERT … SELECT FROM unnest($1::text[], …)` with each column passed as ONE array
 * parameter. Building a VALUES list in JS for a million rows costs ~10× more than the insert itself.
 *
 * Each generated chunk (~50k order lines) is written by ONE statement whose data-modifying CTEs fill customers,
 * identities, orders and order_lines together: a statement is its own transaction, so a chunk lands whole or not
 * at all, and foreign keys are checked at the end of the statement. It also keeps the Neon Pool honest: separate
 * BEGIN / INSERT / COMMIT calls through `exec` could each go to a different pooled connection.
 *
 * Everything is `on conflict do nothing`: loading the same seed twice changes nothing, so `npm start` may run it
 * on every start.
 */
import type { Database } from '../../functions/adapters/db/client.js';
import { DEMO_PRODUCTS } from './catalogue.js';
import { DEMO_PARTNER_KEYS, DEMO_REGIONS, DEMO_STAFF, DEMO_STORES, type DemoPartnerKey } from './fixtures.js';
import type { CustomerRow, DemoData, IdentityRow, OrderLineRow, OrderRow, SourceRecordRow } from './generate.js';
import { loadLoyaltyFixtures } from './loyalty-fixtures.js';

export interface LoadCounts {
  customers: number;
  sourceRecords: number;
  identities: number;
  orders: number;
  orderLines: number;
}

export interface LoadProgress extends LoadCounts {
  chunk: number;
  persons: number;
  seconds: number;
}

export interface LoadDemoOptions {
  onProgress?: (progress: LoadProgress) => void;
  /**
   * chunks in flight at once. Chunks are independent (their foreign keys point into the same chunk or at the
   * fixtures), so a server loads several on separate pooled connections while Node generates the next one.
   * Default: 1 on PGlite (it serialises queries anyway), 3 on PostgreSQL.
   */
  concurrency?: number;
  /** load persons and their records and identities only (the identity bench links 10^6 members without orders) */
  skipOrders?: boolean;
}

export interface LoadDemoResult {
  fixtures: FixtureCounts;
  persons: number;
  /** rows generated */
  generated: LoadCounts;
  /** rows actually inserted (fewer on a re-load, or where a source repeats a unique identifier: see identities) */
  inserted: LoadCounts;
  seconds: number;
}

export interface FixtureCounts {
  regions: number;
  stores: number;
  staff: number;
  products: number;
  partnerKeys: number;
}

type Column<T> = readonly [name: string, pgType: string, get: (row: T) => unknown];

interface Fragment {
  sql: string;
  params: unknown[];
}

/** `insert into t (…) select * from unnest($k::type[], …) on conflict do nothing returning 1`, params from offset. */
function unnestInsert<T>(table: string, columns: readonly Column<T>[], rows: readonly T[], offset: number): Fragment {
  const names = columns.map(([name]) => name).join(', ');
  const arrays = columns.map(([, type], i) => `$${offset + i + 1}::${type}[]`).join(', ');
  const params = columns.map(([, , get]) => rows.map(get));
  return {
    sql: `insert into ${table} (${names}) select * from unnest(${arrays}) on conflict do nothing returning 1`,
    params,
  };
}

/** Several inserts as one statement; returns the number of rows each one inserted. */
async function insertTogether(
  database: Database,
  parts: readonly { name: string; table: string; columns: readonly Column<never>[]; rows: readonly unknown[] }[],
): Promise<Record<string, number>> {
  const ctes: string[] = [];
  const params: unknown[] = [];
  for (const part of parts) {
    const frag = unnestInsert(part.table, part.columns as readonly Column<unknown>[], part.rows, params.length);
    ctes.push(`${part.name} as (${frag.sql})`);
    params.push(...frag.params);
  }
  const counts = parts.map((p) => `(select count(*)::int from ${p.name}) as ${p.name}`).join(', ');
  const rows = await database.exec(`with ${ctes.join(', ')} select ${counts}`, params);
  const out: Record<string, number> = {};
  for (const p of parts) out[p.name] = Number(rows[0]?.[p.name] ?? 0);
  return out;
}

const CUSTOMER_COLUMNS: readonly Column<CustomerRow>[] = [
  ['id', 'text', (r) => r.id],
  ['display_name', 'text', (r) => r.displayName],
  ['gender', 'text', (r) => r.gender],
  ['birthday', 'date', (r) => r.birthday],
  ['home_store_id', 'text', (r) => r.homeStoreId],
  ['registered_at', 'timestamptz', (r) => r.registeredAt],
  ['created_at', 'timestamptz', (r) => r.createdAt],
  ['updated_at', 'timestamptz', (r) => r.createdAt],
];

const IDENTITY_COLUMNS: readonly Column<IdentityRow>[] = [
  ['id', 'text', (r) => r.id],
  ['customer_id', 'text', (r) => r.customerId],
  ['kind', 'text', (r) => r.kind],
  ['value', 'text', (r) => r.value],
  ['raw_value', 'text', (r) => r.rawValue],
  ['verified', 'boolean', (r) => r.verified],
  ['quality', 'text', (r) => r.quality],
  ['source', 'text', (r) => r.source],
  ['source_id', 'text', (r) => r.sourceId],
  ['last_seen_at', 'timestamptz', (r) => r.lastSeenAt],
  ['created_at', 'timestamptz', (r) => r.createdAt],
];

const SOURCE_RECORD_COLUMNS: readonly Column<SourceRecordRow>[] = [
  ['id', 'text', (r) => r.id],
  ['source', 'text', (r) => r.source],
  ['source_id', 'text', (r) => r.sourceId],
  ['customer_id', 'text', (r) => r.customerId],
  ['origin_customer_id', 'text', (r) => r.customerId],
  ['store_id', 'text', (r) => r.storeId],
  ['name', 'text', (r) => r.name],
  ['name_kind', 'text', (r) => r.nameKind],
  ['surname', 'text', (r) => r.surname],
  ['name_key', 'text', (r) => r.nameKey],
  ['birthday', 'date', (r) => r.birthday],
  ['gender', 'text', (r) => r.gender],
  ['phone', 'text', (r) => r.phone],
  ['phone_verified', 'boolean', (r) => r.phoneVerified],
  ['email', 'text', (r) => r.email],
  ['province', 'text', (r) => r.province],
  ['city', 'text', (r) => r.city],
  ['district', 'text', (r) => r.district],
  ['last_active', 'date', (r) => r.lastActive],
  ['payload', 'jsonb', (r) => r.payload],
  ['payload_hash', 'text', (r) => r.payloadHash],
  ['created_at', 'timestamptz', (r) => r.createdAt],
  ['updated_at', 'timestamptz', (r) => r.createdAt],
];

const ORDER_COLUMNS: readonly Column<OrderRow>[] = [
  ['id', 'text', (r) => r.id],
  ['source', 'text', (r) => r.source],
  ['external_id', 'text', (r) => r.externalId],
  ['store_id', 'text', (r) => r.storeId],
  ['customer_id', 'text', (r) => r.customerId],
  ['member_source_id', 'text', (r) => r.memberSourceId],
  ['total_fen', 'int4', (r) => r.totalFen],
  ['discount_fen', 'int4', (r) => r.discountFen],
  ['paid_fen', 'int4', (r) => r.paidFen],
  ['ordered_at', 'timestamptz', (r) => r.orderedAt],
  ['created_at', 'timestamptz', (r) => r.orderedAt],
];

const ORDER_LINE_COLUMNS: readonly Column<OrderLineRow>[] = [
  ['order_id', 'text', (r) => r.orderId],
  ['line_no', 'int4', (r) => r.lineNo],
  ['product_id', 'text', (r) => r.productId],
  ['sku', 'text', (r) => r.sku],
  ['quantity', 'int4', (r) => r.quantity],
  ['unit_price_fen', 'int4', (r) => r.unitPriceFen],
  ['amount_fen', 'int4', (r) => r.amountFen],
];

/** Upserts the fixed chain data (regions, stores, staff, catalogue). Idempotent: existing rows are left alone. */
export async function loadDemoFixtures(database: Database): Promise<FixtureCounts> {
  const counts = await insertTogether(database, [
    {
      name: 'regions',
      table: 'regions',
      columns: [
        ['id', 'text', (r: (typeof DEMO_REGIONS)[number]) => r.id],
        ['name', 'text', (r: (typeof DEMO_REGIONS)[number]) => r.name],
      ],
      rows: DEMO_REGIONS,
    },
    {
      name: 'stores',
      table: 'stores',
      columns: [
        ['id', 'text', (r: (typeof DEMO_STORES)[number]) => r.id],
        ['code', 'text', (r: (typeof DEMO_STORES)[number]) => r.code],
        ['name', 'text', (r: (typeof DEMO_STORES)[number]) => r.name],
        ['region_id', 'text', (r: (typeof DEMO_STORES)[number]) => r.regionId],
        ['city', 'text', (r: (typeof DEMO_STORES)[number]) => r.city],
        ['district', 'text', (r: (typeof DEMO_STORES)[number]) => r.district],
        ['address', 'text', (r: (typeof DEMO_STORES)[number]) => r.address],
        ['latitude', 'float8', (r: (typeof DEMO_STORES)[number]) => r.latitude],
        ['longitude', 'float8', (r: (typeof DEMO_STORES)[number]) => r.longitude],
        ['phone', 'text', (r: (typeof DEMO_STORES)[number]) => r.phone],
      ],
      rows: DEMO_STORES,
    },
    {
      name: 'staff',
      table: 'staff',
      columns: [
        ['id', 'text', (r: (typeof DEMO_STAFF)[number]) => r.id],
        ['name', 'text', (r: (typeof DEMO_STAFF)[number]) => r.name],
        ['phone', 'text', (r: (typeof DEMO_STAFF)[number]) => r.phone],
        ['role', 'text', (r: (typeof DEMO_STAFF)[number]) => r.role],
        ['store_id', 'text', (r: (typeof DEMO_STAFF)[number]) => r.storeId],
        ['region_id', 'text', (r: (typeof DEMO_STAFF)[number]) => r.regionId],
        ['status', 'text', (r: (typeof DEMO_STAFF)[number]) => r.status],
      ],
      rows: DEMO_STAFF,
    },
    {
      name: 'products',
      table: 'products',
      columns: [
        ['id', 'text', (r: (typeof DEMO_PRODUCTS)[number]) => r.id],
        ['sku', 'text', (r: (typeof DEMO_PRODUCTS)[number]) => r.sku],
        ['name', 'text', (r: (typeof DEMO_PRODUCTS)[number]) => r.name],
        ['generic_name', 'text', (r: (typeof DEMO_PRODUCTS)[number]) => r.genericName],
        ['atc_code', 'text', (r: (typeof DEMO_PRODUCTS)[number]) => r.atcCode],
        ['rx', 'boolean', (r: (typeof DEMO_PRODUCTS)[number]) => r.rx],
        ['category', 'text', (r: (typeof DEMO_PRODUCTS)[number]) => r.category],
        ['pack_size', 'int4', (r: (typeof DEMO_PRODUCTS)[number]) => r.packSize],
        // as text: numeric must not pass through a float on its way in
        [
          'daily_dose',
          'numeric',
          (r: (typeof DEMO_PRODUCTS)[number]) => (r.dailyDose === null ? null : String(r.dailyDose)),
        ],
        ['days_supply', 'int4', (r: (typeof DEMO_PRODUCTS)[number]) => r.daysSupply],
        ['price_fen', 'int4', (r: (typeof DEMO_PRODUCTS)[number]) => r.priceFen],
      ],
      rows: DEMO_PRODUCTS,
    },
    {
      name: 'partner_keys',
      table: 'partner_keys',
      columns: [
        ['id', 'text', (r: DemoPartnerKey) => r.id],
        ['source', 'text', (r: DemoPartnerKey) => r.source],
        ['store_id', 'text', (r: DemoPartnerKey) => r.storeId],
        ['secret', 'text', (r: DemoPartnerKey) => r.secret],
      ],
      rows: DEMO_PARTNER_KEYS,
    },
  ]);
  // coupon templates after the stores they may belong to (NEW_MEMBER is what sign-up issues)
  await loadLoyaltyFixtures(database);
  return {
    regions: counts.regions,
    stores: counts.stores,
    staff: counts.staff,
    products: counts.products,
    partnerKeys: counts.partner_keys,
  };
}

/**
 * Loads the fixtures, then every generated chunk. Memory stays at one chunk: the generator is lazy.
 * Every source record lands with all its identities (unique per (kind, value, source, source_id)): a family phone
 * typed on three POS cards is three identity rows, so linking sees the three people. The data is a naive import,
 * one customer per record; `linkAll` (functions/app/identity) joins them.
 */
export async function loadDemo(
  database: Database,
  data: DemoData,
  options: LoadDemoOptions = {},
): Promise<LoadDemoResult> {
  const started = performance.now();
  const fixtures = await loadDemoFixtures(database);
  const generated: LoadCounts = { customers: 0, sourceRecords: 0, identities: 0, orders: 0, orderLines: 0 };
  const inserted: LoadCounts = { customers: 0, sourceRecords: 0, identities: 0, orders: 0, orderLines: 0 };
  let persons = 0;
  const concurrency = Math.max(1, options.concurrency ?? (database.driver === 'pglite' ? 1 : 3));
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  for (const chunk of data.chunks()) {
    generated.customers += chunk.customers.length;
    generated.sourceRecords += chunk.sourceRecords.length;
    generated.identities += chunk.identities.length;
    generated.orders += chunk.orders.length;
    generated.orderLines += chunk.orderLines.length;
    const parts = [
      { name: 'customers', table: 'customers', columns: CUSTOMER_COLUMNS, rows: chunk.customers },
      { name: 'source_records', table: 'source_records', columns: SOURCE_RECORD_COLUMNS, rows: chunk.sourceRecords },
      { name: 'identities', table: 'identities', columns: IDENTITY_COLUMNS, rows: sortedByUniqueKey(chunk.identities) },
      { name: 'orders', table: 'orders', columns: ORDER_COLUMNS, rows: options.skipOrders ? [] : chunk.orders },
      {
        name: 'order_lines',
        table: 'order_lines',
        columns: ORDER_LINE_COLUMNS,
        rows: options.skipOrders ? [] : chunk.orderLines,
      },
    ];
    const task = withDeadlockRetry(() => insertTogether(database, parts)).then(
      (counts) => {
        persons += chunk.persons.length;
        inserted.customers += counts.customers;
        inserted.sourceRecords += counts.source_records;
        inserted.identities += counts.identities;
        inserted.orders += counts.orders;
        inserted.orderLines += counts.order_lines;
        options.onProgress?.({
          chunk: chunk.index,
          persons,
          ...inserted,
          seconds: (performance.now() - started) / 1000,
        });
      },
      (err: unknown) => {
        failure ??= err;
      },
    );
    const tracked: Promise<void> = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  return { fixtures, persons, generated, inserted, seconds: (performance.now() - started) / 1000 };
}

/**
 * Inserting unique keys in one global order means two concurrent chunks can wait on each other only one way
 * round, never in a cycle (since keys include the record, chunks no longer collide, but a re-load still waits).
 */
function sortedByUniqueKey(rows: readonly IdentityRow[]): IdentityRow[] {
  const key = (r: IdentityRow) => `${r.kind}\u0000${r.value}\u0000${r.source}\u0000${r.sourceId}`;
  return rows
    .map((r) => [key(r), r] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, r]) => r);
}

/** A chunk is one statement, so a deadlock victim rolled back whole and can simply run again. */
async function withDeadlockRetry<T>(run: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (i >= attempts || (code !== '40P01' && code !== '40001')) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * i));
    }
  }
}
