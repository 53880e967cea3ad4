/**
 * Redemptions by code that arrive in the same event-loop turn share one statement (couponRepo.redeemByCodeBatch,
 * through turn-batcher.ts). These tests check that a batch answers each call exactly as calling
 * pos_redeem_coupon_by_code for each in order would (a coupon at most once, a repeated key the first answer, a
 * stale template undecided), that an error anywhere in a batch writes nothing and costs only its own call, and that
 * concurrent POS requests really do share statements.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { batchInFlight } from '../../../functions/adapters/db/client.js';
import { couponRepo, type RedeemByCodeInput } from '../../../functions/adapters/db/repos/coupon.repo.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { byCodeInput, count, createMember, giveCoupon, outcomes, posCall, uniqueKey } from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());
afterEach(() => vi.restoreAllMocks());

const input = (code: string, over: Partial<RedeemByCodeInput> = {}) => byCodeInput(sys, code, over);
const redemptionsOf = (couponId: string) =>
  count(sys.database, `select count(*) from coupon_redemptions where coupon_id = $1`, [couponId]);

describe('POS redemptions by code in one statement', () => {
  it('answers each call as one by one in order: a coupon once, a repeated key the first answer, a stale template undecided', async () => {
    const m = await createMember(sys.database);
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => giveCoupon(sys, m.customerId, 'FULL_100_15')));
    const first = await input(a.code);
    const second = await input(b.code);
    const batch = [
      first,
      second,
      // the same coupon again under another key: the first call of this very batch took it, so this call finds it
      // redeemed and writes nothing (the use case's slow path then answers COUPON_USED)
      await input(a.code),
      // the second call's key again: nothing written, and the key's stored answer (the use case replays it)
      { ...(await input(b.code)), idempotencyKey: second.idempotencyKey },
      // a template fingerprint the database does not have (a stale cache): nothing written
      await input(c.code, { fingerprints: '{"stale"}' }),
      // no coupon has this code
      await input('0000000000000000'),
    ];
    const answers = await couponRepo.redeemByCodeBatch(sys.database.db, batch);
    expect(outcomes(answers)).toEqual(['redeemed', 'redeemed', 'undecided', 'undecided', 'undecided', 'undecided']);
    const [r1, r2, , replay] = answers;
    expect(r1).toMatchObject({
      response: { couponId: a.couponId, customerId: m.customerId, discountFen: 1500, payableFen: 21_500 },
    });
    expect(answers[2]).toEqual({ outcome: 'undecided', stored: null });
    expect(replay).toEqual({
      outcome: 'undecided',
      stored: { requestHash: 'h1', response: r2.outcome === 'redeemed' ? r2.response : 'not redeemed' },
    });
    expect(answers[4]).toEqual({ outcome: 'undecided', stored: null });
    expect(answers[5]).toEqual({ outcome: 'undecided', stored: null });
    expect(await redemptionsOf(a.couponId)).toBe(1);
    expect(await redemptionsOf(b.couponId)).toBe(1);
    expect(await redemptionsOf(c.couponId)).toBe(0);
    // the losing call stored nothing under its key
    expect(
      await count(sys.database, `select count(*) from partner_requests where idempotency_key = $1`, [
        batch[2].idempotencyKey,
      ]),
    ).toBe(0);
  });

  it('an error anywhere rolls the whole batch back; through the batcher the other calls still get their answers', async () => {
    const m = await createMember(sys.database);
    const [a, b] = await Promise.all([1, 2].map(() => giveCoupon(sys, m.customerId, 'FULL_100_15')));
    const taken = await input(a.code);
    expect((await couponRepo.redeemByCodeOne(sys.database.db, taken)).outcome).toBe('redeemed');
    const [c] = await Promise.all([giveCoupon(sys, m.customerId, 'FULL_100_15')]);
    // b's call is fine; the second reuses a redemption id that exists: its insert fails
    const good = await input(b.code);
    const bad = await input(c.code, { redemptionId: taken.redemptionId });
    await expect(couponRepo.redeemByCodeBatch(sys.database.db, [good, bad])).rejects.toThrow();
    expect(await redemptionsOf(b.couponId)).toBe(0);
    expect(
      await count(sys.database, `select count(*) from partner_requests where idempotency_key = $1`, [
        good.idempotencyKey,
      ]),
    ).toBe(0);

    // the same two calls in one turn through the batcher, with enough others that they share a statement (the
    // batcher spreads a turn over the free slots: 2 × slots calls make statements of two): that batch fails, and
    // each of its calls runs alone
    const slots = batchInFlight(sys.database.db);
    const others = await Promise.all(
      Array.from({ length: 2 * slots - 2 }, () => giveCoupon(sys, m.customerId, 'FULL_100_15')),
    );
    const batchSpy = vi.spyOn(couponRepo, 'redeemByCodeBatch');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const settled = await Promise.allSettled(
      [good, bad, ...(await Promise.all(others.map((o) => input(o.code))))].map((i) =>
        couponRepo.redeemByCode(sys.database.db, i),
      ),
    );
    expect(batchSpy.mock.calls[0][1]).toEqual([good, bad]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('a batch of 2 redemptions failed'));
    expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { outcome: 'redeemed' } });
    expect(settled[1].status).toBe('rejected');
    for (const s of settled.slice(2)) expect(s).toMatchObject({ status: 'fulfilled', value: { outcome: 'redeemed' } });
    expect(await redemptionsOf(b.couponId)).toBe(1);
    expect(await redemptionsOf(c.couponId)).toBe(0);
    expect(
      await count(sys.database, `select count(*) from coupons where id = $1 and status = 'available'`, [c.couponId]),
    ).toBe(1);
    for (const o of others) expect(await redemptionsOf(o.couponId)).toBe(1);
  });

  it('concurrent POS requests share statements, and each gets its own redemption', async () => {
    const m = await createMember(sys.database);
    const coupons = await Promise.all(Array.from({ length: 24 }, () => giveCoupon(sys, m.customerId, 'FULL_100_15')));
    const batchSpy = vi.spyOn(couponRepo, 'redeemByCodeBatch');
    const results = await Promise.all(
      coupons.map((c, i) =>
        posCall(sys, '/api/pos/redeem', {
          idempotencyKey: uniqueKey('turn'),
          couponCode: c.code,
          orderAmountFen: 20_000 + i,
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(coupons.map(() => 200));
    expect(results.map((r) => r.body.couponId)).toEqual(coupons.map((c) => c.couponId));
    expect(results.map((r) => r.body.payableFen)).toEqual(coupons.map((_, i) => 20_000 + i - 1500));
    // fewer statements than requests: at least one batch carried several
    const sizes = batchSpy.mock.calls.map(([, inputs]) => inputs.length);
    expect(Math.max(0, ...sizes)).toBeGreaterThan(1);
    for (const c of coupons) expect(await redemptionsOf(c.couponId)).toBe(1);
  });
});
