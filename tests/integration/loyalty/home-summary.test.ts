import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueMemberCode } from '../../../functions/app/members/member-code.js';
import { codeOf, startTestSystem, type TestSystem } from '../../support/system.js';
import { count, createMember, giveCoupon, memberSession, posCall, staffSession } from './loyalty-fixtures.js';

// the member home's card: its own file, because it moves the clock
let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

describe('member home summary (GET /api/loyalty/summary)', () => {
  it('counts what the wallet lists as usable, names what ends within a week, and points expiring within a month', async () => {
    sys.clock.set('2026-11-25T02:00:00Z');
    const m = await createMember(sys.database);
    const token = await memberSession(sys, m.customerId);
    const welcome = await giveCoupon(sys, m.customerId, 'NEW_MEMBER'); // ends 25 Dec
    const soon = await giveCoupon(sys, m.customerId, 'VITAMIN_88');
    const later = await giveCoupon(sys, m.customerId, 'VITAMIN_88');
    const used = await giveCoupon(sys, m.customerId, 'FULL_100_15');
    const gone = await giveCoupon(sys, m.customerId, 'FULL_100_15');
    // ends on 28 Nov (Shanghai midnight that closes the 28th); another only from 1 Dec; one expired last month
    await sys.database.exec(`update coupons set valid_until = '2026-11-28T16:00:00Z' where id = $1`, [soon.couponId]);
    await sys.database.exec(
      `update coupons set valid_from = '2026-11-30T16:00:00Z', valid_until = '2026-12-02T16:00:00Z' where id = $1`,
      [later.couponId],
    );
    await sys.database.exec(
      `update coupons set valid_from = '2026-10-01T00:00:00Z', valid_until = '2026-10-31T16:00:00Z' where id = $1`,
      [gone.couponId],
    );
    const redeemed = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: `use-${used.couponId}`,
      couponCode: used.code,
      orderAmountFen: 10000,
    });
    expect(redeemed.status).toBe(200);
    // 300 points from last year (they end on 31 Dec this year) and 1,200 yuan spent today: 2,400 points, silver
    await sys.database.exec(
      `insert into points_ledger (customer_id, kind, points, entry_key, earn_year, note, occurred_at)
       values ($1, 'earn', 300, $2, 2025, '2025年消费积分', '2025-06-01T02:00:00Z')`,
      [m.customerId, `earn:test-2025:${m.customerId}`],
    );
    const { code } = await issueMemberCode(sys.database.db, {
      customerId: m.customerId,
      identityId: `idn_${m.customerId}`,
      now: sys.clock.now(),
    });
    const order = await posCall(sys, '/api/pos/orders', {
      idempotencyKey: `ord-${m.customerId}`,
      externalId: `SUM-${m.customerId}`,
      memberCode: code,
      orderedAt: sys.clock.now().toISOString(),
      totalFen: 120000,
      paidFen: 120000,
      lines: [{ sku: 'X-1', quantity: 1, unitPriceFen: 120000, amountFen: 120000 }],
    });
    expect(order.status).toBe(200);

    const res = await sys.call('/api/loyalty/summary', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      points: { balance: 2700, expiringSoon: null }, // 31 Dec is 36 days away
      tier: { code: 'silver', name: '银卡会员' },
      // usable today: the one from 1 Dec is not counted yet
      coupons: { available: 2, expiringSoon: { count: 1, lastDay: '2026-11-28' } },
    });
    // the wallet lists it under 可使用 too, saying from when
    const wallet = await sys.call('/api/loyalty/coupons', { token });
    expect(wallet.body.available.map((c: { id: string }) => c.id).sort()).toEqual(
      [welcome.couponId, soon.couponId, later.couponId].sort(),
    );
    expect(wallet.body.available.find((c: { id: string }) => c.id === later.couponId)).toMatchObject({
      state: 'not_yet_valid',
      firstValidDay: '2026-12-01',
      lastValidDay: '2026-12-02',
    });

    // 1 December: last year's 300 points end within the month; the 28 Nov coupon is gone, the 1 Dec one is usable
    // and ends on the 2nd
    sys.clock.set('2026-12-01T02:00:00Z');
    const december = await sys.call('/api/loyalty/summary', { token: await memberSession(sys, m.customerId) });
    expect(december.body).toMatchObject({
      points: { balance: 2700, expiringSoon: { points: 300, lastDay: '2026-12-31' } },
      coupons: { available: 2, expiringSoon: { count: 1, lastDay: '2026-12-02' } },
    });

    // 2 January: they expired, and the summary settled the expiry in the ledger (the points page lists it)
    sys.clock.set('2027-01-02T02:00:00Z');
    const janToken = await memberSession(sys, m.customerId);
    const january = await sys.call('/api/loyalty/summary', { token: janToken });
    expect(january.body.points).toEqual({ balance: 2400, expiringSoon: null });
    expect(
      await count(sys.database, `select count(*) from points_ledger where customer_id = $1 and kind = 'expire'`, [
        m.customerId,
      ]),
    ).toBe(1);
    const page = await sys.call('/api/loyalty/points', { token: janToken });
    expect(page.body.balance).toBe(2400);
    expect(page.body.ledger[0]).toMatchObject({ kind: 'expire', points: -300 });
    sys.clock.set('2026-11-25T02:00:00Z');
  });

  it('gives the birthday coupon in the birthday month, once, and counts it', async () => {
    sys.clock.set('2026-11-25T02:00:00Z');
    const m = await createMember(sys.database, { birthday: '1970-11-20' });
    const token = await memberSession(sys, m.customerId);
    const first = await sys.call('/api/loyalty/summary', { token });
    expect(first.body).toMatchObject({ tier: { code: 'basic' }, points: { balance: 0 }, coupons: { available: 1 } });
    const again = await sys.call('/api/loyalty/summary', { token });
    expect(again.body.coupons.available).toBe(1);
    expect(
      await count(sys.database, `select count(*) from coupons where customer_id = $1 and reason = 'birthday'`, [
        m.customerId,
      ]),
    ).toBe(1);
  });

  it('belongs to signed-up members only', async () => {
    await sys.database.exec(
      `insert into identities (id, kind, value, verified, source, source_id) values ('idn_anon_sum', 'openid', 'o_anon_sum', true, 'miniprogram', 'o_anon_sum')`,
    );
    const anon = await sys.deps.tokens.sign({ aud: 'member', sub: 'idn_anon_sum', oid: 'o_anon_sum' }, 'access');
    expect(codeOf(await sys.call('/api/loyalty/summary', { token: anon }))).toEqual({
      status: 403,
      code: 'NOT_REGISTERED',
    });
    expect(codeOf(await sys.call('/api/loyalty/summary'))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    const manager = await staffSession(sys, 'stf_sm01');
    expect((await sys.call('/api/loyalty/summary', { token: manager })).status).toBe(403);
  });
});
