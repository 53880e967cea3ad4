import { describe, expect, it } from 'vitest';
import { CODE_FORMATS, codeProblem } from '../../../miniprogram/staff/pages/counter/code-words.js';
import { couponCodeFromDigits } from '../../../shared/coupons/coupon.rules.js';

const coupon = couponCodeFromDigits('123456789012345');
const mistyped = `${coupon.slice(0, 15)}${(Number(coupon[15]) + 1) % 10}`;

describe('what the counter says about a code it does not look up', () => {
  it('takes a member code and a coupon code', () => {
    expect(codeProblem('881234567890123456')).toBeNull();
    expect(codeProblem(coupon)).toBeNull();
  });

  it('says a short number is not a code, how long it is, and what the counter takes', () => {
    expect(codeProblem('88123')).toBe(
      '「88123」是 5 位数字，不是会员码或优惠券码。请输入会员码（会员小程序首页，88 开头的 18 位数字）或优惠券码（会员券包里，16 位数字）',
    );
    expect(codeProblem('6901234567892')).toBe(
      `「6901234567892」是 13 位数字，不是会员码或优惠券码。请输入${CODE_FORMATS}`,
    );
  });

  it('says a phone number is not looked up here, and what to ask the member for', () => {
    expect(codeProblem('13812345678')).toBe(
      '「13812345678」是手机号，收银台不能按手机号查会员。请会员打开小程序首页出示会员码，或输入要用的优惠券码（16 位数字）',
    );
  });

  it('says a coupon code with a wrong digit is mistyped, and an 18-digit number needs the 88', () => {
    expect(codeProblem(mistyped)).toBe(
      `「${mistyped}」不是有效的优惠券码：可能有一位输错了，请对照会员券包里的券码重新输入`,
    );
    expect(codeProblem('661234567890123456')).toBe(
      '「661234567890123456」不是会员码：会员码以 88 开头，请对照会员小程序首页的会员码重新输入',
    );
  });

  it('says a scanned web address is no code, cut short', () => {
    expect(codeProblem('https://medloop.example/signup?store=sto_001')).toBe(
      `「https://medloop.example/…」不是会员码或优惠券码（只能是数字）。请输入${CODE_FORMATS}`,
    );
    expect(codeProblem('')).toBe(`请输入${CODE_FORMATS}`);
  });
});
