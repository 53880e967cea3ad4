/**
 * The member code the POS scans: 18 digits (Code128 and every counter scanner read it; a cashier can type it),
 * starting with 88 so a POS can tell it from a coupon code before asking the server. Short-lived: the member
 * home refreshes it every 60 s and a code stays valid for 90 s, so the last code shown keeps working while the
 * cashier scans, but a screenshot is useless a minute and a half later.
 */
import { z } from 'zod';

export const MEMBER_CODE_PREFIX = '88';
export const MEMBER_CODE_LENGTH = 18;
export const MEMBER_CODE_REFRESH_SECONDS = 60;
export const MEMBER_CODE_TTL_SECONDS = 90;

export const MemberCodeString = z
  .string()
  .trim()
  .regex(/^88\d{16}$/, 'a member code is 18 digits starting with 88');

export const isMemberCodeFormat = (value: string): boolean => MemberCodeString.safeParse(value).success;

/** Digits from a source of random bytes (one byte per digit, rejection-sampled so every digit is equally likely). */
export function memberCodeFromBytes(bytes: Uint8Array): string | null {
  let digits = MEMBER_CODE_PREFIX;
  for (const b of bytes) {
    if (digits.length === MEMBER_CODE_LENGTH) break;
    if (b < 250) digits += String(b % 10);
  }
  return digits.length === MEMBER_CODE_LENGTH ? digits : null;
}
