/**
 * Coupon rules, pure: validity on issue, whether a coupon can be redeemed on an order and for how much, what a
 * void does, which of a member's coupons is best for an order. Rules return values and action objects (Medusa's
 * compute-actions); the use cases in functions/app/coupons perform the actions.
 */
import { fail, ok, type Result } from '../errors.js';
import { businessDayStart, startOfBusinessDay } from './business-day.js';

export type CouponKind = 'amount_off' | 'percent_off';

/** The parts of a template that decide a discount. */
export interface CouponTemplateRule {
  kind: CouponKind;
  amountOffFen: number | null;
  percentOff: number | null;
  maxDiscountFen: number | null;
  thresholdFen: number;
  /** empty = every store */
  storeIds: readonly string[];
  /** empty = every category */
  categories: readonly string[];
  includeRx: boolean;
}

export type CouponValidity =
  | { validityKind: 'fixed'; validFrom: Date; validUntil: Date }
  | { validityKind: 'relative'; validDays: number };

export interface CouponState {
  id: string;
  status: 'available' | 'redeemed' | 'voided';
  validFrom: Date;
  /** exclusive: the coupon is expired from this instant on */
  validUntil: Date;
}

export interface OrderLineInput {
  amountFen: number;
  category?: string | null;
  rx?: boolean;
}

export interface OrderInput {
  storeId: string;
  amountFen: number;
  /** without lines the POS asserts the whole amount is non-prescription and of no particular category */
  lines?: readonly OrderLineInput[];
}

export type RedemptionFailure =
  | 'COUPON_USED'
  | 'COUPON_VOIDED'
  | 'COUPON_NOT_YET_VALID'
  | 'COUPON_EXPIRED'
  | 'STORE_NOT_APPLICABLE'
  | 'NO_ELIGIBLE_ITEMS'
  | 'BELOW_THRESHOLD';

export type CouponAction =
  | { action: 'redeem_coupon'; couponId: string; storeId: string; discountFen: number; eligibleFen: number }
  | { action: 'void_redemption'; redemptionId: string }
  | { action: 'return_coupon'; couponId: string };

export interface RedemptionPlan {
  discountFen: number;
  eligibleFen: number;
  actions: CouponAction[];
}

/**
 * When an issued coupon is valid. Relative validity runs through the end (Asia/Shanghai) of the N-th day after
 * the issue day: issued any time on 1 March with 30 days, it works until 31 March 23:59:59. Stored ends are
 * exclusive (00:00 of the next day). Null when a fixed-date template has already ended: nothing to issue.
 */
export function couponValidity(template: CouponValidity, issuedAt: Date): { validFrom: Date; validUntil: Date } | null {
  if (template.validityKind === 'fixed') {
    if (issuedAt.getTime() >= template.validUntil.getTime()) return null;
    return { validFrom: template.validFrom, validUntil: template.validUntil };
  }
  return { validFrom: issuedAt, validUntil: startOfBusinessDay(issuedAt, template.validDays + 1) };
}

/** Fixed validity from staff input: from 00:00 of the first day to the end of the last day, Asia/Shanghai. */
export function fixedValidity(fromDate: string, untilDate: string): { validFrom: Date; validUntil: Date } {
  const validFrom = businessDayStart(fromDate);
  return { validFrom, validUntil: startOfBusinessDay(businessDayStart(untilDate), 1) };
}

/** The part of an order the template discounts: its categories, and Rx lines only when the template says so. */
export function eligibleAmountFen(template: CouponTemplateRule, order: OrderInput): number {
  if (!order.lines || order.lines.length === 0) return template.categories.length === 0 ? order.amountFen : 0;
  let sum = 0;
  for (const line of order.lines) {
    // Rx drugs are excluded from discounts by default: promotions must not push prescription medicines
    if (line.rx && !template.includeRx) continue;
    if (template.categories.length > 0 && !(line.category && template.categories.includes(line.category))) continue;
    sum += line.amountFen;
  }
  return Math.min(sum, order.amountFen);
}

/** The discount the template gives on an eligible amount. Percentages round down to the fen (never over-give). */
export function discountFor(template: CouponTemplateRule, eligibleFen: number): number {
  if (eligibleFen <= 0) return 0;
  if (template.kind === 'amount_off') return Math.min(template.amountOffFen ?? 0, eligibleFen);
  const raw = Math.floor((eligibleFen * (template.percentOff ?? 0)) / 100);
  return Math.min(raw, template.maxDiscountFen ?? raw, eligibleFen);
}

export type CouponLifecycle = 'available' | 'used' | 'expired' | 'not_yet_valid' | 'voided';

export function couponLifecycle(coupon: CouponState, now: Date): CouponLifecycle {
  if (coupon.status === 'redeemed') return 'used';
  if (coupon.status === 'voided') return 'voided';
  if (now.getTime() >= coupon.validUntil.getTime()) return 'expired';
  if (now.getTime() < coupon.validFrom.getTime()) return 'not_yet_valid';
  return 'available';
}

/** Whether `coupon` may be redeemed on `order` now, for how much, and what to do about it. */
export function evaluateRedemption(
  coupon: CouponState,
  template: CouponTemplateRule,
  order: OrderInput,
  now: Date,
): Result<RedemptionPlan, RedemptionFailure> {
  const state = couponLifecycle(coupon, now);
  if (state === 'used') return fail('COUPON_USED', `coupon ${coupon.id} has already been used`);
  if (state === 'voided') return fail('COUPON_VOIDED', `coupon ${coupon.id} was voided`);
  if (state === 'expired') return fail('COUPON_EXPIRED', `coupon ${coupon.id} expired`);
  if (state === 'not_yet_valid') return fail('COUPON_NOT_YET_VALID', `coupon ${coupon.id} is not valid yet`);
  if (template.storeIds.length > 0 && !template.storeIds.includes(order.storeId)) {
    return fail('STORE_NOT_APPLICABLE', `coupon ${coupon.id} cannot be used at store ${order.storeId}`);
  }
  const eligibleFen = eligibleAmountFen(template, order);
  if (eligibleFen <= 0) return fail('NO_ELIGIBLE_ITEMS', `no item of the order is eligible for coupon ${coupon.id}`);
  if (eligibleFen < template.thresholdFen) {
    return fail(
      'BELOW_THRESHOLD',
      `coupon ${coupon.id} needs ${template.thresholdFen} fen of eligible items, the order has ${eligibleFen}`,
    );
  }
  const discountFen = discountFor(template, eligibleFen);
  return ok({
    discountFen,
    eligibleFen,
    actions: [{ action: 'redeem_coupon', couponId: coupon.id, storeId: order.storeId, discountFen, eligibleFen }],
  });
}

/**
 * Voiding a redemption (the order was refunded): the redemption is voided, and the coupon goes back to the member
 * only if it is still within its validity, so a refund never extends a coupon's life.
 */
export function evaluateVoid(
  redemption: { id: string; status: 'redeemed' | 'voided'; couponId: string },
  coupon: CouponState,
  now: Date,
  /** the member closed the account since: the coupon stays used, there is no wallet to return it to */
  ownerClosed = false,
): { alreadyVoided: boolean; couponReturned: boolean; actions: CouponAction[] } {
  if (redemption.status === 'voided') return { alreadyVoided: true, couponReturned: false, actions: [] };
  const couponReturned = !ownerClosed && now.getTime() < coupon.validUntil.getTime();
  const actions: CouponAction[] = [{ action: 'void_redemption', redemptionId: redemption.id }];
  if (couponReturned) actions.push({ action: 'return_coupon', couponId: coupon.id });
  return { alreadyVoided: false, couponReturned, actions };
}

/**
 * The best of a member's coupons for an order: the largest discount, then the one expiring first (use it before
 * it is lost). Null when none applies.
 */
export function pickBestCoupon<C extends CouponState & { template: CouponTemplateRule }>(
  candidates: readonly C[],
  order: OrderInput,
  now: Date,
): { coupon: C; plan: RedemptionPlan } | null {
  let best: { coupon: C; plan: RedemptionPlan } | null = null;
  for (const coupon of candidates) {
    const result = evaluateRedemption(coupon, coupon.template, order, now);
    if (!result.ok) continue;
    if (
      !best ||
      result.value.discountFen > best.plan.discountFen ||
      (result.value.discountFen === best.plan.discountFen &&
        coupon.validUntil.getTime() < best.coupon.validUntil.getTime())
    ) {
      best = { coupon, plan: result.value };
    }
  }
  return best;
}

/** Coupon redemption codes: 15 random digits and a Luhn check digit, so a mistyped code is caught at once. */
export const COUPON_CODE_PATTERN = /^\d{16}$/;

export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isCouponCode(code: string): boolean {
  return COUPON_CODE_PATTERN.test(code) && luhnCheckDigit(code.slice(0, 15)) === Number(code[15]);
}

export function couponCodeFromDigits(fifteenDigits: string): string {
  if (!/^\d{15}$/.test(fifteenDigits)) throw new Error('a coupon code body is 15 digits');
  return `${fifteenDigits}${luhnCheckDigit(fifteenDigits)}`;
}
