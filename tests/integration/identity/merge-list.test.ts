/**
 * The merge history HQ reads (GET /api/staff/identity/merges): merges made by ingest and by the bulk linker, told
 * with masked values only, filtered by phone or customer, paged newest first, HQ only, audited, and marked undone
 * after an undo.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../../functions/app/identity/import-file.js';
import type { MergeItem, MergesResponse } from '../../../shared/contracts/identity.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { memberToken, staffToken } from '../onboarding/helpers.js';
import { customerOf, ingest } from './helpers.js';

const PATH = '/api/staff/identity/merges';
let sys: TestSystem;
let hq: string;
const temp = await mkdtemp(join(tmpdir(), 'medloop-merge-list-'));

beforeAll(async () => {
  sys = await startTestSystem();
  hq = await staffToken(sys, 'u_hq01');
});
afterAll(async () => {
  await sys?.close();
  await rm(temp, { recursive: true, force: true });
});

async function list(query: Record<string, string> = {}, token = hq) {
  const qs = new URLSearchParams(query).toString();
  return sys.call(`${PATH}${qs ? `?${qs}` : ''}`, { token });
}

async function listOk(query: Record<string, string> = {}): Promise<MergesResponse> {
  const res = await list(query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** Any mainland mobile number in full, anywhere in the answer (names of fields included). */
const FULL_PHONE = /(?<!\d)1[3-9]\d{9}(?!\d)/;

describe('the merge history', () => {
  let phoneMerge: MergeItem;

  it('shows a merge made by ingest with masked values only', async () => {
    // a POS card, then a mall account with the same phone and name: the incremental linker joins them
    await ingest(sys, [{ sourceId: '8890000001', name: '王丽华', phone: '13511110001', storeCode: 'HZ001' }]);
    sys.clock.advance(60_000);
    const mall = await ingest(
      sys,
      [{ sourceId: 'mall_wlh', name: '王丽华', phone: '135 1111 0001', unionid: 'oUN_wanglihua_0001' }],
      'key_mall',
    );
    expect(mall.body.results[0].link).toBe('linked');
    sys.clock.advance(60_000);
    // the WeCom contact shares the mall account's unionid: a strong link whose raw value is stored in the evidence
    const wecom = await ingest(sys, [{ sourceId: 'wm_wlh', unionid: 'oUN_wanglihua_0001' }], 'key_wecom');
    expect(wecom.body.results[0].link).toBe('linked');
    const person = await customerOf(sys, 'pos', '8890000001');
    expect(await customerOf(sys, 'mall', 'mall_wlh')).toBe(person);

    const body = await listOk({ phone: '13511110001' });
    const raw = JSON.stringify(body);
    expect(raw).not.toMatch(FULL_PHONE);
    expect(raw).not.toContain('oUN_wanglihua_0001');
    expect(raw).not.toContain('王丽华');
    expect(raw).not.toContain('8890000001');
    expect(body.merges.map((m) => m.rule)).toEqual(['unionid', 'phone']);

    const [byUnionid, byPhone] = body.merges;
    phoneMerge = byPhone;
    expect(byPhone).toMatchObject({
      kind: 'incremental',
      evidence: { via: ['phone'], valueMasked: '135****0001' },
      actor: { kind: 'system', name: '系统实时关联' },
      undone: null,
    });
    expect(byPhone.evidence.text).toContain('同一手机号 135****0001');
    expect(byPhone.survivor.customerId).toBe(person);
    // both sides side by side: the card (with its store) and the mall account, masked
    const sides = [byPhone.survivor, byPhone.merged];
    expect(sides.flatMap((s) => s.records.map((r) => r.source)).sort()).toEqual(['mall', 'pos']);
    for (const s of sides) {
      expect(s.nameMasked).toBe('王**');
      expect(s.phonesMasked).toEqual(['135****0001']);
      expect(s.recordCount).toBe(1);
    }
    const card = sides.flatMap((s) => s.records).find((r) => r.source === 'pos');
    expect(card).toMatchObject({ sourceIdMasked: '88****0001', storeName: '文三路店', phoneMasked: '135****0001' });
    expect(byPhone.moved).toContainEqual({ table: 'source_records', count: 1 });
    expect(new Date(byPhone.createdAt).getTime()).toBe(sys.clock.now().getTime() - 60_000);

    expect(byUnionid.evidence.via).toEqual(['unionid']);
    expect(byUnionid.evidence.valueMasked).toBe('oUN_****01');
    expect(byUnionid.evidence.text).toBe('同一微信用户 oUN_****01');
    expect(new Date(byUnionid.createdAt) > new Date(byPhone.createdAt)).toBe(true);
  });

  it('filters by phone (either side, whoever holds it now) and by customer', async () => {
    await ingest(sys, [{ sourceId: '8890000002', name: '赵磊', phone: '13522220002', storeCode: 'HZ001' }]);
    sys.clock.advance(60_000);
    await ingest(sys, [{ sourceId: 'mall_zl', name: '赵磊', phone: '13522220002' }], 'key_mall');
    sys.clock.advance(60_000);

    const zhao = await listOk({ phone: '135-2222-0002' });
    expect(zhao.merges).toHaveLength(1);
    expect(zhao.merges[0].evidence.valueMasked).toBe('135****0002');
    expect(zhao.merges.map((m) => m.id)).not.toContain(phoneMerge.id);

    const nobody = await listOk({ phone: '13599990009' });
    expect(nobody).toEqual({ merges: [], nextCursor: null });

    // the mall account's original customer lost its records to the merge, yet it was a side of it
    const byCustomer = await listOk({ customerId: phoneMerge.merged.customerId });
    expect(byCustomer.merges.map((m) => m.id)).toContain(phoneMerge.id);
    expect(
      byCustomer.merges.every((m) =>
        [m.survivor.customerId, m.merged.customerId].includes(phoneMerge.merged.customerId),
      ),
    ).toBe(true);

    const bad = await list({ phone: '12345' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('pages newest first with a cursor, capped', async () => {
    for (let i = 3; i <= 6; i += 1) {
      await ingest(sys, [{ sourceId: `889000000${i}`, name: '钱伟', phone: `1353333000${i}`, storeCode: 'HZ001' }]);
      await ingest(sys, [{ sourceId: `mall_qw${i}`, name: '钱伟', phone: `1353333000${i}` }], 'key_mall');
    }
    // merges of one ingest share a timestamp: the id breaks the tie, so paging must not skip or repeat
    sys.clock.advance(60_000);
    const all = await sys.database.exec('select id from identity_merges order by created_at desc, id desc');
    expect(all.length).toBeGreaterThanOrEqual(7);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: MergesResponse = await listOk({ limit: '2', ...(cursor ? { cursor } : {}) });
      expect(page.merges.length).toBeLessThanOrEqual(2);
      seen.push(...page.merges.map((m) => m.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(seen).toEqual(all.map((r) => r.id));
    expect(pages).toBe(Math.ceil(all.length / 2));

    expect((await listOk()).merges.map((m) => m.id)).toEqual(all.slice(0, 20).map((r) => r.id));
    expect((await list({ limit: '51' })).status).toBe(400);
    expect((await list({ cursor: 'not-a-cursor' })).status).toBe(400);
  });

  it('tells a bulk merge by its job and the identifiers that linked it', async () => {
    const file = join(temp, 'bulk.csv');
    await writeFile(
      file,
      [
        'record_id,source,source_id,name,phone,unionid,store_code',
        'b1,mall,mall_bulk_1,孙悦,13544440004,oUN_bulk_sunyue,',
        'b2,wecom,wm_bulk_1,孙悦,,oUN_bulk_sunyue,',
      ].join('\n'),
    );
    const summary = await importFile(sys.database, { file, linking: 'bulk', now: sys.clock.now() });
    expect(summary.rejected).toBe(0);
    const body = await listOk({ phone: '13544440004' });
    expect(body.merges).toHaveLength(1);
    const [bulk] = body.merges;
    expect(bulk).toMatchObject({ rule: 'bulk', kind: 'bulk', actor: { kind: 'system', name: '系统批量关联' } });
    expect(bulk.evidence.via).toContain('unionid');
    expect(bulk.evidence.text).toMatch(/^批量关联：这组记录之间有.*同一微信用户/);
    expect(JSON.stringify(body)).not.toMatch(FULL_PHONE);
    expect(JSON.stringify(body)).not.toContain('oUN_bulk_sunyue');
  });

  it('is for HQ only', async () => {
    for (const user of ['u_ck01', 'u_ph01', 'u_sm01', 'u_rm01']) {
      const res = await list({}, await staffToken(sys, user));
      expect(res.status, user).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    const member = await list({}, await memberToken(sys, 'u_zhangwei'));
    expect([401, 403]).toContain(member.status);
    expect((await list({}, '')).status).toBe(401);
  });

  it('audits every read with what it showed', async () => {
    const before = await sys.database.exec(
      "select count(*)::int as n from audit_log where action = 'identity.merge_list'",
    );
    const body = await listOk({ phone: '13511110001' });
    const [entry] = await sys.database.exec(
      "select actor_id, details from audit_log where action = 'identity.merge_list' order by id desc limit 1",
    );
    const after = await sys.database.exec(
      "select count(*)::int as n from audit_log where action = 'identity.merge_list'",
    );
    expect(after[0].n).toBe(Number(before[0].n) + 1);
    expect(entry.actor_id).toBe('stf_hq01');
    const details = entry.details as { filter: { phone: string }; merges: string[]; customers: string[] };
    expect(details.filter.phone).toBe('135****0001');
    expect(details.merges).toEqual(body.merges.map((m) => m.id));
    expect(details.customers).toContain(phoneMerge.survivor.customerId);
    expect(JSON.stringify(details)).not.toMatch(FULL_PHONE);
  });

  it('shows the merge undone, when and by whom, after an undo', async () => {
    sys.clock.advance(60_000);
    const undo = await sys.call('/api/staff/identity/merges/undo', { token: hq, body: { mergeId: phoneMerge.id } });
    expect(undo.status, JSON.stringify(undo.body)).toBe(200);
    expect(undo.body.undoneAt).toBe(sys.clock.now().toISOString());

    const body = await listOk({ phone: '13511110001' });
    const item = body.merges.find((m) => m.id === phoneMerge.id);
    expect(item?.undone).toEqual({
      at: sys.clock.now().toISOString(),
      byName: '陈敏',
      keptApart: true,
      restored: null,
    });
    // the card is its own customer again; both sides still tell what the merge had joined
    expect(item?.merged.records.map((r) => r.source)).toEqual(phoneMerge.merged.records.map((r) => r.source));
    expect(await customerOf(sys, 'pos', '8890000001')).not.toBe(await customerOf(sys, 'mall', 'mall_wlh'));
    expect(JSON.stringify(body)).not.toMatch(FULL_PHONE);
  });
});
