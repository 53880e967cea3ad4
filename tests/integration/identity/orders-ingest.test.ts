/**
 * Purchase history in: a POS sales export with Chinese headers through `npm run import -- --kind orders`'s code
 * path, and the signed order API. Orders land once, go to their member's customer or wait for the member's card,
 * and bad rows are refused with a reason each while the rest lands.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pointsRepo } from '../../../functions/adapters/db/repos/points.repo.js';
import { FieldMappingSchema } from '../../../functions/app/identity/import-file.js';
import { importOrdersFile } from '../../../functions/app/identity/import-orders.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';
import { customerOf, ingest, ingestOrders } from './helpers.js';

const FILE = fileURLToPath(new URL('../../fixtures/pos-orders-legacy.csv', import.meta.url));
const MAPPING_FILE = fileURLToPath(new URL('../../../config/import-mappings/pos-orders-legacy.json', import.meta.url));

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const card = (n: string) => ({
  sourceId: n,
  cardNo: n,
  name: '周敏',
  birthday: '1968-05-02',
  phone: '13957112233',
  storeCode: 'HZ001',
  lastActive: '2026-11-01',
});

async function importFixture() {
  const mapping = FieldMappingSchema.parse(JSON.parse(await readFile(MAPPING_FILE, 'utf8')));
  return importOrdersFile(sys.database, { file: FILE, source: 'pos', mapping, now: sys.clock.now() });
}

const ordersTable = () =>
  sys.database.exec(
    `select o.external_id, o.customer_id, o.member_source_id, o.store_id, o.total_fen, o.discount_fen, o.paid_fen,
            o.ordered_at::text as ordered_at,
            (select json_agg(json_build_object('sku', l.sku, 'product', l.product_id, 'name', l.product_name,
                     'qty', l.quantity, 'unit', l.unit_price_fen, 'amount', l.amount_fen) order by l.line_no)
               from order_lines l where l.order_id = o.id) as lines
       from orders o where o.external_id like 'XS%' or o.external_id like 'MALL%' order by o.source, o.external_id`,
  );

describe('order history import (a POS export with Chinese headers)', () => {
  it('lands the good orders, each with its member, and refuses the bad rows with a reason each', async () => {
    await ingest(sys, [card('8820000001')]);
    const member = await customerOf(sys, 'pos', '8820000001');

    const s = await importFixture();
    expect(s).toMatchObject({
      rows: 14,
      orders: 10,
      created: 5,
      unchanged: 0,
      rejected: 6,
      members: { known: 3, waiting: 1, none: 1 },
      unknownSkuLines: 1,
    });
    const reasons = Object.fromEntries(s.rejections.map((r) => [r.externalId ?? `row ${r.row}`, r.reason]));
    expect(reasons).toEqual({
      // an exchange: a returned line and a sold one in one document
      XS20261101004: expect.stringMatching(/both sold and returned \(negative\) lines/),
      XS20261101005: expect.stringMatching(/disagree on orderedAt/),
      'row 10': 'the order number is missing',
      XS20261101006: 'unknown store_code HZ999',
      XS20261101007: expect.stringMatching(/line 1: unit price must be an amount in yuan ≥ 0 with at most two/),
      XS20261101008: 'orderedAt is in the future',
    });
    // the file line of each refusal, as Excel numbers the rows (the header is line 1)
    expect(s.rejections.find((r) => r.externalId === 'XS20261101006')?.row).toBe(11);

    const orders = await ordersTable();
    expect(orders.map((o) => o.external_id)).toEqual([
      'XS20261101001',
      'XS20261101002',
      'XS20261101003',
      'XS20261101009',
    ]);
    const [o1, o2, o3, o9] = orders;
    // two lines, the order's discount given once, paid = total - discount; 09:15 Beijing time is 01:15 UTC
    expect(o1).toMatchObject({
      customer_id: member,
      store_id: 'sto_001',
      total_fen: 9660,
      discount_fen: 400,
      paid_fen: 9260,
      ordered_at: '2026-11-01 01:15:22+00',
    });
    expect(o1.lines).toEqual([
      {
        sku: 'MD100003',
        product: 'prd_md100003',
        name: '络活喜 苯磺酸氨氯地平片 5mg×28片',
        qty: 1,
        unit: 6260,
        amount: 6260,
      },
      {
        sku: 'MD100001',
        product: 'prd_md100001',
        name: '络活喜 苯磺酸氨氯地平片 5mg×7片',
        qty: 2,
        unit: 1700,
        amount: 3400,
      },
    ]);
    // a card MedLoop does not know yet: the order keeps it and waits; a SKU outside the catalogue keeps its name
    expect(o2).toMatchObject({ customer_id: null, member_source_id: '8820000002', total_fen: 2990 });
    expect(o2.lines).toEqual([
      { sku: 'VC0001', product: null, name: '维生素C泡腾片 10片', qty: 1, unit: 2990, amount: 2990 },
    ]);
    // a walk-in sale
    expect(o3).toMatchObject({ customer_id: null, member_source_id: null, store_id: 'sto_002', total_fen: 3540 });
    // full-width card number and quantity, a ¥ price and no amount
    expect(o9).toMatchObject({ customer_id: member, member_source_id: '8820000001', total_fen: 3400, paid_fen: 3400 });

    const quarantined = await sys.database.exec(
      "select kind, source, source_id, reason from ingest_quarantine where kind = 'order' order by source_id nulls first",
    );
    expect(quarantined).toHaveLength(6);
    expect(quarantined[0]).toMatchObject({ kind: 'order', source: 'pos', source_id: null });
    const log = await sys.database.exec(
      "select status, records, accepted, rejected from integration_log where operation = 'import.orders' order by id",
    );
    // the order whose rows disagree never became an order: the batch had the other nine; it and the row without an
    // order number were refused before the ingest, and are logged as refused too (数据对接状态 counts them)
    expect(log).toEqual([
      { status: 'partial', records: 9, accepted: 5, rejected: 4 },
      { status: 'failed', records: 2, accepted: 0, rejected: 2 },
    ]);
    // a return (negative quantities, 原单号 given): stored with its amounts positive, and the member's spend is less
    const [ret] = await sys.database.exec(
      `select kind, original_external_id, customer_id, total_fen, paid_fen,
              (select quantity from order_lines where order_id = o.id) as qty
         from orders o where external_id = 'TH20261102010'`,
    );
    expect(ret).toEqual({
      kind: 'return',
      original_external_id: 'XS20261101001',
      customer_id: member,
      total_fen: 1700,
      paid_fen: 1700,
      qty: 1,
    });
    const [sale] = await sys.database.exec(`select kind from orders where external_id = 'XS20261101001'`);
    expect(sale.kind).toBe('sale');
    const spend = await pointsRepo.spendSince(sys.database.db, member, new Date('2026-01-01T00:00:00Z'));
    expect(spend).toBe(9260 + 3400 - 1700);
  });

  it('changes no order when the same file is imported again', async () => {
    const before = await ordersTable();
    sys.clock.advance(3_600_000);
    const s = await importFixture();
    expect(s).toMatchObject({ orders: 10, created: 0, unchanged: 5, rejected: 6 });
    expect(await ordersTable()).toEqual(before);
  });

  it('gives the waiting order to the card when the card arrives', async () => {
    const res = await ingest(sys, [{ ...card('8820000002'), name: '周建国', birthday: '1966-01-20' }]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 1, ordersAttached: 1 });
    const [o2] = (await ordersTable()).filter((o) => o.external_id === 'XS20261101002');
    expect(o2.customer_id).toBe(await customerOf(sys, 'pos', '8820000002'));
  });
});

describe('order history import: files as they come', () => {
  it('refuses an order whose rows are apart whole, and reads JSON lines and CSV with bad lines in them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medloop-orders-'));
    try {
      const row = (order: string, sku: string, extra: Record<string, unknown> = {}) => ({
        source: 'mall',
        order_id: order,
        ordered_at: '2026-11-02 10:00',
        sku,
        quantity: 1,
        unit_price: '17.00',
        ...extra,
      });
      const jsonl = join(dir, 'mall.jsonl');
      await writeFile(
        jsonl,
        [
          JSON.stringify(row('TMA', 'MD100001')),
          JSON.stringify(row('TMB', 'MD100001')),
          '{"source": "mall", broken',
          JSON.stringify(row('TMA', 'MD100002')), // the second item of TMA, after TMB's
          JSON.stringify(row('TMC', 'MD100001')),
          JSON.stringify(row('TMC', 'MD100002')),
        ].join('\n'),
      );
      const s = await importOrdersFile(sys.database, { file: jsonl, now: sys.clock.now() });
      expect(s).toMatchObject({ rows: 6, orders: 3, created: 2, rejected: 2 });
      expect(s.rejections).toEqual([
        {
          row: 1,
          externalId: 'TMA',
          refusal: { code: 'order_rows_apart', params: { externalId: 'TMA' } },
          reason: expect.stringMatching(/rows of order TMA are not together in the file/),
        },
        { row: 3, externalId: null, refusal: { code: 'json_invalid' }, reason: 'not valid JSON' },
      ]);
      const stored = await sys.database.exec(
        `select o.external_id, count(l.*)::int as lines from orders o join order_lines l on l.order_id = o.id
          where o.external_id like 'TM%' group by o.external_id order by 1`,
      );
      // TMA is not imported with half its items; TMC has both
      expect(stored).toEqual([
        { external_id: 'TMB', lines: 1 },
        { external_id: 'TMC', lines: 2 },
      ]);
      const [q] = await sys.database.exec(
        "select count(*)::int as n from ingest_quarantine where kind = 'order' and source_id = 'TMA'",
      );
      expect(q.n).toBe(2);

      const csv = join(dir, 'pos.csv');
      await writeFile(
        csv,
        'source,order_id,ordered_at,sku,quantity,unit_price\r\npos,XSC1,2026-11-02 10:00,MD100001,1,17.00\r\npos,"XSC2,2026-11-02 10:00,MD100001,1,17.00\r\n',
      );
      const c = await importOrdersFile(sys.database, { file: csv, now: sys.clock.now() });
      expect(c).toMatchObject({ created: 1, rejected: 1 });
      expect(c.rejections[0].reason).toMatch(/^malformed CSV: /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('POST /api/ingest/orders', () => {
  const mallOrder = (id: string, over: Record<string, unknown> = {}) => ({
    externalId: id,
    memberId: 'mall_zm',
    orderedAt: '2026-11-20T06:30:00Z',
    discountFen: 500,
    lines: [{ sku: 'MD100002', quantity: 1, unitPriceFen: 3400 }],
    ...over,
  });

  it('takes a mall batch order by order: the good ones land with their member, a bad one is refused', async () => {
    await ingest(
      sys,
      [{ sourceId: 'mall_zm', mallAccount: 'mall_zm', name: '周敏', phone: '13957112233' }],
      'key_mall',
    );
    const res = await ingestOrders(
      sys,
      [
        mallOrder('MALL0001'),
        mallOrder('MALL0002', { couponCode: 'X' }),
        mallOrder('MALL0003', { memberId: null, lines: [{ sku: 'MD100001', quantity: 2, amountFen: 3000 }] }),
      ],
      'key_mall',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      received: 3,
      created: 2,
      rejected: 1,
      members: { known: 1, waiting: 0, none: 1 },
    });
    expect(res.body.results[1]).toMatchObject({ status: 'rejected', reason: 'unknown field couponCode' });
    const mall = (await ordersTable()).filter((o) => String(o.external_id).startsWith('MALL'));
    expect(mall).toMatchObject([
      {
        external_id: 'MALL0001',
        customer_id: await customerOf(sys, 'mall', 'mall_zm'),
        total_fen: 3400,
        paid_fen: 2900,
      },
      { external_id: 'MALL0003', customer_id: null, total_fen: 3000, paid_fen: 2500 },
    ]);
  });

  it('takes a mall refund as a return of its order; a replay of it changes nothing', async () => {
    const refund = {
      externalId: 'RF-MALL0001',
      originalExternalId: 'MALL0001',
      memberId: 'mall_zm',
      orderedAt: '2026-11-21T02:00:00Z',
      lines: [{ sku: 'MD100002', quantity: -1, unitPriceFen: 3400, amountFen: -3400 }],
      discountFen: -500,
      paidFen: -2900,
    };
    const res = await ingestOrders(sys, [refund], 'key_mall');
    expect(res.body).toMatchObject({ created: 1, rejected: 0 });
    const again = await ingestOrders(sys, [{ ...refund, paidFen: 2900, discountFen: 500 }], 'key_mall');
    // the same return with its amounts printed positive: the same contents
    expect(again.body.results[0]).toMatchObject({ status: 'unchanged' });
    const [r] = await sys.database.exec(
      `select kind, original_external_id, total_fen, discount_fen, paid_fen from orders where external_id = 'RF-MALL0001'`,
    );
    expect(r).toEqual({
      kind: 'return',
      original_external_id: 'MALL0001',
      total_fen: 3400,
      discount_fen: 500,
      paid_fen: 2900,
    });
  });

  it('answers a replay as unchanged and refuses the same order number with other contents', async () => {
    const before = await ordersTable();
    const res = await ingestOrders(
      sys,
      [mallOrder('MALL0001'), mallOrder('MALL0003', { discountFen: 100 })],
      'key_mall',
    );
    expect(res.body.results).toEqual([
      { index: 0, externalId: 'MALL0001', status: 'unchanged' },
      {
        index: 1,
        externalId: 'MALL0003',
        status: 'rejected',
        code: 'order_changed',
        params: { externalId: 'MALL0003' },
        reason: 'order MALL0003 is stored already with other contents',
      },
    ]);
    expect(await ordersTable()).toEqual(before);
  });

  it("keeps a store's POS key to its own store's orders", async () => {
    const res = await ingestOrders(sys, [
      {
        externalId: 'XS20261120001',
        storeCode: 'HZ002',
        orderedAt: '2026-11-20 10:00',
        lines: [{ sku: 'MD100001', quantity: 1, unitPrice: '17.00' }],
      },
      {
        externalId: 'XS20261120002',
        orderedAt: '2026-11-20 10:05',
        lines: [{ sku: 'MD100001', quantity: 1, unitPrice: '17.00' }],
      },
    ]);
    expect(res.body.results.map((r: { status: string; reason?: string }) => r.reason ?? r.status)).toEqual([
      "store_code HZ002 is not this key's store",
      'created',
    ]);
    const [row] = await sys.database.exec("select store_id from orders where external_id = 'XS20261120002'");
    expect(row.store_id).toBe('sto_001');
  });

  it('refuses, order by order, a line costing more than quantity × unit price and a time no sale has; the rest land', async () => {
    const res = await ingestOrders(
      sys,
      [
        // 会员价 (2 × 17.00 sold at 30.00) and 3 for 10 yuan (3 × 3.33): a line may cost less, or the rounding more
        mallOrder('MALL0101', {
          discountFen: 0,
          lines: [
            { sku: 'MD100001', quantity: 2, unitPriceFen: 1700, amountFen: 3000 },
            { sku: 'VC0003', quantity: 3, unitPrice: '3.33', amount: '10.00' },
          ],
        }),
        mallOrder('MALL0102', { lines: [{ sku: 'MD100001', quantity: 99, unitPriceFen: 1000, amountFen: 9_900_000 }] }),
        mallOrder('MALL0103', { orderedAt: '0000-01-01T00:00:00Z' }),
        mallOrder('MALL0104', { orderedAt: '9999-06-01T00:00:00Z' }),
        mallOrder('MALL0105', { orderedAt: '1900-01-01 10:00' }),
        // a return's line, printed negative, holds to the same rule
        mallOrder('MALL0106', {
          discountFen: 0,
          lines: [{ sku: 'MD100002', quantity: -1, unitPriceFen: 3400, amountFen: -3500 }],
        }),
      ],
      'key_mall',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 6, created: 1, rejected: 5 });
    expect(res.body.results.map((r: { code?: string; status: string }) => r.code ?? r.status)).toEqual([
      'created',
      'line_amount_exceeds',
      'ordered_at_too_old',
      'ordered_at_future',
      'ordered_at_too_old',
      'line_amount_exceeds',
    ]);
    expect(res.body.results[1]).toMatchObject({
      params: { line: 1, amount: 9_900_000, quantity: 99, unitPrice: 1000 },
      reason:
        'line 1: amount 9900000 fen is more than quantity 99 × unit price 1000 fen (a line may cost less, never more)',
    });
    const stored = await sys.database.exec(
      "select external_id, total_fen from orders where external_id like 'MALL01%' order by external_id",
    );
    expect(stored).toEqual([{ external_id: 'MALL0101', total_fen: 4000 }]);
    const quarantined = await sys.database.exec(
      `select source_id, code from ingest_quarantine
        where kind = 'order' and source_id like 'MALL01%' and resolved_at is null order by source_id`,
    );
    expect(quarantined).toEqual([
      { source_id: 'MALL0102', code: 'line_amount_exceeds' },
      { source_id: 'MALL0103', code: 'ordered_at_too_old' },
      { source_id: 'MALL0104', code: 'ordered_at_future' },
      { source_id: 'MALL0105', code: 'ordered_at_too_old' },
      { source_id: 'MALL0106', code: 'line_amount_exceeds' },
    ]);
  });

  it('refuses a malformed body whole, a WeCom key and an unsigned call', async () => {
    expect((await ingestOrders(sys, [], 'key_mall')).status).toBe(400);
    expect((await ingestOrders(sys, [mallOrder('W1')], 'key_wecom')).status).toBe(403);
    const unsigned = await sys.call('/api/ingest/orders', { body: { orders: [mallOrder('U1')] } });
    expect(unsigned.status).toBe(401);
    const stored = await sys.database.exec("select 1 from orders where external_id in ('W1', 'U1')");
    expect(stored).toHaveLength(0);
  });
});

describe('undoing a merge', () => {
  it("sends an order that came after the merge back with its card's person", async () => {
    const wang = (n: string) => ({
      sourceId: n,
      cardNo: n,
      name: '王芳',
      birthday: '1980-08-08',
      phone: '13857100999',
      storeCode: 'HZ001',
      lastActive: '2026-11-01',
    });
    await ingest(sys, [wang('8830000001')]);
    await ingest(sys, [wang('8830000002')]);
    const survivor = await customerOf(sys, 'pos', '8830000001');
    expect(await customerOf(sys, 'pos', '8830000002')).toBe(survivor);
    // whichever card's customer the merge absorbed (the survivor is picked by the rules, not by arrival)
    const [merge] = await sys.database.exec(
      `select m.id, m.merged_id, r.source_id as card from identity_merges m
         join source_records r on r.origin_customer_id = m.merged_id
        where r.source_id in ('8830000001', '8830000002') and m.undone_at is null`,
    );
    const card = String(merge.card);
    // that card buys after the merge: the order goes to the merged person
    const res = await ingestOrders(sys, [
      {
        externalId: 'XS20261124001',
        memberId: card,
        orderedAt: '2026-11-24 09:00',
        lines: [{ sku: 'MD100001', quantity: 1, unitPrice: '17.00' }],
      },
    ]);
    expect(res.body.results[0]).toMatchObject({ status: 'created', customerId: survivor });

    const hq = await staffToken(sys, 'u_hq01');
    const undo = await sys.call('/api/staff/identity/merges/undo', { token: hq, body: { mergeId: merge.id } });
    expect(undo.status).toBe(200);
    const restored = await customerOf(sys, 'pos', card);
    expect(restored).toBe(merge.merged_id);
    expect(restored).not.toBe(survivor);
    const [order] = await sys.database.exec("select customer_id from orders where external_id = 'XS20261124001'");
    expect(order.customer_id).toBe(restored);
  });
});
