import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '../../../dev/demo/catalogue.js';
import { DEMO_PARTNER_KEYS, DEMO_REGIONS, DEMO_STAFF, DEMO_STORES } from '../../../dev/demo/fixtures.js';
import { type DemoData, generateDemo } from '../../../dev/demo/generate.js';
import { type LoadDemoResult, loadDemo, loadDemoFixtures } from '../../../dev/demo/load.js';
import { type Database, migrateDatabase, openDatabase } from '../../../functions/adapters/db/client.js';

const NOW = new Date('2025-06-29T16:00:00Z');

let database: Database;
let data: DemoData;
let first: LoadDemoResult;

async function count(table: string): Promise<number> {
  const rows = await database.exec(`select count(*)::int as n from ${table}`);
  return Number(rows[0].n);
}

beforeAll(async () => {
  database = await openDatabase({ kind: 'pglite' });
  await migrateDatabase(database);
  data = generateDemo({ seed: 11, members: 600, now: NOW, chunkSize: 200 });
  first = await loadDemo(database, data);
}, 120_000);

afterAll(async () => {
  await database?.close();
});

describe('loadDemo on PGlite', () => {
  it('loads every generated row', async () => {
    const generated = { customers: 0, sourceRecords: 0, identities: 0, orders: 0, orderLines: 0 };
    const identityKeys = new Set<string>();
    for (const c of data.chunks()) {
      generated.customers += c.customers.length;
      generated.sourceRecords += c.sourceRecords.length;
      generated.identities += c.identities.length;
      generated.orders += c.orders.length;
      generated.orderLines += c.orderLines.length;
      for (const i of c.identities) identityKeys.add(`${i.kind}\u0000${i.value}\u0000${i.source}\u0000${i.sourceId}`);
    }
    expect(first.persons).toBe(600);
    expect(first.generated).toEqual(generated);
    expect(await count('customers')).toBe(generated.customers);
    expect(await count('orders')).toBe(generated.orders);
    expect(await count('order_lines')).toBe(generated.orderLines);
    // identities are unique per (kind, value, source, source_id): a family phone on three cards is three rows
    expect(identityKeys.size).toBe(generated.identities);
    expect(await count('identities')).toBe(generated.identities);
    expect(await count('source_records')).toBe(generated.customers);
    expect(first.inserted).toEqual(generated);
    expect(first.fixtures).toEqual({
      regions: DEMO_REGIONS.length,
      stores: DEMO_STORES.length,
      staff: DEMO_STAFF.length,
      products: DEMO_PRODUCTS.length,
      partnerKeys: DEMO_PARTNER_KEYS.length,
    });
  });

  it('stores values as the schema expects', async () => {
    const [store] = await database.exec(`select code, name, district, region_id from stores where id = 'sto_001'`);
    expect(store).toEqual({ code: 'HZ001', name: '文三路店', district: '西湖区', region_id: 'reg_hz' });
    const [product] = await database.exec(
      `select daily_dose::text as dose, days_supply from products where generic_name = '盐酸二甲双胍片' order by sku limit 1`,
    );
    expect(product).toEqual({ dose: '3.00', days_supply: 6 });
    const [staff] = await database.exec(`select status, role, store_id from staff where phone = '13900000001'`);
    expect(staff).toEqual({ status: 'invited', role: 'clerk', store_id: 'sto_001' });
    const verified = await database.exec(
      `select count(*)::int as n from identities where source = 'miniprogram' and kind = 'phone' and not verified`,
    );
    expect(verified[0].n).toBe(0);
  });

  it('changes nothing when the fixtures, or the same data, are loaded again', async () => {
    const before = await Promise.all(['regions', 'stores', 'staff', 'products', 'customers', 'order_lines'].map(count));
    expect(await loadDemoFixtures(database)).toEqual({ regions: 0, stores: 0, staff: 0, products: 0, partnerKeys: 0 });
    const again = await loadDemo(database, data);
    expect(again.inserted).toEqual({ customers: 0, sourceRecords: 0, identities: 0, orders: 0, orderLines: 0 });
    const after = await Promise.all(['regions', 'stores', 'staff', 'products', 'customers', 'order_lines'].map(count));
    expect(after).toEqual(before);
  });

  it('keeps foreign keys whole', async () => {
    const [orphans] = await database.exec(`
      select
        (select count(*)::int from orders o left join customers c on c.id = o.customer_id where c.id is null) as orders,
        (select count(*)::int from order_lines l left join orders o on o.id = l.order_id where o.id is null) as lines,
        (select count(*)::int from order_lines l left join products p on p.id = l.product_id where p.id is null) as products,
        (select count(*)::int from identities i left join customers c on c.id = i.customer_id where c.id is null) as identities,
        (select count(*)::int from identities i left join source_records r on r.source = i.source and r.source_id = i.source_id
           where r.id is null) as records,
        (select count(*)::int from customers c left join stores s on s.id = c.home_store_id
           where c.home_store_id is not null and s.id is null) as stores`);
    expect(orphans).toEqual({ orders: 0, lines: 0, products: 0, identities: 0, records: 0, stores: 0 });
    // and the database enforces them: a chunk with a dangling reference is refused whole
    await expect(
      database.exec(
        `insert into order_lines (order_id, line_no, product_id, sku, quantity, unit_price_fen, amount_fen)
         values ('ord_missing', 1, 'prd_md100001', 'MD100001', 1, 100, 100)`,
      ),
    ).rejects.toThrow(/foreign key/);
  });
});
