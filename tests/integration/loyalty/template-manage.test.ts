/**
 * Managing coupon templates over HTTP: pause / resume / end, edits of what is safe after issue, the frozen
 * discount rule, scope (a store's managers, HQ for chain-wide), audit, idempotent repeats, and bad input answered
 * with a coded 4xx and nothing written. Sign-up with a paused new-member template issues no coupon.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCoupon } from '../../../functions/app/coupons/issue-coupon.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { memberToken, signUpAs } from '../onboarding/helpers.js';
import {
  codeOf,
  count,
  createMember,
  giveCoupon,
  memberSession,
  posCall,
  staffSession,
  uniqueKey,
} from './loyalty-fixtures.js';

let sys: TestSystem;
let manager: string;
let hq: string;
let regional: string;
let clerk: string;
beforeAll(async () => {
  sys = await startTestSystem();
  manager = await staffSession(sys, 'stf_sm01');
  hq = await staffSession(sys, 'stf_hq01');
  regional = await staffSession(sys, 'stf_rm01');
  clerk = await staffSession(sys, 'stf_ck01');
});
afterAll(async () => sys?.close());

let seq = 0;
/** A store template of sto_001 (or another store, created by HQ), unlimited unless told. */
async function createTemplate(overrides: Record<string, unknown> = {}, token = manager) {
  seq += 1;
  const body = {
    code: `MG_${seq}_${Date.now().toString(36).toUpperCase()}`,
    name: `测试券${seq}`,
    kind: 'amount_off',
    amountOffFen: 500,
    thresholdFen: 3000,
    validity: { kind: 'relative', days: 7 },
    ownerStoreId: 'sto_001',
    ...overrides,
  };
  const res = await sys.call('/api/staff/coupon-templates/create', { token, body });
  if (res.status !== 201) throw new Error(`create failed: ${JSON.stringify(res.body)}`);
  return res.body as { id: string; code: string };
}

const status = (token: string, templateCode: string, action: string) =>
  sys.call('/api/staff/coupon-templates/status', { token, body: { templateCode, action } });
const update = (token: string, templateCode: string, edit: Record<string, unknown>) =>
  sys.call('/api/staff/coupon-templates/update', { token, body: { templateCode, ...edit } });

const templateRow = async (code: string) =>
  (await sys.database.exec(`select * from coupon_templates where code = $1`, [code]))[0];
const audits = (action: string, code: string) =>
  count(sys.database, `select count(*) from audit_log where action = $1 and details->>'templateCode' = $2`, [
    action,
    code,
  ]);
const issueTo = (token: string, templateCode: string, customerIds: string[], batchKey = uniqueKey('batch')) =>
  sys.call('/api/staff/coupons/issue', { token, body: { templateCode, customerIds, batchKey } });

describe('pause, resume, end', () => {
  it('a paused template issues nothing; coupons already issued stay valid; resume issues again', async () => {
    const t = await createTemplate({ totalStock: 10, perMemberLimit: 2 });
    const m = await createMember(sys.database);
    const held = await giveCoupon(sys, m.customerId, t.code);

    const paused = await status(manager, t.code, 'pause');
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ code: t.code, status: 'paused', issuedCount: 1, manageable: true });
    expect(await audits('coupon.template_status', t.code)).toBe(1);
    // a repeat is fine and changes nothing
    expect((await status(manager, t.code, 'pause')).body.status).toBe('paused');
    expect(await audits('coupon.template_status', t.code)).toBe(1);

    expect(codeOf(await issueTo(manager, t.code, [m.customerId]))).toEqual({
      status: 409,
      code: 'COUPON_TEMPLATE_INACTIVE',
    });
    const single = await issueCoupon(sys.database.db, {
      customerId: m.customerId,
      templateCode: t.code,
      reason: 'manual',
      idempotencyKey: uniqueKey('single'),
      now: sys.clock.now(),
    });
    expect(single).toMatchObject({ ok: false, code: 'COUPON_TEMPLATE_INACTIVE' });
    expect(await count(sys.database, `select count(*) from coupons where template_id = $1`, [t.id])).toBe(1);
    expect((await templateRow(t.code)).issued_count).toBe(1);

    // the coupon the member holds still works at the till
    const redeem = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: uniqueKey('redeem'),
      couponCode: held.code,
      orderAmountFen: 5000,
    });
    expect(redeem.status).toBe(200);
    expect(redeem.body.discountFen).toBe(500);

    expect((await status(manager, t.code, 'resume')).body.status).toBe('active');
    expect((await issueTo(manager, t.code, [m.customerId])).body).toMatchObject({ issued: 1 });
    expect(await audits('coupon.template_status', t.code)).toBe(2);
    const [log] = await sys.database.exec(
      `select actor_id, store_id, details from audit_log where action = 'coupon.template_status'
         and details->>'templateCode' = $1 order by id limit 1`,
      [t.code],
    );
    expect(log).toMatchObject({
      actor_id: 'stf_sm01',
      store_id: 'sto_001',
      details: { templateCode: t.code, action: 'pause', from: 'active', to: 'paused' },
    });
  });

  it('ended is final: no resume, no pause, no edit, nothing written; a repeated end is fine', async () => {
    const t = await createTemplate();
    expect((await status(manager, t.code, 'end')).body.status).toBe('ended');
    const before = await templateRow(t.code);
    const auditsBefore = await count(sys.database, `select count(*) from audit_log`);
    expect(codeOf(await status(manager, t.code, 'resume'))).toEqual({ status: 409, code: 'COUPON_TEMPLATE_ENDED' });
    expect(codeOf(await status(manager, t.code, 'pause'))).toEqual({ status: 409, code: 'COUPON_TEMPLATE_ENDED' });
    expect(codeOf(await update(manager, t.code, { name: '改个名' }))).toEqual({
      status: 409,
      code: 'COUPON_TEMPLATE_ENDED',
    });
    expect((await status(manager, t.code, 'end')).status).toBe(200);
    expect(await templateRow(t.code)).toEqual(before);
    expect(await count(sys.database, `select count(*) from audit_log`)).toBe(auditsBefore);
  });

  it('sign-up with the new-member template paused issues no coupon and claims none; after resume it does', async () => {
    const visitor = await memberToken(sys, 'u_new');
    expect((await sys.call('/api/loyalty/new-member-offer', { token: visitor })).body).toEqual({
      offer: { name: '新会员见面礼', headline: '无门槛减10元' },
    });
    expect(codeOf(await status(manager, 'NEW_MEMBER', 'pause'))).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect((await status(hq, 'NEW_MEMBER', 'pause')).body.status).toBe('paused');
    // the pages stop promising a coupon
    expect((await sys.call('/api/loyalty/new-member-offer', { token: visitor })).body).toEqual({ offer: null });
    expect(codeOf(await sys.call('/api/loyalty/new-member-offer', { token: manager }))).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
    const { register } = await signUpAs(sys, 'u_zhangwei', 's1.HZ001');
    expect(register.status).toBe(200);
    expect(register.body.welcomeCoupon).toBeNull();
    const customerId = register.body.customerId;
    expect(await count(sys.database, `select count(*) from coupons where customer_id = $1`, [customerId])).toBe(0);
    const [signup] = await sys.database.exec(
      `select details from audit_log where action = 'member.signup' and customer_id = $1`,
      [customerId],
    );
    expect(signup.details).toMatchObject({ couponCreated: false });

    expect((await status(hq, 'NEW_MEMBER', 'resume')).body.status).toBe('active');
    expect((await sys.call('/api/loyalty/new-member-offer', { token: visitor })).body.offer).not.toBeNull();
    const next = await signUpAs(sys, 'u_lina', 's1.HZ001');
    expect(next.register.body.welcomeCoupon).toMatchObject({ created: true });
  });
});

describe('edit', () => {
  it('changes name, description, stock, limit and validity of future issues; audits what changed; a repeat is a no-op', async () => {
    const t = await createTemplate({ totalStock: 50, perMemberLimit: 1 });
    const m = await createMember(sys.database);
    const old = await giveCoupon(sys, m.customerId, t.code);
    const edit = {
      name: '春季满30减5',
      description: '慢病关怀活动专享',
      totalStock: 80,
      perMemberLimit: 3,
      validDays: 30,
    };
    const res = await update(manager, t.code, edit);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: '春季满30减5',
      description: '慢病关怀活动专享',
      totalStock: 80,
      perMemberLimit: 3,
      issuedCount: 1,
      validity: { kind: 'relative', days: 30 },
      rulesFrozen: true,
    });
    expect(res.body.rules).toContain('领取后30天内有效');
    expect(await audits('coupon.template_update', t.code)).toBe(1);
    const [log] = await sys.database.exec(
      `select details from audit_log where action = 'coupon.template_update' and details->>'templateCode' = $1`,
      [t.code],
    );
    expect(log.details).toMatchObject({
      changed: ['name', 'description', 'totalStock', 'perMemberLimit', 'validDays'],
      before: { totalStock: 50, perMemberLimit: 1, validDays: 7, description: null },
      after: { totalStock: 80, perMemberLimit: 3, validDays: 30 },
    });
    const row = await templateRow(t.code);
    expect((await update(manager, t.code, edit)).status).toBe(200);
    expect(await templateRow(t.code)).toEqual(row);
    expect(await audits('coupon.template_update', t.code)).toBe(1);

    // the coupon already held keeps its 7 days; a new one gets 30
    const fresh = await giveCoupon(sys, m.customerId, t.code);
    const [a, b] = await sys.database.exec(
      `select valid_until from coupons where id = any($1::text[]) order by array_position($1::text[], id)`,
      [[old.couponId, fresh.couponId]],
    );
    expect(new Date(a.valid_until as string).toISOString()).toBe('2026-12-02T16:00:00.000Z');
    expect(new Date(b.valid_until as string).toISOString()).toBe('2026-12-25T16:00:00.000Z');
  });

  it('the discount rule can change until the first issue, then it is frozen (409, nothing written)', async () => {
    const t = await createTemplate();
    const changed = await update(manager, t.code, { amountOffFen: 800, thresholdFen: 5000 });
    expect(changed.body).toMatchObject({ headline: '满50元减8元', rulesFrozen: false });
    const m = await createMember(sys.database);
    await giveCoupon(sys, m.customerId, t.code);
    const before = await templateRow(t.code);
    for (const edit of [
      { amountOffFen: 1000 },
      { thresholdFen: 0 },
      { kind: 'percent_off', percentOff: 10 },
      { categories: ['维生素矿物质'] },
      { includeRx: true },
      { name: '顺便改名', amountOffFen: 1000 },
    ]) {
      expect(codeOf(await update(manager, t.code, edit))).toEqual({
        status: 409,
        code: 'COUPON_TEMPLATE_RULES_FROZEN',
      });
    }
    expect(await templateRow(t.code)).toEqual(before);
    // the same rule sent back with the form is no change
    expect((await update(manager, t.code, { amountOffFen: 800, thresholdFen: 5000, name: '新名' })).status).toBe(200);
  });

  it('stock never below what was issued; an unlimited template that gets a stock counts what it issued', async () => {
    const t = await createTemplate();
    const members = await Promise.all([1, 2, 3].map(() => createMember(sys.database)));
    for (const m of members) await giveCoupon(sys, m.customerId, t.code);
    expect((await templateRow(t.code)).issued_count).toBe(0);
    expect(codeOf(await update(manager, t.code, { totalStock: 2 }))).toEqual({
      status: 409,
      code: 'COUPON_STOCK_BELOW_ISSUED',
    });
    expect((await templateRow(t.code)).total_stock).toBeNull();
    const res = await update(manager, t.code, { totalStock: 4 });
    expect(res.body).toMatchObject({ totalStock: 4, issuedCount: 3 });
    expect((await templateRow(t.code)).issued_count).toBe(3);
    const extra = await createMember(sys.database);
    const out = await issueTo(manager, t.code, [extra.customerId, members[0].customerId]);
    expect(out.body).toEqual({
      issued: 1,
      alreadyIssued: 0,
      refused: [{ customerId: members[0].customerId, code: 'COUPON_OUT_OF_STOCK' }],
    });
    expect((await update(manager, t.code, { totalStock: null })).body.totalStock).toBeNull();
  });

  it('a per-member limit set later counts the coupons members already hold', async () => {
    const t = await createTemplate();
    const m = await createMember(sys.database);
    await giveCoupon(sys, m.customerId, t.code);
    await giveCoupon(sys, m.customerId, t.code);
    expect((await update(manager, t.code, { perMemberLimit: 2 })).status).toBe(200);
    const out = await issueTo(manager, t.code, [m.customerId]);
    expect(out.body.refused).toEqual([{ customerId: m.customerId, code: 'COUPON_LIMIT_REACHED' }]);
    expect((await update(manager, t.code, { perMemberLimit: 3 })).status).toBe(200);
    expect((await issueTo(manager, t.code, [m.customerId])).body.issued).toBe(1);
  });

  it('fixed dates: moves the last day of future issues, never before today or the first day', async () => {
    const t = await createTemplate({ validity: { kind: 'fixed', from: '2026-11-01', until: '2026-11-30' } });
    const m = await createMember(sys.database);
    const old = await giveCoupon(sys, m.customerId, t.code);
    const res = await update(manager, t.code, { validUntil: '2026-12-31' });
    expect(res.body.validity).toEqual({ kind: 'fixed', from: '2026-11-01', until: '2026-12-31' });
    expect(res.body.rules).toContain('有效期至2026年12月31日');
    const fresh = await giveCoupon(sys, m.customerId, t.code);
    const rows = await sys.database.exec(`select id, valid_until from coupons where id = any($1::text[])`, [
      [old.couponId, fresh.couponId],
    ]);
    const until = new Map(rows.map((r) => [r.id, new Date(r.valid_until as string).toISOString()]));
    expect(until.get(old.couponId)).toBe('2026-11-30T16:00:00.000Z');
    expect(until.get(fresh.couponId)).toBe('2026-12-31T16:00:00.000Z');
    const before = await templateRow(t.code);
    for (const edit of [{ validUntil: '2026-11-24' }, { validDays: 30 }]) {
      expect(codeOf(await update(manager, t.code, edit))).toEqual({ status: 422, code: 'COUPON_VALIDITY_INVALID' });
    }
    expect(await templateRow(t.code)).toEqual(before);
  });

  it('bad input: a coded 4xx and nothing written', async () => {
    const t = await createTemplate({ totalStock: 10 });
    const before = await templateRow(t.code);
    const auditsBefore = await count(sys.database, `select count(*) from audit_log`);
    const cases: [Record<string, unknown>, number, string][] = [
      [{ templateCode: t.code, color: 'red' }, 400, 'VALIDATION_FAILED'],
      [{ templateCode: t.code, totalStock: -1 }, 400, 'VALIDATION_FAILED'],
      [{ templateCode: t.code, totalStock: 1.5 }, 400, 'VALIDATION_FAILED'],
      [{ templateCode: t.code, name: '' }, 400, 'VALIDATION_FAILED'],
      [{ templateCode: t.code, name: 'x'.repeat(31) }, 400, 'VALIDATION_FAILED'],
      [{ templateCode: t.code, validUntil: '2026-02-30' }, 400, 'VALIDATION_FAILED'],
      [{ templateCode: t.code, perMemberLimit: 0 }, 400, 'VALIDATION_FAILED'],
      [{ templateCode: t.code, percentOff: 10 }, 400, 'VALIDATION_FAILED'],
      [{ templateCode: t.code, storeIds: ['sto_002'] }, 403, 'FORBIDDEN'],
      [{ templateCode: 'NO_SUCH_TEMPLATE', name: '无' }, 404, 'COUPON_TEMPLATE_NOT_FOUND'],
      [{ name: '无编号' }, 400, 'VALIDATION_FAILED'],
      // 满30减5 edited to 满30减30, or to 满3减5, or to 0.5折: no campaign means that (no coupon issued yet, so the
      // rule could otherwise change)
      [{ templateCode: t.code, amountOffFen: 3000 }, 422, 'COUPON_RULE_INVALID'],
      [{ templateCode: t.code, thresholdFen: 300 }, 422, 'COUPON_RULE_INVALID'],
      [{ templateCode: t.code, kind: 'percent_off', percentOff: 95 }, 422, 'COUPON_RULE_INVALID'],
    ];
    for (const [body, code, error] of cases) {
      const res = await sys.call('/api/staff/coupon-templates/update', { token: manager, body });
      expect({ body, ...codeOf(res) }).toEqual({ body, status: code, code: error });
    }
    for (const body of [
      { templateCode: t.code, action: 'restart' },
      { templateCode: t.code },
      { templateCode: t.code, action: 'pause', extra: 1 },
    ]) {
      expect(codeOf(await sys.call('/api/staff/coupon-templates/status', { token: manager, body }))).toEqual({
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    expect(
      codeOf(await sys.call('/api/staff/coupon-templates/status', { token: manager, raw: '{"templateCode":' })),
    ).toEqual({
      status: 400,
      code: 'BAD_JSON',
    });
    expect(await templateRow(t.code)).toEqual(before);
    expect(await count(sys.database, `select count(*) from audit_log`)).toBe(auditsBefore);
  });

  it('a rule no campaign means is refused at creation, with nothing written', async () => {
    const templates = await count(sys.database, `select count(*) from coupon_templates`);
    const base = {
      name: '不合理的券',
      validity: { kind: 'relative', days: 7 },
      ownerStoreId: 'sto_001',
    };
    for (const rule of [
      { kind: 'amount_off', amountOffFen: 5000, thresholdFen: 500 }, // 满5减50
      { kind: 'amount_off', amountOffFen: 10000, thresholdFen: 10000 }, // 满100减100
      { kind: 'percent_off', percentOff: 95 }, // 0.5折
    ]) {
      const res = await sys.call('/api/staff/coupon-templates/create', {
        token: manager,
        body: {
          ...base,
          ...rule,
          code: uniqueKey('BAD')
            .toUpperCase()
            .replace(/[^A-Z0-9_]/g, '_')
            .slice(0, 32),
        },
      });
      expect({ rule, ...codeOf(res) }).toEqual({ rule, status: 422, code: 'COUPON_RULE_INVALID' });
      expect(res.body.error.message).toMatch(/thresholdFen|1折/);
    }
    expect(await count(sys.database, `select count(*) from coupon_templates`)).toBe(templates);
    // the edges that make sense: 满100减99.99, 1折, 无门槛 10 yuan off
    await createTemplate({ amountOffFen: 9999, thresholdFen: 10000 });
    await createTemplate({ kind: 'percent_off', amountOffFen: undefined, percentOff: 90, thresholdFen: 0 });
    await createTemplate({ amountOffFen: 1000, thresholdFen: 0 });
  });
});

describe('who may manage which template', () => {
  it('store managers their store, regional managers their region, HQ all; nobody else', async () => {
    const own = await createTemplate();
    const neighbour = await createTemplate({ ownerStoreId: 'sto_002' }, hq);
    const ningbo = await createTemplate({ ownerStoreId: 'sto_017' }, hq);
    const chain = await createTemplate({ ownerStoreId: undefined }, hq);
    const member = await createMember(sys.database);
    const memberToken = await memberSession(sys, member.customerId);
    const expectations: [string | null, string, number][] = [
      [manager, own.code, 200],
      [manager, neighbour.code, 403],
      [manager, ningbo.code, 403],
      [manager, chain.code, 403],
      [regional, neighbour.code, 200],
      [regional, ningbo.code, 403],
      [regional, chain.code, 403],
      [hq, ningbo.code, 200],
      [hq, chain.code, 200],
      [clerk, own.code, 403],
      [memberToken, own.code, 403],
      [null, own.code, 401],
    ];
    for (const [token, code, expected] of expectations) {
      const edit = await sys.call('/api/staff/coupon-templates/update', {
        token: token ?? undefined,
        body: { templateCode: code, description: '说明' },
      });
      const pause = await sys.call('/api/staff/coupon-templates/status', {
        token: token ?? undefined,
        body: { templateCode: code, action: 'pause' },
      });
      expect([code, edit.status, pause.status]).toEqual([code, expected, expected]);
    }
    // refused callers changed nothing: only the allowed ones paused (and described) their templates
    expect((await templateRow(chain.code)).status).toBe('paused');
    expect((await templateRow(ningbo.code)).status).toBe('paused');
    const list = await sys.call('/api/staff/coupon-templates', { token: manager });
    const byCode = new Map(list.body.templates.map((t: { code: string }) => [t.code, t]));
    expect(byCode.get(own.code)).toMatchObject({ manageable: true, status: 'paused', description: '说明' });
    expect(byCode.get(chain.code)).toMatchObject({ manageable: false });
    expect(byCode.has(neighbour.code)).toBe(false);
  });
});

describe('concurrency', () => {
  it('a stock given to an unlimited template while it issues counts every coupon exactly once', async () => {
    const t = await createTemplate();
    const members = await Promise.all(Array.from({ length: 30 }, () => createMember(sys.database)));
    const issues = members.map((m) =>
      issueCoupon(sys.database.db, {
        customerId: m.customerId,
        templateCode: t.code,
        reason: 'manual',
        idempotencyKey: uniqueKey('race'),
        now: sys.clock.now(),
      }),
    );
    const edit = update(manager, t.code, { totalStock: 1000 });
    const results = await Promise.all(issues);
    expect((await edit).status).toBe(200);
    expect(results.every((r) => r.ok)).toBe(true);
    const row = await templateRow(t.code);
    expect(row.total_stock).toBe(1000);
    expect(row.issued_count).toBe(
      await count(sys.database, `select count(*) from coupons where template_id = $1`, [t.id]),
    );
    expect(row.issued_count).toBe(30);
  });

  it('a pause racing issues: each issue lands before it or is refused, counts stay exact, later ones refused', async () => {
    const t = await createTemplate({ totalStock: 1000 });
    const members = await Promise.all(Array.from({ length: 30 }, () => createMember(sys.database)));
    const results = await Promise.all([
      ...members.slice(0, 15).map((m) => issueTo(manager, t.code, [m.customerId])),
      status(manager, t.code, 'pause'),
      ...members.slice(15).map((m) => issueTo(manager, t.code, [m.customerId])),
    ]);
    const [pause] = await sys.database.exec(
      `select at from audit_log where action = 'coupon.template_status' and details->>'templateCode' = $1`,
      [t.code],
    );
    expect(pause).toBeDefined();
    const issued = results.filter((r) => r.body?.issued === 1).length;
    const refused = results.filter((r) => r.body?.error?.code === 'COUPON_TEMPLATE_INACTIVE').length;
    expect(issued + refused).toBe(30);
    const row = await templateRow(t.code);
    expect(row.issued_count).toBe(issued);
    expect(await count(sys.database, `select count(*) from coupons where template_id = $1`, [t.id])).toBe(issued);
    // after the pause, a new attempt is refused
    const late = await createMember(sys.database);
    expect(codeOf(await issueTo(manager, t.code, [late.customerId])).code).toBe('COUPON_TEMPLATE_INACTIVE');
  });
});

describe('usage', () => {
  it('each template tells how many of its coupons are used now and the discount they gave; a void gives one back', async () => {
    const t = await createTemplate({ amountOffFen: 700, thresholdFen: 0 });
    const viewOf = async () => {
      const res = await sys.call('/api/staff/coupon-templates', { token: manager });
      return res.body.templates.find((x: { code: string }) => x.code === t.code);
    };
    expect(await viewOf()).toMatchObject({ issuedCount: 0, usedCount: 0, discountGivenFen: 0 });
    const coupons = [];
    for (let i = 0; i < 3; i++)
      coupons.push(await giveCoupon(sys, (await createMember(sys.database)).customerId, t.code));
    const redeem = (code: string, orderAmountFen: number) =>
      posCall(sys, '/api/pos/redeem', { idempotencyKey: uniqueKey('use'), couponCode: code, orderAmountFen });
    const a = await redeem(coupons[0].code, 5000);
    // an order of 5 yuan gets 5 yuan off, not 7: the discount given is what the orders got
    const b = await redeem(coupons[1].code, 500);
    expect([a.status, b.status, b.body.discountFen]).toEqual([200, 200, 500]);
    expect(await viewOf()).toMatchObject({ issuedCount: 3, usedCount: 2, discountGivenFen: 1200 });

    const voided = await posCall(sys, '/api/pos/void', {
      idempotencyKey: uniqueKey('void'),
      redemptionId: a.body.redemptionId,
    });
    expect(voided.status).toBe(200);
    expect(await viewOf()).toMatchObject({ issuedCount: 3, usedCount: 1, discountGivenFen: 500 });

    // a sale refunded after its coupon expired: the coupon is not given back (it stays redeemed, the wallet shows
    // it expired), and it is no longer counted as used, as its discount is not
    await sys.database.exec(
      `update coupons set valid_from = valid_from - interval '2 days', valid_until = valid_from - interval '1 day' where id = $1`,
      [coupons[1].couponId],
    );
    const late = await posCall(sys, '/api/pos/void', {
      idempotencyKey: uniqueKey('void'),
      redemptionId: b.body.redemptionId,
    });
    expect(late.body.voided).toMatchObject([{ couponReturned: false }]);
    expect(await viewOf()).toMatchObject({ issuedCount: 3, usedCount: 0, discountGivenFen: 0 });
  });
});
