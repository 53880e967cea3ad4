/**
 * 数据导入's answer about the rows it could not take, from a QA walk of the staff pages: every row is named by its
 * line in the file as Excel numbers the rows (the header is line 1, empty rows count, a value spanning lines is its
 * first line), in the summary, the warnings, the refused rows' file and the quarantine, across the import's steps;
 * every refused row, the ones the reader could not read and the ones naming no source it knows included, is in the
 * quarantine and in the health page's refused records, so the three counts agree; and a row the CSV reader could
 * not read is explained in Chinese, with csv-parse's English kept as the technical detail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadBatchSize } from '../../../functions/app/identity/upload-import.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';

let sys: TestSystem;
let hq: string;
beforeAll(async () => {
  // a step ends after every batch, so a longer file takes several
  sys = await startTestSystem({ env: { IMPORT_STEP_MS: '0' } });
  hq = await staffToken(sys, 'u_hq01');
});
afterAll(async () => sys?.close());

type Rejection = { row: number | null; id: string | null; code: string | null; explanation: string; reason: string };
type View = {
  id: string;
  status: string;
  rowsDone: number;
  refusedRows: number;
  summary: {
    rows: number;
    created: number;
    rejected: number;
    rejections: Rejection[];
    warned: number;
    warnings: { row: number; id: string | null; code: string }[];
  };
};

/** uploads a file and asks for the next step until the import is done */
const importFile = async (mapping: string, fileName: string, content: string): Promise<View> => {
  const res = await sys.call('/api/staff/identity/imports/upload', { token: hq, body: { mapping, fileName, content } });
  expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
  let view = res.body as View;
  while (view.status === 'running')
    view = (await sys.call('/api/staff/identity/imports/continue', { token: hq, body: { id: view.id } })).body;
  expect(view.status).toBe('done');
  return view;
};
const refusedFile = async (id: string) =>
  ((await sys.call(`/api/staff/identity/imports/refused?id=${id}`, { token: hq })).body.content as string)
    .replace(/^\ufeff/, '')
    .split('\r\n');
const where = (s: View['summary']) => s.rejections.map((r) => [r.row, r.id, r.code]);

const POS_HEADER = '会员卡号,姓名,性别,生日,手机号,地址,门店编号,最近消费日期';
/** the QA walk's rows-test.csv: an empty Excel row, a stray quote, a row without a card number, a bad birthday */
const ROWS_TEST = [
  POS_HEADER,
  '990000000001,张三丰,男,1980/1/1,13912345671,杭州市西湖区,HZ001,2026/1/1',
  ',,,,,,,',
  '990000000002,李"四,男,1980/1/2,13912345672,杭州市西湖区,HZ001,2026/1/1',
  ',王五,男,1980/1/3,13912345673,杭州市西湖区,HZ001,2026/1/1',
  '990000000003,赵六,男,1990-02-30,13912345674,杭州市西湖区,HZ001,2026/1/1',
  '',
].join('\r\n');
/** the QA walk's std-test.csv (the standard columns, a source per row): two stray quotes, a source `poss` */
const STD_TEST = [
  'source,source_id,name,birthday,gender,phone,card_no,store_code,last_active',
  'pos,990000000101,钱多多,1980-01-01,female,13912340001,990000000101,HZ001,2026-01-01',
  'pos,990000000102,孙"悟空,1980-01-01,male,13912340002,990000000102,HZ001,2026-01-01',
  'poss,990000000103,猪八戒,1980-01-01,male,13912340003,990000000103,HZ001,2026-01-01',
  'pos,990000000104,沙"和尚,1980-01-01,male,13912340004,990000000104,HZ001,2026-01-01',
  'pos,990000000105,唐三藏,1980-01-01,male,13912340005,990000000105,HZ099,2026-01-01',
].join('\n');

/** what the imports of this file refused, summed: the page's 拒收 */
let refusedInAll = 0;
/** of those, the rows without a source MedLoop knows (quarantined and logged under `import`) */
let refusedWithoutSource = 0;
/** the orders the sales export refused (all from the POS) */
let refusedOrders = 0;

describe('every row named by its line in the file, as Excel numbers the rows', () => {
  it('the QA walk’s member export: an unreadable row, a refused row and a flagged one by their own lines, in order', async () => {
    const view = await importFile('pos-legacy', 'rows-test.csv', ROWS_TEST);
    refusedInAll += view.summary.rejected;
    const s = view.summary;
    expect(s).toMatchObject({ rows: 4, created: 2, rejected: 2, warned: 1 });
    // line 4 the stray quote, line 5 the row without a card number (it was 第 2 行, after 第 4 行)
    expect(where(s)).toEqual([
      [4, null, 'csv_malformed'],
      [5, null, 'source_id_missing'],
    ]);
    expect(s.warnings).toEqual([expect.objectContaining({ row: 6, id: '990000000003', code: 'birthday_unparseable' })]);
    // why, in Chinese: where and what to fix; csv-parse's English as the technical detail
    expect(s.rejections[0].explanation).toBe(
      '第 4 行「姓名」列的值中间有引号（"），这一行无法读取：请删去这个引号，或在 Excel 中打开这个文件后另存为 CSV 再上传',
    );
    expect(s.rejections[0].reason).toBe(
      'malformed CSV: Invalid Opening Quote: a quote is found on field "姓名" at line 4, value is "李"',
    );
    // the refused rows' file: in file order, the unreadable row with its whole text (it was cut at the quote)
    expect(await refusedFile(view.id)).toEqual([
      `${POS_HEADER},拒收原因`,
      `,,,,,,,,"${s.rejections[0].explanation.replace(/"/g, '""')}；原文：990000000002,李""四,男,1980/1/2,13912345672,杭州市西湖区,HZ001,2026/1/1"`,
      ',王五,男,1980/1/3,13912345673,杭州市西湖区,HZ001,2026/1/1,缺少会员编号（会员卡号或商城账号）',
      '',
    ]);
  });

  it('the QA walk’s standard-column export: no line named twice, each refused row under its own', async () => {
    const view = await importFile('records-standard', 'std-test.csv', STD_TEST);
    refusedInAll += view.summary.rejected;
    refusedWithoutSource += 3;
    // 第 3 行 was the first stray quote's line and 唐三藏's data row
    expect(where(view.summary)).toEqual([
      [3, null, 'csv_malformed'],
      [4, '990000000103', 'record_source_unknown'],
      [5, null, 'csv_malformed'],
      [6, '990000000105', 'unknown_store'],
    ]);
    expect(view.summary.rejections[2].explanation).toMatch(/^第 5 行「name」列的值中间有引号/);
  });

  it('counts blank and empty rows and the lines of a value spanning several, across the import’s steps', async () => {
    const batch = uploadBatchSize(sys.database);
    const text: string[] = [POS_HEADER];
    let line = 1;
    /** adds a row of text (it may span lines), returning its line */
    const add = (row: string) => {
      text.push(row);
      line += 1;
      const at = line;
      line += row.split('\r\n').length - 1;
      return at;
    };
    const refused: [number, string | null, string][] = [];
    const flagged: number[] = [];
    for (let i = 0; i < 3 * batch; i++) {
      const card = `${6680000000 + i}`;
      if (i === 5) {
        add(''); // an empty line
        add(',,,,,,,'); // and an empty Excel row
      }
      if (i === 7)
        // an address of three lines (CRLF inside its quotes, as Excel writes it): one row, named by its first line
        add(`${card},多行${i},女,,${13957600000 + i},"浙江省杭州市\r\n西湖区\r\n文三路1号",HZ001,2026-11-20`);
      else if (i === batch + 3)
        refused.push([add(`${card},坏"引号,男,,${13957600000 + i},,HZ001,2026-11-20`), null, 'csv_malformed']);
      else if (i % 17 === 0)
        refused.push([add(`${card},行${i},男,,${13957600000 + i},,ZZ999,2026-11-20`), card, 'unknown_store']);
      else if (i % 23 === 1) flagged.push(add(`${card},行${i},男,1990-02-30,${13957600000 + i},,HZ001,2026-11-20`));
      else add(`${card},行${i},男,,${13957600000 + i},,HZ001,2026-11-20`);
    }
    const content = text.join('\r\n');
    // as an editor numbers the lines
    expect(content.split('\r\n').findIndex((l) => l.startsWith('6680000008')) + 1).toBe(14);
    const res = await sys.call('/api/staff/identity/imports/upload', {
      token: hq,
      body: { mapping: 'pos-legacy', fileName: '分段行号.csv', content },
    });
    let view = res.body as View;
    let steps = 1;
    while (view.status === 'running') {
      view = (await sys.call('/api/staff/identity/imports/continue', { token: hq, body: { id: view.id } })).body;
      steps += 1;
    }
    expect(steps).toBeGreaterThan(2);
    refusedInAll += view.summary.rejected;
    expect(view).toMatchObject({ status: 'done', rowsDone: 3 * batch });
    expect(view.summary).toMatchObject({ rows: 3 * batch, rejected: refused.length, warned: flagged.length });
    expect(where(view.summary)).toEqual(refused);
    expect(view.summary.warnings.map((w) => w.row)).toEqual(flagged);
    // the refused rows' file, over the steps: in file order, the header once, the unreadable row naming its line
    const file = await refusedFile(view.id);
    expect(file[0]).toBe(`${POS_HEADER},拒收原因`);
    const rows = file.slice(1, -1);
    expect(rows).toHaveLength(refused.length);
    refused.forEach(([at, card], k) => {
      if (card) expect(rows[k].startsWith(`${card},`), rows[k]).toBe(true);
      else
        expect(rows[k]).toMatch(
          new RegExp(`^,+"第 ${at} 行「姓名」列的值中间有引号.*；原文：${6680000000 + batch + 3},坏""引号,`),
        );
    });
    // the card of three lines is in, as one row
    const stored = await sys.database.exec(
      `select 1 from source_records where source = 'pos' and source_id = '6680000007'`,
    );
    expect(stored).toHaveLength(1);
  });

  it('names an order by the line of its first row, and a sales export’s unreadable rows by theirs', async () => {
    const header = '单据号,会员卡号,门店编号,销售时间,商品编码,商品名称,数量,单价,金额,整单优惠,实收金额';
    const row = (id: string, sku: string, qty = 1) =>
      `${id},6680000001,HZ001,2026-11-02 10:15,${sku},药品,${qty},10.00,${qty * 10}.00,0,${qty * 10}.00`;
    const content = [
      header,
      row('XS-LN-1', 'MD100001'),
      '',
      row('XS-LN-2', 'MD100001'),
      row('XS-LN-2', 'MD100002', 0),
      'XS-LN-3,6680000001,HZ001,2026-11-02 10:15,MD100001,止咳"糖浆,1,10.00,10.00,0,10.00',
      'XS-LN-4,6680000001,HZ001,2026-11-02 10:15,MD100001,川贝"枇杷膏,1,10.00,10.00,0,10.00',
      row('XS-LN-5', 'MD100001'),
    ].join('\n');
    const view = await importFile('pos-orders-legacy', '行号销售.csv', content);
    refusedOrders += view.summary.rejected;
    expect(view.summary).toMatchObject({ created: 2, rejected: 3 });
    expect(where(view.summary)).toEqual([
      [4, 'XS-LN-2', 'order_rows_disagree'],
      [6, null, 'csv_malformed'],
      [7, null, 'csv_malformed'],
    ]);
    expect(view.summary.rejections[1].explanation).toMatch(/^第 6 行「商品名称」列的值中间有引号（"），这一行无法读取/);
    // two different unreadable rows are two items to look at, each with its text (they were one: no payload)
    const items = await sys.database.exec(
      `select source, kind, code, params->>'line' as line, payload from ingest_quarantine
        where code = 'csv_malformed' and kind = 'order' order by (params->>'line')::int`,
    );
    expect(items).toEqual([
      expect.objectContaining({ source: 'pos', line: '6', payload: expect.stringContaining('XS-LN-3') }),
      expect.objectContaining({ source: 'pos', line: '7', payload: expect.stringContaining('川贝"枇杷膏') }),
    ]);
  });
});

describe('every refused row in the quarantine and the health page’s refused records', () => {
  it('counts the member imports’ refused rows alike on the import page, in the quarantine and on 数据对接状态', async () => {
    const health = (await sys.call('/api/staff/identity/health', { token: hq })).body;
    const quarantine = (await sys.call('/api/staff/identity/quarantine?limit=50', { token: hq })).body;
    // every open item, page after page: more than one page's worth are open by now, and which fall on the first
    // page depends on the order of rows written in the same instant
    const items = [...quarantine.items];
    for (let cursor = quarantine.nextCursor; cursor; ) {
      const next = (await sys.call(`/api/staff/identity/quarantine?limit=50&cursor=${cursor}`, { token: hq })).body;
      items.push(...next.items);
      cursor = next.nextCursor;
    }
    // every refused row of the member imports is an open item
    const records = await sys.database.exec(
      `select count(*)::int as n from ingest_quarantine where kind = 'record' and resolved_at is null`,
    );
    expect(records[0].n).toBe(refusedInAll);
    // the refused records of the partners' sources, and those of no source MedLoop knows (under `import`)
    const pos = health.sources.find((s: { source: string }) => s.source === 'pos');
    const log = await sys.database.exec(
      `select source, sum(rejected)::int as n from integration_log where operation = 'import.file' group by source
        order by source`,
    );
    expect(log).toEqual([
      { source: 'import', n: refusedWithoutSource },
      { source: 'pos', n: refusedInAll - refusedWithoutSource },
    ]);
    // 数据对接状态 shows the partners' sources: 门店收银系统 counts every refused row and order of the POS formats
    expect(pos.rejectedRecords24h).toBe(refusedInAll - refusedWithoutSource + refusedOrders);
    // the quarantine: every refused row of the member imports, and the sales export's refused orders
    expect(quarantine.open).toBe(refusedInAll + refusedOrders);
    expect(health.quarantined).toBe(quarantine.open);
    // an unreadable row: under its format's source when the format names one, its text kept, its line named
    expect(items).toHaveLength(quarantine.open);
    const unreadable = items.filter((i: { code: string }) => i.code === 'csv_malformed');
    expect(unreadable.map((i: { source: string; kind: string }) => `${i.source}/${i.kind}`).sort()).toEqual([
      'import/record',
      'import/record',
      'pos/order',
      'pos/order',
      'pos/record',
      'pos/record',
    ]);
    expect(items.map((i: { explanation: string }) => i.explanation)).toEqual(
      expect.arrayContaining([
        '第 4 行「姓名」列的值中间有引号（"），这一行无法读取：请删去这个引号，或在 Excel 中打开这个文件后另存为 CSV 再上传',
        expect.stringMatching(/^来源“poss”不对/),
      ]),
    );
    const [kept] = await sys.database.exec(
      `select payload from ingest_quarantine where code = 'csv_malformed' and source = 'pos' and kind = 'record'
          and params->>'line' = '4'`,
    );
    expect(kept.payload).toBe('990000000002,李"四,男,1980/1/2,13912345672,杭州市西湖区,HZ001,2026/1/1');
    const [poss] = await sys.database.exec(
      `select source, source_id, payload from ingest_quarantine where code = 'record_source_unknown'`,
    );
    expect(poss).toMatchObject({ source: 'import', source_id: '990000000103', payload: { source: 'poss' } });
  });

  it('counts a sales export’s refused orders alike in the summary and on 数据对接状态', async () => {
    const pos = async () => {
      const health = (await sys.call('/api/staff/identity/health', { token: hq })).body;
      const s = health.sources.find((x: { source: string }) => x.source === 'pos');
      return { refused: s.rejectedRecords24h as number, quarantined: health.quarantined as number };
    };
    const before = await pos();
    const header = '单据号,会员卡号,门店编号,销售时间,商品编码,商品名称,数量,单价,金额,整单优惠,实收金额';
    const row = (id: string, sku: string, qty = 1) =>
      `${id},6680000002,HZ001,2026-11-02 11:15,${sku},药品,${qty},10.00,${qty * 10}.00,0,${qty * 10}.00`;
    const view = await importFile(
      'pos-orders-legacy',
      '合计销售.csv',
      [
        header,
        row('XS-SUM-A', 'MD100001'),
        row('XS-SUM-1', 'MD100001'),
        ',6680000002,HZ001,2026-11-02 11:15,MD100001,药品,1,10.00,10.00,0,10.00',
        'XS-SUM-2,6680000002,HZ001,2026-11-02 11:15,MD100001,药"品,1,10.00,10.00,0,10.00',
        row('XS-SUM-A', 'MD100002'),
        row('XS-SUM-3', 'MD100001', 0),
      ].join('\n'),
    );
    // the split order (refused once), no order number, unreadable, zero quantity
    expect(view.summary).toMatchObject({ created: 1, rejected: 4 });
    expect(where(view.summary)).toEqual([
      [2, 'XS-SUM-A', 'order_rows_apart'],
      [4, null, 'order_row_no_id'],
      [5, null, 'csv_malformed'],
      [7, 'XS-SUM-3', 'line_quantity_invalid'],
    ]);
    const after = await pos();
    expect(after.refused - before.refused).toBe(4);
    // each row of the split order is an item to look at
    expect(after.quarantined - before.quarantined).toBe(5);
  });
});
