/**
 * The file import as a source on 数据对接状态: HQ's latest upload from 数据导入, with when it ran, who uploaded which
 * file, and what became of its rows (read, imported, linked, held for review, refused into the quarantine, failed):
 * the figures 数据导入 stored for it, which the quarantine's items agree with. Steps end after every batch
 * (IMPORT_STEP_MS=0), so a file of more than one batch stays running until asked again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadBatchSize } from '../../../functions/app/identity/upload-import.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';

let sys: TestSystem;
let hq: string;
beforeAll(async () => {
  sys = await startTestSystem({ env: { IMPORT_STEP_MS: '0' } });
  hq = await staffToken(sys, 'u_hq01');
});
afterAll(async () => sys?.close());

/**
 * The standard columns, each row naming its source: one person's two cards, a card last used in 2021 whose phone a
 * stranger's mall account carries now, a bad date, and three rows refused: an unknown store, a source MedLoop does not
 * know, a stray quote.
 */
const MEMBERS = [
  'source,source_id,name,birthday,gender,phone,card_no,store_code,last_active',
  'pos,6680000001,冯建华,1958-04-02,male,13957118001,6680000001,HZ001,2026-11-02',
  // the same man's card at another counter: linked to the first
  'pos,6680000002,冯建华,1958-04-02,male,139 5711 8001,6680000002,HZ001,2026-10-11',
  'pos,6680000003,钱玉兰,1962-09-15,female,13957118003,6680000003,HZ001,2021-03-01',
  // a number given to someone else since? held for review, not merged
  'mall,mall_hl_01,平安是福,,male,13957118003,,,2026-11-20',
  // an impossible birthday: imported without it, flagged
  'pos,6680000005,孙立,1990-02-30,male,13957118005,6680000005,HZ001,2026-11-20',
  'pos,6680000006,周敏,,female,13957118006,6680000006,ZZ999,2026-11-20',
  'poss,6680000007,吴静,,female,13957118007,6680000007,HZ001,2026-11-20',
  'pos,6680000008,郑"强,,male,13957118008,6680000008,HZ001,2026-11-20',
].join('\n');
const POS_HEADER = '会员卡号,姓名,性别,生日,手机号,地址,门店编号,最近消费日期';

const health = async () => {
  const res = await sys.call('/api/staff/identity/health', { token: hq });
  expect(res.status).toBe(200);
  return res.body;
};
const upload = (body: Record<string, unknown>) => sys.call('/api/staff/identity/imports/upload', { token: hq, body });

describe('the file import on 数据对接状态', () => {
  it('says there was no upload yet', async () => {
    expect((await health()).fileImport).toBeNull();
  });

  it('shows the latest upload: who, which file, rows read, linked, held and refused, as 数据导入 counted them', async () => {
    const openBefore = (await health()).quarantined;
    const up = await upload({ mapping: 'records-standard', fileName: '会员资料汇总.csv', content: MEMBERS });
    expect(up.status).toBe(200);
    expect(up.body.status).toBe('done');

    const { fileImport, quarantined } = await health();
    expect(fileImport).toEqual({
      id: up.body.id,
      kind: 'records',
      fileName: '会员资料汇总.csv',
      staffName: '陈敏',
      status: 'done',
      error: null,
      startedAt: sys.clock.now().toISOString(),
      finishedAt: sys.clock.now().toISOString(),
      lagMinutes: 0,
      rowsTotal: 8,
      rowsDone: 8,
      figures: {
        rows: 8,
        created: 5,
        updated: 0,
        unchanged: 0,
        rejected: 3,
        linked: 1,
        held: 1,
        warned: 1,
        orders: 0,
        ordersKnown: 0,
        ordersWaiting: 0,
      },
    });
    // the figures are the ones 数据导入 shows for the upload, not counted a second time
    const listed = (await sys.call('/api/staff/identity/imports', { token: hq })).body.imports[0];
    expect(listed.id).toBe(up.body.id);
    for (const k of Object.keys(fileImport.figures)) expect(fileImport.figures[k], k).toBe(listed.summary[k]);
    // what the records say: one customer for the two cards, the phone's pair held apart, the refused rows quarantined
    const [cards] = await sys.database.exec(
      `select count(distinct customer_id)::int as customers, count(*)::int as cards from source_records
        where source = 'pos' and source_id in ('6680000001', '6680000002')`,
    );
    expect(cards).toEqual({ customers: 1, cards: 2 });
    const apart = await sys.database.exec(
      `select r.source_id, r.customer_id, exists (select 1 from held_links h where h.record_id = r.id
          and h.status = 'open') as held
        from source_records r where r.source_id in ('6680000003', 'mall_hl_01') order by r.source_id`,
    );
    expect(apart.map((r) => r.held)).toEqual([true, true]);
    expect(apart[0].customer_id).not.toBe(apart[1].customer_id);
    expect(quarantined - openBefore).toBe(3);
    const refused = await sys.database.exec(
      `select source, source_id, code from ingest_quarantine where resolved_at is null and created_at = $1
        order by source_id nulls last`,
      [sys.clock.now().toISOString()],
    );
    // a row naming no source MedLoop knows, or none that can be read, is kept under the file import's own key
    expect(refused).toEqual([
      { source: 'pos', source_id: '6680000006', code: 'unknown_store' },
      { source: 'import', source_id: '6680000007', code: 'record_source_unknown' },
      { source: 'import', source_id: null, code: 'csv_malformed' },
    ]);
  });

  it('counts the time since the upload ended', async () => {
    sys.clock.advance(95 * 60_000);
    hq = await staffToken(sys, 'u_hq01'); // the session of 95 minutes ago has expired
    expect((await health()).fileImport).toMatchObject({ fileName: '会员资料汇总.csv', lagMinutes: 95 });
  });

  it('shows a sales file with its orders and members', async () => {
    const sales = [
      '单据号,会员卡号,门店编号,销售时间,商品编码,商品名称,数量,单价,金额,整单优惠,实收金额',
      'XS-HL-0001,6680000001,HZ001,2026-11-02 10:15,MD100001,苯磺酸氨氯地平片,2,17.00,34.00,0,34.00',
      // a card not imported yet: the order waits for its member
      'XS-HL-0002,6680000099,HZ001,2026-11-20 09:01,MD100002,二甲双胍缓释片,1,29.50,29.50,0,29.50',
      // no quantity: refused
      'XS-HL-0003,6680000003,HZ001,2026-11-20 09:30,MD100001,苯磺酸氨氯地平片,0,17.00,0,0,0',
    ].join('\n');
    const up = await upload({ mapping: 'pos-orders-legacy', fileName: '文三路店销售.csv', content: sales });
    expect(up.status).toBe(200);
    expect((await health()).fileImport).toMatchObject({
      id: up.body.id,
      kind: 'orders',
      fileName: '文三路店销售.csv',
      status: 'done',
      lagMinutes: 0,
      figures: { rows: 3, orders: 3, created: 2, ordersKnown: 1, ordersWaiting: 1, rejected: 1, linked: 0, held: 0 },
    });
  });

  it('shows an upload under way with how far it got, then failed once the nightly job ends it', async () => {
    const cards = Array.from(
      { length: 600 },
      (_, i) => `${6681000000 + i},会员${i},${i % 2 ? '男' : '女'},,${13957500000 + i},,HZ002,2026-11-20`,
    );
    sys.clock.advance(60_000);
    const started = sys.clock.now().toISOString();
    const up = await upload({
      mapping: 'pos-legacy',
      fileName: '滨江店会员.csv',
      content: [POS_HEADER, ...cards].join('\n'),
    });
    const batch = uploadBatchSize(sys.database);
    expect(up.body).toMatchObject({ status: 'running', rowsDone: batch });
    sys.clock.advance(10 * 60_000);
    expect((await health()).fileImport).toMatchObject({
      id: up.body.id,
      fileName: '滨江店会员.csv',
      status: 'running',
      error: null,
      startedAt: started,
      finishedAt: null,
      lagMinutes: 10,
      rowsTotal: 600,
      rowsDone: batch,
      figures: { rows: batch, created: batch, rejected: 0 },
    });

    // nobody went on with it; the nightly job ends it three days later
    sys.clock.advance(3 * 86_400_000);
    hq = await staffToken(sys, 'u_hq01');
    sys.deps.env.CRON_SECRET = 'test-cron-secret-0123456789';
    const job = await sys.call('/api/jobs/purge-integration-log', {
      headers: { authorization: 'Bearer test-cron-secret-0123456789' },
    });
    expect(job.body).toMatchObject({ abandonedImports: 1 });
    expect((await health()).fileImport).toMatchObject({
      id: up.body.id,
      status: 'failed',
      error: expect.stringContaining('abandoned'),
      finishedAt: sys.clock.now().toISOString(),
      lagMinutes: 0,
      rowsDone: batch,
      figures: { rows: batch, created: batch },
    });
  });
});
