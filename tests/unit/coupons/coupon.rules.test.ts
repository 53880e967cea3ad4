import { describe, expect, it } from 'vitest';
import { couponHeadline, couponRuleLines, lastValidDay } from '../../../shared/coupons/coupon.describe.js';
import {
  type CouponState,
  type CouponTemplateRule,
  couponCodeFromDigits,
  couponValidity,
  evaluateRedemption,
  evaluateVoid,
  fixedValidity,
  isCouponCode,
  type OrderInput,
  pickBestCoupon,
} from '../../../shared/coupons/coupon.rules.js';

// 2026-03-01 23:30 in Shanghai is still 1 March there but already... 15:30Z on 1 March
const NOW = new Date('2026-03-01T15:30:00Z');

const tpl = (over: Partial<CouponTemplateRule> = {}): CouponTemplateRule => ({
  kind: 'amount_off',
  amountOffFen: 1000,
  percentOff: null,
  maxDiscountFen: null,
  thresholdFen: 0,
  storeIds: [],
  categories: [],
  includeRx: false,
  ...over,
});
const coupon = (over: Partial<CouponState> = {}): CouponState => ({
  id: 'cpn_1',
  status: 'available',
  validFrom: new Date('2026-02-01T00:00:00Z'),
  validUntil: new Date('2026-03-31T16:00:00Z'),
  ...over,
});
const order = (over: Partial<OrderInput> = {}): OrderInput => ({ storeId: 'sto_001', amountFen: 5000, ...over });

describe('couponValidity', () => {
  it.each([
    // issued 1 Mar 23:30 Shanghai, 30 days → through 31 Mar, ends 1 Apr 00:00 Shanghai = 31 Mar 16:00Z
    [new Date('2026-03-01T15:30:00Z'), 30, '2026-03-31T16:00:00.000Z'],
    // 16:30Z on 1 Mar is already 2 Mar 00:30 in Shanghai → through 1 Apr
    [new Date('2026-03-01T16:30:00Z'), 30, '2026-04-01T16:00:00.000Z'],
    [new Date('2026-12-31T10:00:00Z'), 1, '2027-01-01T16:00:00.000Z'],
  ])('issued %s valid %i days → until %s', (issuedAt, validDays, until) => {
    expect(couponValidity({ validityKind: 'relative', validDays }, issuedAt)?.validUntil.toISOString()).toBe(until);
  });

  it('fixed dates run from 00:00 of the first to the end of the last day, Shanghai; ended templates issue nothing', () => {
    const v = fixedValidity('2026-03-01', '2026-03-31');
    expect(v.validFrom.toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(v.validUntil.toISOString()).toBe('2026-03-31T16:00:00.000Z');
    expect(couponValidity({ validityKind: 'fixed', ...v }, new Date('2026-03-31T16:00:00Z'))).toBeNull();
    expect(couponValidity({ validityKind: 'fixed', ...v }, new Date('2026-03-31T15:59:59Z'))).toEqual(v);
  });
});

describe('evaluateRedemption', () => {
  const cases: [string, CouponState, CouponTemplateRule, OrderInput, { discountFen: number } | string][] = [
    ['amount off, no threshold', coupon(), tpl(), order(), { discountFen: 1000 }],
    ['amount off never exceeds the order', coupon(), tpl(), order({ amountFen: 600 }), { discountFen: 600 }],
    ['满减 reached exactly', coupon(), tpl({ thresholdFen: 5000 }), order(), { discountFen: 1000 }],
    ['满减 below threshold', coupon(), tpl({ thresholdFen: 5001 }), order(), 'BELOW_THRESHOLD'],
    [
      'percent off rounds down',
      coupon(),
      tpl({ kind: 'percent_off', amountOffFen: null, percentOff: 15 }),
      order({ amountFen: 3333 }),
      { discountFen: 499 },
    ],
    [
      'percent off capped',
      coupon(),
      tpl({ kind: 'percent_off', amountOffFen: null, percentOff: 20, maxDiscountFen: 3000 }),
      order({ amountFen: 50000 }),
      { discountFen: 3000 },
    ],
    ['used', coupon({ status: 'redeemed' }), tpl(), order(), 'COUPON_USED'],
    ['expired at the exclusive end', coupon({ validUntil: NOW }), tpl(), order(), 'COUPON_EXPIRED'],
    ['not yet valid', coupon({ validFrom: new Date('2026-03-02T00:00:00Z') }), tpl(), order(), 'COUPON_NOT_YET_VALID'],
    ['other store', coupon(), tpl({ storeIds: ['sto_002'] }), order(), 'STORE_NOT_APPLICABLE'],
    ['listed store', coupon(), tpl({ storeIds: ['sto_002', 'sto_001'] }), order(), { discountFen: 1000 }],
    [
      'Rx lines excluded by default: threshold counts only non-Rx',
      coupon(),
      tpl({ thresholdFen: 3000 }),
      order({
        amountFen: 5000,
        lines: [
          { amountFen: 4000, rx: true, category: '心血管' },
          { amountFen: 1000, category: '感冒' },
        ],
      }),
      'BELOW_THRESHOLD',
    ],
    [
      'all-Rx order has nothing eligible',
      coupon(),
      tpl(),
      order({ amountFen: 5000, lines: [{ amountFen: 5000, rx: true }] }),
      'NO_ELIGIBLE_ITEMS',
    ],
    [
      'Rx included when the template says so',
      coupon(),
      tpl({ includeRx: true }),
      order({ amountFen: 5000, lines: [{ amountFen: 5000, rx: true }] }),
      { discountFen: 1000 },
    ],
    [
      'category-limited percent off applies to that category only',
      coupon(),
      tpl({ kind: 'percent_off', amountOffFen: null, percentOff: 12, categories: ['维生素矿物质'] }),
      order({
        amountFen: 10000,
        lines: [
          { amountFen: 5000, category: '维生素矿物质' },
          { amountFen: 5000, category: '感冒' },
        ],
      }),
      { discountFen: 600 },
    ],
    [
      'category-limited without lines cannot be checked',
      coupon(),
      tpl({ categories: ['维生素矿物质'] }),
      order(),
      'NO_ELIGIBLE_ITEMS',
    ],
  ];
  it.each(cases)('%s', (_name, c, t, o, expected) => {
    const result = evaluateRedemption(c, t, o, NOW);
    if (typeof expected === 'string') {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.code).toBe(expected);
    } else {
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.value.discountFen).toBe(expected.discountFen);
        expect(result.value.actions).toEqual([
          expect.objectContaining({ action: 'redeem_coupon', couponId: c.id, discountFen: expected.discountFen }),
        ]);
      }
    }
  });
});

describe('evaluateVoid', () => {
  const r = { id: 'rdm_1', status: 'redeemed' as const, couponId: 'cpn_1' };
  it('returns a still-valid coupon', () => {
    expect(evaluateVoid(r, coupon(), NOW)).toEqual({
      alreadyVoided: false,
      couponReturned: true,
      actions: [
        { action: 'void_redemption', redemptionId: 'rdm_1' },
        { action: 'return_coupon', couponId: 'cpn_1' },
      ],
    });
  });
  it('keeps an expired coupon used', () => {
    expect(evaluateVoid(r, coupon({ validUntil: NOW }), NOW).actions).toEqual([
      { action: 'void_redemption', redemptionId: 'rdm_1' },
    ]);
  });
  it('does nothing the second time', () => {
    expect(evaluateVoid({ ...r, status: 'voided' }, coupon(), NOW)).toEqual({
      alreadyVoided: true,
      couponReturned: false,
      actions: [],
    });
  });
});

describe('pickBestCoupon', () => {
  it('takes the biggest discount, then the one expiring first; skips inapplicable ones', () => {
    const a = { ...coupon({ id: 'a' }), template: tpl({ amountOffFen: 500 }) };
    const b = { ...coupon({ id: 'b' }), template: tpl({ amountOffFen: 1500, thresholdFen: 10000 }) };
    const c = {
      ...coupon({ id: 'c', validUntil: new Date('2026-03-10T16:00:00Z') }),
      template: tpl({ amountOffFen: 500 }),
    };
    expect(pickBestCoupon([a, b, c], order(), NOW)?.coupon.id).toBe('c');
    expect(pickBestCoupon([a, b, c], order({ amountFen: 12000 }), NOW)?.coupon.id).toBe('b');
    expect(pickBestCoupon([b], order(), NOW)).toBeNull();
  });
});

describe('coupon codes', () => {
  it('carries a Luhn check digit that catches a mistyped digit', () => {
    const code = couponCodeFromDigits('123456789012345');
    expect(isCouponCode(code)).toBe(true);
    const typo = `${code.slice(0, 3)}${(Number(code[3]) + 1) % 10}${code.slice(4)}`;
    expect(isCouponCode(typo)).toBe(false);
    expect(isCouponCode('12345')).toBe(false);
    expect(isCouponCode('abcdefghijklmnop')).toBe(false);
  });
});

describe('rules in words', () => {
  it.each([
    [tpl(), '无门槛减10元'],
    [tpl({ thresholdFen: 10000, amountOffFen: 1500 }), '满100元减15元'],
    [tpl({ kind: 'percent_off', amountOffFen: null, percentOff: 12, maxDiscountFen: 3000 }), '8.8折，最多减30元'],
    [tpl({ kind: 'percent_off', amountOffFen: null, percentOff: 10 }), '9折'],
  ])('%o → %s', (t, words) => expect(couponHeadline(t)).toBe(words));

  it('names stores, categories, Rx and the last valid day (Shanghai)', () => {
    const lines = couponRuleLines(
      tpl({ storeIds: ['sto_001'], categories: ['感冒'] }),
      new Map([['sto_001', '西湖店']]),
      { validUntil: new Date('2026-03-31T16:00:00Z') },
    );
    expect(lines).toEqual([
      '无门槛减10元',
      '有效期至2026年3月31日',
      '仅限西湖店使用',
      '仅限感冒类商品',
      '处方药不参与优惠',
      '每单限用一张，不找零不兑现',
    ]);
    expect(lastValidDay(new Date('2026-03-31T16:00:00Z'))).toBe('2026-03-31');
  });
});
