/**
 * Loyalty follows the person through a merge and back through its undo: points move as compensating ledger
 * transfers per earn year (balance and tier = the sum), the new-member coupon stays once per person (the absorbed
 * unused one is voided, used ones untouched, a later sign-up issues no second one), redemptions and issue counters
 * follow; undo restores each person's exact prior state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestAndLog } from '../../../functions/app/identity/ingest.js';
import { linkAll } from '../../../functions/app/identity/link-all.js';
import { walletOf } from '../../../functions/app/loyalty/wallet.js';
import { issueNewMemberCoupon } from '../../../functions/app/onboarding/new-member-coupon.js';
import { memberPoints } from '../../../functions/app/points/points.js';
import { pointsState } from '../../../shared/points/points.rules.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';
import { customerOf, ingest, loyaltyRows } from './helpers.js';

let sys: TestSystem;
let hq: string;
let newMemberTemplate: string;
let rows: Rows;
beforeAll(async () => {
  sys = await startTestSystem();
  hq = await staffToken(sys, 'u_hq01');
  rows = loyaltyRows(sys);
  newMemberTemplate = (await rows.templates()).newMember;
});
afterAll(async () => sys?.close());

const exec = (q: string, p?: unknown[]) => sys.database.exec(q, p);
type Rows = ReturnType<typeof loyaltyRows>;
const earn = (...a: Parameters<Rows['earn']>) => rows.earn(...a);
const spend = (...a: Parameters<Rows['spend']>) => rows.spend(...a);
const coupon = (...a: Parameters<Rows['coupon']>) => rows.coupon(...a);

async function order(id: string, customerId: string, paidFen: number) {
  await exec(
    `insert into orders (id, source, external_id, store_id, customer_id, total_fen, paid_fen, ordered_at)
     values ($1, 'pos', $1, 'sto_001', $2, $3, $3, $4::timestamptz)`,
    [id, customerId, paidFen, '2026-10-01T02:00:00Z'],
  );
}

/** Everything loyalty a person has, comparable with toEqual. */
async function person(customerId: string) {
  const ledger = await exec(
    'select kind, points, earn_year, occurred_at::text from points_ledger where customer_id = $1 order by occurred_at, id',
    [customerId],
  );
  const state = pointsState(
    ledger.map((l) => ({
      kind: l.kind as 'earn',
      points: Number(l.points),
      earnYear: l.earn_year === null ? null : Number(l.earn_year),
      occurredAt: new Date(String(l.occurred_at)),
    })),
    sys.clock.now(),
  );
  const member = await memberPoints(sys.database.db, customerId, sys.clock.now(), null);
  return {
    // net per earn year (a year whose lines cancel out, e.g. points that came and went back, is no year at all)
    ledgerByYear: await exec(
      `select coalesce(earn_year::text, '-') as year, sum(points)::int as points from points_ledger
       where customer_id = $1 group by 1 having sum(points) <> 0 order by 1`,
      [customerId],
    ),
    balance: member.balance,
    buckets: state.buckets,
    tier: member.tier.code,
    coupons: await exec(
      'select id, status, void_reason, voided_by_merge from coupons where customer_id = $1 order by id',
      [customerId],
    ),
    redemptions: await exec('select id, status from coupon_redemptions where customer_id = $1 order by id', [
      customerId,
    ]),
    counts: await exec('select template_id, issued from coupon_member_counts where customer_id = $1', [customerId]),
  };
}

/** Links two POS cards of one person through a WeCom contact that carries both phones' unionid. */
async function linkCards(tag: string, phoneA: string, phoneB: string) {
  sys.clock.advance(60_000);
  await ingest(sys, [{ sourceId: `mall_${tag}`, name: '王芳', phone: phoneA, unionid: `oUN_${tag}` }], 'key_mall');
  sys.clock.advance(60_000);
  await ingest(sys, [{ sourceId: `wm_${tag}`, unionid: `oUN_${tag}`, phone: phoneB, name: '王芳' }], 'key_wecom');
}

async function mergeBetween(a: string, b: string) {
  const [m] = await exec(
    `select id, survivor_id, merged_id from identity_merges
     where undone_at is null and ((survivor_id = $1 and merged_id = $2) or (survivor_id = $2 and merged_id = $1))`,
    [a, b],
  );
  expect(m, 'the two cards were merged').toBeDefined();
  return { id: String(m.id), survivor: String(m.survivor_id), merged: String(m.merged_id) };
}

async function undo(mergeId: string) {
  const res = await sys.call('/api/staff/identity/merges/undo', { token: hq, body: { mergeId } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe('merge and undo: loyalty follows the person', () => {
  it('sums points per earn year and tier, keeps one new-member coupon, and undo restores each person', async () => {
    await ingest(sys, [
      { sourceId: '8891000001', name: '王芳', phone: '13391110001', storeCode: 'HZ001' },
      { sourceId: '8891000002', name: '王芳', phone: '13391110002', storeCode: 'HZ001' },
    ]);
    const a = await customerOf(sys, 'pos', '8891000001');
    const b = await customerOf(sys, 'pos', '8891000002');
    expect(a).not.toBe(b);

    // a: 100 points of 2025, 50 of 2026, 30 spent (FIFO: from 2025); b: 40 of 2025, 200 of 2026
    await earn(a, 'earn:t_a1', 100, 2025, '2025-06-01T02:00:00Z');
    await earn(a, 'earn:t_a2', 50, 2026, '2026-03-01T02:00:00Z');
    await spend(a, 'spend:t_a3', 30, '2026-04-01T02:00:00Z');
    await earn(b, 'earn:t_b1', 40, 2025, '2025-08-01T02:00:00Z');
    await earn(b, 'earn:t_b2', 200, 2026, '2026-05-01T02:00:00Z');
    // each spent 600 yuan this year (basic); together 1,200 yuan (silver)
    await order('ord_ml_a', a, 60_000);
    await order('ord_ml_b', b, 60_000);
    await coupon('cpn_ml_a_nm', a, { newMember: true, issuedAt: '2026-01-05T02:00:00Z' });
    await coupon('cpn_ml_a_x', a, { issuedAt: '2026-02-01T02:00:00Z' });
    await coupon('cpn_ml_b_nm', b, { newMember: true, issuedAt: '2025-12-05T02:00:00Z' });
    await coupon('cpn_ml_b_used', b, { issuedAt: '2026-02-01T02:00:00Z', redeemed: true });

    const beforeA = await person(a);
    const beforeB = await person(b);
    expect(beforeA.balance).toBe(120);
    expect(beforeA.buckets).toEqual([
      { earnYear: 2025, points: 70 },
      { earnYear: 2026, points: 50 },
    ]);
    expect(beforeB.balance).toBe(240);
    expect([beforeA.tier, beforeB.tier]).toEqual(['basic', 'basic']);

    await linkCards('wf', '13391110001', '13391110002');
    const m = await mergeBetween(a, b);
    const s = await person(m.survivor);
    const gone = await person(m.merged);
    const before = (id: string) => (id === a ? beforeA : beforeB);

    // points: the sum, per earn year, so each year still expires when it would have
    expect(s.balance).toBe(360);
    expect(s.buckets).toEqual([
      { earnYear: 2025, points: 110 },
      { earnYear: 2026, points: 250 },
    ]);
    expect(gone.balance).toBe(0);
    expect(gone.buckets).toEqual([]);
    expect(s.tier).toBe('silver');
    const transfers = await exec(
      `select customer_id, points, earn_year from points_ledger where kind = 'transfer' and entry_key like $1
       order by customer_id, earn_year`,
      [`merge:${m.id}:%`],
    );
    expect(transfers).toHaveLength(4);
    expect(transfers.reduce((sum, t) => sum + Number(t.points), 0)).toBe(0);

    // coupons: all on the survivor; of the two unused new-member coupons the survivor's own stays
    expect(gone.coupons).toEqual([]);
    const ownNm = m.survivor === a ? 'cpn_ml_a_nm' : 'cpn_ml_b_nm';
    const theirNm = m.survivor === a ? 'cpn_ml_b_nm' : 'cpn_ml_a_nm';
    const byId = new Map(s.coupons.map((c) => [c.id, c]));
    expect(byId.get(ownNm)?.status).toBe('available');
    expect(byId.get(theirNm)).toMatchObject({
      status: 'voided',
      void_reason: '合并会员，新人券仅保留一张',
      voided_by_merge: m.id,
    });
    expect(byId.get('cpn_ml_b_used')?.status).toBe('redeemed');
    expect(byId.get('cpn_ml_a_x')?.status).toBe('available');
    expect(s.coupons.filter((c) => c.status === 'available' && String(c.id).includes('_nm'))).toHaveLength(1);
    expect(s.redemptions).toEqual([{ id: 'rdm_cpn_ml_b_used', status: 'redeemed' }]);
    expect(s.counts).toEqual([{ template_id: newMemberTemplate, issued: 2 }]);

    // the wallet shows the voided one among the coupons that can no longer be used, with its reason
    await exec('update customers set registered_at = $2::timestamptz where id = $1', [
      m.survivor,
      '2026-11-01T00:00:00Z',
    ]);
    const wallet = await walletOf(sys.database.db, m.survivor, sys.clock.now());
    await exec('update customers set registered_at = null where id = $1', [m.survivor]);
    if (!wallet.ok) throw new Error('wallet refused');
    expect(wallet.value.available.map((c) => c.id)).not.toContain(theirNm);
    expect(wallet.value.expired.find((c) => c.id === theirNm)).toMatchObject({
      state: 'voided',
      voidReason: '合并会员，新人券仅保留一张',
      barcodePng: null,
    });

    // a later sign-up of the person issues no second new-member coupon
    const again = await sys.database.db.transaction((tx) =>
      issueNewMemberCoupon(tx, { customerId: m.survivor, storeId: 'sto_001', now: sys.clock.now() }),
    );
    expect(again).toEqual({ couponId: ownNm, created: false });

    // undo: each person exactly as before
    sys.clock.advance(60_000);
    await undo(m.id);
    expect(await person(a)).toEqual(beforeA);
    expect(await person(b)).toEqual(before(b));
    const unmerged = await exec("select count(*)::int as n from points_ledger where entry_key like 'unmerge:%'");
    expect(unmerged[0].n).toBe(4);
  });

  it('keeps the absorbed new-member coupon when the survivor has none unused, and never issues a second', async () => {
    await ingest(sys, [
      { sourceId: '8892000001', name: '王芳', phone: '13392220001', storeCode: 'HZ001' },
      { sourceId: '8892000002', name: '王芳', phone: '13392220002', storeCode: 'HZ001' },
    ]);
    const a = await customerOf(sys, 'pos', '8892000001');
    const b = await customerOf(sys, 'pos', '8892000002');
    // both hold a new-member coupon; one of them is used already (never touched), the other unused
    await coupon('cpn_m2_a_nm', a, { newMember: true, issuedAt: '2026-01-05T02:00:00Z', redeemed: true });
    await coupon('cpn_m2_b_nm', b, { newMember: true, issuedAt: '2026-02-05T02:00:00Z' });
    const beforeA = await person(a);
    const beforeB = await person(b);

    await linkCards('wf2', '13392220001', '13392220002');
    const m = await mergeBetween(a, b);
    const s = await person(m.survivor);
    expect(s.coupons.map((c) => [c.id, c.status])).toEqual([
      ['cpn_m2_a_nm', 'redeemed'],
      ['cpn_m2_b_nm', 'available'],
    ]);
    // sign-up of either side now lands on the survivor: it gets the person's coupon back, not a new one
    const signUp = await sys.database.db.transaction((tx) =>
      issueNewMemberCoupon(tx, { customerId: m.survivor, storeId: 'sto_001', now: sys.clock.now() }),
    );
    expect((signUp as { created: boolean } | null)?.created).toBe(false);
    const count = await exec("select count(*)::int as n from coupons where id like 'cpn_m2_%' or customer_id = $1", [
      m.survivor,
    ]);
    expect(count[0].n).toBe(2);

    sys.clock.advance(60_000);
    await undo(m.id);
    expect(await person(a)).toEqual(beforeA);
    expect(await person(b)).toEqual(beforeB);
  });
  it('undoes the earlier of two chained merges first and still gives each person back exactly their own', async () => {
    await ingest(sys, [
      { sourceId: '8893000001', name: '王芳', phone: '13393330001', storeCode: 'HZ001' },
      { sourceId: '8893000002', name: '王芳', phone: '13393330002', storeCode: 'HZ001' },
      { sourceId: '8893000003', name: '王芳', phone: '13393330003', storeCode: 'HZ001' },
    ]);
    const [x, y, z] = await Promise.all(
      ['8893000001', '8893000002', '8893000003'].map((c) => customerOf(sys, 'pos', c)),
    );
    // z signed up in the mini-program: a registered member survives any merge
    await exec("update customers set registered_at = '2026-01-01T00:00:00Z' where id = $1", [z]);
    await earn(x, 'earn:t_c1', 10, 2025, '2025-06-01T02:00:00Z');
    await earn(y, 'earn:t_c2', 20, 2026, '2026-06-01T02:00:00Z');
    await earn(z, 'earn:t_c3', 5, 2026, '2026-07-01T02:00:00Z');
    await coupon('cpn_m3_y_nm', y, { newMember: true, issuedAt: '2026-01-05T02:00:00Z' });
    await coupon('cpn_m3_z_nm', z, { newMember: true, issuedAt: '2026-01-06T02:00:00Z' });
    const before = { x: await person(x), y: await person(y), z: await person(z) };

    await linkCards('ch1', '13393330001', '13393330002');
    const first = await mergeBetween(x, y);
    await linkCards('ch2', '13393330001', '13393330003');
    const second = await mergeBetween(first.survivor, z);
    expect(second.survivor).toBe(z);
    const all = await person(z);
    expect(all.balance).toBe(35);
    expect(all.buckets).toEqual([
      { earnYear: 2025, points: 10 },
      { earnYear: 2026, points: 25 },
    ]);
    expect(all.coupons.filter((c) => c.status === 'available')).toEqual([
      { id: 'cpn_m3_z_nm', status: 'available', void_reason: null, voided_by_merge: null },
    ]);

    // the earlier merge first: its absorbed card's points come back out of z, where they are now
    sys.clock.advance(60_000);
    await undo(first.id);
    expect(await person(first.merged)).toEqual(before[first.merged === x ? 'x' : 'y']);
    expect((await person(z)).balance).toBe(35 - before[first.merged === x ? 'x' : 'y'].balance);
    sys.clock.advance(60_000);
    await undo(second.id);
    expect(await person(x)).toEqual(before.x);
    expect(await person(y)).toEqual(before.y);
    expect(await person(z)).toEqual(before.z);
  });
  it('reconciles loyalty the same way when the bulk re-link job does the merge', async () => {
    // records land without linking (as in an initial migration), then the bulk job links the whole base
    await ingestAndLog(sys.database, {
      source: 'pos',
      records: [
        { sourceId: '8894000001', name: '赵敏', phone: '13394440004', storeCode: 'HZ001' },
        { sourceId: '8894000002', name: '赵敏', phone: '13394440004', storeCode: 'HZ001' },
      ],
      linking: 'deferred',
      keyId: null,
      requestId: null,
      storeId: null,
      operation: 'test.import',
      now: sys.clock.now(),
    });
    const a = await customerOf(sys, 'pos', '8894000001');
    const b = await customerOf(sys, 'pos', '8894000002');
    expect(a).not.toBe(b);
    await earn(a, 'earn:t_d1', 30, 2025, '2025-06-01T02:00:00Z');
    await earn(b, 'earn:t_d2', 70, 2026, '2026-06-01T02:00:00Z');
    await coupon('cpn_m4_a_nm', a, { newMember: true, issuedAt: '2026-01-05T02:00:00Z' });
    await coupon('cpn_m4_b_nm', b, { newMember: true, issuedAt: '2026-01-06T02:00:00Z' });
    const beforeA = await person(a);
    const beforeB = await person(b);

    sys.clock.advance(60_000);
    const job = await linkAll(sys.database, { now: sys.clock.now() });
    expect(job.merges).toBeGreaterThanOrEqual(1);
    const m = await mergeBetween(a, b);
    const s = await person(m.survivor);
    expect(s.balance).toBe(100);
    expect(s.buckets).toEqual([
      { earnYear: 2025, points: 30 },
      { earnYear: 2026, points: 70 },
    ]);
    expect(s.coupons.filter((c) => c.status === 'available')).toHaveLength(1);
    expect(s.counts).toEqual([{ template_id: newMemberTemplate, issued: 2 }]);

    sys.clock.advance(60_000);
    await undo(m.id);
    expect(await person(a)).toEqual(beforeA);
    expect(await person(b)).toEqual(beforeB);
  });
});
