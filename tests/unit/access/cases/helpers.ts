/** The callers and helpers every context's policy cases use. */
import type { Actor, Decision, Resource } from '../../../../shared/access/policy.js';
import type { StaffRole } from '../../../../shared/contracts/auth.js';

export type Who = 'anonymous' | 'member' | 'pos' | 'mall' | 'cron' | StaffRole;
export const WHO: readonly Who[] = [
  'anonymous',
  'cron',
  'member',
  'pos',
  'mall',
  'clerk',
  'pharmacist',
  'store_manager',
  'regional_manager',
  'hq_admin',
];

/** Staff of store sto_001 in region reg_hz; a regional manager of reg_hz; the POS of sto_001. */
export const actor = (who: Who): Actor => {
  if (who === 'anonymous') return { kind: 'anonymous' };
  if (who === 'cron') return { kind: 'cron' };
  if (who === 'member') return { kind: 'member', identityId: 'idn_1', customerId: 'cus_1', openid: 'o1' };
  if (who === 'pos') return { kind: 'partner', keyId: 'key_pos', source: 'pos', storeId: 'sto_001' };
  if (who === 'mall') return { kind: 'partner', keyId: 'key_mall', source: 'mall', storeId: null };
  const storeId = who === 'regional_manager' || who === 'hq_admin' ? null : 'sto_001';
  return { kind: 'staff', staffId: 'stf_1', role: who, storeId, regionId: 'reg_hz' };
};

export interface PolicyCase {
  resource: Resource;
  expect: Record<Who, Decision>;
}

export const all = (d: Decision) => Object.fromEntries(WHO.map((w) => [w, d])) as Record<Who, Decision>;
export const only = (allowed: Who[], otherwise: Decision = 'deny') =>
  Object.fromEntries(WHO.map((w) => [w, allowed.includes(w) ? 'allow' : otherwise])) as Record<Who, Decision>;
export const STAFF: Who[] = ['clerk', 'pharmacist', 'store_manager', 'regional_manager', 'hq_admin'];

/** Resources in and out of the test actors' scope. */
export const IN_STORE: Resource = { kind: 'member', customerId: 'cus_1', storeIds: ['sto_001'], regionIds: ['reg_hz'] };
export const OTHER_REGION: Resource = {
  kind: 'member',
  customerId: 'cus_2',
  storeIds: ['sto_017'],
  regionIds: ['reg_nb'],
};
