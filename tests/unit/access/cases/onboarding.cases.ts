import type { Resource } from '../../../../shared/access/policy.js';
import { all, IN_STORE, OTHER_REGION, only, type PolicyCase, STAFF } from './helpers.js';

const OWN_STORE: Resource = { kind: 'store', storeId: 'sto_001', regionId: 'reg_hz' };
const REGION_STORE: Resource = { kind: 'store', storeId: 'sto_002', regionId: 'reg_hz' };
const OTHER_REGION_STORE: Resource = { kind: 'store', storeId: 'sto_017', regionId: 'reg_nb' };

export const ONBOARDING_CASES = {
  'signup.store_read': { resource: { kind: 'none' }, expect: all('allow') },
  'signup.verify_phone': { resource: { kind: 'none' }, expect: only(['member']) },
  'signup.register': { resource: { kind: 'none' }, expect: only(['member']) },
  'member.consents_read': { resource: { kind: 'none' }, expect: only(['member']) },
  'member.consents_update': { resource: { kind: 'none' }, expect: only(['member']) },
  'member.closure_preview': { resource: { kind: 'none' }, expect: only(['member']) },
  'member.account_close': { resource: { kind: 'none' }, expect: only(['member']) },
  'member.staff_close': [
    { resource: { kind: 'none' }, expect: only(['store_manager', 'regional_manager', 'hq_admin']) },
    { resource: IN_STORE, expect: only(['store_manager', 'regional_manager', 'hq_admin']) },
    { resource: OTHER_REGION, expect: only(['hq_admin']) },
  ],
  'member.code_issue': { resource: { kind: 'none' }, expect: only(['member']) },
  'pos.member_lookup': { resource: { kind: 'none' }, expect: only(['pos']) },
  'staff.signup_codes_read': [
    { resource: OWN_STORE, expect: only(['store_manager', 'regional_manager', 'hq_admin']) },
    { resource: REGION_STORE, expect: only(['regional_manager', 'hq_admin']) },
    { resource: OTHER_REGION_STORE, expect: only(['hq_admin']) },
  ],
  'staff.signup_code_create': [
    { resource: OWN_STORE, expect: only(['store_manager', 'regional_manager', 'hq_admin']) },
    { resource: REGION_STORE, expect: only(['regional_manager', 'hq_admin']) },
    { resource: OTHER_REGION_STORE, expect: only(['hq_admin']) },
  ],
  'staff.signup_stats_read': [
    { resource: OWN_STORE, expect: only(STAFF) },
    { resource: REGION_STORE, expect: only(['regional_manager', 'hq_admin']) },
    { resource: OTHER_REGION_STORE, expect: only(['hq_admin']) },
  ],
  'jobs.purge_member_codes': { resource: { kind: 'none' }, expect: only(['cron']) },
} satisfies Record<string, PolicyCase | PolicyCase[]>;
