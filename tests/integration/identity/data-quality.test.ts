/**
 * The data-quality report per source (valid phones, duplicates, completeness of key fields): HQ computes it on
 * demand (at most once a minute, one computation however many ask at once) and reads the latest with the one
 * before it; nobody below HQ sees it.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STORES } from '../../../dev/demo/fixtures.js';
import type { DataQualityReport, StoreFigures, StoreQuality } from '../../../shared/contracts/identity.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';
import { ingest, ingestOrders } from './helpers.js';

const storeOf = (code: string) => {
  const store = DEMO_STORES.find((x) => x.code === code);
  if (!store) throw new Error(`no demo store ${code}`);
  return store;
};
const HZ001 = storeOf('HZ001');
const HZ002 = storeOf('HZ002');

let sys: TestSystem;
let hq: string;
beforeAll(async () => {
  sys = await startTestSystem();
  hq = await staffToken(sys, 'u_hq01');
});
afterAll(async () => sys?.close());

const refresh = (token = hq) => sys.call('/api/staff/identity/quality/refresh', { body: {}, token });
const bySource = (report: DataQualityReport, source: string) => report.sources.find((s) => s.source === source);

describe('data-quality report per source', () => {
  it('is empty before the first computation', async () => {
    const res = await sys.call('/api/staff/identity/quality', { token: hq });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ report: null, previous: null });
    const stores = await sys.call('/api/staff/identity/quality/stores', { token: await staffToken(sys, 'u_sm01') });
    expect(stores.status).toBe(200);
    expect(stores.body).toEqual({ report: null });
  });

  it('counts phones, emails, duplicates and filled-in fields per source', async () => {
    const pos = await ingest(sys, [
      { sourceId: 'Q001', name: '张伟', phone: '138 1234 5678', birthday: '1980-01-02', gender: '男' },
      { sourceId: 'Q002', name: '张伟', phone: '+86 13812345678' }, // the same person's second card
      { sourceId: 'Q003', name: '李娜', phone: '12345' }, // not a mobile number
      { sourceId: 'Q004', name: '王先生', phone: '13800000000' }, // a placeholder the clerk typed
      { sourceId: 'Q005', name: '赵敏' }, // no phone
    ]);
    expect(pos.status, JSON.stringify(pos.body)).toBe(200);
    const mall = await ingest(
      sys,
      [
        {
          sourceId: 'M001',
          mallAccount: 'M001',
          name: '刘洋',
          phone: '139 0000 1111',
          email: 'LiuYang@Example.com',
          address: '浙江省杭州市西湖区文三路1号',
        },
        { sourceId: 'M002', mallAccount: 'M002', email: 'not-an-email' },
      ],
      'key_mall',
    );
    expect(mall.status, JSON.stringify(mall.body)).toBe(200);

    const res = await refresh();
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.computed).toBe(true);
    expect(res.body.report).toMatchObject({
      computedAt: sys.clock.now().toISOString(),
      trigger: 'staff',
      computedByName: '陈敏',
    });
    expect(bySource(res.body.report, 'pos')).toEqual({
      source: 'pos',
      records: 5,
      phones: { valid: 2, invalid: 1, blocked: 1, missing: 1, verified: 0 },
      emails: { valid: 0, invalid: 0, missing: 5 },
      // both cards of 张伟 carry one phone, and the linker joined them
      duplicates: { sharedPhone: 2, sameCustomer: 2 },
      // 王先生 is an honorific, not a name; gender: 男 given, 伟 implies it, and so does 先生. The store-bound POS
      // key gives every card its store
      completeness: { realName: 4, birthday: 1, gender: 3, city: 0, store: 5, lastActive: 0 },
      // all five came from one store's till
      stores: [
        {
          storeId: 'sto_001',
          storeName: HZ001.name,
          regionName: '杭州区域',
          records: 5,
          phones: { valid: 2, invalid: 1, blocked: 1, missing: 1 },
          realName: 4,
          birthday: 1,
        },
      ],
    });
    // the mall has no stores: no per-store lines
    expect(bySource(res.body.report, 'mall')).toEqual({
      source: 'mall',
      records: 2,
      phones: { valid: 1, invalid: 0, blocked: 0, missing: 1, verified: 0 },
      emails: { valid: 1, invalid: 1, missing: 0 },
      duplicates: { sharedPhone: 0, sameCustomer: 0 },
      completeness: { realName: 1, birthday: 0, gender: 0, city: 1, store: 0, lastActive: 0 },
    });

    const read = await sys.call('/api/staff/identity/quality', { token: hq });
    expect(read.body).toEqual({ report: res.body.report, previous: null });
  });

  it('returns the report of the last minute instead of computing again', async () => {
    sys.clock.advance(30_000);
    const again = await refresh();
    expect(again.status).toBe(200);
    expect(again.body.computed).toBe(false);
    const [{ n }] = await sys.database.exec('select count(*)::int as n from data_quality_reports');
    expect(n).toBe(1);
  });

  it('keeps the report before the latest, so HQ sees whether a source got better', async () => {
    sys.clock.advance(60_000);
    await ingest(sys, [{ sourceId: 'Q006', name: '孙丽', phone: '0086-139-0000-2222', birthday: '1975-03-04' }]);
    const res = await refresh();
    expect(res.body.computed).toBe(true);
    const read = await sys.call('/api/staff/identity/quality', { token: hq });
    expect(bySource(read.body.report, 'pos')).toMatchObject({
      records: 6,
      phones: { valid: 3 },
      completeness: { birthday: 2 },
    });
    expect(bySource(read.body.previous, 'pos')).toMatchObject({ records: 5, phones: { valid: 2 } });
  });

  it('computes once when several refreshes arrive together', async () => {
    sys.clock.advance(120_000);
    const answers = await Promise.all([refresh(), refresh(), refresh()]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.filter((a) => a.body.computed)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.report.computedAt)).size).toBe(1);
    const [{ n }] = await sys.database.exec('select count(*)::int as n from data_quality_reports');
    expect(n).toBe(3);
  });

  it('refuses a body with anything in it', async () => {
    const res = await sys.call('/api/staff/identity/quality/refresh', { body: { source: 'pos' }, token: hq });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('counts the POS records per store, so HQ sees whose till the placeholders come from', async () => {
    sys.clock.advance(180_000);
    const hz002 = await ingest(
      sys,
      [
        { sourceId: 'R001', name: '周芳', phone: '13800138000' }, // a placeholder
        { sourceId: 'R002', name: '吴刚', phone: '13800138000' },
        { sourceId: 'R003', name: '郑洁', phone: '15912345678', birthday: '1990-05-06' },
      ],
      'key_pos_hz002',
    );
    expect(hz002.status, JSON.stringify(hz002.body)).toBe(200);
    const res = await refresh();
    expect(res.body.computed).toBe(true);
    const pos = bySource(res.body.report, 'pos');
    expect(pos?.records).toBe(9);
    expect(pos?.stores?.map((x) => [x.storeId, x.records])).toEqual([
      ['sto_001', 6],
      ['sto_002', 3],
    ]);
    expect(pos?.stores?.[1]).toEqual({
      storeId: 'sto_002',
      storeName: HZ002.name,
      regionName: '杭州区域',
      records: 3,
      phones: { valid: 1, invalid: 0, blocked: 2, missing: 0 },
      realName: 3,
      birthday: 1,
    });
    // the lines add up to the source's figures
    const sum = (f: (x: StoreQuality) => number) => (pos?.stores ?? []).reduce((n, x) => n + f(x), 0);
    expect(sum((x) => x.phones.blocked)).toBe(pos?.phones.blocked);
    expect(sum((x) => x.phones.valid)).toBe(pos?.phones.valid);
  });

  it("gives a store manager their store's lines, with the report before and the chain as the yardstick", async () => {
    const res = await sys.call('/api/staff/identity/quality/stores', { token: await staffToken(sys, 'u_sm01') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { report } = res.body;
    const hqView = (await sys.call('/api/staff/identity/quality', { token: hq })).body as {
      report: DataQualityReport;
      previous: DataQualityReport;
    };
    expect(report.computedAt).toBe(hqView.report.computedAt);
    expect(report.previousComputedAt).toBe(hqView.previous.computedAt);
    expect(report.perStore).toBe(true);
    // Q001–Q006 of 西湖 (sto_001): 张伟 twice and 孙丽 valid, 李娜 invalid, 王先生 a placeholder, 赵敏 no phone
    const sto001 = {
      records: 6,
      phones: { valid: 3, invalid: 1, blocked: 1, missing: 1 },
      realName: 5,
      birthday: 2,
    };
    expect(report.stores).toEqual([
      {
        storeId: 'sto_001',
        code: 'HZ001',
        name: HZ001.name,
        regionName: '杭州区域',
        figures: sto001,
        previous: sto001,
      },
    ]);
    // every POS record of the chain, sto_002's three included
    expect(report.chain).toEqual({
      records: 9,
      phones: { valid: 4, invalid: 1, blocked: 3, missing: 1 },
      realName: 8,
      birthday: 3,
    });
  });

  it("gives a regional manager every store of the region, none of another region's", async () => {
    const res = await sys.call('/api/staff/identity/quality/stores', { token: await staffToken(sys, 'u_rm01') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const lines = res.body.report.stores as { storeId: string; code: string; figures: StoreFigures | null }[];
    expect(lines.map((x) => x.code)).toEqual(DEMO_STORES.filter((x) => x.regionId === 'reg_hz').map((x) => x.code));
    expect(lines.filter((x) => x.figures !== null).map((x) => [x.storeId, x.figures?.records])).toEqual([
      ['sto_001', 6],
      ['sto_002', 3],
    ]);
  });

  it("lists a store's cards with an unusable phone, masked, a page at a time, and audits each read", async () => {
    const manager = await staffToken(sys, 'u_sm01');
    const list = (qs: string, token = manager) => sys.call(`/api/staff/identity/quality/records?${qs}`, { token });
    const [{ n: auditBefore }] = await sys.database.exec(
      `select count(*)::int as n from audit_log where action = 'identity.quality_records_read'`,
    );

    const blocked = await list('storeId=sto_001&problem=blocked');
    expect(blocked.status, JSON.stringify(blocked.body)).toBe(200);
    expect(blocked.body).toMatchObject({
      store: { id: 'sto_001', code: 'HZ001' },
      problem: 'blocked',
      nextCursor: null,
    });
    // a placeholder is no one's number: shown as typed, with why it links nothing; the name is masked
    expect(blocked.body.records).toEqual([
      expect.objectContaining({
        cardNo: 'Q004',
        nameMasked: '王**',
        phoneMasked: '13800000000',
        blockReason: 'placeholder',
      }),
    ]);
    const invalid = await list('storeId=sto_001&problem=invalid');
    expect(invalid.body.records).toEqual([
      expect.objectContaining({ cardNo: 'Q003', nameMasked: '李*', phoneMasked: '1****', blockReason: null }),
    ]);
    const missing = await list('storeId=sto_001&problem=missing');
    expect(missing.body.records).toEqual([
      expect.objectContaining({ cardNo: 'Q005', nameMasked: '赵*', phoneMasked: null }),
    ]);

    // the region's manager pages through another store's two placeholders
    const regional = await staffToken(sys, 'u_rm01');
    const first = await list('storeId=sto_002&problem=blocked&limit=1', regional);
    expect(first.status).toBe(200);
    expect(first.body.records).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await list(`storeId=sto_002&problem=blocked&limit=1&cursor=${first.body.nextCursor}`, regional);
    expect(second.body.records).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    // one batch's records share a millisecond: the pages hold both cards, each once, in id order
    const cards = [...first.body.records, ...second.body.records].map((r: { cardNo: string }) => r.cardNo);
    expect([...cards].sort()).toEqual(['R001', 'R002']);
    expect(first.body.records[0].recordId < second.body.records[0].recordId).toBe(true);

    const [{ n: auditAfter }] = await sys.database.exec(
      `select count(*)::int as n from audit_log where action = 'identity.quality_records_read'`,
    );
    expect(Number(auditAfter) - Number(auditBefore)).toBe(5);
    const [last] = await sys.database.exec(
      `select actor_id, store_id, details from audit_log where action = 'identity.quality_records_read'
       order by id desc limit 1`,
    );
    expect(last).toMatchObject({ actor_id: 'stf_rm01', store_id: 'sto_002' });
  });

  it("refuses another store's list, a clerk, and a problem it does not know", async () => {
    const manager = await staffToken(sys, 'u_sm01');
    const other = await sys.call('/api/staff/identity/quality/records?storeId=sto_002&problem=blocked', {
      token: manager,
    });
    expect(other.status).toBe(403);
    const clerk = await sys.call('/api/staff/identity/quality/records?storeId=sto_001&problem=blocked', {
      token: await staffToken(sys, 'u_ck01'),
    });
    expect(clerk.status).toBe(403);
    const bad = await sys.call('/api/staff/identity/quality/records?storeId=sto_001&problem=typo', { token: manager });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const unknown = await sys.call('/api/staff/identity/quality/records?storeId=sto_999&problem=blocked', {
      token: hq,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('STORE_NOT_FOUND');
  });

  it('is not for clerks', async () => {
    const clerk = await staffToken(sys, 'u_ck01');
    const res = await sys.call('/api/staff/identity/quality/stores', { token: clerk });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });

  it('is HQ only', async () => {
    const manager = await staffToken(sys, 'u_sm01');
    expect((await sys.call('/api/staff/identity/quality', { token: manager })).status).toBe(403);
    expect((await refresh(manager)).status).toBe(403);
    expect((await sys.call('/api/staff/identity/quality')).status).toBe(401);
  });
});

describe('data-quality report: the orders side', () => {
  it("counts each source's orders: walk-in sales and sales whose member record has not arrived", async () => {
    const order = (externalId: string, memberId: string | null) => ({
      externalId,
      memberId,
      orderedAt: '2026-11-24 10:00',
      lines: [{ sku: 'MD100001', quantity: 1, unitPrice: '17.00' }],
    });
    const res = await ingestOrders(sys, [
      order('DQ-1', 'Q001'), // 张伟's card
      order('DQ-2', 'Q999'), // a card no record carries yet
      order('DQ-3', null), // a walk-in sale
    ]);
    expect(res.body).toMatchObject({ created: 3, members: { known: 1, waiting: 1, none: 1 } });
    sys.clock.advance(61_000);
    const report = (await refresh()).body.report;
    expect(bySource(report, 'pos')?.orders).toEqual({ total: 3, withoutMember: 1, waitingForMember: 1 });
    // a source without orders has no order figures
    expect(bySource(report, 'mall')?.orders).toBeUndefined();
  });
});

describe('the nightly data-quality job', () => {
  it('computes the report with the cron secret only, once however often the call is retried', async () => {
    const s = await startTestSystem();
    try {
      s.deps.env.CRON_SECRET = 'test-cron-secret-0123456789';
      const job = (authorization?: string) =>
        s.call('/api/jobs/data-quality', { headers: authorization ? { authorization } : {} });
      expect((await job()).status).toBe(401);
      expect((await job('Bearer wrong-secret-xxxxxxxx')).status).toBe(401);
      await ingest(s, [{ sourceId: 'N001', name: '钱梅', phone: '13800000000' }]);

      const first = await job('Bearer test-cron-secret-0123456789');
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body).toMatchObject({ computed: true, report: { trigger: 'schedule', computedByName: null } });
      expect(bySource(first.body.report, 'pos')?.phones.blocked).toBe(1);
      const retried = await job('Bearer test-cron-secret-0123456789');
      expect(retried.body).toMatchObject({ computed: false, report: { computedAt: first.body.report.computedAt } });

      // the store's manager opens the page in the morning to last night's figures
      const stores = await s.call('/api/staff/identity/quality/stores', { token: await staffToken(s, 'u_sm01') });
      expect(stores.body.report).toMatchObject({ trigger: 'schedule', computedAt: first.body.report.computedAt });
      expect(stores.body.report.stores[0].figures.phones.blocked).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('is scheduled in vercel.json, with the refresh function time limit', async () => {
    const config = JSON.parse(await readFile(new URL('../../../vercel.json', import.meta.url), 'utf8'));
    expect(config.crons).toContainEqual({ path: '/api/jobs/data-quality', schedule: expect.any(String) });
    expect(config.functions['api/jobs/data-quality.ts'].maxDuration).toBe(
      config.functions['api/staff/identity/quality/refresh.ts'].maxDuration,
    );
  });
});

describe('a report stored before per-store figures existed', () => {
  it('says so to a store manager instead of showing empty stores', async () => {
    const s = await startTestSystem();
    try {
      const pos = {
        source: 'pos',
        records: 1,
        phones: { valid: 1, invalid: 0, blocked: 0, missing: 0, verified: 0 },
        emails: { valid: 0, invalid: 0, missing: 1 },
        duplicates: { sharedPhone: 0, sameCustomer: 0 },
        completeness: { realName: 1, birthday: 0, gender: 0, city: 0, store: 1, lastActive: 0 },
      };
      await s.database.exec(
        `insert into data_quality_reports (id, computed_at, computed_by, duration_ms, sources)
         values ('dqr_legacy', now(), 'import', 5, $1::jsonb)`,
        [JSON.stringify([pos])],
      );
      const res = await s.call('/api/staff/identity/quality/stores', { token: await staffToken(s, 'u_sm01') });
      expect(res.status).toBe(200);
      expect(res.body.report).toMatchObject({ perStore: false, previousComputedAt: null });
      expect(res.body.report.stores).toEqual([
        expect.objectContaining({ storeId: 'sto_001', figures: null, previous: null }),
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('the demo npm start seeds', () => {
  let demo: TestSystem;
  beforeAll(async () => {
    demo = await startTestSystem({ seed: 'demo', members: 300 });
  });
  afterAll(async () => demo?.close());

  it('arrives linked and with a data-quality report, as after a batch import', async () => {
    const token = await staffToken(demo, 'u_hq01');
    const res = await demo.call('/api/staff/identity/quality', { token });
    expect(res.status).toBe(200);
    expect(res.body.previous).toBeNull();
    expect(res.body.report).toMatchObject({ trigger: 'import', computedByName: null });
    const [counts] = await demo.database.exec(
      `select count(*)::int as records, count(distinct customer_id)::int as customers from source_records where source = 'pos'`,
    );
    const pos = bySource(res.body.report, 'pos');
    expect(pos?.records).toBe(counts.records);
    // the generator gives people several cards; linking joined some of them
    expect(counts.customers).toBeLessThan(Number(counts.records));
    expect(pos?.duplicates.sameCustomer).toBeGreaterThan(0);
    expect(res.body.report.sources.map((s: { source: string }) => s.source)).toEqual(
      expect.arrayContaining(['pos', 'mall', 'miniprogram']),
    );
  });
});
