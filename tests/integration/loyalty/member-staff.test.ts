import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, startTestSystem, type TestSystem } from '../../support/system.js';
import { count, createMember, giveCoupon, memberSession, posCall, staffSession } from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

describe('member wallet and points', () => {
  it('shows available, used and expired coupons with rules in words and a barcode', async () => {
    const m = await createMember(sys.database);
    const a = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const used = await giveCoupon(sys, m.customerId, 'FULL_100_15');
    const old = await giveCoupon(sys, m.customerId, 'VITAMIN_88');
    await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: `use-${used.couponId}`,
      couponCode: used.code,
      orderAmountFen: 10000,
    });
    await sys.database.exec(
      `update coupons set valid_from = valid_from - interval '40 days', valid_until = valid_from - interval '39 days' where id = $1`,
      [old.couponId],
    );
    const token = await memberSession(sys, m.customerId);
    const res = await sys.call('/api/loyalty/coupons', { token });
    expect(res.status).toBe(200);
    expect(res.body.available.map((c: { id: string }) => c.id)).toEqual([a.couponId]);
    expect(res.body.used.map((c: { id: string }) => c.id)).toEqual([used.couponId]);
    expect(res.body.expired.map((c: { id: string }) => c.id)).toEqual([old.couponId]);
    const coupon = res.body.available[0];
    expect(coupon).toMatchObject({
      name: '新会员见面礼',
      headline: '无门槛减10元',
      code: a.code,
      lastValidDay: '2026-12-25',
    });
    expect(coupon.rules).toContain('处方药不参与优惠');
    expect(coupon.barcodePng).toMatch(/^data:image\/png;base64,/);
    expect(res.body.used[0]).toMatchObject({ barcodePng: null, redeemedStoreName: expect.any(String) });
  });

  it('points page: balance, tier, benefits, ledger; a birthday set once, its coupon from its next month', async () => {
    const m = await createMember(sys.database);
    const token = await memberSession(sys, m.customerId);
    const { issueMemberCode } = await import('../../../functions/app/members/member-code.js');
    const { code } = await issueMemberCode(sys.database.db, {
      customerId: m.customerId,
      identityId: `idn_${m.customerId}`,
      now: sys.clock.now(),
    });
    await posCall(sys, '/api/pos/orders', {
      idempotencyKey: `ord-${m.customerId}`,
      externalId: `PTS-${m.customerId}`,
      memberCode: code,
      orderedAt: sys.clock.now().toISOString(),
      totalFen: 120000,
      paidFen: 120000,
      lines: [{ sku: 'X-1', quantity: 1, unitPriceFen: 120000, amountFen: 120000 }],
    });
    const res = await sys.call('/api/loyalty/points', { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      balance: 2400,
      tier: { code: 'silver', name: '银卡会员' },
      spendFen: 120000,
      nextTier: { name: '金卡会员', missingFen: 180000 },
      nextExpiry: { points: 2400, lastDay: '2027-12-31' },
      birthday: null,
    });
    expect(res.body.ledger).toHaveLength(1);
    expect(res.body.ledger[0]).toMatchObject({ kind: 'earn', points: 2400 });
    // the clock is 25 Nov 2026: a November birthday typed in November earns the birthday coupon from next year
    // (else anyone could set this month for a coupon now), and a birthday is set once (corrected at a store)
    const birthdayCoupons = () =>
      count(sys.database, `select count(*) from coupons where customer_id = $1 and reason = 'birthday'`, [
        m.customerId,
      ]);
    const set = await sys.call('/api/loyalty/birthday', { token, body: { birthday: '1965-11-03' } });
    expect(set.body).toEqual({ birthday: '1965-11-03', benefitFrom: '2027-11' });
    const again = await sys.call('/api/loyalty/birthday', { token, body: { birthday: '1965-12-04' } });
    expect(codeOf(again)).toEqual({ status: 409, code: 'BIRTHDAY_ALREADY_SET' });
    await sys.call('/api/loyalty/coupons', { token });
    expect(await birthdayCoupons()).toBe(0);
    expect((await sys.call('/api/loyalty/points', { token })).body.birthday).toBe('1965-11-03');
    const start = sys.clock.now();
    try {
      // next November it is due, once
      sys.clock.set('2027-11-02T02:00:00Z');
      const fresh = await memberSession(sys, m.customerId);
      await sys.call('/api/loyalty/coupons', { token: fresh });
      await sys.call('/api/loyalty/summary', { token: fresh });
      expect(await birthdayCoupons()).toBe(1);
    } finally {
      sys.clock.set(start);
    }
    expect(codeOf(await sys.call('/api/loyalty/birthday', { token, body: { birthday: '1965-02-30' } }))).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
  });

  it('refuses a member who has not signed up and a staff session', async () => {
    await sys.database.exec(
      `insert into identities (id, kind, value, verified, source, source_id) values ('idn_anon1', 'openid', 'o_anon1', true, 'miniprogram', 'o_anon1')`,
    );
    const token = await sys.deps.tokens.sign({ aud: 'member', sub: 'idn_anon1', oid: 'o_anon1' }, 'access');
    expect(codeOf(await sys.call('/api/loyalty/coupons', { token }))).toEqual({ status: 403, code: 'NOT_REGISTERED' });
    expect(codeOf(await sys.call('/api/loyalty/points'))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });
});

describe('staff coupon pages', () => {
  it('a store manager creates a store template; a chain-wide one needs HQ', async () => {
    const manager = await staffSession(sys, 'stf_sm01');
    const body = {
      code: 'HZ001_TEST_30_5',
      name: '测试满30减5',
      kind: 'amount_off',
      amountOffFen: 500,
      thresholdFen: 3000,
      validity: { kind: 'relative', days: 7 },
      totalStock: 100,
      perMemberLimit: 1,
      ownerStoreId: 'sto_001',
    };
    const res = await sys.call('/api/staff/coupon-templates/create', { token: manager, body });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ code: 'HZ001_TEST_30_5', headline: '满30元减5元', ownerStoreId: 'sto_001' });
    expect(res.body.rules).toContain('领取后7天内有效');
    expect(codeOf(await sys.call('/api/staff/coupon-templates/create', { token: manager, body }))).toEqual({
      status: 409,
      code: 'COUPON_TEMPLATE_CODE_TAKEN',
    });
    const { ownerStoreId: _o, ...chainWide } = body;
    expect(
      codeOf(
        await sys.call('/api/staff/coupon-templates/create', {
          token: manager,
          body: { ...chainWide, code: 'CHAIN_X' },
        }),
      ),
    ).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
    expect(
      codeOf(
        await sys.call('/api/staff/coupon-templates/create', {
          token: manager,
          body: { ...body, code: 'OTHER_X', ownerStoreId: 'sto_002' },
        }),
      ),
    ).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
    const hq = await staffSession(sys, 'stf_hq01');
    expect(
      (await sys.call('/api/staff/coupon-templates/create', { token: hq, body: { ...chainWide, code: 'CHAIN_X' } }))
        .status,
    ).toBe(201);
    const list = await sys.call('/api/staff/coupon-templates', { token: manager });
    expect(list.body.templates.map((t: { code: string }) => t.code)).toEqual(
      expect.arrayContaining(['HZ001_TEST_30_5', 'NEW_MEMBER', 'CHAIN_X']),
    );
    const clerk = await staffSession(sys, 'stf_ck01');
    expect(codeOf(await sys.call('/api/staff/coupon-templates', { token: clerk }))).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
  });

  it('issues to a member found by phone (masked, audited), once per batch key; out-of-scope members refused', async () => {
    const manager = await staffSession(sys, 'stf_sm01');
    const m = await createMember(sys.database, { phone: '13712345678' });
    const far = await createMember(sys.database, { homeStoreId: 'sto_017' });
    const found = await sys.call('/api/staff/coupons/member?phone=137%201234%205678', { token: manager });
    expect(found.body).toMatchObject({ customerId: m.customerId, maskedPhone: '137****5678', maskedName: '测***' });
    expect(codeOf(await sys.call(`/api/staff/coupons/member?phone=${far.phone}`, { token: manager }))).toEqual({
      status: 404,
      code: 'MEMBER_NOT_FOUND',
    });
    // the store's own template: a chain-wide one (FULL_100_15) is HQ's to hand out (manualIssueRefusal)
    const body = {
      templateCode: 'HZ001_200_20',
      customerIds: [m.customerId, far.customerId],
      batchKey: 'batch-test-0001',
    };
    const res = await sys.call('/api/staff/coupons/issue', { token: manager, body });
    expect(res.body).toEqual({
      issued: 1,
      alreadyIssued: 0,
      // out of scope reads as unknown: the answer does not tell which ids are someone's
      refused: [{ customerId: far.customerId, code: 'MEMBER_NOT_FOUND' }],
    });
    const again = await sys.call('/api/staff/coupons/issue', { token: manager, body });
    expect(again.body).toMatchObject({ issued: 0, alreadyIssued: 1 });
    expect(
      await count(
        sys.database,
        `select count(*) from audit_log where action = 'coupon.member_lookup' and customer_id = $1`,
        [m.customerId],
      ),
    ).toBe(1);
  });
});
