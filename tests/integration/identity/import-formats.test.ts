/**
 * 新建导入格式: HQ makes an upload format from a sample file whose columns MedLoop's formats do not know. The preview
 * proposes a mapping from the header row and shows how the first records or orders would fare, storing nothing; the
 * saved format is offered on 数据导入 and imports the file; an incomplete or same-named format is refused with a
 * code; a stopped format is no longer offered, and an import that used it still reads it. HQ only, audited.
 */
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';

let sys: TestSystem;
let hq: string;
beforeAll(async () => {
  sys = await startTestSystem({ env: { IMPORT_STEP_MS: '0' } });
  hq = await staffToken(sys, 'u_hq01');
});
afterAll(async () => sys?.close());

// another POS vendor's export: none of the configured formats reads these headers
const VENDOR = [
  'VIP卡号,客户名称,联系电话,出生年月,性别,所属门店,备注',
  '7710000001,周晓梅,139-5711-5001,1971/3/9,女,HZ001,老顾客',
  '7710000002,吴国强,13957115002,1969-12-01,男,HZ001,',
  '7710000003,郑红,1395711,1980-01-01,女,QQ123,号码不全',
].join('\n');

const VENDOR_SALES = [
  '小票号,VIP卡号,日期,货号,品名,销售数量,售价',
  'P-9001,7710000001,2026-11-20 10:00,MD100001,苯磺酸氨氯地平片,2,17.00',
  'P-9001,7710000001,2026-11-20 10:00,MD100002,二甲双胍缓释片,1,29.50',
  'P-9002,7710000002,2026-11-21 11:00,MD100001,苯磺酸氨氯地平片,0,17.00',
  'P-9003,,2026-11-21 12:00,MD100001,苯磺酸氨氯地平片,1,17.00',
].join('\n');

const preview = (body: Record<string, unknown>, token = hq) =>
  sys.call('/api/staff/identity/import-formats/preview', { token, body });
const create = (body: Record<string, unknown>, token = hq) =>
  sys.call('/api/staff/identity/import-formats/create', { token, body });
const formats = async () =>
  (await sys.call('/api/staff/identity/imports/formats', { token: hq })).body.mappings as {
    name: string;
    label: string;
    custom: unknown;
  }[];

describe('upload formats made on the staff pages', () => {
  let memberFormat = '';

  it('proposes a mapping from the header row and tries the first rows, storing nothing', async () => {
    const before = await sys.database.exec('select count(*)::int as n from source_records');
    const res = await preview({ kind: 'records', source: 'pos', fileName: 'vendor.csv', content: VENDOR });
    expect(res.status).toBe(200);
    expect(res.body.columns).toEqual(['VIP卡号', '客户名称', '联系电话', '出生年月', '性别', '所属门店', '备注']);
    expect(res.body.fields).toEqual({
      sourceId: 'VIP卡号',
      cardNo: 'VIP卡号',
      name: '客户名称',
      phone: '联系电话',
      birthday: '出生年月',
      gender: '性别',
      storeCode: '所属门店',
    });
    expect(res.body.missing).toEqual([]);
    expect(res.body.items).toHaveLength(3);
    // each row named by its line in the file, as the import's summary names it: the header is line 1
    expect(res.body.items[0]).toMatchObject({
      row: 2,
      id: '7710000001',
      accepted: true,
      explanation: null,
      values: { name: '周晓梅', phone: '139-5711-5001' },
    });
    // an unknown store is refused, in Chinese, as the import would
    expect(res.body.items[2]).toMatchObject({
      row: 4,
      id: '7710000003',
      accepted: false,
      explanation: '门店编码 QQ123 不存在，请核对门店编码',
    });
    const after = await sys.database.exec('select count(*)::int as n from source_records');
    expect(after[0].n).toBe(before[0].n);
  });

  it('reads the head of a GBK sample, cut in the middle of a character, as the same sample', async () => {
    const bytes = iconv.encode(VENDOR, 'gbk');
    // the page cuts a non-UTF-8 file's bytes at a whole number of base64 quads: here inside 号码不全's 全
    const cut = bytes.subarray(0, bytes.length - 1);
    const res = await preview({
      kind: 'records',
      source: 'pos',
      fileName: 'vendor.csv',
      contentBase64: cut.toString('base64'),
      partial: true,
    });
    expect(res.status).toBe(200);
    const utf8 = await preview({ kind: 'records', source: 'pos', fileName: 'vendor.csv', content: VENDOR });
    expect(res.body.columns).toEqual(utf8.body.columns);
    expect(res.body.fields).toEqual(utf8.body.fields);
    // the row cut short is the sample's last: left out as the page said it may be
    expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(['7710000001', '7710000002']);
    expect(res.body.items[0].values).toEqual(utf8.body.items[0].values);
    // bytes of no Chinese encoding
    const binary = await preview({
      kind: 'records',
      source: 'pos',
      fileName: 'vendor.csv',
      contentBase64: Buffer.from([0x41, 0x0a, 0xff, 0xff]).toString('base64'),
    });
    expect(binary.status).toBe(422);
    expect(binary.body.error.code).toBe('IMPORT_FILE_ENCODING');
  });

  it('says what a mapping lacks, and refuses to save it', async () => {
    const res = await preview({
      kind: 'records',
      source: 'pos',
      fileName: 'vendor.csv',
      content: VENDOR,
      fields: { name: '客户名称', phone: '联系电话' },
    });
    expect(res.status).toBe(200);
    expect(res.body.missing).toEqual(['会员编号']);
    expect(res.body.items[0]).toMatchObject({ accepted: false, explanation: '缺少会员编号（会员卡号或商城账号）' });
    const saved = await create({ kind: 'records', source: 'pos', label: '缺编号的格式', fields: { name: '客户名称' } });
    expect(saved.status).toBe(422);
    expect(saved.body.error.code).toBe('IMPORT_FORMAT_INVALID');
    const unknown = await create({
      kind: 'records',
      source: 'pos',
      label: '乱填',
      fields: { sourceId: 'A', vip: 'B' },
    });
    expect(unknown.status).toBe(422);
    const wrongSource = await preview({ kind: 'orders', source: 'wecom', fileName: 's.csv', content: VENDOR_SALES });
    expect(wrongSource.body.error.code).toBe('IMPORT_FORMAT_INVALID');
    const noHeader = await preview({ kind: 'records', source: 'pos', fileName: 'v.csv', content: '\n\n' });
    expect(noHeader.status).toBe(422);
  });

  it('saves a format, offers it on 数据导入, and imports the vendor’s file with it', async () => {
    const fields = (await preview({ kind: 'records', source: 'pos', fileName: 'vendor.csv', content: VENDOR })).body
      .fields;
    const saved = await create({ kind: 'records', source: 'pos', label: '新收银系统会员资料', fields });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({
      kind: 'records',
      source: 'pos',
      label: '新收银系统会员资料',
      custom: { createdBy: '陈敏' },
    });
    expect(saved.body.columns).toEqual(expect.arrayContaining(['VIP卡号', '联系电话']));
    memberFormat = saved.body.name;
    expect((await formats()).map((f) => f.name)).toContain(memberFormat);
    const [audit] = await sys.database.exec(
      "select actor_id, details from audit_log where action = 'identity.import_format_create'",
    );
    expect(audit).toMatchObject({ actor_id: 'stf_hq01', details: { id: memberFormat, fields } });

    const res = await sys.call('/api/staff/identity/imports/upload', {
      token: hq,
      body: { mapping: memberFormat, fileName: 'vendor.csv', content: VENDOR },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'done',
      mappingLabel: '新收银系统会员资料',
      summary: { rows: 3, created: 2, rejected: 1 },
    });
    const cards = await sys.database.exec(
      "select source_id, name, phone, birthday::text from source_records where source_id like '77100000%' order by 1",
    );
    expect(cards).toEqual([
      { source_id: '7710000001', name: '周晓梅', phone: '13957115001', birthday: '1971-03-09' },
      { source_id: '7710000002', name: '吴国强', phone: '13957115002', birthday: '1969-12-01' },
    ]);
  });

  it('refuses a second format of the same name', async () => {
    const again = await create({
      kind: 'records',
      source: 'pos',
      label: '新收银系统会员资料',
      fields: { sourceId: 'VIP卡号' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('IMPORT_FORMAT_LABEL_TAKEN');
  });

  it('shows a row it cannot read in its place in the file, refused with why, as the import would', async () => {
    const lines = VENDOR.split('\n');
    const sample = [lines[0], lines[1], '7710000009,李"红,13957115009,1975-05-05,女,HZ001,', lines[2]].join('\n');
    const res = await preview({ kind: 'records', source: 'pos', fileName: 'vendor.csv', content: sample });
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((i: { row: number; id: string | null; accepted: boolean }) => [i.row, i.id, i.accepted]),
    ).toEqual([
      [2, '7710000001', true],
      [3, null, false],
      [4, '7710000002', true],
    ]);
    expect(res.body.items[1].explanation).toContain('第 3 行「客户名称」列的值中间有引号');
    // a sample cut short inside a quoted value: the cut is not the file's fault, and is not shown
    const cut = `${[lines[0], lines[1]].join('\n')}\n7710000010,"王\n`;
    const head = await preview({ kind: 'records', source: 'pos', fileName: 'vendor.csv', content: cut, partial: true });
    expect(head.body.items.map((i: { row: number }) => i.row)).toEqual([2]);
  });

  it('makes a sales format: orders grouped by their number, each order judged', async () => {
    const res = await preview({ kind: 'orders', source: 'pos', fileName: 'sales.csv', content: VENDOR_SALES });
    expect(res.body.fields).toMatchObject({
      externalId: '小票号',
      memberId: 'VIP卡号',
      orderedAt: '日期',
      sku: '货号',
      productName: '品名',
      quantity: '销售数量',
      unitPrice: '售价',
    });
    expect(res.body.missing).toEqual([]);
    // the sample's last order may go on past it: the first two are shown
    expect(res.body.items).toEqual([
      expect.objectContaining({ row: 2, id: 'P-9001', accepted: true, lines: 2 }),
      expect.objectContaining({
        row: 4,
        id: 'P-9002',
        accepted: false,
        explanation: '第1行商品的数量应为非零整数（退货为负数），收到“0”',
      }),
    ]);
    const noPrice = await create({
      kind: 'orders',
      source: 'pos',
      label: '缺价格',
      fields: { externalId: '小票号', orderedAt: '日期', sku: '货号', quantity: '销售数量' },
    });
    expect(noPrice.body.error).toMatchObject({
      code: 'IMPORT_FORMAT_INVALID',
      message: expect.stringContaining('单价或金额'),
    });
    const saved = await create({ kind: 'orders', source: 'pos', label: '新收银系统销售明细', fields: res.body.fields });
    expect(saved.status).toBe(201);
    const up = await sys.call('/api/staff/identity/imports/upload', {
      token: hq,
      body: { mapping: saved.body.name, fileName: 'sales.csv', content: VENDOR_SALES },
    });
    expect(up.body).toMatchObject({ kind: 'orders', status: 'done', summary: { orders: 3, created: 2, rejected: 1 } });
  });

  it('stops offering a format; an import that used it still reads it', async () => {
    const stop = await sys.call('/api/staff/identity/import-formats/archive', {
      token: hq,
      body: { name: memberFormat },
    });
    expect(stop.status).toBe(200);
    expect((await formats()).map((f) => f.name)).not.toContain(memberFormat);
    const list = await sys.call('/api/staff/identity/imports', { token: hq });
    expect(list.body.imports.map((i: { mappingLabel: string }) => i.mappingLabel)).toContain('新收银系统会员资料');
    const upload = await sys.call('/api/staff/identity/imports/upload', {
      token: hq,
      body: { mapping: memberFormat, fileName: 'vendor2.csv', content: `${VENDOR}\n` },
    });
    expect(upload.status).toBe(400);
    expect(upload.body.error.code).toBe('IMPORT_MAPPING_UNKNOWN');
    // its name is free again
    const again = await create({
      kind: 'records',
      source: 'pos',
      label: '新收银系统会员资料',
      fields: { sourceId: 'VIP卡号' },
    });
    expect(again.status).toBe(201);
    const missing = await sys.call('/api/staff/identity/import-formats/archive', {
      token: hq,
      body: { name: 'pos-legacy' },
    });
    expect(missing.status).toBe(404);
  });

  it('is HQ only', async () => {
    for (const staff of ['u_sm01', 'u_rm01', 'u_ck01']) {
      const token = await staffToken(sys, staff);
      expect(
        (await preview({ kind: 'records', source: 'pos', fileName: 'v.csv', content: VENDOR }, token)).status,
      ).toBe(403);
      expect(
        (await create({ kind: 'records', source: 'pos', label: 'x格式', fields: { sourceId: 'A' } }, token)).status,
      ).toBe(403);
    }
  });
});
