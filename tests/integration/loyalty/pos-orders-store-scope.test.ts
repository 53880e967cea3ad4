/**
 * An order number is a store's receipt number: two stores' tills may print the same one for two sales (a QA walk:
 * HZ002's sale was answered with HZ001's order, member and balance, and earned nothing; a walk-in body from any store
 * read another store's member by guessing a receipt number). Each store's sale lands and earns on its own, no answer
 * names another store's order or member, and the history ingest and the file import keep the numbers per store too;
 * an order without a store (the mall's) stays unique on its number.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { posRepo } from '../../../functions/adapters/db/repos/pos.repo.js';
import { importOrdersFile } from '../../../functions/app/identity/import-orders.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { ingestOrders } from '../identity/helpers.js';
import { count, memberWithCode, pointsBalance, posCall, tillSale, uniqueKey } from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const ordersOf = (externalId: string) =>
  sys.database.exec(
    `select id, store_id, customer_id, paid_fen from orders where external_id = $1 order by store_id nulls first`,
    [externalId],
  );

describe('one receipt number at two stores', () => {
  it('is two sales: each store records its own and its member earns; no answer names the other store’s', async () => {
    const a = await memberWithCode(sys);
    const b = await memberWithCode(sys);
    const number = 'POS1795853276061';
    const atHz001 = await posCall(sys, '/api/pos/orders', tillSale(sys, number, 5000, { memberCode: a.memberCode }));
    expect(atHz001.status).toBe(200);
    expect(atHz001.body).toMatchObject({ customerId: a.customerId, pointsEarned: 50, pointsBalance: 50 });

    const atHz002 = await posCall(sys, '/api/pos/orders', tillSale(sys, number, 8000, { memberCode: b.memberCode }), {
      store: 'HZ002',
    });
    expect(atHz002.status).toBe(200);
    expect(atHz002.body).toMatchObject({ customerId: b.customerId, pointsEarned: 80, pointsBalance: 80 });
    expect(atHz002.body.orderId).not.toBe(atHz001.body.orderId);

    // a walk-in body with the number from a third store: its own sale, nobody's member
    const walkIn = await posCall(sys, '/api/pos/orders', tillSale(sys, number, 1), { store: 'NB001' });
    expect(walkIn.status).toBe(200);
    expect(walkIn.body).toMatchObject({ customerId: null, pointsEarned: 0, pointsBalance: null, pointsPending: 0 });
    expect([atHz001.body.orderId, atHz002.body.orderId]).not.toContain(walkIn.body.orderId);
    expect(JSON.stringify(walkIn.body)).not.toContain(a.customerId);

    expect(await ordersOf(number)).toEqual([
      { id: atHz001.body.orderId, store_id: 'sto_001', customer_id: a.customerId, paid_fen: 5000 },
      { id: atHz002.body.orderId, store_id: 'sto_002', customer_id: b.customerId, paid_fen: 8000 },
      { id: walkIn.body.orderId, store_id: 'sto_015', customer_id: null, paid_fen: 1 },
    ]);
    expect(await pointsBalance(sys, a.customerId)).toBe(50);
    expect(await pointsBalance(sys, b.customerId)).toBe(80);

    // each store's replay under a new key is answered with its own sale
    for (const [store, first, body] of [
      ['HZ001', atHz001, tillSale(sys, number, 5000, { memberCode: a.memberCode })],
      ['HZ002', atHz002, tillSale(sys, number, 8000, { memberCode: b.memberCode })],
    ] as const) {
      const replay = await posCall(sys, '/api/pos/orders', body, { store });
      expect(replay.body, store).toMatchObject({ orderId: first.body.orderId, customerId: first.body.customerId });
    }
  });

  it('the lookup a void by order number makes finds the caller’s store’s order (pos.repo orderByExternalId)', async () => {
    const number = uniqueKey('POS-VOID');
    const a = await memberWithCode(sys);
    const b = await memberWithCode(sys);
    const one = await posCall(sys, '/api/pos/orders', tillSale(sys, number, 5000, { memberCode: a.memberCode }));
    const two = await posCall(sys, '/api/pos/orders', tillSale(sys, number, 8000, { memberCode: b.memberCode }), {
      store: 'HZ002',
    });
    expect(two.status).toBe(200);
    const db = sys.database.db;
    expect((await posRepo.orderByExternalId(db, 'pos', number, 'sto_002'))?.id).toBe(two.body.orderId);
    expect((await posRepo.orderByExternalId(db, 'pos', number, 'sto_001'))?.id).toBe(one.body.orderId);
    expect(await posRepo.orderByExternalId(db, 'pos', number, 'sto_003')).toBeNull();
  });

  it('each store voids its own sale by the number; the other store’s sale and points stay', async () => {
    const number = uniqueKey('POS-VOID2');
    const a = await memberWithCode(sys);
    const b = await memberWithCode(sys);
    await posCall(sys, '/api/pos/orders', tillSale(sys, number, 5000, { memberCode: a.memberCode }));
    await posCall(sys, '/api/pos/orders', tillSale(sys, number, 8000, { memberCode: b.memberCode }), {
      store: 'HZ002',
    });
    const refund = await posCall(
      sys,
      '/api/pos/void',
      { idempotencyKey: uniqueKey('void'), externalOrderId: number },
      { store: 'HZ002' },
    );
    expect(refund.status).toBe(200);
    expect(refund.body).toMatchObject({ voided: [], pointsReversed: 80 });
    expect(await pointsBalance(sys, b.customerId)).toBe(0);
    expect(await pointsBalance(sys, a.customerId)).toBe(50);
    const refunded = await sys.database.exec(
      `select store_id, refunded_at is not null as refunded from orders where external_id = $1 order by store_id`,
      [number],
    );
    expect(refunded).toEqual([
      { store_id: 'sto_001', refunded: false },
      { store_id: 'sto_002', refunded: true },
    ]);
  });
});

describe('the history ingest and the file import: numbers per store', () => {
  const historyOrder = (externalId: string, storeCode: string, unitPrice: string) => ({
    externalId,
    storeCode,
    orderedAt: '2026-11-20 10:00',
    lines: [{ sku: 'MD100001', quantity: 1, unitPrice }],
  });

  it('takes another store’s order with a number a till already sent, and still refuses a changed one', async () => {
    const number = uniqueKey('XS-SCOPE');
    const till = await posCall(sys, '/api/pos/orders', tillSale(sys, number, 5000));
    expect(till.status).toBe(200);
    // HZ002's export of its own sale with that number: a sale of its own (was answered `unchanged`: lost)
    const other = await ingestOrders(sys, [historyOrder(number, 'HZ002', '17.00')], 'key_pos_hz002');
    expect(other.body.results).toEqual([{ index: 0, externalId: number, status: 'created', customerId: null }]);
    // HZ002 again, the same contents, then other contents: a replay, then a refusal of its own order's change
    const again = await ingestOrders(sys, [historyOrder(number, 'HZ002', '17.00')], 'key_pos_hz002');
    expect(again.body.results).toEqual([{ index: 0, externalId: number, status: 'unchanged' }]);
    const changed = await ingestOrders(sys, [historyOrder(number, 'HZ002', '18.00')], 'key_pos_hz002');
    expect(changed.body.results[0]).toMatchObject({ status: 'rejected', code: 'order_changed' });
    expect((await ordersOf(number)).map((o) => [o.store_id, o.paid_fen])).toEqual([
      ['sto_001', 5000],
      ['sto_002', 1700],
    ]);
  });

  it('one batch may hold two stores’ sales with one number (a chain-wide export)', async () => {
    const number = uniqueKey('XS-TWO');
    const res = await ingestOrders(
      sys,
      [historyOrder(number, 'HZ003', '17.00'), historyOrder(number, 'HZ004', '19.00')],
      'key_mall',
    );
    // the mall's key: no store-bound key, orders with their store codes
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'created']);
    expect((await ordersOf(number)).map((o) => [o.store_id, o.paid_fen])).toEqual([
      ['sto_003', 1700],
      ['sto_004', 1900],
    ]);
    // the same number twice for one store in one batch is still one order refused as repeated
    const twice = await ingestOrders(
      sys,
      [historyOrder(`${number}-B`, 'HZ003', '17.00'), historyOrder(`${number}-B`, 'HZ003', '17.00')],
      'key_mall',
    );
    expect(twice.body.results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual([
      'created',
      'order_id_repeated',
    ]);
  });

  it('a mall order, which has no store, stays unique on its number', async () => {
    const number = uniqueKey('MALL-SCOPE');
    const mall = {
      externalId: number,
      memberId: 'M-NOBODY',
      orderedAt: '2026-11-20 10:00',
      lines: [{ sku: 'MD100001', quantity: 1, unitPrice: '17.00' }],
    };
    expect((await ingestOrders(sys, [mall], 'key_mall')).body.results[0].status).toBe('created');
    expect((await ingestOrders(sys, [mall], 'key_mall')).body.results[0].status).toBe('unchanged');
    const changed = await ingestOrders(sys, [{ ...mall, memberId: 'M-OTHER' }], 'key_mall');
    expect(changed.body.results[0]).toMatchObject({ status: 'rejected', code: 'order_changed' });
    expect(await count(sys.database, `select count(*) from orders where external_id = $1`, [number])).toBe(1);
  });

  it('the file import takes a store’s order whose number another store’s till sent', async () => {
    const number = uniqueKey('XS-FILE');
    const till = await posCall(sys, '/api/pos/orders', tillSale(sys, number, 5000));
    expect(till.status).toBe(200);
    const dir = await mkdtemp(join(tmpdir(), 'medloop-orders-'));
    try {
      const file = join(dir, 'orders.csv');
      await writeFile(
        file,
        `order_id,store_code,ordered_at,sku,product_name,quantity,unit_price\n${number},HZ005,2026-11-20 10:00,MD100001,维生素C,2,17.00\n`,
      );
      const s = await importOrdersFile(sys.database, { file, source: 'pos', now: sys.clock.now() });
      expect(s).toMatchObject({ orders: 1, created: 1, unchanged: 0, rejected: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect((await ordersOf(number)).map((o) => [o.store_id, o.paid_fen])).toEqual([
      ['sto_001', 5000],
      ['sto_005', 3400],
    ]);
  });
});
