/**
 * What the counter looks up, and what it says about anything else typed or scanned. The lookup takes a member code
 * (the 18 digits starting with 88 under the barcode on the member home) or a coupon code (the 16 digits under a
 * coupon in the wallet, its last digit a check digit); not a phone number, nor a member card number of a till. A
 * code of neither shape is refused here in words saying what was wrong and what works, before it is sent.
 */
import { COUPON_CODE_PATTERN, isCouponCode } from '@shared/coupons/coupon.rules';
import { normalizePhone } from '@shared/identity/phone';
import { isMemberCodeFormat, MEMBER_CODE_PREFIX } from '@shared/onboarding/member-code';

/** What the counter accepts, as the clerk reads it. */
export const CODE_FORMATS = '会员码（会员小程序首页，88 开头的 18 位数字）或优惠券码（会员券包里，16 位数字）';

/** The hint for the empty input. */
export const EMPTY_CODE_HINT = `请输入${CODE_FORMATS}`;

/** The code as typed, cut short when a scanner read something long (a web address, a product label). */
const quoted = (code: string) => `「${code.length > 24 ? `${code.slice(0, 24)}…` : code}」`;

/** Words for a code the lookup would not take (null: a member code or a coupon code, to look up). */
export function codeProblem(code: string): string | null {
  if (code === '') return EMPTY_CODE_HINT;
  if (isMemberCodeFormat(code) || isCouponCode(code)) return null;
  if (COUPON_CODE_PATTERN.test(code)) {
    return `${quoted(code)}不是有效的优惠券码：可能有一位输错了，请对照会员券包里的券码重新输入`;
  }
  if (normalizePhone(code).ok) {
    return `${quoted(code)}是手机号，收银台不能按手机号查会员。请会员打开小程序首页出示会员码，或输入要用的优惠券码（16 位数字）`;
  }
  if (!/^\d+$/.test(code)) return `${quoted(code)}不是会员码或优惠券码（只能是数字）。请输入${CODE_FORMATS}`;
  if (code.length === 18) {
    return `${quoted(code)}不是会员码：会员码以 ${MEMBER_CODE_PREFIX} 开头，请对照会员小程序首页的会员码重新输入`;
  }
  return `${quoted(code)}是 ${code.length} 位数字，不是会员码或优惠券码。请输入${CODE_FORMATS}`;
}
