/**
 * Business days are Asia/Shanghai calendar days: a coupon "valid 30 days" or points "expiring at the end of next
 * year" mean the chain's local calendar, whatever zone the server runs in (tests run with TZ=UTC to prove it).
 */
import { TZDate } from '@date-fns/tz';
import { addDays, startOfDay } from 'date-fns';

export const BUSINESS_TZ = 'Asia/Shanghai';

/** The start (00:00 Asia/Shanghai) of the business day `days` after the one containing `at`. */
export function startOfBusinessDay(at: Date, days = 0): Date {
  const local = startOfDay(addDays(new TZDate(at.getTime(), BUSINESS_TZ), days));
  return new Date(local.getTime());
}

/** `YYYY-MM-DD` of the business day containing `at`. */
export function businessDate(at: Date): string {
  const d = new TZDate(at.getTime(), BUSINESS_TZ);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The business calendar year containing `at`. */
export function businessYear(at: Date): number {
  return new TZDate(at.getTime(), BUSINESS_TZ).getFullYear();
}

/** 00:00 Asia/Shanghai of a `YYYY-MM-DD` date. */
export function businessDayStart(date: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(new TZDate(y, m - 1, d, BUSINESS_TZ).getTime());
}

/** 00:00 Asia/Shanghai on 1 January of `year`. */
export function startOfBusinessYear(year: number): Date {
  return new Date(new TZDate(year, 0, 1, BUSINESS_TZ).getTime());
}

/** Month (1–12) and day of the business day containing `at`. */
export function businessMonthDay(at: Date): { month: number; day: number } {
  const d = new TZDate(at.getTime(), BUSINESS_TZ);
  return { month: d.getMonth() + 1, day: d.getDate() };
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The years a coupon date may name. Before 2000 nothing of the chain existed; past 2100 is a typo (and
 * `businessDayStart` would quietly take year 0 as 1900).
 */
export const CALENDAR_YEAR_MIN = 2000;
export const CALENDAR_YEAR_MAX = 2100;

/**
 * Whether `YYYY-MM-DD` names a real day between CALENDAR_YEAR_MIN and CALENDAR_YEAR_MAX. `businessDayStart` rolls
 * an impossible day over (2026-02-30 → 2 March, month 13 → next January), so every date a person types is checked
 * here first.
 */
export function isCalendarDate(date: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < CALENDAR_YEAR_MIN || y > CALENDAR_YEAR_MAX || mo < 1 || mo > 12 || d < 1) return false;
  // day 0 of the next month is the last day of this one (UTC: no zone can move it)
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}
