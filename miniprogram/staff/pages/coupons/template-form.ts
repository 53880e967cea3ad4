/**
 * The 新建优惠券模板 form's fields as typed, turned into the API's body or into what is wrong with them, field by
 * field, in the manager's words: the server's single "提交的信息不完整或格式不正确" does not say which field. The
 * limits are the contract's (CreateCouponTemplateBody) and the rule's (ruleProblem: 满X减Y below X, at most 1折).
 */
import type { CreateCouponTemplateBody } from '@shared/contracts/loyalty';
import { MAX_PERCENT_OFF } from '@shared/coupons/template.rules';

export interface TemplateForm {
  code: string;
  name: string;
  description: string;
  kind: 'amount_off' | 'percent_off';
  /** 减免金额 (元) or 折扣 (8.8 = 八八折) */
  off: string;
  /** 最多减 (元) of a percent-off, empty = no cap */
  cap: string;
  threshold: string;
  days: string;
  stock: string;
  limit: string;
}

export const EMPTY_TEMPLATE_FORM: TemplateForm = {
  code: '',
  name: '',
  description: '',
  kind: 'amount_off',
  off: '',
  cap: '',
  threshold: '0',
  days: '30',
  stock: '',
  limit: '1',
};

export const NAME_MAX = 30;
export const DESCRIPTION_MAX = 100;
export const CODE_MAX = 32;
/** the contract's amountOffFen and maxDiscountFen ceiling: 10,000 yuan */
const AMOUNT_MAX_FEN = 1_000_000;

const MONEY = /^\d+(\.\d{1,2})?$/;
const WHOLE = /^\d+$/;
const toFen = (text: string) => Math.round(Number(text) * 100);
const yuanText = (fen: number) => String(fen / 100);

export type TemplateFormResult =
  | { ok: true; body: CreateCouponTemplateBody }
  | { ok: false; field: keyof TemplateForm; message: string };

const wrong = (field: keyof TemplateForm, message: string): TemplateFormResult => ({ ok: false, field, message });

/** The body to send for a template owned by `ownerStoreId` (null: chain-wide), or the first field that is wrong. */
export function templateBodyOf(f: TemplateForm, ownerStoreId: string | null): TemplateFormResult {
  const code = f.code.trim().toUpperCase();
  if (!/^[A-Z0-9_]{3,32}$/.test(code)) {
    return wrong('code', `模板编号请用 3–${CODE_MAX} 位大写字母、数字或下划线，如 HZ001_SPRING`);
  }
  const name = f.name.trim();
  if (!name || name.length > NAME_MAX) return wrong('name', `请填写券名，最多 ${NAME_MAX} 个字`);
  const description = f.description.trim();
  if (description.length > DESCRIPTION_MAX) return wrong('description', `活动说明最多 ${DESCRIPTION_MAX} 个字`);

  const threshold = f.threshold.trim() || '0';
  if (!MONEY.test(threshold)) return wrong('threshold', '使用门槛请填写金额（元），0 为无门槛');
  const thresholdFen = toFen(threshold);

  let rule: Pick<CreateCouponTemplateBody, 'amountOffFen' | 'percentOff' | 'maxDiscountFen'>;
  const off = f.off.trim();
  if (f.kind === 'amount_off') {
    if (!MONEY.test(off) || toFen(off) <= 0) return wrong('off', '减免金额请填写大于 0 的金额（元），最多两位小数');
    const amountOffFen = toFen(off);
    if (amountOffFen > AMOUNT_MAX_FEN) return wrong('off', `减免金额不能超过 ${yuanText(AMOUNT_MAX_FEN)} 元`);
    if (thresholdFen > 0 && amountOffFen >= thresholdFen) {
      return wrong('off', `减免金额须小于使用门槛（满 ${yuanText(thresholdFen)} 元）`);
    }
    rule = { amountOffFen };
  } else {
    const floor = (100 - MAX_PERCENT_OFF) / 10;
    if (!/^\d(\.\d)?$/.test(off) || Number(off) < floor || Number(off) > 9.9) {
      return wrong('off', `折扣请填写 ${floor} 到 9.9 之间的数，最多一位小数，如 8.8 表示八八折`);
    }
    rule = { percentOff: 100 - Math.round(Number(off) * 10) };
    const cap = f.cap.trim();
    if (cap) {
      if (!MONEY.test(cap) || toFen(cap) <= 0) return wrong('cap', '最多减请填写金额（元），不填为不限');
      if (toFen(cap) > AMOUNT_MAX_FEN) return wrong('cap', `最多减不能超过 ${yuanText(AMOUNT_MAX_FEN)} 元`);
      rule.maxDiscountFen = toFen(cap);
    }
  }

  const days = f.days.trim();
  if (!WHOLE.test(days) || Number(days) < 1 || Number(days) > 3660) {
    return wrong('days', '有效天数请填写 1 到 3660 之间的整数');
  }
  const stock = f.stock.trim();
  if (stock && (!WHOLE.test(stock) || Number(stock) < 1 || Number(stock) > 10_000_000)) {
    return wrong('stock', '发放总量请填写正整数，不填为不限');
  }
  const limit = f.limit.trim();
  if (limit && (!WHOLE.test(limit) || Number(limit) < 1 || Number(limit) > 1000)) {
    return wrong('limit', '每人限领请填写 1 到 1000 之间的整数，不填为不限');
  }
  return {
    ok: true,
    body: {
      code,
      name,
      ...(description ? { description } : {}),
      kind: f.kind,
      ...rule,
      thresholdFen,
      validity: { kind: 'relative', days: Number(days) },
      ...(stock ? { totalStock: Number(stock) } : {}),
      ...(limit ? { perMemberLimit: Number(limit) } : {}),
      storeIds: [],
      categories: [],
      includeRx: false,
      ...(ownerStoreId ? { ownerStoreId } : {}),
    },
  };
}
