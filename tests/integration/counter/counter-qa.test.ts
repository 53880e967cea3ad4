/**
 * Three holes a QA walk found in the staff counter (扫码核销), closed: a coupon's own code unlocked the whole member
 * (its token now redeems that coupon only); a coupon limited to categories showed as usable but could never be
 * redeemed (the counter now reads the items' categories, or the category part typed from the receipt); and a sale
 * took items that did not match its amount (now within COUNTER_ITEMS_MAX_DISCOUNT_PERCENT below their catalogue
 * total, never above). PGlite and PostgreSQL (integration-pg).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '../../../dev/demo/catalogue.js';
import { issueMemberCode } from '../../../functions/app/members/member-code.js';
import { earnYearOf } from '../../../shared/points/points.rules.js';
import { codeOf, startTestSystem, type TestSystem } from '../../support/system.js';
import { count, createMember, giveCoupon } from '../loyalty/loyalty-fixtures.js';
import { counterClerks, unique } from './counter-fixtures.js';

let sys: TestSystem;
let post: Awaited<ReturnType<typeof counterClerks>>;
beforeAll(async () => {
  sys = await startTestSystem();
  // 王芳 of 文三路店 (its till connected) and 孙磊 of 北仑新碶店 (no till: the counter records the sale there)
  post = await counterClerks(sys, ['u_ck01', 'u_ck03']);
});
afterAll(async () => sys?.close());

/** A member of 北仑新碶店 with these coupons and points, and a live member code. */
async function member(templates: string[], points = 0) {
  const m = await createMember(sys.database, { homeStoreId: 'sto_018' });
  const coupons = [];
  for (const t of templates) coupons.push(await giveCoupon(sys, m.customerId, t));
  if (points > 0) {
    await sys.database.exec(
      `insert into points_ledger (customer_id, kind, points, entry_key, earn_year, note, occurred_at)
       values ($1, 'earn', $2, $3, $4, '北仑新碶店消费积分', now())`,
      [m.customerId, points, `earn:qa-history:${m.customerId}`, earnYearOf(sys.clock.now())],
    );
  }
  const code = await issueMemberCode(sys.database.db, {
    customerId: m.customerId,
    identityId: `idn_${m.customerId}`,
    now: sys.clock.now(),
  });
  return { ...m, coupons, memberCode: code.code };
}

async function lookup(user: string, code: string) {
  const r = await post(user, 'lookup', { code });
  if (r.status !== 200) throw new Error(`lookup failed: ${JSON.stringify(r.body)}`);
  return r.body;
}

const couponStatus = async (couponId: string) =>
  (await sys.database.exec('select status from coupons where id = $1', [couponId]))[0]?.status as string | undefined;
const balance = async (customerId: string) =>
  count(sys.database, 'select coalesce(sum(points), 0) from points_ledger where customer_id = $1', [customerId]);
const orders = (customerId: string) =>
  count(sys.database, 'select count(*) from orders where customer_id = $1', [customerId]);

describe('a coupon code proves possession of that coupon only', () => {
  it('the QA walk: its token redeems no other coupon, spends no points, records no sale; the lookup shows neither', async () => {
    const m = await member(['NEW_MEMBER', 'FULL_100_15'], 1000);
    const [gift, full] = m.coupons;
    const byCoupon = await lookup('u_ck03', gift.code);
    // the member's other coupons and points balance are not shown
    expect(byCoupon.member.points).toBeNull();
    expect(byCoupon.coupons.map((c: { couponId: string }) => c.couponId)).toEqual([gift.couponId]);
    expect(byCoupon.scope).toBe('coupon');
    expect(byCoupon.scannedCouponId).toBe(gift.couponId);
    expect(byCoupon.cardsToConfirm).toEqual([]);
    expect(byCoupon.member.phoneMasked).toContain('****');
    // the token says so itself (cpn), so no answer of the lookup can widen it
    const claims = JSON.parse(Buffer.from(byCoupon.counterToken.split('.')[1], 'base64url').toString('utf8'));
    expect(claims.cpn).toBe(gift.couponId);

    // the member's other coupon: refused, nothing written
    const other = await post('u_ck03', 'redeem', {
      idempotencyKey: `qa-${unique()}`,
      counterToken: byCoupon.counterToken,
      couponId: full.couponId,
      orderAmountFen: 20000,
    });
    expect(codeOf(other)).toEqual({ status: 403, code: 'COUNTER_SCAN_COUPON_ONLY' });
    expect(await couponStatus(full.couponId)).toBe('available');

    // the member's points: refused, and so is any sale (its answer shows the balance; a till credits a member's
    // points with the member code or card, never a coupon code)
    const spend = await post('u_ck03', 'sale', {
      idempotencyKey: `qa-${unique()}`,
      counterToken: byCoupon.counterToken,
      orderAmountFen: 10000,
      pointsToSpend: 1000,
    });
    expect(codeOf(spend)).toEqual({ status: 403, code: 'COUNTER_SCAN_COUPON_ONLY' });
    const earnOnly = await post('u_ck03', 'sale', {
      idempotencyKey: `qa-${unique()}`,
      counterToken: byCoupon.counterToken,
      orderAmountFen: 10000,
    });
    expect(codeOf(earnOnly)).toEqual({ status: 403, code: 'COUNTER_SCAN_COUPON_ONLY' });
    expect(await balance(m.customerId)).toBe(1000);
    expect(await orders(m.customerId)).toBe(0);

    // the scanned coupon itself is redeemed as before; its sale needs the member code too
    const redeemed = await post('u_ck03', 'redeem', {
      idempotencyKey: `qa-${unique()}`,
      counterToken: byCoupon.counterToken,
      couponId: gift.couponId,
      orderAmountFen: 3000,
    });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body.discountFen).toBe(1000);
    const itsSale = await post('u_ck03', 'sale', {
      idempotencyKey: `qa-${unique()}`,
      counterToken: byCoupon.counterToken,
      orderAmountFen: 3000,
      redemptionId: redeemed.body.redemptionId,
    });
    expect(codeOf(itsSale)).toEqual({ status: 403, code: 'COUNTER_SCAN_COUPON_ONLY' });
    expect(await orders(m.customerId)).toBe(0);

    // the audit line still says how the member was found
    const audit = await sys.database.exec(
      "select details from audit_log where action = 'counter.member_lookup' and customer_id = $1",
      [m.customerId],
    );
    expect(audit).toEqual([{ details: { by: 'coupon_code' } }]);

    // the member code shows everything and unlocks the rest
    const byMember = await lookup('u_ck03', m.memberCode);
    expect(byMember.scope).toBe('member');
    expect(byMember.member.points).toBe(1000);
    expect(byMember.coupons.map((c: { couponId: string }) => c.couponId)).toEqual([full.couponId]);
    const fullRedeemed = await post('u_ck03', 'redeem', {
      idempotencyKey: `qa-${unique()}`,
      counterToken: byMember.counterToken,
      couponId: full.couponId,
      orderAmountFen: 10000,
    });
    expect(fullRedeemed.status).toBe(200);
    const sale = await post('u_ck03', 'sale', {
      idempotencyKey: `qa-${unique()}`,
      counterToken: byMember.counterToken,
      orderAmountFen: 10000,
      redemptionId: fullRedeemed.body.redemptionId,
      pointsToSpend: 1000,
    });
    expect(sale.status).toBe(200);
    expect(sale.body.pointsSpent).toBe(1000);
  });
});

describe('a coupon limited to categories at the counter', () => {
  const vitamin = DEMO_PRODUCTS.find((p) => p.category === '维生素矿物质' && !p.rx && p.priceFen >= 3000);
  const other = DEMO_PRODUCTS.find((p) => p.category !== '维生素矿物质' && !p.rx && p.priceFen >= 1000);
  const rxDrug = DEMO_PRODUCTS.find((p) => p.rx);
  if (!vitamin || !other || !rxDrug) throw new Error('the demo catalogue has no products to test with');

  it('is listed with its categories; with only an amount it asks for the category part, never blaming Rx', async () => {
    const m = await member(['VITAMIN_88']);
    const [vit] = m.coupons;
    // 文三路店: its till is connected, the counter has only the amount
    const scan = await lookup('u_ck01', m.memberCode);
    expect(scan.coupons[0]).toMatchObject({ couponId: vit.couponId, usableHere: true, categories: ['维生素矿物质'] });
    const redeem = (extra: Record<string, unknown>) =>
      post('u_ck01', 'redeem', {
        idempotencyKey: `qa-${unique()}`,
        counterToken: scan.counterToken,
        couponId: vit.couponId,
        orderAmountFen: 10000,
        ...extra,
      });
    // no category part: the coupon's categories are what is missing, not "prescription drugs"
    for (const extra of [{}, { categoryAmountFen: 0 }]) {
      const refused = await redeem(extra);
      expect(codeOf(refused)).toEqual({ status: 422, code: 'COUPON_CATEGORY_NOT_IN_ORDER' });
    }
    // more than the order (with its prescription part): a typo
    expect(codeOf(await redeem({ categoryAmountFen: 8000, rxAmountFen: 3000 }))).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(await couponStatus(vit.couponId)).toBe('available');
    // 50 yuan of vitamins in a 100-yuan order: 12% of 50
    const done = await redeem({ categoryAmountFen: 5000, rxAmountFen: 2000 });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ eligibleFen: 5000, discountFen: 600, payableFen: 9400 });
    expect(await couponStatus(vit.couponId)).toBe('redeemed');
  });

  it('reads the listed items’ categories from the catalogue, shared over a discounted amount', async () => {
    const m = await member(['VITAMIN_88', 'VITAMIN_88', 'VITAMIN_88']);
    const scan = await lookup('u_ck03', m.memberCode);
    const lines = [
      { sku: vitamin.sku, quantity: 1 },
      { sku: other.sku, quantity: 1 },
    ];
    const totalFen = vitamin.priceFen + other.priceFen;
    const redeem = (couponId: string, extra: Record<string, unknown>) =>
      post('u_ck03', 'redeem', {
        idempotencyKey: `qa-${unique()}`,
        counterToken: scan.counterToken,
        couponId,
        ...extra,
      });
    // at the catalogue price: the vitamin line is eligible, the other one not
    const full = await redeem(m.coupons[0].couponId, { orderAmountFen: totalFen, lines });
    expect(full.status).toBe(200);
    expect(full.body.eligibleFen).toBe(vitamin.priceFen);
    expect(full.body.discountFen).toBe(Math.min(3000, Math.floor((vitamin.priceFen * 12) / 100)));
    // 10% off the whole order at the store: the vitamin line is worth 10% less too
    const discounted = Math.round(totalFen * 0.9);
    const less = await redeem(m.coupons[1].couponId, { orderAmountFen: discounted, lines });
    expect(less.status).toBe(200);
    expect(less.body.eligibleFen).toBe(Math.floor((vitamin.priceFen * discounted) / totalFen));
    // none of its categories among the items: said so, nothing written
    const none = await redeem(m.coupons[2].couponId, {
      orderAmountFen: other.priceFen,
      lines: [{ sku: other.sku, quantity: 1 }],
    });
    expect(codeOf(none)).toEqual({ status: 422, code: 'COUPON_CATEGORY_NOT_IN_ORDER' });
    expect(await couponStatus(m.coupons[2].couponId)).toBe('available');
    // items and a typed category part at once: the items decide, the part is refused
    expect(
      codeOf(await redeem(m.coupons[2].couponId, { orderAmountFen: totalFen, lines, categoryAmountFen: 100 })),
    ).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('an order of prescription drugs alone is still refused as such for a coupon of every category', async () => {
    const m = await member(['NEW_MEMBER']);
    const scan = await lookup('u_ck03', m.memberCode);
    const r = await post('u_ck03', 'redeem', {
      idempotencyKey: `qa-${unique()}`,
      counterToken: scan.counterToken,
      couponId: m.coupons[0].couponId,
      orderAmountFen: rxDrug.priceFen,
      lines: [{ sku: rxDrug.sku, quantity: 1 }],
    });
    expect(codeOf(r)).toEqual({ status: 422, code: 'NO_ELIGIBLE_ITEMS' });
  });
});

describe('a counter sale’s items must match its amount', () => {
  const ibuprofen = DEMO_PRODUCTS.find((p) => p.sku === 'MD100220');
  if (!ibuprofen) throw new Error('the demo catalogue has no MD100220');
  const itemsFen = ibuprofen.priceFen * 10;

  it('the QA walk: a 1-yuan order with 243 yuan of items is refused, and so is one above the items; nothing written', async () => {
    const m = await member([]);
    const scan = await lookup('u_ck03', m.memberCode);
    const sale = (orderAmountFen: number) =>
      post('u_ck03', 'sale', {
        idempotencyKey: `qa-${unique()}`,
        counterToken: scan.counterToken,
        orderAmountFen,
        lines: [{ sku: 'MD100220', quantity: 10 }],
      });
    for (const amount of [100, Math.ceil(itemsFen / 2) - 1, itemsFen + 1]) {
      const refused = await sale(amount);
      expect(codeOf(refused)).toEqual({ status: 422, code: 'COUNTER_ITEMS_AMOUNT_MISMATCH' });
      expect(refused.body.error.message).toContain(String(itemsFen));
    }
    expect(await orders(m.customerId)).toBe(0);
    expect(await balance(m.customerId)).toBe(0);
    // half the catalogue total (买一送一) and the catalogue total itself are sales a pharmacy makes
    for (const amount of [Math.ceil(itemsFen / 2), itemsFen]) expect((await sale(amount)).status).toBe(200);
    expect(await orders(m.customerId)).toBe(2);
  });

  it('a redemption with items is held to the same rule: refused, the coupon untouched', async () => {
    const m = await member(['NEW_MEMBER']);
    const scan = await lookup('u_ck03', m.memberCode);
    const r = await post('u_ck03', 'redeem', {
      idempotencyKey: `qa-${unique()}`,
      counterToken: scan.counterToken,
      couponId: m.coupons[0].couponId,
      orderAmountFen: 100,
      lines: [{ sku: 'MD100220', quantity: 10 }],
    });
    expect(codeOf(r)).toEqual({ status: 422, code: 'COUNTER_ITEMS_AMOUNT_MISMATCH' });
    expect(await couponStatus(m.coupons[0].couponId)).toBe('available');
    expect(
      await count(sys.database, 'select count(*) from coupon_redemptions where customer_id = $1', [m.customerId]),
    ).toBe(0);
  });
});
