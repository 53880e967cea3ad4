/**
 * 会员资料导入: HQ uploads a POS export from the staff pages; it runs through the same import as the CLI (records
 * with per-record linking, or orders), once per distinct upload, with a summary whose refused rows say why in
 * Chinese; nobody below HQ may upload or read the uploads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMPORT_LIMITS } from '../../../shared/contracts/identity.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';

let sys: TestSystem;
let hq: string;
beforeAll(async () => {
  sys = await startTestSystem();
  hq = await staffToken(sys, 'u_hq01');
});
afterAll(async () => sys?.close());

const MEMBERS = [
  '会员卡号,姓名,性别,生日,手机号,地址,门店编号,最近消费日期',
  '6610000001,冯建华,男,1958-04-02,139 5711 4001,浙江省杭州市西湖区文三路1号,HZ001,2026-11-02',
  '6610000002,冯建华,男,1958-04-02,+86 13957114001,,HZ001,2026-10-11',
  '6610000003,钱玉兰,女,1962-09-15,13957114003,,HZ001,2026-11-20',
  '6610000004,孙立,男,,13957114004,,ZZ999,2026-11-20',
].join('\n');

const ORDERS = [
  '单据号,会员卡号,门店编号,销售时间,商品编码,商品名称,数量,单价,金额,整单优惠,实收金额',
  'XS-UP-0001,6610000001,HZ001,2026-11-02 10:15,MD100001,苯磺酸氨氯地平片,2,17.00,34.00,0,34.00',
  'XS-UP-0002,6610000003,HZ001,2026-11-20 09:01,MD100002,二甲双胍缓释片,1,29.50,29.50,0,29.50',
  'XS-UP-0003,6610000003,HZ001,2026-11-20 09:30,MD100001,苯磺酸氨氯地平片,0,17.00,0,0,0',
].join('\n');

const upload = (body: Record<string, unknown>, token = hq) =>
  sys.call('/api/staff/identity/imports/upload', { token, body });

describe('file imports from the staff pages', () => {
  it('lists the formats with the columns each reads', async () => {
    const res = await sys.call('/api/staff/identity/imports/formats', { token: hq });
    expect(res.status).toBe(200);
    expect(res.body.limits).toEqual(IMPORT_LIMITS);
    const pos = res.body.mappings.find((m: { name: string }) => m.name === 'pos-legacy');
    expect(pos).toMatchObject({ kind: 'records', source: 'pos', label: expect.stringContaining('会员资料') });
    expect(pos.columns).toEqual(expect.arrayContaining(['会员卡号', '姓名', '手机号']));
    expect(res.body.mappings.map((m: { kind: string }) => m.kind)).toEqual(
      expect.arrayContaining(['records', 'orders']),
    );
  });

  it('imports a POS member export: links one person’s two cards, refuses a row with why in Chinese', async () => {
    const res = await upload({ mapping: 'pos-legacy', fileName: '西湖店会员.csv', content: MEMBERS });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      kind: 'records',
      status: 'done',
      repeated: false,
      fileName: '西湖店会员.csv',
      staffName: '陈敏',
      // the second card joins the first one's customer as it comes in
      summary: { rows: 4, created: 3, rejected: 1, linked: 1, rejections: [expect.any(Object)] },
    });
    expect(res.body.summary.rejections[0]).toEqual({
      row: 4,
      id: '6610000004',
      code: 'unknown_store',
      explanation: '门店编码 ZZ999 不存在，请核对门店编码',
      reason: 'unknown store_code ZZ999',
    });
    const cards = await sys.database.exec(
      `select source_id, customer_id from source_records where source = 'pos' and source_id like '66100000%' order by 1`,
    );
    expect(cards).toHaveLength(3);
    expect(cards[0].customer_id).toBe(cards[1].customer_id);
    expect(cards[2].customer_id).not.toBe(cards[0].customer_id);
    const [audit] = await sys.database.exec(
      `select actor_id, details from audit_log where action = 'identity.import' order by at desc limit 1`,
    );
    expect(audit).toMatchObject({ actor_id: 'stf_hq01', details: { fileName: '西湖店会员.csv', rows: 4 } });
  });

  it('answers the same file again from the first import, and imports nothing twice', async () => {
    const before = await sys.database.exec(`select count(*)::int as n from source_records`);
    const first = await sys.call('/api/staff/identity/imports', { token: hq });
    const again = await upload({ mapping: 'pos-legacy', fileName: '西湖店会员(1).csv', content: MEMBERS });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ repeated: true, id: first.body.imports[0].id, fileName: '西湖店会员.csv' });
    expect(await sys.database.exec(`select count(*)::int as n from source_records`)).toEqual(before);
    expect(await sys.database.exec(`select count(*)::int as n from data_imports`)).toEqual([{ n: 1 }]);
  });

  it('imports a POS sales export: orders go to their members, a zero quantity is refused', async () => {
    sys.clock.advance(60_000);
    const res = await upload({ mapping: 'pos-orders-legacy', fileName: '销售明细.csv', content: ORDERS });
    expect(res.status).toBe(200);
    expect(res.body.summary).toMatchObject({ rows: 3, orders: 3, created: 2, rejected: 1, ordersKnown: 2 });
    expect(res.body.summary.rejections[0]).toMatchObject({
      row: 3,
      id: 'XS-UP-0003',
      code: 'line_quantity_invalid',
      explanation: expect.stringContaining('第1行商品的数量应为大于等于1的整数'),
    });
    const [order] = await sys.database.exec(
      `select o.customer_id, r.customer_id as card_customer from orders o
         join source_records r on r.source = 'pos' and r.source_id = '6610000003'
        where o.external_id = 'XS-UP-0002'`,
    );
    expect(order.customer_id).toBe(order.card_customer);
  });

  it('lists the uploads newest first with their summaries', async () => {
    const res = await sys.call('/api/staff/identity/imports', { token: hq });
    expect(res.status).toBe(200);
    expect(res.body.imports.map((i: { fileName: string }) => i.fileName)).toEqual(['销售明细.csv', '西湖店会员.csv']);
    expect(res.body.imports[1].mappingLabel).toContain('门店收银会员资料');
  });

  it('is told while the same file is running, and takes over a run that died', async () => {
    const content = `${MEMBERS.split('\n')[0]}\n6610000009,周强,男,1970-01-01,13957114009,,HZ001,2026-11-20`;
    const body = { mapping: 'pos-legacy', fileName: 'retry.csv', content };
    const first = await upload(body);
    expect(first.body.status).toBe('done');
    // as if a second upload is still running, then as if its function had died ten minutes ago
    await sys.database.exec(`update data_imports set status = 'running', started_at = $1 where id = $2`, [
      sys.clock.now().toISOString(),
      first.body.id,
    ]);
    const busy = await upload(body);
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('IMPORT_RUNNING');
    await sys.database.exec(`update data_imports set started_at = $1 where id = $2`, [
      new Date(sys.clock.now().getTime() - 10 * 60_000).toISOString(),
      first.body.id,
    ]);
    const retaken = await upload(body);
    expect(retaken.status).toBe(200);
    expect(retaken.body).toMatchObject({ id: first.body.id, status: 'done', repeated: false });
    // the card came in once: the second run found it unchanged
    expect(retaken.body.summary).toMatchObject({ created: 0, unchanged: 1 });
  });

  it('refuses an unknown format and a member file over the row limit, storing nothing', async () => {
    const before = await sys.database.exec(`select count(*)::int as n from data_imports`);
    const unknown = await upload({ mapping: 'nope', fileName: 'a.csv', content: MEMBERS });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('IMPORT_MAPPING_UNKNOWN');
    const rowsOver = Array.from(
      { length: IMPORT_LIMITS.memberRows + 1 },
      (_, i) => `${7700000000 + i},王${i},男,,13957115000,,HZ001,2026-11-01`,
    );
    const big = await upload({
      mapping: 'pos-legacy',
      fileName: 'big.csv',
      content: [MEMBERS.split('\n')[0], ...rowsOver].join('\n'),
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('IMPORT_TOO_LARGE');
    const empty = await upload({ mapping: 'pos-legacy', fileName: '', content: MEMBERS });
    expect(empty.status).toBe(400);
    expect(await sys.database.exec(`select count(*)::int as n from data_imports`)).toEqual(before);
  });

  it('is HQ only', async () => {
    for (const user of ['u_sm01', 'u_rm01', 'u_ck01']) {
      const token = await staffToken(sys, user);
      expect((await upload({ mapping: 'pos-legacy', fileName: 'x.csv', content: MEMBERS }, token)).status).toBe(403);
      expect((await sys.call('/api/staff/identity/imports', { token })).status).toBe(403);
      expect((await sys.call('/api/staff/identity/imports/formats', { token })).status).toBe(403);
    }
  });
});
