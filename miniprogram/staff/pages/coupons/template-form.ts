/**
 * The 新建优惠券模板 form's fields as typed, turned into the API's body or into what is wrong with them, field by
 * field, in the manager's words: the server's single "提交的信息不完整或格式不正确" does not say which field. The
 * limits are the contract's (CreateCouponTemplateBody) and the rule's (ruleProblem: 满X减Y below X, at most 1折).
 */
import type { CreateCouponTemplateBody } from '@shared/contracts/loyalty';
import { isCalendarDate } from '@shared/coupons/business-day';
import { MAX_PERCENT_OFF } from '@shared/coupons/template.rules';
import { YUAN_TEXT, yuanToFen } from '../../../components/format';

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
  validityKind: 'relative' | 'fixed';
  /** 领取后N天 */
  days: string;
  /** 固定日期: the first and the last valid day, YYYY-MM-DD */
  from: string;
  until: string;
  stock: string;
  limit: string;
  /** a chain-wide template's stores (empty = every store); a store's own template is its store's only */
  storeIds: string[];
  /** catalogue categories (empty = every category) */
  categories: string[];
  /** 处方药可用 */
  includeRx: boolean;
}

/** The form's text fields (the inputs' onInput sets these). */
export type TemplateTextField = {
  [K in keyof TemplateForm]: TemplateForm[K] extends string ? K : never;
}[keyof TemplateForm];

export const EMPTY_TEMPLATE_FORM: TemplateForm = {
  code: '',
  name: '',
  description: '',
  kind: 'amount_off',
  off: '',
  cap: '',
  threshold: '0',
  validityKind: 'relative',
  days: '30',
  from: '',
  until: '',
  stock: '',
  limit: '1',
  storeIds: [],
  categories: [],
  includeRx: false,
};

export const NAME_MAX = 30;
export const DESCRIPTION_MAX = 100;
export const CODE_MAX = 32;
/** the contract's amountOffFen and maxDiscountFen ceiling: 10,000 yuan */
const AMOUNT_MAX_FEN = 1_000_000;

const WHOLE = /^\d+$/;
const yuanText = (fen: number) => String(fen / 100);

type Checked<T> = { ok: true; value: T } | { ok: false; message: string };
const good = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = <T>(message: string): Checked<T> => ({ ok: false, message });
const whole = (text: string, min: number, max: number) =>
  WHOLE.test(text) && Number(text) >= min && Number(text) <= max;

/**
 * Each field of a template as typed, checked with the manager's words: the create form here and the edit form
 * (template-manage.tsx) use the same checks, so the two never disagree with each other or with the API.
 */
export const templateField = {
  name(text: string): Checked<string> {
    const name = text.trim();
    return name && name.length <= NAME_MAX ? good(name) : bad(`请填写券名，最多 ${NAME_MAX} 个字`);
  },
  description(text: string): Checked<string> {
    const d = text.trim();
    return d.length <= DESCRIPTION_MAX ? good(d) : bad(`活动说明最多 ${DESCRIPTION_MAX} 个字`);
  },
  threshold(text: string): Checked<number> {
    const t = text.trim() || '0';
    return YUAN_TEXT.test(t) ? good(yuanToFen(t)) : bad('使用门槛请填写金额（元），0 为无门槛');
  },
  /** 减免金额 (元), below the threshold when there is one */
  amountOff(text: string, thresholdFen: number): Checked<number> {
    const off = text.trim();
    if (!YUAN_TEXT.test(off) || yuanToFen(off) <= 0) return bad('减免金额请填写大于 0 的金额（元），最多两位小数');
    const fen = yuanToFen(off);
    if (fen > AMOUNT_MAX_FEN) return bad(`减免金额不能超过 ${yuanText(AMOUNT_MAX_FEN)} 元`);
    if (thresholdFen > 0 && fen >= thresholdFen)
      return bad(`减免金额须小于使用门槛（满 ${yuanText(thresholdFen)} 元）`);
    return good(fen);
  },
  /** 折扣 as typed (8.8 = 八八折) → percentOff, at most 1折 deep */
  percentOff(text: string): Checked<number> {
    const off = text.trim();
    const floor = (100 - MAX_PERCENT_OFF) / 10;
    if (!/^\d(\.\d)?$/.test(off) || Number(off) < floor || Number(off) > 9.9) {
      return bad(`折扣请填写 ${floor} 到 9.9 之间的数，最多一位小数，如 8.8 表示八八折`);
    }
    return good(100 - Math.round(Number(off) * 10));
  },
  /** a typed date: a real day (no 30 February), YYYY-MM-DD */
  date(text: string, label: string): Checked<string> {
    const d = text.trim();
    return isCalendarDate(d) ? good(d) : bad(`${label}请按 2026-12-31 的格式填写真实的日期`);
  },
  days(text: string): Checked<number> {
    const d = text.trim();
    return whole(d, 1, 3660) ? good(Number(d)) : bad('有效天数请填写 1 到 3660 之间的整数');
  },
  /** empty: unlimited (null) */
  stock(text: string): Checked<number | null> {
    const t = text.trim();
    if (!t) return good(null);
    return whole(t, 1, 10_000_000) ? good(Number(t)) : bad('发放总量请填写正整数，不填为不限');
  },
  /** empty: unlimited (null) */
  limit(text: string): Checked<number | null> {
    const t = text.trim();
    if (!t) return good(null);
    return whole(t, 1, 1000) ? good(Number(t)) : bad('每人限领请填写 1 到 1000 之间的整数，不填为不限');
  },
};

export type TemplateFormResult =
  | { ok: true; body: CreateCouponTemplateBody }
  | { ok: false; field: keyof TemplateForm; message: string };

const wrong = (field: keyof TemplateForm, message: string): TemplateFormResult => ({ ok: false, field, message });

/**
 * The body to send for a template owned by `ownerStoreId` (null: chain-wide), or the first field that is wrong.
 * `today` (the server's business day, YYYY-MM-DD): fixed dates may not end before it.
 */
export function templateBodyOf(f: TemplateForm, ownerStoreId: string | null, today = ''): TemplateFormResult {
  const code = f.code.trim().toUpperCase();
  if (!/^[A-Z0-9_]{3,32}$/.test(code)) {
    return wrong('code', `模板编号请用 3–${CODE_MAX} 位大写字母、数字或下划线，如 HZ001_SPRING`);
  }
  const name = templateField.name(f.name);
  if (!name.ok) return wrong('name', name.message);
  const description = templateField.description(f.description);
  if (!description.ok) return wrong('description', description.message);
  const threshold = templateField.threshold(f.threshold);
  if (!threshold.ok) return wrong('threshold', threshold.message);

  let rule: Pick<CreateCouponTemplateBody, 'amountOffFen' | 'percentOff' | 'maxDiscountFen'>;
  if (f.kind === 'amount_off') {
    const amount = templateField.amountOff(f.off, threshold.value);
    if (!amount.ok) return wrong('off', amount.message);
    rule = { amountOffFen: amount.value };
  } else {
    const percent = templateField.percentOff(f.off);
    if (!percent.ok) return wrong('off', percent.message);
    rule = { percentOff: percent.value };
    const cap = f.cap.trim();
    if (cap) {
      if (!YUAN_TEXT.test(cap) || yuanToFen(cap) <= 0) return wrong('cap', '最多减请填写金额（元），不填为不限');
      if (yuanToFen(cap) > AMOUNT_MAX_FEN) return wrong('cap', `最多减不能超过 ${yuanText(AMOUNT_MAX_FEN)} 元`);
      rule.maxDiscountFen = yuanToFen(cap);
    }
  }

  let validity: CreateCouponTemplateBody['validity'];
  if (f.validityKind === 'relative') {
    const days = templateField.days(f.days);
    if (!days.ok) return wrong('days', days.message);
    validity = { kind: 'relative', days: days.value };
  } else {
    const from = templateField.date(f.from, '开始日期');
    if (!from.ok) return wrong('from', from.message);
    const until = templateField.date(f.until, '最后有效日期');
    if (!until.ok) return wrong('until', until.message);
    if (until.value < from.value) return wrong('until', `最后有效日期不能早于开始日期 ${from.value}`);
    if (today && until.value < today) return wrong('until', `最后有效日期不能早于今天 ${today}`);
    validity = { kind: 'fixed', from: from.value, until: until.value };
  }
  const stock = templateField.stock(f.stock);
  if (!stock.ok) return wrong('stock', stock.message);
  const limit = templateField.limit(f.limit);
  if (!limit.ok) return wrong('limit', limit.message);
  return {
    ok: true,
    body: {
      code,
      name: name.value,
      ...(description.value ? { description: description.value } : {}),
      kind: f.kind,
      ...rule,
      thresholdFen: threshold.value,
      validity,
      ...(stock.value !== null ? { totalStock: stock.value } : {}),
      ...(limit.value !== null ? { perMemberLimit: limit.value } : {}),
      // a store's own template is its store's only (the API sets it); a chain-wide one may name some stores
      storeIds: ownerStoreId ? [] : [...f.storeIds],
      categories: [...f.categories],
      includeRx: f.includeRx,
      ...(ownerStoreId ? { ownerStoreId } : {}),
    },
  };
}
