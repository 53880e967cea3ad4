import { describe, expect, it } from 'vitest';
import {
  EMPTY_TEMPLATE_FORM,
  type TemplateForm,
  templateBodyOf,
} from '../../../miniprogram/staff/pages/coupons/template-form.js';
import { CreateCouponTemplateBody } from '../../../shared/contracts/loyalty.js';
import { ruleProblem } from '../../../shared/coupons/template.rules.js';

const form = (f: Partial<TemplateForm>): TemplateForm => ({
  ...EMPTY_TEMPLATE_FORM,
  code: 'hz001_spring',
  name: '春季满100减10',
  off: '10',
  threshold: '100',
  ...f,
});

describe('the 新建优惠券模板 form', () => {
  it('turns a good form into a body the contract and the rule accept', () => {
    const amount = templateBodyOf(form({ stock: '500' }), 'sto_001');
    expect(amount).toEqual({
      ok: true,
      body: {
        code: 'HZ001_SPRING',
        name: '春季满100减10',
        kind: 'amount_off',
        amountOffFen: 1000,
        thresholdFen: 10000,
        validity: { kind: 'relative', days: 30 },
        totalStock: 500,
        perMemberLimit: 1,
        storeIds: [],
        categories: [],
        includeRx: false,
        ownerStoreId: 'sto_001',
      },
    });
    const percent = templateBodyOf(form({ kind: 'percent_off', off: '8.8', cap: '20', threshold: '0' }), null);
    expect(percent).toMatchObject({ ok: true, body: { percentOff: 12, maxDiscountFen: 2000, thresholdFen: 0 } });
    for (const r of [amount, percent]) {
      if (!r.ok) throw new Error(r.message);
      expect(CreateCouponTemplateBody.safeParse(r.body).success).toBe(true);
      expect(
        ruleProblem({
          kind: r.body.kind,
          amountOffFen: r.body.amountOffFen ?? null,
          percentOff: r.body.percentOff ?? null,
          thresholdFen: r.body.thresholdFen,
        }),
      ).toBeNull();
    }
  });

  it.each<[Partial<TemplateForm>, keyof TemplateForm, RegExp]>([
    [{ code: 'bad code 中文' }, 'code', /模板编号/],
    [{ code: 'AB' }, 'code', /3–32 位/],
    [{ name: '  ' }, 'name', /请填写券名/],
    [{ name: '券'.repeat(31) }, 'name', /最多 30 个字/],
    [{ description: '说'.repeat(101) }, 'description', /最多 100 个字/],
    [{ off: '-5' }, 'off', /大于 0 的金额/],
    [{ off: '0' }, 'off', /大于 0 的金额/],
    [{ off: '1.234' }, 'off', /最多两位小数/],
    [{ off: '20000' }, 'off', /不能超过 10000 元/],
    [{ off: '50', threshold: '5' }, 'off', /须小于使用门槛（满 5 元）/],
    [{ off: '100', threshold: '100' }, 'off', /须小于使用门槛/],
    [{ threshold: '-1' }, 'threshold', /使用门槛/],
    [{ kind: 'percent_off', off: '0.5' }, 'off', /1 到 9\.9/],
    [{ kind: 'percent_off', off: '10' }, 'off', /1 到 9\.9/],
    [{ kind: 'percent_off', off: '8.85' }, 'off', /一位小数/],
    [{ kind: 'percent_off', off: '8', cap: 'abc' }, 'cap', /最多减/],
    [{ days: '0' }, 'days', /1 到 3660/],
    [{ days: '2.5' }, 'days', /整数/],
    [{ stock: '-1' }, 'stock', /正整数/],
    [{ limit: '1001' }, 'limit', /1 到 1000/],
  ])('%j: names the field (%s) and says what is wrong', (f, field, message) => {
    const r = templateBodyOf(form(f), null);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.field).toBe(field);
    expect(r.message).toMatch(message);
  });

  it('leaves a deep percent-off and a 满减 without a threshold alone where they make sense', () => {
    expect(templateBodyOf(form({ kind: 'percent_off', off: '1', threshold: '0' }), null)).toMatchObject({
      ok: true,
      body: { percentOff: 90 },
    });
    // 无门槛 10 yuan off: the discount is capped at the order at the till, nothing to refuse
    expect(templateBodyOf(form({ off: '10', threshold: '0' }), null)).toMatchObject({ ok: true });
  });
});
