/**
 * Merge then undo restores the exact prior state: every record, identity and order back with its own customer,
 * the merged customers active again, and other merges untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';
import { customerOf, ingest, snapshot } from './helpers.js';

let sys: TestSystem;
let hq: string;
beforeAll(async () => {
  sys = await startTestSystem();
  hq = await staffToken(sys, 'u_hq01');
});
afterAll(async () => sys?.close());

async function addCoupon(id: string, customerId: string) {
  const [template] = await sys.database.exec('select id from coupon_templates order by id limit 1');
  await sys.database.exec(
    `insert into coupons (id, template_id, customer_id, code, valid_from, valid_until, reason, issue_key, issued_at)
     values ($1, $2, $3, $1, now(), now() + interval '30 days', 'manual', $1, now())`,
    [id, template.id, customerId],
  );
}

async function addOrder(id: string, customerId: string) {
  await sys.database.exec(
    `insert into orders (id, source, external_id, store_id, customer_id, total_fen, paid_fen, ordered_at)
     values ($1, 'pos', $1, 'sto_001', $2, 1000, 1000, now())`,
    [id, customerId],
  );
}

describe('merge and undo', () => {
  it('moves orders with the person and puts every row back on undo', async () => {
    // two cards of one person, each with its own history, not yet linked (different phones)
    await ingest(sys, [
      { sourceId: '8860000001', name: '李娜', phone: '13366660001', storeCode: 'HZ001' },
      { sourceId: '8860000002', name: '李娜', phone: '13366660002', storeCode: 'HZ001' },
      { sourceId: '8860000009', name: '周杰', phone: '13366660009', storeCode: 'HZ001' },
    ]);
    const a = await customerOf(sys, 'pos', '8860000001');
    const b = await customerOf(sys, 'pos', '8860000002');
    expect(a).not.toBe(b);
    await addOrder('ord_undo_a1', a);
    await addOrder('ord_undo_a2', a);
    await addOrder('ord_undo_b1', b);
    await addCoupon('cpn_undo_a1', a);
    await addCoupon('cpn_undo_b1', b);
    const before = await snapshot(sys);
    sys.clock.advance(60_000);

    // the mall account shares card 1's phone; the WeCom contact shares the mall's unionid and card 2's phone
    const mall = await ingest(
      sys,
      [{ sourceId: 'mall_ln', name: '李娜', phone: '13366660001', unionid: 'oUN_ln' }],
      'key_mall',
    );
    expect(mall.body.results[0].link).toBe('linked');
    sys.clock.advance(60_000);
    const wecom = await ingest(
      sys,
      [{ sourceId: 'wm_ln', unionid: 'oUN_ln', phone: '13366660002', name: '李娜' }],
      'key_wecom',
    );
    expect(wecom.body.results[0].link).toBe('linked');
    const merged = await customerOf(sys, 'pos', '8860000001');
    expect(await customerOf(sys, 'pos', '8860000002')).toBe(merged);
    const orders = await sys.database.exec("select distinct customer_id from orders where id like 'ord_undo_%'");
    expect(orders).toEqual([{ customer_id: merged }]);
    const coupons = await sys.database.exec("select distinct customer_id from coupons where id like 'cpn_undo_%'");
    expect(coupons).toEqual([{ customer_id: merged }]);

    // undo every merge, newest first, through the HQ endpoint
    const merges = await sys.database.exec(
      'select id from identity_merges where undone_at is null order by created_at desc, id desc',
    );
    expect(merges.length).toBeGreaterThanOrEqual(2);
    for (const m of merges) {
      const res = await sys.call('/api/staff/identity/merges/undo', { token: hq, body: { mergeId: m.id } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const after = await snapshot(sys);
    // the two new records (mall, WeCom) exist now and the merges are marked undone; everything else is as before
    const keep = (s: Awaited<ReturnType<typeof snapshot>>) => ({
      customers: s.customers.filter((c) => before.customers.some((x) => x.id === c.id)),
      records: s.records.filter((r) => before.records.some((x) => x.id === r.id)).map(({ updated_at, ...r }) => r),
      identities: s.identities.filter((i) => before.identities.some((x) => x.id === i.id)),
      orders: s.orders,
      coupons: s.coupons,
    });
    expect(keep(after)).toEqual(keep(before));
    expect(after.merges.every((m) => m.undone_at !== null)).toBe(true);
    const audit = await sys.database.exec(
      "select count(*)::int as n from audit_log where action = 'identity.merge_undo'",
    );
    expect(audit[0].n).toBe(merges.length);
  });

  it('undoes one merge out of order without disturbing a later one', async () => {
    await ingest(sys, [
      { sourceId: '8870000001', name: '高峰', phone: '13377770007', storeCode: 'HZ001' },
      { sourceId: '8870000002', name: '高峰', phone: '13377770007', storeCode: 'HZ001' },
    ]);
    const merged = await customerOf(sys, 'pos', '8870000001');
    await addOrder('ord_ooo_1', merged);
    sys.clock.advance(60_000);
    await ingest(sys, [{ sourceId: 'mall_gf', name: '高峰', phone: '13377770007' }], 'key_mall');
    const [first, second] = await sys.database.exec(
      "select id, merged_id from identity_merges where evidence->>'value' = '133****0007' order by created_at, id",
    );
    expect(second).toBeDefined();
    const res = await sys.call('/api/staff/identity/merges/undo', { token: hq, body: { mergeId: first.id } });
    expect(res.status).toBe(200);
    const c1 = await customerOf(sys, 'pos', '8870000001');
    const c2 = await customerOf(sys, 'pos', '8870000002');
    const mallNow = await customerOf(sys, 'mall', 'mall_gf');
    // the card the first merge moved is back on its own customer; the other card and the mall account, joined by
    // the second merge, stay together
    expect(c1).not.toBe(c2);
    expect([c1, c2]).toContain(first.merged_id);
    expect(mallNow).toBe(c1 === first.merged_id ? c2 : c1);
    expect(merged).toBeTruthy();
    const again = await sys.call('/api/staff/identity/merges/undo', { token: hq, body: { mergeId: first.id } });
    expect(again.body.error.code).toBe('ALREADY_DECIDED');
  });

  it('lets only HQ undo a merge', async () => {
    const manager = await staffToken(sys, 'u_sm01');
    const res = await sys.call('/api/staff/identity/merges/undo', { token: manager, body: { mergeId: 'mrg_x' } });
    expect(res.status).toBe(403);
  });
});
