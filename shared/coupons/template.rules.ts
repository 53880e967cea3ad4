/**
 * Managing a coupon template after it was created, pure: the status lifecycle (active ↔ paused → ended) and which
 * edits are still allowed. A coupon a member holds is priced by its template's discount rule at redemption time,
 * so once any coupon was issued that rule is frozen; what only shapes FUTURE issues (name, description, stock,
 * per-member limit, the end of validity) stays editable. Every plan compares with the current values, so sending
 * the same edit or status change twice changes nothing the second time.
 */
import { fail, ok, type Result } from '../errors.js';
import type { CouponKind, CouponTemplateRule } from './coupon.rules.js';

export const TEMPLATE_STATUSES = ['active', 'paused', 'ended'] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];
export const TEMPLATE_STATUS_ACTIONS = ['pause', 'resume', 'end'] as const;
export type TemplateStatusAction = (typeof TEMPLATE_STATUS_ACTIONS)[number];

const TARGET: Record<TemplateStatusAction, TemplateStatus> = { pause: 'paused', resume: 'active', end: 'ended' };

/** Ended is final: a campaign that ran out of budget must not come back by a stray tap. */
export function planStatusChange(
  current: TemplateStatus,
  action: TemplateStatusAction,
): Result<{ status: TemplateStatus; changed: boolean }, 'COUPON_TEMPLATE_ENDED'> {
  const status = TARGET[action];
  if (current === status) return ok({ status, changed: false });
  if (current === 'ended') return fail('COUPON_TEMPLATE_ENDED', `the template has ended; it cannot be ${action}d`);
  return ok({ status, changed: true });
}

export type TemplateValiditySetting =
  | { kind: 'relative'; days: number }
  | { kind: 'fixed'; from: string; until: string };

/** What an edit may touch, as it stands now. Dates are Asia/Shanghai business dates (YYYY-MM-DD), inclusive. */
export interface TemplateSettings {
  status: TemplateStatus;
  name: string;
  description: string | null;
  totalStock: number | null;
  perMemberLimit: number | null;
  validity: TemplateValiditySetting;
  rule: CouponTemplateRule;
}

/** An edit: only the fields sent are changed; null clears (no stock = unlimited, no limit = unlimited). */
export interface TemplateEdit {
  name?: string;
  description?: string | null;
  totalStock?: number | null;
  perMemberLimit?: number | null;
  /** fixed-date templates: the last day of validity of coupons issued from now on */
  validUntil?: string;
  /** relative templates: days of validity of coupons issued from now on */
  validDays?: number;
  kind?: CouponKind;
  amountOffFen?: number;
  percentOff?: number;
  maxDiscountFen?: number | null;
  thresholdFen?: number;
  storeIds?: readonly string[];
  categories?: readonly string[];
  includeRx?: boolean;
}

export interface TemplatePatch {
  name?: string;
  description?: string | null;
  totalStock?: number | null;
  perMemberLimit?: number | null;
  validUntil?: string;
  validDays?: number;
  rule?: CouponTemplateRule;
}

/** The deepest percent-off a template gives: 1折 (90 % off). 0.5 typed for 5折 would give 95 % off. */
export const MAX_PERCENT_OFF = 90;

/**
 * What makes a discount rule one no campaign means, in words for the API, or null: an amount off at least as large
 * as its threshold (满5减50: every order at the threshold free, and more), a percent-off deeper than 1折.
 */
export function ruleProblem(rule: Pick<CouponTemplateRule, 'kind' | 'amountOffFen' | 'percentOff' | 'thresholdFen'>) {
  if (rule.kind === 'amount_off' && rule.amountOffFen !== null && rule.thresholdFen > 0) {
    if (rule.amountOffFen >= rule.thresholdFen) {
      return `amountOffFen ${rule.amountOffFen} must be below thresholdFen ${rule.thresholdFen}`;
    }
  }
  if (rule.kind === 'percent_off' && rule.percentOff !== null && rule.percentOff > MAX_PERCENT_OFF) {
    return `percentOff ${rule.percentOff} is deeper than ${MAX_PERCENT_OFF} (1折)`;
  }
  return null;
}

export type TemplateEditFailure =
  | 'COUPON_RULE_INVALID'
  | 'COUPON_TEMPLATE_ENDED'
  | 'COUPON_TEMPLATE_RULES_FROZEN'
  | 'COUPON_STOCK_BELOW_ISSUED'
  | 'COUPON_VALIDITY_INVALID'
  | 'VALIDATION_FAILED';

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
};

function sameRule(a: CouponTemplateRule, b: CouponTemplateRule): boolean {
  return (
    a.kind === b.kind &&
    a.amountOffFen === b.amountOffFen &&
    a.percentOff === b.percentOff &&
    a.maxDiscountFen === b.maxDiscountFen &&
    a.thresholdFen === b.thresholdFen &&
    a.includeRx === b.includeRx &&
    sameSet(a.storeIds, b.storeIds) &&
    sameSet(a.categories, b.categories)
  );
}

/** The discount rule after the edit: the other kind's amounts are cleared when the kind changes. */
function editedRule(current: CouponTemplateRule, edit: TemplateEdit): Result<CouponTemplateRule, 'VALIDATION_FAILED'> {
  const kind = edit.kind ?? current.kind;
  if (kind === 'amount_off' && (edit.percentOff !== undefined || edit.maxDiscountFen != null)) {
    return fail('VALIDATION_FAILED', 'an amount_off template takes amountOffFen, not percentOff or maxDiscountFen');
  }
  if (kind === 'percent_off' && edit.amountOffFen !== undefined) {
    return fail('VALIDATION_FAILED', 'a percent_off template takes percentOff, not amountOffFen');
  }
  const rule: CouponTemplateRule = {
    kind,
    amountOffFen: kind === 'amount_off' ? (edit.amountOffFen ?? current.amountOffFen) : null,
    percentOff: kind === 'percent_off' ? (edit.percentOff ?? current.percentOff) : null,
    maxDiscountFen:
      kind === 'percent_off'
        ? edit.maxDiscountFen !== undefined
          ? edit.maxDiscountFen
          : current.maxDiscountFen
        : null,
    thresholdFen: edit.thresholdFen ?? current.thresholdFen,
    storeIds: edit.storeIds ? [...new Set(edit.storeIds)] : current.storeIds,
    categories: edit.categories ? [...new Set(edit.categories)] : current.categories,
    includeRx: edit.includeRx ?? current.includeRx,
  };
  if (kind === 'amount_off' && !rule.amountOffFen) return fail('VALIDATION_FAILED', 'amount_off needs amountOffFen');
  if (kind === 'percent_off' && !rule.percentOff) return fail('VALIDATION_FAILED', 'percent_off needs percentOff');
  return ok(rule);
}

/**
 * Plans an edit against the template as it stands. `issued` is how many coupons were ever issued from it (any
 * status): the discount rule is frozen from the first, and a stock may not go below it. `today` is the business
 * date: a changed end of validity may not lie before it (ending a campaign is 结束活动, not a date in the past).
 * An edit that changes nothing is `ok` with an empty patch, even for an ended template: a retry is harmless.
 */
export function planTemplateEdit(
  current: TemplateSettings,
  edit: TemplateEdit,
  ctx: { issued: number; today: string },
): Result<{ patch: TemplatePatch; changed: (keyof TemplatePatch)[] }, TemplateEditFailure> {
  const patch: TemplatePatch = {};
  if (edit.name !== undefined && edit.name !== current.name) patch.name = edit.name;
  if (edit.description !== undefined && (edit.description || null) !== current.description) {
    patch.description = edit.description || null;
  }
  if (edit.totalStock !== undefined && edit.totalStock !== current.totalStock) {
    if (edit.totalStock !== null && edit.totalStock < ctx.issued) {
      return fail(
        'COUPON_STOCK_BELOW_ISSUED',
        `total stock ${edit.totalStock} is below the ${ctx.issued} coupons already issued`,
      );
    }
    patch.totalStock = edit.totalStock;
  }
  if (edit.perMemberLimit !== undefined && edit.perMemberLimit !== current.perMemberLimit) {
    patch.perMemberLimit = edit.perMemberLimit;
  }
  if (edit.validUntil !== undefined) {
    if (current.validity.kind !== 'fixed') {
      return fail('COUPON_VALIDITY_INVALID', 'this template is valid N days after issue: send validDays');
    }
    if (edit.validUntil !== current.validity.until) {
      if (edit.validUntil < current.validity.from) {
        return fail('COUPON_VALIDITY_INVALID', `validUntil ${edit.validUntil} is before ${current.validity.from}`);
      }
      if (edit.validUntil < ctx.today) {
        return fail('COUPON_VALIDITY_INVALID', `validUntil ${edit.validUntil} is before today (${ctx.today})`);
      }
      patch.validUntil = edit.validUntil;
    }
  }
  if (edit.validDays !== undefined) {
    if (current.validity.kind !== 'relative') {
      return fail('COUPON_VALIDITY_INVALID', 'this template has fixed dates: send validUntil');
    }
    if (edit.validDays !== current.validity.days) patch.validDays = edit.validDays;
  }
  const rule = editedRule(current.rule, edit);
  if (!rule.ok) return rule;
  if (!sameRule(rule.value, current.rule)) {
    const problem = ruleProblem(rule.value);
    if (problem) return fail('COUPON_RULE_INVALID', problem);
    if (ctx.issued > 0) {
      return fail(
        'COUPON_TEMPLATE_RULES_FROZEN',
        `${ctx.issued} coupons were issued: their discount rule (kind, amounts, threshold, stores, categories, Rx) cannot change`,
      );
    }
    patch.rule = rule.value;
  }
  const changed = Object.keys(patch) as (keyof TemplatePatch)[];
  if (changed.length > 0 && current.status === 'ended') {
    return fail('COUPON_TEMPLATE_ENDED', 'the template has ended; it can no longer be edited');
  }
  return ok({ patch, changed });
}
