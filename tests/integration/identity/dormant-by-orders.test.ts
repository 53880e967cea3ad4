/**
 * A card's last activity is the later of the date its till or export sent (last_active) and its last sale on record:
 * QA found a card sent without a date, whose sales ended in 2019, offered to the stranger who got its recycled number
 * at sign-up ("最近到店 2019年6月"), and a card sent with 2019 but sold to today still shown to its store as unused
 * since 2019. The linker, the offer to the member, the member's confirm page and the store's review read one date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestAndLog } from '../../../functions/app/identity/ingest.js';
import { ingestOrdersAndLog } from '../../../functions/app/identity/ingest-orders.js';
import { linkAll } from '../../../functions/app/identity/link-all.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { posCall, uniqueKey } from '../loyalty/loyalty-fixtures.js';
import { signUpAs, staffToken } from '../onboarding/helpers.js';
import { customerOf, ingest, ingestOrders } from './helpers.js';

let sys: TestSystem;
let manager: string;
beforeAll(async () => {
  sys = await startTestSystem();
  manager = await staffToken(sys, 'u_sm01');
});
afterAll(async () => sys?.close());

/** today at the chain's stores (the test clock is 2026-11-25T02:00Z: 10:00 in Hangzhou) */
const TODAY = '2026-11-25';

type Listed = {
  id: string;
  reason: string;
  record: { name: string; lastActive: string | null };
  candidate: { customerId: string };
};
const storeHolds = async (name: string): Promise<Listed[]> =>
  (await sys.call('/api/staff/identity/holds', { token: manager })).body.holds.filter(
    (h: Listed) => h.record.name === name,
  );
const matches = async (token: string) => (await sys.call('/api/identity/held-matches', { token })).body.matches;
const confirm = (token: string, matchId: string) =>
  sys.call('/api/identity/held-matches/decide', { token, body: { matchId, decision: 'confirm' } });

/** A history order of the card (the order API: a till's export of past sales). */
const pastSale = (externalId: string, card: string, orderedAt: string) => ({
  externalId,
  memberId: card,
  orderedAt,
  lines: [{ sku: 'MD100001', quantity: 1, unitPrice: '17.00' }],
});

/** A sale on the card at 文三路店's till now. */
async function tillSaleToday(card: string, externalId: string, fen: number) {
  const sale = await posCall(sys, '/api/pos/orders', {
    idempotencyKey: uniqueKey('ord'),
    externalId,
    posCardNo: card,
    orderedAt: sys.clock.now().toISOString(),
    totalFen: fen,
    discountFen: 0,
    paidFen: fen,
    lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: fen, amountFen: fen }],
  });
  expect(sale.status, JSON.stringify(sale.body)).toBe(200);
}

describe('a card whose sales ended years ago', () => {
  it('is not offered to a new sign-up on its phone: the store reviews it, told when it was last used', async () => {
    const phone = '13957140101';
    // 吕国华's card, sent without a last-active date; its sales of 2018-2019 come through the order API
    await ingest(sys, [
      { sourceId: '8840000101', cardNo: '8840000101', name: '吕国华', gender: '男', phone, storeCode: 'HZ001' },
    ]);
    const orders = await ingestOrders(sys, [
      pastSale('LGH-2018-1', '8840000101', '2018-03-10 09:30'),
      pastSale('LGH-2019-1', '8840000101', '2019-06-15 16:20'),
      pastSale('LGH-2018-2', '8840000101', '2018-11-02 11:00'),
    ]);
    expect(orders.body).toMatchObject({ created: 3, members: { known: 3 } });

    // the number was recycled: a stranger signs up with it
    sys.clock.advance(60_000);
    const stranger = sys.sim.addUser({ nickname: '小林', phone });
    const { token, register } = await signUpAs(sys, stranger.id, null);
    expect(register.status, JSON.stringify(register.body)).toBe(200);
    expect(register.body.heldMatches).toEqual([]);
    expect(await matches(token)).toEqual([]);
    const [hold] = await sys.database.exec(
      `select h.id, h.reason from held_links h join source_records r on r.id = h.record_id
        where r.source_id = '8840000101' and h.candidate_customer_id = $1`,
      [register.body.customerId],
    );
    expect(hold.reason).toBe('dormant_card');
    // a hold id learnt some other way is refused, and nothing merges
    const refused = await confirm(token, String(hold.id));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('HELD_MATCH_NEEDS_STORE');
    expect(await customerOf(sys, 'pos', '8840000101')).not.toBe(register.body.customerId);

    // the store's review has it, with the day of its last sale
    const listed = await storeHolds('吕国华');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id: hold.id,
      reason: 'dormant_card',
      record: { lastActive: '2019-06-15' },
      candidate: { customerId: register.body.customerId },
    });
  });
});

describe('a card sent with an old date and sold to today', () => {
  it('shows today in the store’s evidence, and its hold still waits for the store', async () => {
    const phone = '13957140202';
    // held against the mall account on its phone while it looked unused since 2019
    await ingest(sys, [
      {
        sourceId: '8840000201',
        cardNo: '8840000201',
        name: '陈志明',
        gender: '男',
        phone,
        storeCode: 'HZ001',
        lastActive: '2019-06-01',
      },
    ]);
    sys.clock.advance(60_000);
    await ingest(sys, [{ sourceId: 'mall_czm', mallAccount: 'mall_czm', name: '平安是福', phone }], 'key_mall');
    const [before] = await storeHolds('陈志明');
    expect(before).toMatchObject({ reason: 'dormant_card', record: { lastActive: '2019-06-01' } });

    // a 300-yuan sale on the card at 文三路店 today
    sys.clock.advance(60_000);
    await tillSaleToday('8840000201', 'CZM-TODAY-1', 30_000);

    const [after] = await storeHolds('陈志明');
    // the same question, asked as it was (why it was held), with the card's real last use beside it
    expect(after).toMatchObject({ id: before.id, reason: 'dormant_card', record: { lastActive: TODAY } });
    // a sale is no one's answer to the hold: nothing merged
    expect(await customerOf(sys, 'pos', '8840000201')).not.toBe(await customerOf(sys, 'mall', 'mall_czm'));
    const [h] = await sys.database.exec('select status from held_links where id = $1', [before.id]);
    expect(h.status).toBe('open');
  });

  it('is active for the linker: a sign-up on its phone is offered it, last visit this month', async () => {
    const phone = '13957140303';
    await ingest(sys, [
      {
        sourceId: '8840000301',
        cardNo: '8840000301',
        name: '赵建华',
        gender: '男',
        phone,
        storeCode: 'HZ001',
        lastActive: '2019-06-01',
      },
    ]);
    sys.clock.advance(60_000);
    await tillSaleToday('8840000301', 'ZJH-TODAY-1', 30_000);

    sys.clock.advance(60_000);
    const owner = sys.sim.addUser({ nickname: 'Zhao', phone });
    const { token, register } = await signUpAs(sys, owner.id, null);
    expect(register.status, JSON.stringify(register.body)).toBe(200);
    expect(register.body.heldMatches).toEqual([expect.objectContaining({ cardMasked: '88****0301' })]);
    const [offered] = await matches(token);
    expect(offered).toMatchObject({ cardMasked: '88****0301', lastVisit: TODAY.slice(0, 7) });
    const [hold] = await sys.database.exec(
      `select h.reason from held_links h join source_records r on r.id = h.record_id
        where r.source_id = '8840000301' and h.candidate_customer_id = $1`,
      [register.body.customerId],
    );
    expect(hold.reason).not.toBe('dormant_card');
    expect((await confirm(token, offered.matchId)).status).toBe(200);
    expect(await customerOf(sys, 'pos', '8840000301')).toBe(register.body.customerId);
  });
});

describe('a sale refunded whole', () => {
  it('does not end the card’s dormancy: it is not a visit that stands', async () => {
    const phone = '13957140505';
    await ingest(sys, [
      {
        sourceId: '8840000501',
        cardNo: '8840000501',
        name: '钱卫东',
        gender: '男',
        phone,
        storeCode: 'HZ001',
        lastActive: '2019-06-01',
      },
    ]);
    sys.clock.advance(60_000);
    await tillSaleToday('8840000501', 'QWD-TODAY-1', 30_000);
    const voided = await posCall(sys, '/api/pos/void', {
      idempotencyKey: uniqueKey('void'),
      externalOrderId: 'QWD-TODAY-1',
    });
    expect(voided.status, JSON.stringify(voided.body)).toBe(200);

    sys.clock.advance(60_000);
    const stranger = sys.sim.addUser({ nickname: '小钱', phone });
    const { token, register } = await signUpAs(sys, stranger.id, null);
    expect(register.status, JSON.stringify(register.body)).toBe(200);
    expect(register.body.heldMatches).toEqual([]);
    expect(await matches(token)).toEqual([]);
    const [listed] = await storeHolds('钱卫东');
    expect(listed).toMatchObject({ reason: 'dormant_card', record: { lastActive: '2019-06-01' } });
  });
});

describe('a card in use', () => {
  it('is still offered to the member who signs up with its phone', async () => {
    const phone = '13957140404';
    await ingest(sys, [
      {
        sourceId: '8840000401',
        cardNo: '8840000401',
        name: '周红',
        gender: '女',
        phone,
        storeCode: 'HZ001',
        lastActive: '2026-10-08',
      },
      // no date sent and no sale on record: unknown, which is not dormant
      { sourceId: '8840000402', cardNo: '8840000402', name: '周红', gender: '女', phone, storeCode: 'HZ001' },
    ]);
    sys.clock.advance(60_000);
    const owner = sys.sim.addUser({ nickname: 'Hong', phone });
    const { token, register } = await signUpAs(sys, owner.id, null);
    expect(register.status, JSON.stringify(register.body)).toBe(200);
    const offered = await matches(token);
    expect(offered.map((m: { cardMasked: string }) => m.cardMasked).sort()).toEqual(['88****0401', '88****0402']);
    expect(offered.find((m: { cardMasked: string }) => m.cardMasked === '88****0401').lastVisit).toBe('2026-10');
  });
});

describe('the bulk linker and the incremental one', () => {
  // the same cards and sales: a card with no date and old sales (dormant), one with an old date and a sale today
  // (active), one with an old date and nothing since (dormant); each beside a mall nickname of the same gender on
  // its phone, which joins an active card and not a dormant one
  const now = new Date('2026-11-25T02:00:00Z');
  const cards = [
    { sourceId: 'BK-1', cardNo: 'BK-1', name: '吕国华', gender: '男', phone: '13957150101', storeCode: 'HZ001' },
    {
      sourceId: 'BK-2',
      cardNo: 'BK-2',
      name: '赵建华',
      gender: '男',
      phone: '13957150202',
      storeCode: 'HZ001',
      lastActive: '2019-06-01',
    },
    {
      sourceId: 'BK-3',
      cardNo: 'BK-3',
      name: '孙立新',
      gender: '男',
      phone: '13957150303',
      storeCode: 'HZ001',
      lastActive: '2019-06-01',
    },
  ];
  const malls = [
    { sourceId: 'mall_bk1', mallAccount: 'mall_bk1', name: '知足常乐', gender: '男', phone: '13957150101' },
    { sourceId: 'mall_bk2', mallAccount: 'mall_bk2', name: '开心每一天', gender: '男', phone: '13957150202' },
    { sourceId: 'mall_bk3', mallAccount: 'mall_bk3', name: '岁月静好啊', gender: '男', phone: '13957150303' },
  ];
  const orders = [
    { ...pastSale('BK1-2019', 'BK-1', '2019-06-15 16:20'), storeCode: 'HZ001' },
    { ...pastSale('BK2-TODAY', 'BK-2', '2026-11-25 09:00'), storeCode: 'HZ001' },
  ];

  async function linked(mode: 'incremental' | 'bulk') {
    const s = await startTestSystem();
    try {
      const linking = mode === 'bulk' ? 'deferred' : 'incremental';
      const common = { keyId: null, requestId: null, now, storeId: null };
      await ingestOrdersAndLog(s.database, { ...common, source: 'pos', orders, operation: 'import.orders' });
      await ingestAndLog(s.database, {
        ...common,
        source: 'pos',
        records: cards,
        linking,
        operation: 'import.records',
      });
      await ingestAndLog(s.database, {
        ...common,
        source: 'mall',
        records: malls,
        linking,
        operation: 'import.records',
      });
      if (mode === 'bulk') await linkAll(s.database, { now });
      const customers = await s.database.exec(
        `select string_agg(source_id, ',' order by source_id) as records from source_records
          where source_id like 'BK-%' or source_id like 'mall_bk%' group by customer_id order by 1`,
      );
      const holds = await s.database.exec(
        `select distinct r.source_id, h.reason from held_links h join source_records r on r.id = h.record_id
          where r.source = 'pos' order by 1, 2`,
      );
      return { customers: customers.map((c) => c.records), holds };
    } finally {
      await s.close();
    }
  }

  it('give the same customers and holds when the card’s sales are on record', async () => {
    const incremental = await linked('incremental');
    expect(incremental.customers).toEqual(['BK-1', 'BK-2,mall_bk2', 'BK-3', 'mall_bk1', 'mall_bk3']);
    expect(incremental.holds).toEqual([
      { source_id: 'BK-1', reason: 'dormant_card' },
      { source_id: 'BK-3', reason: 'dormant_card' },
    ]);
    expect(await linked('bulk')).toEqual(incremental);
  }, 120_000);
});
