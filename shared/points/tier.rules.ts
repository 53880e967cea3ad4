/**
 * Member tiers by rolling 12-month spend (what was paid, after discounts, in the last 12 months up to today in
 * Asia/Shanghai), and the birthday benefit. Pure; the spend is summed by the database.
 */

import { TZDate } from '@date-fns/tz';
import { subMonths } from 'date-fns';
import { BUSINESS_TZ, businessMonthDay, businessYear, startOfBusinessDay } from '../coupons/business-day.js';

export type TierCode = 'basic' | 'silver' | 'gold';

export interface TierDefinition {
  code: TierCode;
  name: string;
  /** rolling 12-month spend needed, fen */
  minSpendFen: number;
  /** the coupon template issued once a year in the birthday month */
  birthdayTemplate: string;
  benefits: readonly string[];
}

export const TIERS: readonly TierDefinition[] = [
  {
    code: 'basic',
    name: '普通会员',
    minSpendFen: 0,
    birthdayTemplate: 'BIRTHDAY_BASIC',
    benefits: ['每消费1元积1分，单笔满200元积分翻倍（处方药除外）', '生日当月送满30减5元生日券', '会员专享优惠券'],
  },
  {
    code: 'silver',
    name: '银卡会员',
    minSpendFen: 100_000,
    birthdayTemplate: 'BIRTHDAY_SILVER',
    benefits: ['每消费1元积1分，单笔满200元积分翻倍（处方药除外）', '生日当月送满50减15元生日券', '会员专享优惠券'],
  },
  {
    code: 'gold',
    name: '金卡会员',
    minSpendFen: 300_000,
    birthdayTemplate: 'BIRTHDAY_GOLD',
    benefits: ['每消费1元积1分，单笔满200元积分翻倍（处方药除外）', '生日当月送九折券（最多减50元）', '会员专享优惠券'],
  },
];

/** Start of the rolling window: the same day 12 months ago, 00:00 Asia/Shanghai. */
export function tierWindowStart(now: Date): Date {
  const today = new TZDate(startOfBusinessDay(now).getTime(), BUSINESS_TZ);
  return new Date(subMonths(today, 12).getTime());
}

export interface TierStatus {
  tier: TierDefinition;
  spendFen: number;
  next: { tier: TierDefinition; missingFen: number } | null;
}

export function tierFor(spendFen: number): TierStatus {
  let index = 0;
  for (let i = 0; i < TIERS.length; i++) if (spendFen >= TIERS[i].minSpendFen) index = i;
  const next = TIERS[index + 1];
  return {
    tier: TIERS[index],
    spendFen,
    next: next ? { tier: next, missingFen: next.minSpendFen - spendFen } : null,
  };
}

/** A birthday as members enter it: month and day (the year is optional and unused). */
export const BIRTHDAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The birthday benefit is due in the member's birthday month (Asia/Shanghai), once per calendar year; the
 * idempotency key `birthday:<customer>:<year>` makes it once however often this is asked.
 */
export function birthdayBenefitDue(
  birthday: string | null,
  now: Date,
  setAt: Date | null = null,
): { year: number } | null {
  if (!birthday) return null;
  const match = BIRTHDAY_PATTERN.exec(birthday);
  if (!match) return null;
  if (Number(match[2]) !== businessMonthDay(now).month) return null;
  // typed in its own month: from next year (a birthday set to this month for this month's coupon earns nothing)
  if (
    setAt &&
    businessYear(setAt) === businessYear(now) &&
    businessMonthDay(setAt).month === businessMonthDay(now).month
  )
    return null;
  return { year: businessYear(now) };
}

/** The first month ('YYYY-MM') a birthday typed at `setAt` earns the birthday benefit: its month, this year or next. */
export function firstBirthdayMonth(birthday: string, setAt: Date): string {
  const month = Number(birthday.slice(5, 7));
  const year = businessYear(setAt) + (month <= businessMonthDay(setAt).month ? 1 : 0);
  return `${year}-${String(month).padStart(2, '0')}`;
}
