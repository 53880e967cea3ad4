/**
 * Creating a template says no to what cannot be meant (a day that does not exist, dates already over, a category
 * the catalogue lacks, a cap on an amount off), and issuing by hand follows who pays for it: sign-up's and birthday
 * coupons never by hand, chain-wide templates by HQ only, a store's own by its managers. The staff list says the
 * same per template (issuable, past its end, starting later), so the page offers only what the API accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { CouponTemplateList, CouponTemplateView } from '../../../shared/contracts/loyalty.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { codeOf, count, createMember, staffSession, uniqueKey } from './loyalty-fixtures.js';

let sys: TestSystem;
let manager: string;
let hq: string;
let regional: string;
beforeAll(async () => {
  // 10:00 on 25 November 2026 in Shanghai, 02:00 UTC
  sys = await startTestSystem();
  manager = await staffSession(sys, 'stf_sm01');
  hq = await staffSession(sys, 'stf_hq01');
  regional = await staffSession(sys, 'stf_rm01');
});
afterAll(async () => sys?.close());

let seq = 0;
const body = (overrides: Record<string, unknown> = {}) => {
  seq += 1;
  return {
    code: `PC_${seq}_${Date.now().toString(36).toUpperCase()}`,
    name: `政策券${seq}`,
    kind: 'amount_off',
    amountOffFen: 500,
    thresholdFen: 3000,
    validity: { kind: 'relative', days: 7 },
    ownerStoreId: 'sto_001',
    ...overrides,
  };
};
const create = (b: Record<string, unknown>, token = manager) =>
  sys.call('/api/staff/coupon-templates/create', { token, body: b });
const templates = async (token: string) =>
  (await sys.call('/api/staff/coupon-templates', { token })).body as z.infer<typeof CouponTemplateList>;
const issue = (token: string, templateCode: string, customerIds: string[]) =>
  sys.call('/api/staff/coupons/issue', { token, body: { templateCode, customerIds, batchKey: uniqueKey('pol') } });
const stored = (code: string) => count(sys.database, 'select count(*) from coupon_templates where code = $1', [code]);
const couponsOf = (code: string) =>
  count(
    sys.database,
    'select count(*) from coupons c join coupon_templates t on t.id = c.template_id where t.code = $1',
    [code],
  );

describe('creating a template', () => {
  it.each([
    ['2026-02-30', '2026-03-31', 'validity.from'],
    ['2026-12-01', '2026-13-31', 'validity.until'],
    ['2026-13-01', '2026-13-31', 'validity.from'],
    ['0000-01-01', '2026-12-31', 'validity.from'],
    ['2026-12-01', '2101-01-01', 'validity.until'],
    ['2026-04-31', '2026-05-31', 'validity.from'],
  ])('refuses the impossible date %s – %s (400 naming %s), storing nothing', async (from, until, field) => {
    const b = body({ validity: { kind: 'fixed', from, until } });
    const res = await create(b);
    expect(codeOf(res)).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(JSON.stringify(res.body.error)).toContain(field);
    expect(await stored(b.code)).toBe(0);
  });

  it('takes a real leap day and a fixed validity that ends today; refuses one that ended yesterday', async () => {
    const leap = body({ validity: { kind: 'fixed', from: '2028-02-29', until: '2028-02-29' } });
    expect((await create(leap)).status).toBe(201);
    const endsToday = body({ validity: { kind: 'fixed', from: '2026-11-01', until: '2026-11-25' } });
    expect((await create(endsToday)).body).toMatchObject({ pastEnd: false, startsLater: false, issuable: true });
    const over = body({ validity: { kind: 'fixed', from: '2026-11-01', until: '2026-11-24' } });
    expect(codeOf(await create(over))).toEqual({ status: 422, code: 'COUPON_VALIDITY_INVALID' });
    expect(await stored(over.code)).toBe(0);
  });

  it('refuses a category the catalogue does not have; takes a catalogue category, Rx and a percent cap', async () => {
    const unknown = body({ categories: ['不存在的类'] });
    expect(codeOf(await create(unknown))).toEqual({ status: 422, code: 'COUPON_CATEGORY_UNKNOWN' });
    expect(await stored(unknown.code)).toBe(0);
    const { createOptions } = await templates(manager);
    expect(createOptions.categories).toContain('降糖');
    const good = body({
      kind: 'percent_off',
      amountOffFen: undefined,
      percentOff: 12,
      maxDiscountFen: 2000,
      categories: ['降糖'],
      includeRx: true,
    });
    const res = await create(good);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ categories: ['降糖'], includeRx: true, maxDiscountFen: 2000, percentOff: 12 });
  });

  it('refuses a cap on an amount off instead of dropping it (400 naming maxDiscountFen)', async () => {
    const capped = body({ maxDiscountFen: 300 });
    const res = await create(capped);
    expect(codeOf(res)).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(JSON.stringify(res.body.error)).toContain('maxDiscountFen');
    expect(await stored(capped.code)).toBe(0);
  });

  it('a regional manager creates for the stores of his region, and is offered exactly those', async () => {
    const { createOptions } = await templates(regional);
    expect(createOptions.chainWide).toBe(false);
    const ids = createOptions.ownerStores.map((s) => s.id);
    expect(ids).toContain('sto_002');
    expect(ids).not.toContain('sto_017');
    expect((await create(body({ ownerStoreId: 'sto_002' }), regional)).status).toBe(201);
    expect(codeOf(await create(body({ ownerStoreId: 'sto_017' }), regional))).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
    expect((await templates(manager)).createOptions).toMatchObject({
      chainWide: false,
      ownerStores: [{ id: 'sto_001' }],
    });
    expect((await templates(hq)).createOptions.chainWide).toBe(true);
  });

  it('says when a template starts later, and shows one past its last day as ended and not issuable', async () => {
    const december = body({ validity: { kind: 'fixed', from: '2026-12-01', until: '2026-12-31' } });
    expect((await create(december)).body).toMatchObject({ startsLater: true, issuable: true });
    const ending = body({ validity: { kind: 'fixed', from: '2026-11-01', until: '2026-11-25' } });
    expect((await create(ending)).status).toBe(201);
    const m = await createMember(sys.database);
    // the next morning (Shanghai) it is over: listed as past its end, and issuing it is refused as before
    sys.clock.set('2026-11-25T16:30:00Z');
    try {
      const later = await staffSession(sys, 'stf_sm01'); // a session of that morning
      const view = (await templates(later)).templates.find((t) => t.code === ending.code);
      expect(view).toMatchObject({
        status: 'active',
        pastEnd: true,
        issuable: false,
        notIssuableCode: 'COUPON_TEMPLATE_INACTIVE',
      });
      expect(codeOf(await issue(later, ending.code, [m.customerId]))).toEqual({
        status: 409,
        code: 'COUPON_TEMPLATE_INACTIVE',
      });
    } finally {
      sys.clock.set('2026-11-25T02:00:00Z');
    }
  });
});

describe('who issues which template by hand', () => {
  it('nobody issues sign-up’s or birthday coupons by hand; only HQ the chain-wide ones; a store its own', async () => {
    const m = await createMember(sys.database, { homeStoreId: 'sto_001' });
    for (const token of [manager, regional, hq]) {
      for (const code of ['BIRTHDAY_GOLD', 'NEW_MEMBER']) {
        expect(codeOf(await issue(token, code, [m.customerId]))).toEqual({
          status: 409,
          code: 'COUPON_TEMPLATE_AUTO_ISSUED',
        });
      }
    }
    for (const token of [manager, regional]) {
      expect(codeOf(await issue(token, 'FULL_100_15', [m.customerId]))).toEqual({
        status: 403,
        code: 'COUPON_TEMPLATE_HQ_ONLY',
      });
    }
    expect(await couponsOf('BIRTHDAY_GOLD')).toBe(0);
    expect(await couponsOf('FULL_100_15')).toBe(0);
    expect((await issue(hq, 'FULL_100_15', [m.customerId])).body).toMatchObject({ issued: 1 });
    expect((await issue(regional, 'HZ001_200_20', [m.customerId])).body).toMatchObject({ issued: 1 });
    expect((await issue(manager, 'HZ001_200_20', [m.customerId])).body).toMatchObject({ issued: 1 });
  });

  it('the list marks each template issuable or why not, for the picker', async () => {
    const byCode = (list: CouponTemplateView[]) => new Map(list.map((t) => [t.code, t]));
    const mine = byCode((await templates(manager)).templates);
    expect(mine.get('BIRTHDAY_GOLD')).toMatchObject({
      issuable: false,
      notIssuableCode: 'COUPON_TEMPLATE_AUTO_ISSUED',
    });
    expect(mine.get('NEW_MEMBER')).toMatchObject({ issuable: false, notIssuableCode: 'COUPON_TEMPLATE_AUTO_ISSUED' });
    expect(mine.get('FULL_100_15')).toMatchObject({ issuable: false, notIssuableCode: 'COUPON_TEMPLATE_HQ_ONLY' });
    expect(mine.get('HZ001_200_20')).toMatchObject({ issuable: true, notIssuableCode: null });
    const hqs = byCode((await templates(hq)).templates);
    expect(hqs.get('FULL_100_15')).toMatchObject({ issuable: true });
    expect(hqs.get('BIRTHDAY_GOLD')).toMatchObject({ issuable: false });
  });
});
