/**
 * Issuing one template to a segment of a few thousand members: one INSERT … SELECT under the template's row lock.
 * Exact counts per outcome, stock never exceeded by two concurrent runs, per-member limits across runs, and a
 * re-run of a batch issuing nothing new.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToCustomers } from '../../../functions/app/coupons/staff-coupons.js';
import type { StaffActor } from '../../../shared/access/policy.js';
import { businessDate, startOfBusinessDay } from '../../../shared/coupons/business-day.js';
import { isCouponCode } from '../../../shared/coupons/coupon.rules.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { count, giveCoupon, staffSession } from './loyalty-fixtures.js';

let sys: TestSystem;
let manager: string;
beforeAll(async () => {
  sys = await startTestSystem();
  manager = await staffSession(sys, 'stf_sm01');
});
afterAll(async () => sys?.close());

const SEGMENT = 3000;
const actor: StaffActor = {
  kind: 'staff',
  staffId: 'stf_sm01',
  role: 'store_manager',
  storeId: 'sto_001',
  regionId: null,
};
const ctx = () => ({ requestId: `req_bulk${Math.random().toString(36).slice(2, 10)}`, now: sys.clock.now() });

/** `n` members of a store, created in one statement. */
async function members(prefix: string, n: number, storeId = 'sto_001'): Promise<string[]> {
  const rows = await sys.database.exec(
    `insert into customers (id, display_name, home_store_id, registered_at)
     select $1 || lpad(g::text, 5, '0'), '批量会员', $2, now() from generate_series(1, $3::int) g
     returning id`,
    [prefix, storeId, n],
  );
  return rows.map((r) => String(r.id)).sort();
}

async function template(code: string, body: Record<string, unknown>): Promise<string> {
  const res = await sys.call('/api/staff/coupon-templates/create', {
    token: manager,
    body: {
      code,
      name: '批量券',
      kind: 'amount_off',
      amountOffFen: 500,
      validity: { kind: 'relative', days: 14 },
      ownerStoreId: 'sto_001',
      ...body,
    },
  });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.id;
}

const couponsOf = (templateId: string) =>
  count(sys.database, `select count(*) from coupons where template_id = $1`, [templateId]);
const issuedCount = async (templateId: string) =>
  Number(
    (await sys.database.exec(`select issued_count from coupon_templates where id = $1`, [templateId]))[0].issued_count,
  );
const codes = (out: { refused: { code: string }[] }) => {
  const by: Record<string, number> = {};
  for (const r of out.refused) by[r.code] = (by[r.code] ?? 0) + 1;
  return by;
};

describe('issuing to a segment', () => {
  it('issues to a few thousand members in one statement, with exact counts per outcome; a re-run issues nothing', async () => {
    const ids = await members('cus_seg_a', SEGMENT);
    const far = await members('cus_seg_far', 10, 'sto_017');
    const ghosts = Array.from({ length: 5 }, (_, i) => `cus_nobody_${i}`);
    const templateId = await template('BULK_SEGMENT_A', { totalStock: 5000, perMemberLimit: 1 });
    // the first 100 already hold one (limit 1): they are refused, not issued twice
    for (const id of ids.slice(0, 100)) await giveCoupon(sys, id, 'BULK_SEGMENT_A');

    const input = {
      templateCode: 'BULK_SEGMENT_A',
      customerIds: [...ids, ...far, ...ghosts, ids[5]],
      batchKey: 'seg-a-2026-11',
    };
    const started = performance.now();
    const first = await issueToCustomers(sys.database.db, actor, input, ctx());
    const ms = performance.now() - started;
    if (!first.ok) throw new Error(first.code);
    expect(first.value.issued).toBe(SEGMENT - 100);
    expect(first.value.alreadyIssued).toBe(0);
    // the 10 out of the issuer's scope read as the 5 unknown ids do: the answer tells no one which ids exist
    expect(codes(first.value)).toEqual({ COUPON_LIMIT_REACHED: 100, MEMBER_NOT_FOUND: 15 });
    expect(await couponsOf(templateId)).toBe(SEGMENT);
    expect(await issuedCount(templateId)).toBe(SEGMENT);
    expect(
      await count(sys.database, `select count(*) from coupon_member_counts where template_id = $1 and issued = 1`, [
        templateId,
      ]),
    ).toBe(SEGMENT);
    const rows = await sys.database.exec(
      `select code, valid_until, issue_key, reason, issued_by, issued_store_id from coupons
       where template_id = $1 and issue_key like 'seg-a-2026-11:%'`,
      [templateId],
    );
    expect(rows).toHaveLength(SEGMENT - 100);
    expect(new Set(rows.map((r) => r.code)).size).toBe(SEGMENT - 100);
    expect(rows.every((r) => isCouponCode(String(r.code)))).toBe(true);
    expect(new Set(rows.map((r) => new Date(r.valid_until as string).toISOString()))).toEqual(
      new Set(['2026-12-09T16:00:00.000Z']),
    );
    expect(rows[0]).toMatchObject({ reason: 'manual', issued_by: 'stf_sm01', issued_store_id: 'sto_001' });
    console.info(`bulk issue: ${SEGMENT - 100} coupons to ${input.customerIds.length} ids in ${ms.toFixed(0)} ms`);

    const again = await issueToCustomers(sys.database.db, actor, input, ctx());
    if (!again.ok) throw new Error(again.code);
    expect(again.value.issued).toBe(0);
    expect(again.value.alreadyIssued).toBe(SEGMENT - 100);
    expect(codes(again.value)).toEqual({ COUPON_LIMIT_REACHED: 100, MEMBER_NOT_FOUND: 15 });
    expect(await couponsOf(templateId)).toBe(SEGMENT);
    expect(await issuedCount(templateId)).toBe(SEGMENT);
    const [audit] = await sys.database.exec(
      `select details from audit_log where action = 'coupon.issue' and details->>'batchKey' = 'seg-a-2026-11' order by id limit 1`,
    );
    expect(audit.details).toMatchObject({ recipients: SEGMENT + 15, issued: SEGMENT - 100, refused: 115 });
  }, 120_000);

  it('two concurrent runs never exceed the stock; the first recipients in a list get the coupons', async () => {
    const ids = await members('cus_seg_b', SEGMENT);
    const templateId = await template('BULK_SEGMENT_B', { totalStock: 1000 });
    const [a, b] = await Promise.all([
      issueToCustomers(
        sys.database.db,
        actor,
        { templateCode: 'BULK_SEGMENT_B', customerIds: ids, batchKey: 'seg-b-run-1' },
        ctx(),
      ),
      issueToCustomers(
        sys.database.db,
        actor,
        { templateCode: 'BULK_SEGMENT_B', customerIds: [...ids].reverse(), batchKey: 'seg-b-run-2' },
        ctx(),
      ),
    ]);
    if (!a.ok || !b.ok) throw new Error('refused');
    expect(a.value.issued + b.value.issued).toBe(1000);
    expect(a.value.refused.length + b.value.refused.length).toBe(2 * SEGMENT - 1000);
    expect([...a.value.refused, ...b.value.refused].every((r) => r.code === 'COUPON_OUT_OF_STOCK')).toBe(true);
    expect(await couponsOf(templateId)).toBe(1000);
    expect(await issuedCount(templateId)).toBe(1000);
    // one run took all the stock, in its own order
    const winner =
      a.value.issued === 1000
        ? { run: 'seg-b-run-1', first: ids.slice(0, 1000) }
        : { run: 'seg-b-run-2', first: [...ids].reverse().slice(0, 1000) };
    const got = await sys.database.exec(`select customer_id from coupons where template_id = $1 order by customer_id`, [
      templateId,
    ]);
    expect(got.map((r) => r.customer_id)).toEqual([...winner.first].sort());
    // more stock later: a re-run of the losing batch issues exactly what was added
    expect(
      (
        await sys.call('/api/staff/coupon-templates/update', {
          token: manager,
          body: { templateCode: 'BULK_SEGMENT_B', totalStock: 1500 },
        })
      ).status,
    ).toBe(200);
    const more = await issueToCustomers(
      sys.database.db,
      actor,
      {
        templateCode: 'BULK_SEGMENT_B',
        customerIds: ids,
        batchKey: winner.run === 'seg-b-run-1' ? 'seg-b-run-2' : 'seg-b-run-1',
      },
      ctx(),
    );
    if (!more.ok) throw new Error(more.code);
    expect(more.value.issued).toBe(500);
    expect(await couponsOf(templateId)).toBe(1500);
    expect(await issuedCount(templateId)).toBe(1500);
  }, 120_000);

  it('concurrent runs with different batch keys respect the per-member limit', async () => {
    const ids = await members('cus_seg_c', 800);
    const templateId = await template('BULK_SEGMENT_C', { perMemberLimit: 1 });
    const runs = await Promise.all(
      [1, 2, 3].map((i) =>
        issueToCustomers(
          sys.database.db,
          actor,
          { templateCode: 'BULK_SEGMENT_C', customerIds: ids, batchKey: `seg-c-${i}` },
          ctx(),
        ),
      ),
    );
    const issued = runs.reduce((n, r) => n + (r.ok ? r.value.issued : 0), 0);
    expect(issued).toBe(800);
    expect(await couponsOf(templateId)).toBe(800);
    expect(
      await count(
        sys.database,
        `select count(*) from (select customer_id from coupons where template_id = $1 group by 1 having count(*) > 1) x`,
        [templateId],
      ),
    ).toBe(0);
    // an unlimited template keeps no stock counter
    expect(await issuedCount(templateId)).toBe(0);
  }, 120_000);

  it('issues to a segment larger than one statement can take as parameters (66,000 members)', async () => {
    // a PostgreSQL statement carries at most 65,535 parameters: every list goes to the database as ONE array
    const ids = await members('cus_seg_big', 66_000);
    const templateId = await template('BULK_SEGMENT_BIG', {});
    const out = await issueToCustomers(
      sys.database.db,
      actor,
      { templateCode: 'BULK_SEGMENT_BIG', customerIds: ids, batchKey: 'seg-big-1', reason: 'campaign' },
      ctx(),
    );
    if (!out.ok) throw new Error(out.code);
    expect(out.value).toEqual({ issued: 66_000, alreadyIssued: 0, refused: [] });
    expect(await couponsOf(templateId)).toBe(66_000);
  }, 240_000);

  it('a paused or past template issues nothing to anyone', async () => {
    const ids = await members('cus_seg_d', 50);
    const templateId = await template('BULK_SEGMENT_D', { totalStock: 100 });
    await sys.call('/api/staff/coupon-templates/status', {
      token: manager,
      body: { templateCode: 'BULK_SEGMENT_D', action: 'pause' },
    });
    const out = await issueToCustomers(
      sys.database.db,
      actor,
      { templateCode: 'BULK_SEGMENT_D', customerIds: ids, batchKey: 'seg-d-1' },
      ctx(),
    );
    expect(out).toMatchObject({ ok: false, code: 'COUPON_TEMPLATE_INACTIVE' });
    // a template can no longer be created already over: one valid through today, issued from tomorrow on
    const today = businessDate(sys.clock.now());
    const past = await template('BULK_SEGMENT_E', { validity: { kind: 'fixed', from: today, until: today } });
    const late = await issueToCustomers(
      sys.database.db,
      actor,
      { templateCode: 'BULK_SEGMENT_E', customerIds: ids, batchKey: 'seg-e-1' },
      { ...ctx(), now: startOfBusinessDay(sys.clock.now(), 1) },
    );
    expect(late).toMatchObject({ ok: false, code: 'COUPON_TEMPLATE_INACTIVE' });
    expect((await couponsOf(templateId)) + (await couponsOf(past))).toBe(0);
  });
});
