/**
 * A till sale to a POS card MedLoop does not know yet (opened at the counter, its record synced later): the order
 * waits with its points, and the card's record brings both to its member, once, within LATE_EARN_DAYS of the sale;
 * a refund first cancels them, a refund after takes them back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATE_EARN_DAYS } from '../../../shared/points/points.rules.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { ingest } from '../identity/helpers.js';
import { count, posCall, uniqueKey } from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

// 250 yuan of non-prescription goods: 250 points, doubled at ≥ 200 yuan
const sale = (externalId: string, cardNo: string, over: Record<string, unknown> = {}) => ({
  idempotencyKey: uniqueKey('ord'),
  externalId,
  posCardNo: cardNo,
  orderedAt: sys.clock.now().toISOString(),
  totalFen: 25000,
  discountFen: 0,
  paidFen: 25000,
  lines: [
    { sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 15000, amountFen: 15000 },
    { sku: 'X-NON-RX-2', quantity: 2, unitPriceFen: 5000, amountFen: 10000 },
  ],
  ...over,
});

const cardRecord = (cardNo: string, name: string, phone: string) => ({
  sourceId: cardNo,
  cardNo,
  name,
  birthday: '1971-03-09',
  phone,
  storeCode: 'HZ001',
  lastActive: '2026-11-20',
});

const customerOfCard = async (cardNo: string) =>
  String(
    (
      await sys.database.exec(`select customer_id from source_records where source = 'pos' and source_id = $1`, [
        cardNo,
      ])
    )[0].customer_id,
  );
const ledgerOf = (customerId: string) =>
  sys.database.exec(`select kind, points, note from points_ledger where customer_id = $1 order by id`, [customerId]);

describe('a till sale to a card MedLoop does not know yet', () => {
  it('waits with its points, and the card record credits them to its member once', async () => {
    const body = sale('HZ001-LATE-1', '6600001001');
    const first = await posCall(sys, '/api/pos/orders', body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ customerId: null, pointsEarned: 0, pointsBalance: null, pointsPending: 500 });
    // the till retries under a new idempotency key: still waiting, still promising the same
    const retry = await posCall(sys, '/api/pos/orders', { ...body, idempotencyKey: uniqueKey('retry') });
    expect(retry.body).toMatchObject({ orderId: first.body.orderId, pointsEarned: 0, pointsPending: 500 });

    sys.clock.advance(3 * 86_400_000);
    const arrived = await ingest(sys, [cardRecord('6600001001', '韩立平', '13957113001')]);
    expect(arrived.status).toBe(200);
    expect(arrived.body).toMatchObject({ created: 1, ordersAttached: 1, pointsCredited: 500 });
    const customerId = await customerOfCard('6600001001');
    expect(await ledgerOf(customerId)).toEqual([
      { kind: 'earn', points: 500, note: expect.stringMatching(/^补记：\d{4}-\d\d-\d\d .+消费250(\.00)?元$/) },
    ]);

    // the record again (unchanged) and a changed record credit nothing more
    const again = await ingest(sys, [cardRecord('6600001001', '韩立平', '13957113001')]);
    expect(again.body).toMatchObject({ unchanged: 1, ordersAttached: 0, pointsCredited: 0 });
    const changed = await ingest(sys, [
      { ...cardRecord('6600001001', '韩立平', '13957113001'), lastActive: '2026-11-24' },
    ]);
    expect(changed.body).toMatchObject({ updated: 1, pointsCredited: 0 });
    // the till's replay (the same sale, its time as sent: another time is another sale's, ORDER_CHANGED) now
    // answers with the member and what the sale earned
    const replay = await posCall(sys, '/api/pos/orders', { ...body, idempotencyKey: uniqueKey('late') });
    expect(replay.body).toMatchObject({ customerId, pointsEarned: 500, pointsBalance: 500, pointsPending: 0 });
    expect(
      await count(sys.database, `select coalesce(sum(points), 0) from points_ledger where customer_id = $1`, [
        customerId,
      ]),
    ).toBe(500);

    // refunded afterwards: the points go, as for any sale
    const refund = await posCall(sys, '/api/pos/void', {
      idempotencyKey: uniqueKey('void'),
      externalOrderId: 'HZ001-LATE-1',
    });
    expect(refund.body).toMatchObject({ pointsReversed: 500 });
    expect(
      await count(sys.database, `select coalesce(sum(points), 0) from points_ledger where customer_id = $1`, [
        customerId,
      ]),
    ).toBe(0);
  });

  it('a sale refunded before its card arrives brings the order but no points', async () => {
    await posCall(sys, '/api/pos/orders', sale('HZ001-LATE-2', '6600001002'));
    const refund = await posCall(sys, '/api/pos/void', {
      idempotencyKey: uniqueKey('void'),
      externalOrderId: 'HZ001-LATE-2',
    });
    expect(refund.status).toBe(200);
    expect(refund.body).toMatchObject({ pointsReversed: 0 });
    const arrived = await ingest(sys, [cardRecord('6600001002', '蒋文华', '13957113002')]);
    expect(arrived.body).toMatchObject({ created: 1, ordersAttached: 1, pointsCredited: 0 });
    expect(await ledgerOf(await customerOfCard('6600001002'))).toEqual([]);
  });

  it(`a card that arrives more than ${LATE_EARN_DAYS} days after the sale brings the order as history, no points`, async () => {
    const inTime = await posCall(sys, '/api/pos/orders', sale('HZ001-LATE-3', '6600001003'));
    expect(inTime.body.pointsPending).toBe(500);
    const soldAt = sys.clock.now().toISOString();
    sys.clock.advance((LATE_EARN_DAYS + 1) * 86_400_000);
    const late = await ingest(sys, [cardRecord('6600001003', '沈秋云', '13957113003')]);
    expect(late.body).toMatchObject({ created: 1, ordersAttached: 1, pointsCredited: 0 });
    const customerId = await customerOfCard('6600001003');
    expect(await ledgerOf(customerId)).toEqual([]);
    // the order is the member's purchase history all the same
    const [order] = await sys.database.exec(
      `select customer_id, ordered_at from orders where external_id = 'HZ001-LATE-3'`,
    );
    expect(order.customer_id).toBe(customerId);
    expect(new Date(String(order.ordered_at)).toISOString()).toBe(soldAt);
  });

  it('a prescription line promises no points, as at a known card', async () => {
    const [rx] = await sys.database.exec(`select sku, price_fen from products where rx limit 1`);
    const price = Number(rx.price_fen);
    const res = await posCall(
      sys,
      '/api/pos/orders',
      sale('HZ001-LATE-4', '6600001004', {
        totalFen: price + 1000,
        paidFen: price + 1000,
        lines: [
          { sku: rx.sku, quantity: 1, unitPriceFen: price, amountFen: price },
          { sku: 'X-NON-RX', quantity: 1, unitPriceFen: 1000, amountFen: 1000 },
        ],
      }),
    );
    expect(res.body).toMatchObject({ pointsEarned: 0, pointsPending: 10 });
  });
});
