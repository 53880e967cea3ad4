import { describe, expect, it } from 'vitest';
import {
  planStatusChange,
  planTemplateEdit,
  type TemplateSettings,
  type TemplateStatus,
  type TemplateStatusAction,
} from '../../../shared/coupons/template.rules.js';

const relative: TemplateSettings = {
  status: 'active',
  name: '满100减15',
  description: null,
  totalStock: 100,
  perMemberLimit: 1,
  validity: { kind: 'relative', days: 14 },
  rule: {
    kind: 'amount_off',
    amountOffFen: 1500,
    percentOff: null,
    maxDiscountFen: null,
    thresholdFen: 10000,
    storeIds: ['sto_001'],
    categories: [],
    includeRx: false,
  },
};
const fixed: TemplateSettings = { ...relative, validity: { kind: 'fixed', from: '2026-11-01', until: '2026-12-31' } };
const today = '2026-11-25';

describe('planStatusChange', () => {
  it.each<[TemplateStatus, TemplateStatusAction, TemplateStatus, boolean]>([
    ['active', 'pause', 'paused', true],
    ['paused', 'resume', 'active', true],
    ['active', 'end', 'ended', true],
    ['paused', 'end', 'ended', true],
    // repeats change nothing
    ['active', 'resume', 'active', false],
    ['paused', 'pause', 'paused', false],
    ['ended', 'end', 'ended', false],
  ])('%s + %s → %s (changed %s)', (from, action, to, changed) => {
    expect(planStatusChange(from, action)).toEqual({ ok: true, value: { status: to, changed } });
  });

  it.each<TemplateStatusAction>(['pause', 'resume'])('an ended template cannot %s', (action) => {
    expect(planStatusChange('ended', action)).toMatchObject({ ok: false, code: 'COUPON_TEMPLATE_ENDED' });
  });
});

describe('planTemplateEdit', () => {
  const plan = (current: TemplateSettings, edit: Parameters<typeof planTemplateEdit>[1], issued = 0) =>
    planTemplateEdit(current, edit, { issued, today });

  it('changes only what differs, and a repeat changes nothing', () => {
    const first = plan(relative, { name: '新名字', totalStock: 100, perMemberLimit: 2, description: '' }, 5);
    expect(first).toEqual({
      ok: true,
      value: { patch: { name: '新名字', perMemberLimit: 2 }, changed: ['name', 'perMemberLimit'] },
    });
    expect(plan({ ...relative, name: '新名字', perMemberLimit: 2 }, { name: '新名字', perMemberLimit: 2 }, 5)).toEqual({
      ok: true,
      value: { patch: {}, changed: [] },
    });
  });

  it('keeps the stock at or above what was issued; null is unlimited', () => {
    expect(plan(relative, { totalStock: 40 }, 41)).toMatchObject({ ok: false, code: 'COUPON_STOCK_BELOW_ISSUED' });
    expect(plan(relative, { totalStock: 41 }, 41)).toMatchObject({ ok: true, value: { patch: { totalStock: 41 } } });
    expect(plan(relative, { totalStock: null }, 41)).toMatchObject({
      ok: true,
      value: { patch: { totalStock: null } },
    });
  });

  it('freezes the discount rule once a coupon was issued, not before', () => {
    for (const edit of [
      { amountOffFen: 2000 },
      { thresholdFen: 0 },
      { storeIds: [] },
      { categories: ['维生素矿物质'] },
      { includeRx: true },
      { kind: 'percent_off' as const, percentOff: 10 },
    ]) {
      expect(plan(relative, edit, 1)).toMatchObject({ ok: false, code: 'COUPON_TEMPLATE_RULES_FROZEN' });
      expect(plan(relative, edit, 0)).toMatchObject({ ok: true, value: { changed: ['rule'] } });
    }
    // the same rule sent again (e.g. the whole form) is not a change, stores in any order
    expect(plan(relative, { amountOffFen: 1500, thresholdFen: 10000, storeIds: ['sto_001', 'sto_001'] }, 9)).toEqual({
      ok: true,
      value: { patch: {}, changed: [] },
    });
  });

  it('switching the kind clears the other kind and needs its amount', () => {
    expect(plan(relative, { kind: 'percent_off', percentOff: 12, maxDiscountFen: 3000 })).toMatchObject({
      ok: true,
      value: { patch: { rule: { kind: 'percent_off', amountOffFen: null, percentOff: 12, maxDiscountFen: 3000 } } },
    });
    expect(plan(relative, { kind: 'percent_off' })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(plan(relative, { percentOff: 12 })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
  });

  it('moves the end of validity of future issues: the right kind, not before the start or today', () => {
    expect(plan(fixed, { validUntil: '2027-01-31' })).toMatchObject({
      ok: true,
      value: { patch: { validUntil: '2027-01-31' } },
    });
    expect(plan(fixed, { validUntil: today })).toMatchObject({ ok: true });
    expect(plan(fixed, { validUntil: '2026-11-24' })).toMatchObject({ ok: false, code: 'COUPON_VALIDITY_INVALID' });
    expect(
      plan(
        { ...fixed, validity: { kind: 'fixed', from: '2026-12-01', until: '2026-12-31' } },
        { validUntil: '2026-11-30' },
      ),
    ).toMatchObject({
      ok: false,
      code: 'COUPON_VALIDITY_INVALID',
    });
    expect(plan(fixed, { validDays: 30 })).toMatchObject({ ok: false, code: 'COUPON_VALIDITY_INVALID' });
    expect(plan(relative, { validUntil: '2027-01-31' })).toMatchObject({ ok: false, code: 'COUPON_VALIDITY_INVALID' });
    expect(plan(relative, { validDays: 30 }, 50)).toMatchObject({ ok: true, value: { patch: { validDays: 30 } } });
    // unchanged dates are no change, even once they lie in the past
    expect(
      plan(
        { ...fixed, validity: { kind: 'fixed', from: '2026-01-01', until: '2026-02-01' } },
        { validUntil: '2026-02-01' },
      ),
    ).toEqual({
      ok: true,
      value: { patch: {}, changed: [] },
    });
  });

  it('an ended template takes no change, but a repeat of an earlier edit is still fine', () => {
    const ended = { ...relative, status: 'ended' as const };
    expect(plan(ended, { name: '改名' })).toMatchObject({ ok: false, code: 'COUPON_TEMPLATE_ENDED' });
    expect(plan(ended, { name: relative.name })).toEqual({ ok: true, value: { patch: {}, changed: [] } });
  });
});
