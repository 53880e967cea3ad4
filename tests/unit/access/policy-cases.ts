import type { Action, Actor, Decision, Resource } from '../../../shared/access/policy.js';
import type { StaffRole } from '../../../shared/contracts/auth.js';

export type Who = 'anonymous' | 'member' | 'pos' | StaffRole;
export const WHO: readonly Who[] = [
  'anonymous',
  'member',
  'pos',
  'clerk',
  'pharmacist',
  'store_manager',
  'regional_manager',
  'hq_admin',
];

export const actor = (who: Who): Actor => {
  if (who === 'anonymous') return { kind: 'anonymous' };
  if (who === 'member') return { kind: 'member', identityId: 'idn_1', customerId: 'cus_1', openid: 'o1' };
  if (who === 'pos') return { kind: 'pos', storeId: 'sto_001' };
  const storeId = who === 'regional_manager' || who === 'hq_admin' ? null : 'sto_001';
  return { kind: 'staff', staffId: 'stf_1', role: who, storeId, regionId: 'reg_hz' };
};

const all = (d: Decision) => Object.fromEntries(WHO.map((w) => [w, d])) as Record<Who, Decision>;
const only = (allowed: Who[]) =>
  Object.fromEntries(WHO.map((w) => [w, allowed.includes(w) ? 'allow' : 'deny'])) as Record<Who, Decision>;
const STAFF: Who[] = ['clerk', 'pharmacist', 'store_manager', 'regional_manager', 'hq_admin'];

/**
 * Every action × every kind of caller. `satisfies Record<Action, …>` makes a new action without a row a
 * type error; the runtime check below catches a row missing a caller.
 */
export const POLICY_CASES = {
  'system.health': { resource: { kind: 'none' }, expect: all('allow') },
  'system.ping': { resource: { kind: 'none' }, expect: all('allow') },
  'auth.member_login': { resource: { kind: 'none' }, expect: all('allow') },
  'auth.staff_login': { resource: { kind: 'none' }, expect: all('allow') },
  'auth.refresh': { resource: { kind: 'none' }, expect: all('allow') },
  'member.self_read': { resource: { kind: 'none' }, expect: only(['member']) },
  'staff.self_read': { resource: { kind: 'none' }, expect: only(STAFF) },
} satisfies Record<Action, { resource: Resource; expect: Record<Who, Decision> }>;
