/** A coupon's rules in plain Chinese words, for the wallet, the staff pages and the cashier. Pure. */
import { businessDate } from './business-day.js';
import type { CouponTemplateRule } from './coupon.rules.js';

export const yuan = (fen: number): string => {
  const s = (fen / 100).toFixed(2);
  return s.endsWith('.00') ? s.slice(0, -3) : s.endsWith('0') ? s.slice(0, -1) : s;
};

/** 八五折-style words for a percent off: 15% off → 8.5折, 10% off → 9折. */
export const zhe = (percentOff: number): string => `${yuan((100 - percentOff) * 10)}折`;

/** The headline: "无门槛减10元", "满100元减15元", "8.5折，最多减30元". */
export function couponHeadline(t: CouponTemplateRule): string {
  if (t.kind === 'amount_off') {
    const off = yuan(t.amountOffFen ?? 0);
    return t.thresholdFen > 0 ? `满${yuan(t.thresholdFen)}元减${off}元` : `无门槛减${off}元`;
  }
  const parts = [
    t.thresholdFen > 0 ? `满${yuan(t.thresholdFen)}元打${zhe(t.percentOff ?? 0)}` : zhe(t.percentOff ?? 0),
  ];
  if (t.maxDiscountFen) parts.push(`最多减${yuan(t.maxDiscountFen)}元`);
  return parts.join('，');
}

/** The rules, one sentence each. `storeNames` names the applicable stores. */
export function couponRuleLines(
  t: CouponTemplateRule,
  storeNames: ReadonlyMap<string, string> = new Map(),
  validity?: { validUntil: Date } | { validDays: number } | { validFrom: Date; validUntil: Date },
): string[] {
  const lines = [couponHeadline(t)];
  if (validity && 'validDays' in validity) lines.push(`领取后${validity.validDays}天内有效`);
  else if (validity) lines.push(`有效期至${zhDate(lastValidDay(validity.validUntil))}`);
  lines.push(
    t.storeIds.length === 0 ? '全部门店可用' : `仅限${t.storeIds.map((id) => storeNames.get(id) ?? id).join('、')}使用`,
  );
  lines.push(t.categories.length === 0 ? '全场商品可用' : `仅限${t.categories.join('、')}类商品`);
  lines.push(t.includeRx ? '处方药也可使用' : '处方药不参与优惠');
  lines.push('每单限用一张，不找零不兑现');
  return lines;
}

/** The last day a coupon works, from its exclusive end. */
export function lastValidDay(validUntil: Date): string {
  return businessDate(new Date(validUntil.getTime() - 1));
}

export function zhDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}
