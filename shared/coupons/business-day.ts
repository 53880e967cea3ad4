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
