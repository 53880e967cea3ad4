/**
 * What an import checks in a file before and while it reads it (数据导入 and `npm run import`): a header repeating
 * a column the format reads is refused with nothing stored (csv-parse would keep the last column's value
 * silently); a repeated column the format does not read is harmless and stays apart in the refused rows' file;
 * Excel's trailing `,,,` rows are not rows; an impossible date is kept as a flagged row, not dropped silently; and
 * the data-quality report is refreshed when an upload finishes, in its last step or, when the report is expensive,
 * in a step of its own.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportColumnsDuplicateError, importFile, readFileRows } from '../../../functions/app/identity/import-file.js';
import { uploadMapping } from '../../../functions/app/identity/import-mappings.js';
import { importOrdersFile } from '../../../functions/app/identity/import-orders.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';

let sys: TestSystem;
let hq: string;
let dir: string;
beforeAll(async () => {
  sys = await startTestSystem({ env: { IMPORT_STEP_MS: '0' } });
  hq = await staffToken(sys, 'u_hq01');
  dir = await mkdtemp(join(tmpdir(), 'medloop-import-checks-'));
});
afterAll(async () => {
  await sys?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const upload = (body: Record<string, unknown>) => sys.call('/api/staff/identity/imports/upload', { token: hq, body });
const preview = (body: Record<string, unknown>) =>
  sys.call('/api/staff/identity/import-formats/preview', { token: hq, body });
const readAll = async <T>(rows: AsyncIterable<T>) => {
  const all: T[] = [];
  for await (const r of rows) all.push(r);
  return all;
};
const count = async (query: string) => Number((await sys.database.exec(query))[0].n);
const cards = (prefix: string) =>
  count(`select count(*)::int as n from source_records where source = 'pos' and source_id like '${prefix}%'`);

describe('a header naming a column twice', () => {
  const REPEATED_PHONE = ['会员卡号,姓名,手机号,门店编号,手机号', 'QA2001,吴一,13777771001,HZ001,13777771999'].join(
    '\r\n',
  );

  it('is refused when the format reads that column: IMPORT_COLUMNS_DUPLICATE naming it, nothing stored', async () => {
    const imports = await count('select count(*)::int as n from data_imports');
    const res = await upload({ mapping: 'pos-legacy', fileName: '重复列.csv', content: REPEATED_PHONE });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'IMPORT_COLUMNS_DUPLICATE', details: { columns: ['手机号'] } });
    expect(await count('select count(*)::int as n from data_imports')).toBe(imports);
    expect(await cards('QA2001')).toBe(0);
    // a name padded with spaces is the same column to the reader
    const padded = await upload({
      mapping: 'pos-legacy',
      fileName: '重复列2.csv',
      content: REPEATED_PHONE.replace(/,手机号$/m, ', 手机号 '),
    });
    expect(padded.body.error).toMatchObject({ code: 'IMPORT_COLUMNS_DUPLICATE', details: { columns: ['手机号'] } });
  });

  it('is refused by the command line before any row goes in (records and orders)', async () => {
    const file = join(dir, 'repeated.csv');
    await writeFile(file, REPEATED_PHONE);
    const mapping = uploadMapping('pos-legacy')?.mapping;
    await expect(importFile(sys.database, { file, source: 'pos', mapping, now: sys.clock.now() })).rejects.toThrow(
      ImportColumnsDuplicateError,
    );
    expect(await cards('QA2001')).toBe(0);
    const orders = join(dir, 'orders-repeated.csv');
    await writeFile(
      orders,
      [
        '单据号,会员卡号,门店编号,销售时间,商品编码,商品名称,数量,单价,金额,整单优惠,实收金额,数量',
        'XS-DUP-1,QA2001,HZ001,2026-11-02 10:15,MD100001,苯磺酸氨氯地平片,2,17.00,34.00,0,34.00,9',
      ].join('\n'),
    );
    await expect(
      importOrdersFile(sys.database, {
        file: orders,
        source: 'pos',
        mapping: uploadMapping('pos-orders-legacy')?.mapping,
        now: sys.clock.now(),
      }),
    ).rejects.toMatchObject({ columns: ['数量'] });
    expect(await count(`select count(*)::int as n from orders where external_id = 'XS-DUP-1'`)).toBe(0);
  });

  it('is refused by the format preview when the tried mapping reads it', async () => {
    const res = await sys.call('/api/staff/identity/import-formats/preview', {
      token: hq,
      body: { kind: 'records', source: 'pos', fileName: '样例.csv', content: REPEATED_PHONE },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'IMPORT_COLUMNS_DUPLICATE', details: { columns: ['手机号'] } });
  });

  it('imports when the format does not read it, and the refused rows keep both columns’ own values', async () => {
    const file = [
      '会员卡号,姓名,备注,手机号,门店编号,备注',
      'QA2101,吴二,老客户,13777772001,HZ001,常购降压药',
      'QA2102,吴三,新客户,13777772002,ZZ999,待回访',
    ].join('\r\n');
    const res = await upload({ mapping: 'pos-legacy', fileName: '两列备注.csv', content: file });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'done', refusedRows: 1, summary: { created: 1, rejected: 1 } });
    const got = await sys.call(`/api/staff/identity/imports/refused?id=${res.body.id}`, { token: hq });
    const lines = got.body.content.replace(/^\ufeff/, '').split('\r\n');
    expect(lines[0]).toBe('会员卡号,姓名,备注,手机号,门店编号,备注,拒收原因');
    expect(lines[1]).toMatch(/^QA2102,吴三,新客户,13777772002,ZZ999,待回访,门店编码 ZZ999 不存在/);
    // the preview reads the sample with the import's own reader: each 备注 its own value, the column offered once
    const sample = await preview({ kind: 'records', source: 'pos', fileName: '两列备注.csv', content: file });
    expect(sample.status).toBe(200);
    expect(sample.body.columns.filter((c: string) => c === '备注')).toHaveLength(1);
    const [first] = await readAll(readFileRows(Readable.from([file]), 'csv'));
    expect(first).toMatchObject({ row: 2, fields: { 备注: '老客户', '备注 (2)': '常购降压药' } });
  });
});

describe('the rows Excel leaves empty at the end of a sheet (,,,)', () => {
  it('are not rows: not refused, not quarantined, not counted', async () => {
    const quarantined = await count('select count(*)::int as n from ingest_quarantine');
    const file = [
      '会员卡号,姓名,性别,生日,手机号,地址,门店编号,最近消费日期',
      'QA3001,郑一,男,1970-01-02,13777773001,,HZ001,2026-11-02',
      ',,,,,,,',
      ',,,,,,,',
      ' , ,,,,,,',
      '',
    ].join('\r\n');
    const res = await upload({ mapping: 'pos-legacy', fileName: '末尾空行.csv', content: file });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'done',
      rowsTotal: 1,
      rowsDone: 1,
      refusedRows: 0,
      summary: { rows: 1, created: 1, rejected: 0, rejections: [] },
    });
    expect(await count('select count(*)::int as n from ingest_quarantine')).toBe(quarantined);
    // a file of a header and empty rows only has no data
    const empty = await upload({
      mapping: 'pos-legacy',
      fileName: '空表.csv',
      content: '会员卡号,姓名,手机号\r\n,,\r\n,,\r\n',
    });
    expect(empty.body.error).toMatchObject({ code: 'IMPORT_FILE_EMPTY' });
  });
});

describe('an impossible date', () => {
  it('keeps the row and reports the column, the value and why, per row and in all', async () => {
    const file = [
      '会员卡号,姓名,性别,生日,手机号,地址,门店编号,最近消费日期',
      'QA4001,王一,男,1990-02-30,13777774001,,HZ001,2026-13-45',
      'QA4002,王二,女,1980-05-06,13777774002,,HZ001,2026-11-02',
    ].join('\r\n');
    const res = await upload({ mapping: 'pos-legacy', fileName: '日期.csv', content: file });
    expect(res.status).toBe(200);
    const s = res.body.summary;
    expect(s).toMatchObject({ rows: 2, created: 2, rejected: 0, warned: 1 });
    // the row's line in the file, as Excel numbers the rows (the header is line 1)
    expect(s.warnings).toEqual([
      {
        row: 2,
        id: 'QA4001',
        code: 'birthday_unparseable',
        column: '生日',
        value: '1990-02-30',
        explanation: expect.stringMatching(/^「生日」的值「1990-02-30」不是有效日期.*生日留空/),
      },
      {
        row: 2,
        id: 'QA4001',
        code: 'last_active_unparseable',
        column: '最近消费日期',
        value: '2026-13-45',
        explanation: expect.stringMatching(/^「最近消费日期」的值「2026-13-45」不是有效日期/),
      },
    ]);
    expect(s.warningCounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'birthday_unparseable', column: '生日', rows: 1 }),
        expect.objectContaining({ code: 'last_active_unparseable', column: '最近消费日期', rows: 1 }),
      ]),
    );
    // kept, the date left empty
    const [row] = await sys.database.exec(
      `select birthday, last_active from source_records where source = 'pos' and source_id = 'QA4001'`,
    );
    expect(row).toEqual({ birthday: null, last_active: null });
  });
});

describe('the data-quality report after an upload', () => {
  const reports = () => count(`select count(*)::int as n from data_quality_reports where computed_by = 'import'`);

  it('is refreshed when the upload finishes', async () => {
    const before = await reports();
    sys.clock.advance(120_000);
    const res = await upload({
      mapping: 'pos-legacy',
      fileName: '质量.csv',
      content: ['会员卡号,姓名,手机号,门店编号', 'QA5001,何一,13777775001,HZ001'].join('\r\n'),
    });
    expect(res.body.status).toBe('done');
    expect(await reports()).toBe(before + 1);
  });

  it('in a step of its own when the last report took long (a large base)', async () => {
    sys.clock.advance(120_000);
    // the latest report took 30 s to compute: the last rows' step answers first
    await sys.database.exec(
      `insert into data_quality_reports (id, computed_at, computed_by, duration_ms, sources)
       values ('dqr_slow_test', $1, 'schedule', 30000, '[]'::jsonb)`,
      [sys.clock.now().toISOString()],
    );
    const before = await reports();
    const res = await upload({
      mapping: 'pos-legacy',
      fileName: '质量2.csv',
      content: ['会员卡号,姓名,手机号,门店编号', 'QA5002,何二,13777775002,HZ001'].join('\r\n'),
    });
    expect(res.body).toMatchObject({ status: 'running', rowsDone: 1, summary: { created: 1 } });
    expect(await reports()).toBe(before);
    const next = await sys.call('/api/staff/identity/imports/continue', { token: hq, body: { id: res.body.id } });
    expect(next.body).toMatchObject({ status: 'done', rowsDone: 1, summary: { rows: 1, created: 1 } });
    expect(await reports()).toBe(before + 1);
  });
});

describe('the formats offered', () => {
  it('say which of the columns they read a file must have', async () => {
    const res = await sys.call('/api/staff/identity/imports/formats', { token: hq });
    const pos = res.body.mappings.find((m: { name: string }) => m.name === 'pos-legacy');
    expect(pos.required).toEqual(['会员卡号']);
    expect(pos.columns).toEqual(expect.arrayContaining(['会员卡号', '生日', '最近消费日期']));
  });
});
