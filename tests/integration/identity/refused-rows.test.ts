/**
 * 下载被拒收的行: HQ uploads an export, some rows are refused; the import keeps them as a file in the upload's own
 * columns plus 拒收原因 (every row of a refused order, across the import's steps, the header once), HQ downloads it
 * (audited), corrects it and uploads it again with the same format, and the corrected rows land. The file goes 30
 * days after the import ends. The command line writes the same file with `--refused`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../../functions/app/identity/import-file.js';
import { refusedRowsFile } from '../../../functions/app/identity/refused-rows.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';

let sys: TestSystem;
let hq: string;
beforeAll(async () => {
  // a step ends after every batch (250 rows), so a longer file takes several
  sys = await startTestSystem({ env: { IMPORT_STEP_MS: '0' } });
  hq = await staffToken(sys, 'u_hq01');
});
afterAll(async () => sys?.close());

const HEADER = '会员卡号,姓名,性别,生日,手机号,地址,门店编号,最近消费日期';
const MEMBERS = [
  HEADER,
  '6640000001,冯建华,男,1958-04-02,13957114101,"浙江省杭州市西湖区文三路1号,2幢",HZ001,2026-11-02',
  '6640000002,孙立,男,,13957114102,,ZZ999,2026-11-20',
  '6640000003,钱玉兰,女,1962-09-15,13957114103,,HZ001,2026-11-20',
  // an unclosed quote: the CSV reader cannot read this record (nor anything after it)
  '6640000004,"周敏,女,,13957114104,,HZ001,2026-11-20',
].join('\r\n');

const upload = (body: Record<string, unknown>, token = hq) =>
  sys.call('/api/staff/identity/imports/upload', { token, body });
const refused = (id: string, token = hq) =>
  sys.call(`/api/staff/identity/imports/refused?id=${encodeURIComponent(id)}`, { token });
const finish = async (view: { id: string; status: string }) => {
  let v = view;
  while (v.status === 'running')
    v = (await sys.call('/api/staff/identity/imports/continue', { token: hq, body: { id: v.id } })).body;
  return v as { id: string; status: string; refusedRows: number; summary: { created: number; rejected: number } };
};

describe('the refused rows of an upload, as a file to correct', () => {
  let importId: string;

  it('keeps the refused rows in the file’s own columns with 拒收原因, and hands them to HQ (audited)', async () => {
    const res = await upload({ mapping: 'pos-legacy', fileName: '西湖店会员.csv', content: MEMBERS });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'done', refusedRows: 2, summary: { created: 2, rejected: 2 } });
    importId = res.body.id;

    const file = await refused(importId);
    expect(file.status).toBe(200);
    expect(file.body.fileName).toBe('西湖店会员-拒收的行.csv');
    expect(file.body.rows).toBe(2);
    const lines = file.body.content.split('\r\n');
    expect(lines[0]).toBe(`\ufeff${HEADER},拒收原因`);
    expect(lines[1]).toBe('6640000002,孙立,男,,13957114102,,ZZ999,2026-11-20,门店编码 ZZ999 不存在，请核对门店编码');
    // the unreadable record: its columns empty, its text after the reason, which names its line in the upload
    expect(lines[2]).toBe(
      ',,,,,,,,"第 5 行有一个引号（""）直到文件末尾都没有配对，从这一行到文件末尾都无法读取：请在这一行补上或删去引号后重新上传；原文：6640000004,""周敏,女,,13957114104,,HZ001,2026-11-20"',
    );
    expect(lines[3]).toBe('');

    const [audit] = await sys.database.exec(
      `select actor_id, details from audit_log where action = 'identity.import_refused_download'`,
    );
    expect(audit).toMatchObject({
      actor_id: 'stf_hq01',
      details: { importId, fileName: '西湖店会员-拒收的行.csv', rows: 2 },
    });
  });

  it('takes the corrected file back through the same format: 拒收原因 is read by nobody', async () => {
    const file = (await refused(importId)).body.content as string;
    const corrected = file
      .replace(',ZZ999,', ',HZ001,')
      .replace(/^,,,,,,,,".*"$/m, '6640000004,周敏,女,,13957114104,,HZ001,2026-11-20,');
    sys.clock.advance(60_000);
    const res = await upload({ mapping: 'pos-legacy', fileName: '西湖店会员-拒收的行.csv', content: corrected });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'done', refusedRows: 0, summary: { created: 2, rejected: 0 } });
    const cards = await sys.database.exec(
      `select source_id, store_id from source_records where source = 'pos' and source_id like '664000000%' order by 1`,
    );
    expect(cards.map((c) => c.source_id)).toEqual(['6640000001', '6640000002', '6640000003', '6640000004']);
    expect(cards.every((c) => c.store_id === 'sto_001')).toBe(true);
    // nothing refused, nothing to download
    const none = await refused(res.body.id);
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('IMPORT_NO_REFUSED_ROWS');
  });

  it('keeps every row of a refused order, across the import’s steps, under one header', async () => {
    const header = '单据号,会员卡号,门店编号,销售时间,商品编码,商品名称,数量,单价,金额,整单优惠,实收金额';
    const line = (id: string, sku: string, qty = 1) =>
      `${id},6640000001,HZ001,2026-11-02 10:15,${sku},药品,${qty},10.00,${qty * 10}.00,0,20.00`;
    // XS-ZERO: its second line has a zero quantity (the whole order is refused); XS-SPLIT: its rows are apart
    const rows = [line('XS-SPLIT', 'MD100001'), line('XS-ZERO', 'MD100001'), line('XS-ZERO', 'MD100002', 0)];
    for (let i = 0; i < 300; i++) {
      const id = `XS-RF-${String(i).padStart(4, '0')}`;
      rows.push(line(id, 'MD100001'), line(id, 'MD100002'));
    }
    rows.push(line('XS-SPLIT', 'MD100002'));
    const first = await upload({
      mapping: 'pos-orders-legacy',
      fileName: '销售明细.csv',
      content: [header, ...rows].join('\n'),
    });
    expect(first.body.status).toBe('running');
    const view = await finish(first.body);
    expect(view).toMatchObject({ status: 'done', refusedRows: 4, summary: { created: 300, rejected: 2 } });

    const file = await refused(view.id);
    expect(file.body.rows).toBe(4);
    const lines = (file.body.content as string).split('\r\n');
    expect(lines[0]).toBe(`\ufeff${header},拒收原因`);
    const apart = '订单 XS-SPLIT 的商品行在文件中不相邻：请按订单号排序后重新导出';
    expect(lines.slice(1)).toEqual([
      `${line('XS-SPLIT', 'MD100001')},${apart}`,
      `${line('XS-ZERO', 'MD100001')},${lines[2].slice(line('XS-ZERO', 'MD100001').length + 1)}`,
      `${line('XS-ZERO', 'MD100002', 0)},${lines[2].slice(line('XS-ZERO', 'MD100001').length + 1)}`,
      `${line('XS-SPLIT', 'MD100002')},${apart}`,
      '',
    ]);
    expect(lines[2]).toContain('第2行商品的数量应为非零整数');
  });

  it('keeps a JSON-lines upload’s refused objects as JSON lines', async () => {
    const content = [
      JSON.stringify({ 会员卡号: '6640000101', 姓名: '吴芳', 手机号: '13957114201', 门店编号: 'HZ001' }),
      JSON.stringify({ 会员卡号: '6640000102', 姓名: '郑浩', 手机号: '13957114202', 门店编号: 'ZZ998' }),
      '{"会员卡号": "6640000103", 姓名',
    ].join('\n');
    const res = await upload({ mapping: 'pos-legacy', fileName: '会员.jsonl', content });
    expect(res.body).toMatchObject({ status: 'done', refusedRows: 2, summary: { created: 1, rejected: 2 } });
    const file = await refused(res.body.id);
    expect(file.body.fileName).toBe('会员-拒收的行.jsonl');
    expect((file.body.content as string).split('\n').map((l) => (l ? JSON.parse(l) : l))).toEqual([
      {
        会员卡号: '6640000102',
        姓名: '郑浩',
        手机号: '13957114202',
        门店编号: 'ZZ998',
        拒收原因: '门店编码 ZZ998 不存在，请核对门店编码',
      },
      { 拒收原因: '不是有效的 JSON', 原文: '{"会员卡号": "6640000103", 姓名' },
      '',
    ]);
  });

  it('is HQ’s only, and says so for an import it does not know', async () => {
    const manager = await staffToken(sys, 'u_sm01');
    const denied = await refused(importId, manager);
    expect(denied.status).toBe(403);
    const unknown = await refused('imp_nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('IMPORT_NOT_FOUND');
    const bad = await refused('');
    expect(bad.status).toBe(400);
  });

  it('deletes the file 30 days after the import ended (names and phones do not stay)', async () => {
    sys.clock.advance(29 * 86_400_000);
    sys.deps.env.CRON_SECRET = 'test-cron-secret-0123456789';
    const night = () =>
      sys.call('/api/jobs/purge-integration-log', { headers: { authorization: 'Bearer test-cron-secret-0123456789' } });
    expect((await night()).body).toMatchObject({ refusedFilesDeleted: 0 });
    sys.clock.advance(2 * 86_400_000);
    expect((await night()).body).toMatchObject({ refusedFilesDeleted: 3 });
    hq = await staffToken(sys, 'u_hq01');
    expect((await refused(importId)).body.error.code).toBe('IMPORT_NO_REFUSED_ROWS');
    const list = await sys.call('/api/staff/identity/imports', { token: hq });
    expect(list.body.imports.every((i: { refusedRows: number }) => i.refusedRows === 0)).toBe(true);
  });
});

const FAX = '来源“fax”不对：会员资料只能来自 pos、mall、miniprogram 或 wecom';

describe('npm run import -- --refused', () => {
  it('writes the refused rows of a file import, the same file the staff pages hand over', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medloop-refused-'));
    try {
      const path = join(dir, 'members.csv');
      await writeFile(
        path,
        [
          'source,source_id,name,phone,card_no,store_code',
          'pos,7740000001,林静,13957115001,7740000001,HZ001',
          'pos,7740000002,林强,13957115002,7740000002,QQ000',
          'fax,7740000003,林平,13957115003,7740000003,HZ001',
        ].join('\n'),
      );
      const out = refusedRowsFile('csv');
      const s = await importFile(sys.database, { file: path, refused: out, now: sys.clock.now() });
      expect(s).toMatchObject({ created: 1, rejected: 2 });
      const { header, body } = out.parts();
      // in file order, though the unknown source was refused as it was read and the unknown store when its batch went
      expect(header + body).toBe(
        'source,source_id,name,phone,card_no,store_code,拒收原因\r\n' +
          'pos,7740000002,林强,13957115002,7740000002,QQ000,门店编码 QQ000 不存在，请核对门店编码\r\n' +
          `fax,7740000003,林平,13957115003,7740000003,HZ001,${FAX}\r\n`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
