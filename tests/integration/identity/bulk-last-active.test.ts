/**
 * The bulk linker reads every card's last sale in one pass over the orders (lastSalesSql) where the incremental linker
 * probes one card's (lastActiveSql): both must give each card the same last activity, to the day. Each card below
 * has a phone shared with a mall nickname of the same gender, which joins an active card and leaves a dormant one held
 * (dormant 3 years: before 2023-11-26 on 2026-11-25), so a wrong date shows as a merge or a hold:
 * - the chain's day, not UTC's, on the first day that is not dormant (a sale at 00:30 in Hangzhou, 16:30 UTC the day
 *   before), and the day before it;
 * - only sales that stand: an imported return, a sale the till voided;
 * - only the card's own: a mall order under the same member id, a sale on another card of the same customer;
 * - the latest sale of several, and the later of the date sent and the last sale;
 * - a card merged before the job whose sale went with it to the survivor.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createIdentityRepo } from '../../../functions/adapters/db/repos/identity.repo.js';
import { bulkLink } from '../../../functions/adapters/db/repos/identity-bulk.repo.js';
import { ingestAndLog } from '../../../functions/app/identity/ingest.js';
import { ingestOrdersAndLog } from '../../../functions/app/identity/ingest-orders.js';
import { shanghaiDay } from '../../../functions/app/identity/link-record.js';
import { storePhoneKey } from '../../../shared/identity/blocked.js';
import { LINK_LIMITS } from '../../../shared/identity/link.rules.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { posCall, uniqueKey } from '../loyalty/loyalty-fixtures.js';

/** the test clock: 10:00 on 2026-11-25 in Hangzhou */
const now = new Date('2026-11-25T02:00:00Z');
const dayBefore = new Date(now.getTime() - 86_400_000);
const OLD = '2019-06-01';

const card = (id: string, name: string, phone: string | null, lastActive?: string, cardNo = id) => ({
  sourceId: id,
  cardNo,
  name,
  gender: '男',
  ...(phone ? { phone } : {}),
  storeCode: 'HZ001',
  ...(lastActive ? { lastActive } : {}),
});
const nickname = (id: string, name: string, phone: string) => ({
  sourceId: id,
  mallAccount: id,
  name,
  gender: '男',
  phone,
});
/** a history order on a member id, at a local time in Hangzhou; a return when `quantity` is negative */
const order = (externalId: string, memberId: string, orderedAt: string, quantity = 1) => ({
  externalId,
  memberId,
  orderedAt,
  storeCode: 'HZ001',
  lines: [{ sku: 'MD100001', quantity, unitPrice: '17.00' }],
});

const PHONE = (n: number) => `139571601${String(n).padStart(2, '0')}`;

/** cards of two customers already merged before the job (one POS card number on two records) */
const merged = [
  // LA-8A: its own last activity is 2019; the sale today is LA-8B's, its customer's other card
  card('LA-8B', '何文斌', null, undefined, 'LA-8'),
  // LA-9A's sale today went with it to LA-9B's customer, the survivor (the older record)
  card('LA-9B', '郭明亮', null, OLD, 'LA-9'),
];
const mergedLater = [card('LA-8A', '何文斌', PHONE(8), OLD, 'LA-8'), card('LA-9A', '郭明亮', PHONE(9), OLD, 'LA-9')];
const cards = [
  card('LA-1', '吕国华', PHONE(1), OLD),
  card('LA-2', '赵建华', PHONE(2)),
  card('LA-3', '孙立新', PHONE(3), OLD),
  card('LA-4', '陈志明', PHONE(4), OLD),
  card('LA-5', '钱卫东', PHONE(5), OLD),
  card('LA-6', '郑海涛', PHONE(6)),
  card('LA-7', '马俊杰', PHONE(7), '2026-10-08'),
];
const malls = [
  nickname('mall_la1', '知足常乐', PHONE(1)),
  nickname('mall_la2', '开心每一天', PHONE(2)),
  nickname('mall_la3', '岁月静好啊', PHONE(3)),
  nickname('mall_la4', '平安是福', PHONE(4)),
  nickname('mall_la5', '快乐每一天', PHONE(5)),
  nickname('mall_la6', '阳光男孩', PHONE(6)),
  nickname('mall_la7', '天天向上', PHONE(7)),
  nickname('mall_la8', '随遇而安', PHONE(8)),
  nickname('mall_la9', '心想事成', PHONE(9)),
];
const posOrders = [
  order('LA1-FIRST-DAY', 'LA-1', '2023-11-26 00:30'),
  order('LA2-DAY-BEFORE', 'LA-2', '2023-11-25 23:30'),
  order('LA4-2019', 'LA-4', '2019-07-01 10:00'),
  order('LA4-RETURN', 'LA-4', '2026-11-25 09:00', -1),
  order('LA5-2019', 'LA-5', '2019-07-01 10:00'),
  order('LA6-2018', 'LA-6', '2018-03-10 09:30'),
  order('LA6-TODAY', 'LA-6', '2026-11-25 09:00'),
  order('LA6-2019', 'LA-6', '2019-06-15 16:20'),
  order('LA7-2018', 'LA-7', '2018-03-10 09:30'),
  order('LA8B-TODAY', 'LA-8B', '2026-11-25 09:00'),
  order('LA9A-TODAY', 'LA-9A', '2026-11-25 09:00'),
];
/** the mall's own account named LA-3 (never ingested): not the POS card LA-3's sale */
const mallOrders = [{ ...order('MALL-LA3-TODAY', 'LA-3', '2026-11-25 09:00'), storeCode: undefined }];

const systems: TestSystem[] = [];
afterAll(async () => {
  for (const s of systems) await s.close();
});

/** the bulk job as linkAll runs it, with either plan of reading the cards' last sales (lastSalesSql) */
async function bulk(s: TestSystem, lastSales: 'index' | 'scan') {
  await s.database.db.transaction(async (tx) => {
    await bulkLink(tx, {
      today: shanghaiDay(now),
      now,
      job: `la${lastSales}`,
      actorId: 'test',
      dormantDays: LINK_LIMITS.dormantDays,
      phoneLimit: LINK_LIMITS.phoneRecords,
      keyLimit: LINK_LIMITS.keyRecords,
      storePhones: (await createIdentityRepo(tx).storePhones()).map(storePhoneKey),
      lastSales,
    });
  });
}

async function linked(mode: 'incremental' | 'index' | 'scan') {
  const s = await startTestSystem();
  systems.push(s);
  const linking = mode === 'incremental' ? 'incremental' : 'deferred';
  const common = { keyId: null, requestId: null, storeId: null };
  const records = (source: 'pos' | 'mall', list: unknown[], how: 'incremental' | 'deferred', at = now) =>
    ingestAndLog(s.database, { ...common, now: at, source, records: list, linking: how, operation: 'import.records' });
  // the history first: each order waits for its card and joins its customer when the card comes
  await ingestOrdersAndLog(s.database, {
    ...common,
    now,
    source: 'pos',
    orders: posOrders,
    operation: 'import.orders',
  });
  await ingestOrdersAndLog(s.database, {
    ...common,
    now,
    source: 'mall',
    orders: mallOrders,
    operation: 'import.orders',
  });
  await records('pos', merged, 'incremental', dayBefore);
  await records('pos', mergedLater, 'incremental');
  await records('pos', cards, linking);
  // a sale on LA-5 at the till today, voided: refunded whole, it is no visit
  const sale = await posCall(s, '/api/pos/orders', {
    idempotencyKey: uniqueKey('ord'),
    externalId: 'LA5-TODAY',
    posCardNo: 'LA-5',
    orderedAt: s.clock.now().toISOString(),
    totalFen: 3000,
    discountFen: 0,
    paidFen: 3000,
    lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 3000, amountFen: 3000 }],
  });
  expect(sale.status, JSON.stringify(sale.body)).toBe(200);
  const voided = await posCall(s, '/api/pos/void', { idempotencyKey: uniqueKey('void'), externalOrderId: 'LA5-TODAY' });
  expect(voided.status, JSON.stringify(voided.body)).toBe(200);
  await records('mall', malls, linking);
  if (mode !== 'incremental') await bulk(s, mode);

  const customers = await s.database.exec(
    `select string_agg(source_id, ',' order by source_id collate "C") as records from source_records
      where source_id like 'LA-%' or source_id like 'mall_la%' group by customer_id`,
  );
  const holds = await s.database.exec(
    `select distinct r.source_id, h.reason from held_links h join source_records r on r.id = h.record_id
      where r.source = 'pos' and r.source_id like 'LA-%'`,
  );
  // the survivor of LA-9A and LA-9B is LA-9B's customer, so LA-9A's sale is under a customer it was merged into
  const [la9] = await s.database.exec(
    `select o.customer_id = b.customer_id and o.customer_id <> m.merged_id as moved
      from orders o join source_records a on a.source = 'pos' and a.source_id = 'LA-9A'
        join source_records b on b.source = 'pos' and b.source_id = 'LA-9B'
        join identity_merges m on m.survivor_id = b.customer_id
      where o.external_id = 'LA9A-TODAY'`,
  );
  return {
    customers: customers.map((c) => String(c.records)).sort(),
    holds: holds.map((h) => `${h.source_id} ${h.reason}`).sort(),
    saleUnderSurvivor: la9?.moved === true,
  };
}

describe('a card’s last activity in the bulk linker', () => {
  it('is the incremental linker’s, to the chain’s day, counting only the card’s own sales that stand', async () => {
    const incremental = await linked('incremental');
    expect(incremental).toEqual({
      customers: [
        'LA-1,mall_la1',
        'LA-2',
        'LA-3',
        'LA-4',
        'LA-5',
        'LA-6,mall_la6',
        'LA-7,mall_la7',
        'LA-8A,LA-8B',
        'LA-9A,LA-9B,mall_la9',
        'mall_la2',
        'mall_la3',
        'mall_la4',
        'mall_la5',
        'mall_la8',
      ],
      holds: ['LA-2 dormant_card', 'LA-3 dormant_card', 'LA-4 dormant_card', 'LA-5 dormant_card', 'LA-8A dormant_card'],
      saleUnderSurvivor: true,
    });
    expect(await linked('index')).toEqual(incremental);
    expect(await linked('scan')).toEqual(incremental);
  }, 180_000);
});
