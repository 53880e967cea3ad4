import { describe, expect, it } from 'vitest';
import { roleMay, rolesAllowed, STAFF_PAGES, whoMayUse } from '../../../miniprogram/staff/page-access.js';
import { ACTIONS } from '../../../shared/access/policy.js';

describe('which roles the staff pages are for, from the access policy', () => {
  it('names a real action for every page', () => {
    for (const page of Object.values(STAFF_PAGES)) expect(ACTIONS).toContain(page.action);
  });

  it('keeps coupons and the review pages from clerks and pharmacists, and HQ pages for HQ', () => {
    expect(rolesAllowed(STAFF_PAGES.coupons.action)).toEqual(['store_manager', 'regional_manager', 'hq_admin']);
    expect(rolesAllowed(STAFF_PAGES['identity-suggestions'].action)).toEqual([
      'store_manager',
      'regional_manager',
      'hq_admin',
    ]);
    for (const key of ['integration-health', 'identity-merges', 'imports', 'import-format', 'quarantine'] as const) {
      expect(rolesAllowed(STAFF_PAGES[key].action)).toEqual(['hq_admin']);
    }
    expect(roleMay('clerk', STAFF_PAGES.counter.action)).toBe(true);
    expect(roleMay('pharmacist', STAFF_PAGES['signup-codes'].action)).toBe(true);
    expect(roleMay('clerk', STAFF_PAGES.coupons.action)).toBe(false);
  });

  it('says in words who may use a page', () => {
    expect(whoMayUse(STAFF_PAGES.coupons)).toBe('「优惠券管理」仅限店长、区域经理、总部管理员使用，当前账号没有权限。');
    expect(whoMayUse(STAFF_PAGES['identity-merges'])).toBe('「会员合并记录」仅限总部管理员使用，当前账号没有权限。');
  });
});
