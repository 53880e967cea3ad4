/**
 * What a till's order may earn (a QA walk): a sale older than LATE_EARN_DAYS when it reaches MedLoop is history and
 * earns nothing, by a card MedLoop knows (earned full points, credited as this year's, for a sale of 2003) or one it
 * does not know yet (promised `pointsPending` the card's arrival never credited); and an order above the counter's
 * bound (100,000 yuan) is refused as a typo (one of 1,000,000 yuan earned 2,000,000 points).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTER_MAX_ORDER_FEN } from '../../../shared/contracts/counter.js';
import { LATE_EARN_DAYS } from '../../../shared/points/points.rules.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { customerOf, ingest } from '../identity/helpers.js';
import { codeOf, count, pointsBalance, posCall, uniqueKey } from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const DAY_MS = 86_400_000;

// 500 yuan of non-prescription goods: 1,000 points (double at ≥ 200 yuan)
const sale = (externalId: string, over: Record<string, unknown> = {}) => ({
  idempotencyKey: uniqueKey('ord'),
  externalId,
  orderedAt: sys.clock.now().toISOString(),
  totalFen: 50000,
  discountFen: 0,
  paidFen: 50000,
  lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 50000, amountFen: 50000 }],
  ...over,
});

const cardRecord = (cardNo: string, phone: string) => ({
  sourceId: cardNo,
  cardNo,
  name: '陶文静',
  birthday: '1975-06-12',
  phone,
  storeCode: 'HZ001',
  lastActive: '2026-11-20',
});

const daysAgo = (days: number) => new Date(sys.clock.now().getTime() - days * DAY_MS).toISOString();

describe('a sale older than the late-earn window', () => {
  it('by a card MedLoop knows: recorded as the member’s history, no points, and the answer says why', async () => {
    expect((await ingest(sys, [cardRecord('6600007001', '13957117001')])).status).toBe(200);
    const customerId = await customerOf(sys, 'pos', '6600007001');
    for (const orderedAt of ['2003-05-01T10:00:00+08:00', '2024-05-01T10:00:00+08:00', daysAgo(LATE_EARN_DAYS + 1)]) {
      const body = sale(uniqueKey('HZ001-OLD'), { posCardNo: '6600007001', orderedAt });
      const res = await posCall(sys, '/api/pos/orders', body);
      expect(res.status, orderedAt).toBe(200);
      expect(res.body, orderedAt).toMatchObject({
        customerId,
        pointsEarned: 0,
        pointsBalance: 0,
        pointsPending: 0,
        noPointsReason: 'sale_too_old',
      });
      // a replay says the same
      const replay = await posCall(sys, '/api/pos/orders', { ...body, idempotencyKey: uniqueKey('again') });
      expect(replay.body, orderedAt).toMatchObject({ orderId: res.body.orderId, noPointsReason: 'sale_too_old' });
    }
    expect(await pointsBalance(sys, customerId)).toBe(0);
    expect(
      await count(
        sys.database,
        `select count(*) from orders where customer_id = $1 and external_id like 'HZ001-OLD%'`,
        [customerId],
      ),
    ).toBe(3);

    // within the window it earns as ever
    const recent = await posCall(
      sys,
      '/api/pos/orders',
      sale(uniqueKey('HZ001-RECENT'), { posCardNo: '6600007001', orderedAt: daysAgo(LATE_EARN_DAYS - 1) }),
    );
    expect(recent.body).toMatchObject({ pointsEarned: 1000, pointsBalance: 1000, noPointsReason: null });
  });

  it('by a card MedLoop does not know yet: promises nothing, and the card’s arrival credits nothing', async () => {
    const old = await posCall(
      sys,
      '/api/pos/orders',
      sale(uniqueKey('HZ001-OLD-CARD'), { posCardNo: '6600007002', orderedAt: '2024-05-01T10:00:00+08:00' }),
    );
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({ customerId: null, pointsPending: 0, noPointsReason: 'sale_too_old' });
    const [row] = await sys.database.exec(`select points_on_attach from orders where id = $1`, [old.body.orderId]);
    expect(row.points_on_attach).toBeNull();
    // a recent sale to the same unknown card still waits with its points
    const recent = await posCall(
      sys,
      '/api/pos/orders',
      sale(uniqueKey('HZ001-NEW-CARD'), { posCardNo: '6600007002', orderedAt: daysAgo(10) }),
    );
    expect(recent.body).toMatchObject({ pointsPending: 1000, noPointsReason: null });

    const arrived = await ingest(sys, [cardRecord('6600007002', '13957117002')]);
    expect(arrived.body).toMatchObject({ ordersAttached: 2, pointsCredited: 1000 });
  });

  it('a walk-in sale (no member, no card) gives no reason: there was nobody to earn', async () => {
    const res = await posCall(
      sys,
      '/api/pos/orders',
      sale(uniqueKey('HZ001-OLD-WALKIN'), { orderedAt: '2024-05-01T10:00:00+08:00' }),
    );
    expect(res.body).toMatchObject({ customerId: null, pointsPending: 0, noPointsReason: null });
  });
});

describe('the amount a till order may have', () => {
  it(`refuses more than ${COUNTER_MAX_ORDER_FEN / 100} yuan as a typo (422 ORDER_AMOUNT_TOO_LARGE), nothing stored`, async () => {
    const before = await count(sys.database, `select count(*) from orders`);
    const huge = await posCall(
      sys,
      '/api/pos/orders',
      sale(uniqueKey('HZ001-HUGE'), {
        posCardNo: '6600007001',
        totalFen: 100_000_000,
        paidFen: 100_000_000,
        lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 100_000_000, amountFen: 100_000_000 }],
      }),
    );
    expect(codeOf(huge)).toEqual({ status: 422, code: 'ORDER_AMOUNT_TOO_LARGE' });
    expect(huge.body.error.message).toMatch(/100000 yuan/);
    const aFenOver = await posCall(
      sys,
      '/api/pos/orders',
      sale(uniqueKey('HZ001-OVER'), {
        totalFen: COUNTER_MAX_ORDER_FEN + 1,
        paidFen: COUNTER_MAX_ORDER_FEN + 1,
        lines: [
          { sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: COUNTER_MAX_ORDER_FEN, amountFen: COUNTER_MAX_ORDER_FEN },
          { sku: 'X-NON-RX-2', quantity: 1, unitPriceFen: 1, amountFen: 1 },
        ],
      }),
    );
    expect(codeOf(aFenOver)).toEqual({ status: 422, code: 'ORDER_AMOUNT_TOO_LARGE' });
    expect(await count(sys.database, `select count(*) from orders`)).toBe(before);

    // the bound itself is a sale (a discount off it too)
    const atBound = await posCall(
      sys,
      '/api/pos/orders',
      sale(uniqueKey('HZ001-BOUND'), {
        totalFen: COUNTER_MAX_ORDER_FEN,
        discountFen: 100,
        paidFen: COUNTER_MAX_ORDER_FEN - 100,
        lines: [
          { sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: COUNTER_MAX_ORDER_FEN, amountFen: COUNTER_MAX_ORDER_FEN },
        ],
      }),
    );
    expect(atBound.status).toBe(200);
  });
});
