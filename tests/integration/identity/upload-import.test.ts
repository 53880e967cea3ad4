/**
 * 数据导入: HQ uploads a POS export from the staff pages; it runs through the same import as the CLI (records with
 * per-record linking, or orders), in steps of one request each, once per distinct upload, with a summary whose
 * refused rows say why in Chinese; nobody below HQ may upload or read the uploads. Steps here end after every batch
 * (IMPORT_STEP_MS=0), so a file of more than one batch takes several.
 */
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadBatchSize } from '../../../functions/app/identity/upload-import.js';
import { IMPORT_LIMITS } from '../../../shared/contracts/identity.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';

let sys: TestSystem;
let hq: string;
beforeAll(async () => {
  sys = await startTestSystem({ env: { IMPORT_STEP_MS: '0' } });
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

/** the file's bytes in GBK, as Chinese Excel's「CSV（逗号分隔）」saves it (no BOM), in base64 */
const inGbk = (text: string) => iconv.encode(text, 'gbk').toString('base64');

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
      // its line in the file, as Excel numbers the rows: the header is line 1
      row: 5,
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
    // the same export saved as GBK reads as the same text: the same import
    const asGbk = await upload({
      mapping: 'pos-legacy',
      fileName: '西湖店会员(GBK).csv',
      contentBase64: inGbk(MEMBERS),
    });
    expect(asGbk.status).toBe(200);
    expect(asGbk.body).toMatchObject({ repeated: true, id: first.body.imports[0].id });
    expect(await sys.database.exec(`select count(*)::int as n from data_imports`)).toEqual([{ n: 1 }]);
  });

  it('reads a GBK export (Chinese Excel’s CSV) sent as its bytes: names, addresses and refusals in Chinese', async () => {
    const file = [
      '会员卡号,姓名,性别,生日,手机号,地址,门店编号,最近消费日期',
      '6610000101,周晓梅,女,1971-03-08,13957114101,浙江省杭州市拱墅区莫干山路18号,HZ001,2026-11-02',
      '6610000102,欧阳瑾,男,1980-12-01,13957114102,,HZ001,2026-11-12',
      '6610000103,褚一鸣,男,,13957114103,,浙江,2026-11-20',
    ].join('\r\n');
    sys.clock.advance(30_000);
    const bytes = Buffer.from(inGbk(file), 'base64');
    // GBK indeed: not UTF-8, and two bytes a Chinese character
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const res = await upload({ mapping: 'pos-legacy', fileName: '拱墅店会员.csv', contentBase64: inGbk(file) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'done',
      sizeBytes: bytes.length,
      summary: { created: 2, rejected: 1 },
    });
    expect(res.body.summary.rejections[0]).toMatchObject({ row: 4, id: '6610000103' });
    expect(res.body.summary.rejections[0].explanation).toContain('门店编码 浙江 不存在');
    const stored = await sys.database.exec(
      `select name, district from source_records
        where source = 'pos' and source_id in ('6610000101', '6610000102') order by source_id`,
    );
    expect(stored).toEqual([
      { name: '周晓梅', district: '拱墅区' },
      { name: '欧阳瑾', district: null },
    ]);
    const [audit] = await sys.database.exec(
      `select details->>'encoding' as encoding from audit_log where action = 'identity.import'
        and details->>'fileName' = '拱墅店会员.csv'`,
    );
    expect(audit).toEqual({ encoding: 'gb18030' });
  });

  it('imports a POS sales export: orders go to their members, a zero quantity is refused', async () => {
    sys.clock.advance(60_000);
    const res = await upload({ mapping: 'pos-orders-legacy', fileName: '销售明细.csv', content: ORDERS });
    expect(res.status).toBe(200);
    expect(res.body.summary).toMatchObject({ rows: 3, orders: 3, created: 2, rejected: 1, ordersKnown: 2 });
    expect(res.body.summary.rejections[0]).toMatchObject({
      row: 4,
      id: 'XS-UP-0003',
      code: 'line_quantity_invalid',
      explanation: expect.stringContaining('第1行商品的数量应为非零整数（退货为负数）'),
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
    expect(res.body.imports.map((i: { fileName: string }) => i.fileName)).toEqual([
      '销售明细.csv',
      '拱墅店会员.csv',
      '西湖店会员.csv',
    ]);
    expect(res.body.imports[2].mappingLabel).toContain('门店收银会员资料');
  });

  it('goes on in steps from where the last one stopped, one step at a time, until the file is done', async () => {
    const header = MEMBERS.split('\n')[0];
    const cards = Array.from(
      { length: 600 },
      (_, i) => `${6630000000 + i},测试${i},${i % 2 ? '男' : '女'},,${13957200000 + i},,HZ001,2026-11-20`,
    );
    const body = { mapping: 'pos-legacy', fileName: '大文件.csv', content: [header, ...cards].join('\n') };
    // a step ends after its batch (250 rows on PostgreSQL, 50 on PGlite, here): the rest waits for the next request
    const batch = uploadBatchSize(sys.database);
    const first = await upload(body);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'running',
      rowsTotal: 600,
      rowsDone: batch,
      summary: { created: batch },
    });
    const go = (id: string) => sys.call('/api/staff/identity/imports/continue', { token: hq, body: { id } });

    // while another request holds the step, a second one changes nothing and says where it stands
    await sys.database.exec(`update data_imports set lease_until = $1 where id = $2`, [
      new Date(sys.clock.now().getTime() + 60_000).toISOString(),
      first.body.id,
    ]);
    const held = await go(first.body.id);
    expect(held.body).toMatchObject({ status: 'running', rowsDone: batch });
    // the same file uploaded again meanwhile is this import, not a second one
    const again = await upload({ ...body, fileName: '大文件(1).csv' });
    expect(again.body).toMatchObject({ id: first.body.id, repeated: true, status: 'running', rowsDone: batch });
    // the step that held it died: its lease ends and the next request takes over
    await sys.database.exec(`update data_imports set lease_until = $1 where id = $2`, [
      new Date(sys.clock.now().getTime() - 1000).toISOString(),
      first.body.id,
    ]);
    const second = await go(first.body.id);
    expect(second.body).toMatchObject({ status: 'running', rowsDone: 2 * batch });
    let third = second;
    while (third.body.status === 'running') third = await go(first.body.id);
    expect(third.body).toMatchObject({
      status: 'done',
      rowsDone: 600,
      summary: { rows: 600, created: 600, unchanged: 0, rejected: 0 },
    });
    // every card once; the text is gone once the import is done
    expect(
      await sys.database.exec(`select count(*)::int as n from source_records where source_id like '663000%'`),
    ).toEqual([{ n: 600 }]);
    expect(
      await sys.database.exec(`select content is null as gone from data_imports where id = $1`, [first.body.id]),
    ).toEqual([{ gone: true }]);
    const done = await go(first.body.id);
    expect(done.body).toMatchObject({ status: 'done', rowsDone: 600 });
    expect((await go('imp_nope')).body.error.code).toBe('IMPORT_NOT_FOUND');
  });

  it('resumes a sales export at an order’s first row: every order whole and once, a split order refused once', async () => {
    const header = ORDERS.split('\n')[0];
    const line = (id: string, sku: string) =>
      `${id},6610000001,HZ001,2026-11-02 10:15,${sku},药品,1,10.00,10.00,0,20.00`;
    const rows = [line('XS-SPLIT', 'MD100001')];
    for (let i = 0; i < 300; i++) {
      const id = `XS-STEP-${String(i).padStart(4, '0')}`;
      rows.push(line(id, 'MD100001'), line(id, 'MD100002'));
    }
    rows.push(line('XS-SPLIT', 'MD100002'));
    const go = (id: string) => sys.call('/api/staff/identity/imports/continue', { token: hq, body: { id } });
    let view = (
      await upload({ mapping: 'pos-orders-legacy', fileName: '分段销售.csv', content: [header, ...rows].join('\n') })
    ).body;
    const seen: number[] = [view.rowsDone];
    while (view.status === 'running') {
      view = (await go(view.id)).body;
      seen.push(view.rowsDone);
    }
    // several steps, each ending between two orders (an even number of rows after the split order's first)
    expect(seen.length).toBeGreaterThan(1);
    for (const done of seen.slice(0, -1)) expect((done - 1) % 2).toBe(0);
    expect(view).toMatchObject({
      status: 'done',
      rowsDone: 602,
      summary: { rows: 602, orders: 301, created: 300, rejected: 1 },
    });
    expect(view.summary.rejections[0]).toMatchObject({ id: 'XS-SPLIT', code: 'order_rows_apart' });
    const lines = await sys.database.exec(
      `select count(distinct o.id)::int as orders, count(*)::int as lines from orders o join order_lines l on l.order_id = o.id
        where o.external_id like 'XS-STEP-%'`,
    );
    expect(lines).toEqual([{ orders: 300, lines: 600 }]);
  });

  it('ends an import left half done for two days, deleting its text; the same file again goes on from there', async () => {
    const header = MEMBERS.split('\n')[0];
    const cards = Array.from(
      { length: 400 },
      (_, i) => `${6650000000 + i},留存${i},男,,${13957400000 + i},,HZ001,2026-11-20`,
    );
    const body = { mapping: 'pos-legacy', fileName: '半途.csv', content: [header, ...cards].join('\n') };
    const batch = uploadBatchSize(sys.database);
    const first = await upload(body);
    expect(first.body).toMatchObject({ status: 'running', rowsDone: batch });
    // nobody asked for the next step; three days later the nightly job ends it
    sys.clock.advance(3 * 86_400_000);
    hq = await staffToken(sys, 'u_hq01'); // the session of three days ago has expired
    sys.deps.env.CRON_SECRET = 'test-cron-secret-0123456789';
    const job = await sys.call('/api/jobs/purge-integration-log', {
      headers: { authorization: 'Bearer test-cron-secret-0123456789' },
    });
    expect(job.body).toMatchObject({ abandonedImports: 1 });
    expect(
      await sys.database.exec(`select status, content is null as gone from data_imports where id = $1`, [
        first.body.id,
      ]),
    ).toEqual([{ status: 'failed', gone: true }]);
    const list = await sys.call('/api/staff/identity/imports', { token: hq });
    expect(list.body.imports.find((i: { id: string }) => i.id === first.body.id)).toMatchObject({ status: 'failed' });
    // uploaded again: it goes on after the first batch, whose cards are not counted twice
    let again = await upload(body);
    expect(again.body).toMatchObject({ id: first.body.id, rowsDone: Math.min(400, 2 * batch) });
    while (again.body.status === 'running')
      again = await sys.call('/api/staff/identity/imports/continue', { token: hq, body: { id: first.body.id } });
    expect(again.body).toMatchObject({ id: first.body.id, status: 'done', rowsDone: 400, summary: { created: 400 } });
  });

  it('refuses an unknown format and a file over the size limit, storing nothing', async () => {
    const before = await sys.database.exec(`select count(*)::int as n from data_imports`);
    const unknown = await upload({ mapping: 'nope', fileName: 'a.csv', content: MEMBERS });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('IMPORT_MAPPING_UNKNOWN');
    // within the limit in characters, over it in UTF-8 bytes (a Chinese character is three)
    const big = await upload({ mapping: 'pos-legacy', fileName: 'big.csv', content: '姓'.repeat(1_200_000) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('IMPORT_TOO_LARGE');
    // a GBK file over the limit in its own bytes (two a character), its base64 within the request's limit
    const bigGbk = await upload({
      mapping: 'pos-legacy',
      fileName: 'big.csv',
      contentBase64: inGbk('姓'.repeat(IMPORT_LIMITS.bytes / 2 + 2)),
    });
    expect(bigGbk.status).toBe(413);
    expect(bigGbk.body.error.code).toBe('IMPORT_TOO_LARGE');
    const empty = await upload({ mapping: 'pos-legacy', fileName: '', content: MEMBERS });
    expect(empty.status).toBe(400);
    expect(await sys.database.exec(`select count(*)::int as n from data_imports`)).toEqual(before);
  });

  it('refuses an empty file, a file of only its header and one not in UTF-8, storing nothing', async () => {
    const before = await sys.database.exec(`select count(*)::int as n from data_imports`);
    const header = MEMBERS.split('\n')[0];
    for (const [fileName, content] of [
      ['空文件.csv', ''],
      ['只有列名.csv', `\uFEFF${header}\r\n\r\n`],
      ['空的.jsonl', '\n  \n'],
    ]) {
      const res = await upload({ mapping: 'pos-legacy', fileName, content });
      expect(res.status, fileName).toBe(422);
      expect(res.body.error.code).toBe('IMPORT_FILE_EMPTY');
    }
    // a GBK export (Chinese Excel's CSV) read as UTF-8: its Chinese is replacement characters
    const gbk = new TextDecoder('utf-8').decode(
      Buffer.from([0xbb, 0xe1, 0xd4, 0xb1, 0xbf, 0xa8, 0xba, 0xc5, 0x0a, 0x31]),
    );
    const encoding = await upload({ mapping: 'pos-legacy', fileName: 'gbk.csv', content: gbk });
    expect(encoding.status).toBe(422);
    expect(encoding.body.error.code).toBe('IMPORT_FILE_ENCODING');
    // bytes that are neither UTF-8 nor GBK
    const binary = Buffer.from([0x31, 0x2c, 0xff, 0xff, 0x0a, 0x80, 0xff]).toString('base64');
    const neither = await upload({ mapping: 'pos-legacy', fileName: 'x.csv', contentBase64: binary });
    expect(neither.status).toBe(422);
    expect(neither.body.error.code).toBe('IMPORT_FILE_ENCODING');
    // the text and the bytes at once, or not base64
    for (const body of [{ content: MEMBERS, contentBase64: inGbk(MEMBERS) }, { contentBase64: '会员卡号' }, {}]) {
      const res = await upload({ mapping: 'pos-legacy', fileName: 'x.csv', ...body });
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
    }
    expect(await sys.database.exec(`select count(*)::int as n from data_imports`)).toEqual(before);
  });

  it('refuses a file without the format’s required columns, naming them and the formats the file fits', async () => {
    const before = await sys.database.exec(`select count(*)::int as n from data_imports`);
    // a member export chosen as a sales export
    const asOrders = await upload({ mapping: 'pos-orders-legacy', fileName: '会员.csv', content: `${MEMBERS}\n` });
    expect(asOrders.status).toBe(422);
    expect(asOrders.body.error.code).toBe('IMPORT_COLUMNS_MISMATCH');
    expect(asOrders.body.error.details).toEqual({
      missing: ['单据号', '销售时间', '商品编码', '数量'],
      looksLike: null,
      columns: ['会员卡号', '姓名', '性别', '生日', '手机号', '地址', '门店编号', '最近消费日期'],
      fits: [{ name: 'pos-legacy', label: expect.stringContaining('会员资料'), kind: 'records' }],
    });
    // the standard columns need the source column; a renamed card column fits nothing
    const renamed = MEMBERS.replace('会员卡号', '卡号');
    const standard = await upload({ mapping: 'records-standard', fileName: 'a.csv', content: renamed });
    expect(standard.body.error.details).toMatchObject({ missing: ['source', 'source_id'], fits: [] });
    // JSON lines: the keys of its records
    const jsonl = '{"单据号":"XS-1","会员卡号":"1","销售时间":"2026-11-02 10:15","商品编码":"MD1","数量":1}\n';
    const lines = await upload({ mapping: 'pos-legacy', fileName: 'x.jsonl', content: jsonl });
    expect(lines.body.error.details).toMatchObject({ missing: [], looksLike: 'orders' });
    expect(await sys.database.exec(`select count(*)::int as n from data_imports`)).toEqual(before);
  });

  it('refuses a sales export chosen as member records, whose 会员卡号 would make each item sold a card', async () => {
    const cards = `select count(*)::int as n from source_records where source = 'pos'`;
    const [before] = await sys.database.exec(cards);
    const res = await upload({
      mapping: 'pos-legacy',
      fileName: '销售.csv',
      content: ORDERS.replace(/XS-UP/g, 'XS-MIS'),
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      code: 'IMPORT_COLUMNS_MISMATCH',
      details: { missing: [], looksLike: 'orders', fits: [{ name: 'pos-orders-legacy', kind: 'orders' }] },
    });
    expect((await sys.database.exec(cards))[0]).toEqual(before);
  });

  it('is HQ only', async () => {
    for (const user of ['u_sm01', 'u_rm01', 'u_ck01']) {
      const token = await staffToken(sys, user);
      expect((await upload({ mapping: 'pos-legacy', fileName: 'x.csv', content: MEMBERS }, token)).status).toBe(403);
      expect((await sys.call('/api/staff/identity/imports', { token })).status).toBe(403);
      expect((await sys.call('/api/staff/identity/imports/formats', { token })).status).toBe(403);
      const go = await sys.call('/api/staff/identity/imports/continue', { token, body: { id: 'imp_x' } });
      expect(go.status).toBe(403);
    }
  });
});
