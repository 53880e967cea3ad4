/**
 * The nightly purge deletes the stored answers of idempotent requests (partner_requests, staff_requests) older than
 * 90 days, and a request replayed after that still changes nothing: the order is unique on its number, the used
 * coupon is used, the voided order's void returns nothing, and the points spend's member code expired long before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueMemberCode } from '../../../functions/app/members/member-code.js';
import { STORED_ANSWER_DAYS } from '../../../functions/jobs/purge-integration-log.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { codeOf, count, createMember, giveCoupon, pointsBalance, posCall, uniqueKey } from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
  sys.deps.env.CRON_SECRET = 'test-cron-secret-0123456789';
});
afterAll(async () => sys?.close());

const purge = () =>
  sys.call('/api/jobs/purge-integration-log', { headers: { authorization: 'Bearer test-cron-secret-0123456789' } });
const order = (externalId: string, memberCode: string) => ({
  idempotencyKey: uniqueKey('ord'),
  externalId,
  memberCode,
  orderedAt: sys.clock.now().toISOString(),
  totalFen: 25000,
  discountFen: 0,
  paidFen: 25000,
  lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 25000, amountFen: 25000 }],
});

describe('stored answers of idempotent requests', () => {
  it('are deleted after 90 days, and a replay after that changes nothing', async () => {
    const m = await createMember(sys.database);
    const { code: memberCode } = await issueMemberCode(sys.database.db, {
      customerId: m.customerId,
      identityId: `idn_${m.customerId}`,
      now: sys.clock.now(),
    });
    const kept = await giveCoupon(sys, m.customerId);
    const refunded = await giveCoupon(sys, m.customerId, 'FULL_100_15');
    const requests = {
      order: ['/api/pos/orders', order('PURGE-0001', memberCode)],
      redeem: [
        '/api/pos/redeem',
        {
          idempotencyKey: uniqueKey('rdm'),
          couponCode: kept.code,
          orderAmountFen: 5000,
          externalOrderId: 'PURGE-0001',
        },
      ],
      refundedOrder: ['/api/pos/orders', order('PURGE-0002', memberCode)],
      refundedRedeem: [
        '/api/pos/redeem',
        {
          idempotencyKey: uniqueKey('rdm'),
          couponCode: refunded.code,
          orderAmountFen: 25000,
          externalOrderId: 'PURGE-0002',
        },
      ],
      void: ['/api/pos/void', { idempotencyKey: uniqueKey('void'), externalOrderId: 'PURGE-0002' }],
      spend: [
        '/api/pos/points/spend',
        { idempotencyKey: uniqueKey('spd'), memberCode, points: 100, orderAmountFen: 1000 },
      ],
    } as const;
    const first: Record<string, { status: number; body: Record<string, unknown> }> = {};
    for (const [name, [path, body]] of Object.entries(requests)) {
      first[name] = await posCall(sys, path, body);
      expect(first[name].status, name).toBe(200);
    }
    expect((first.void.body.voided as unknown[]).length).toBe(1);
    const balance = await pointsBalance(sys, m.customerId);
    const state = () =>
      sys.database.exec(
        `select (select count(*)::int from orders where external_id like 'PURGE-%') as orders,
                (select count(*)::int from coupon_redemptions where coupon_id in ($1, $2)) as redemptions,
                (select string_agg(status, ',' order by id) from coupons where id in ($1, $2)) as coupons,
                (select count(*)::int from points_ledger where customer_id = $3) as ledger`,
        [kept.couponId, refunded.couponId, m.customerId],
      );
    const before = await state();

    // the answers as they are stored: a month short of the limit, and one a day short
    const stored = await count(sys.database, 'select count(*) from partner_requests');
    expect(stored).toBeGreaterThanOrEqual(6);
    const old = new Date(sys.clock.now().getTime() - (STORED_ANSWER_DAYS + 1) * 86_400_000).toISOString();
    const recent = new Date(sys.clock.now().getTime() - (STORED_ANSWER_DAYS - 1) * 86_400_000).toISOString();
    await sys.database.exec('update partner_requests set created_at = $1', [old]);
    await sys.database.exec(
      `insert into staff_requests (staff_id, operation, idempotency_key, request_hash, status, response, created_at)
       values ('stf_ck01', 'redeem', 'old-1', 'h', 200, '{}', $1), ('stf_ck01', 'redeem', 'recent-1', 'h', 200, '{}', $2)`,
      [old, recent],
    );
    // an hour on: the member code of the spend has long expired, as it would have in three months
    sys.clock.advance(3_600_000);
    const res = await purge();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ storedAnswersDeleted: stored + 1, complete: true });
    expect(await count(sys.database, 'select count(*) from partner_requests')).toBe(0);
    expect(await sys.database.exec('select idempotency_key from staff_requests')).toEqual([
      { idempotency_key: 'recent-1' },
    ]);

    // every request again, as a till's queue would send it (but the refunded order's redeem: its coupon came back
    // to the member, and a replay of it after 90 days would use it again, as the README says)
    const again: Record<string, { status: number; code?: string }> = {};
    for (const [name, [path, body]] of Object.entries(requests)) {
      if (name !== 'refundedRedeem') again[name] = codeOf(await posCall(sys, path, body));
    }
    expect(again).toEqual({
      // the order number counted already: answered as it counted
      order: { status: 200, code: undefined },
      redeem: { status: 409, code: 'COUPON_USED' },
      refundedOrder: { status: 200, code: undefined },
      // the voided order's coupon is voided and its points reversed: nothing more to do
      void: { status: 200, code: undefined },
      spend: { status: 410, code: 'MEMBER_CODE_EXPIRED' },
    });
    expect(await state()).toEqual(before);
    expect(await pointsBalance(sys, m.customerId)).toBe(balance);
  });
});
