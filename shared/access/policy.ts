/**
 * The one access policy: `(actor, action, resource) → allow | mask | deny`.
 * Every endpoint declares its action; the endpoint wrapper asks `decide` before the handler runs, so no
 * handler decides on its own. Pure: no I/O, so the whole matrix is tested as a table.
 */
import type { StaffRole } from '../contracts/auth.js';

export type Actor =
  | { kind: 'anonymous' }
  | { kind: 'member'; identityId: string; customerId: string | null; openid: string }
  | { kind: 'staff'; staffId: string; role: StaffRole; storeId: string | null; regionId: string | null }
  | { kind: 'pos'; storeId: string };

export type ActorKind = Actor['kind'];
export type Decision = 'allow' | 'mask' | 'deny';

/** What an action is applied to. `none` for actions on the caller's own session or public data. */
export type Resource =
  | { kind: 'none' }
  /** a member's record, with the stores it belongs to (home store plus stores it bought at) */
  | { kind: 'member'; customerId: string; storeIds: readonly string[]; regionIds: readonly string[] }
  | { kind: 'store'; storeId: string; regionId: string };

export const ACTIONS = [
  'system.health',
  'system.ping',
  'auth.member_login',
  'auth.staff_login',
  'auth.refresh',
  'member.self_read',
  'staff.self_read',
] as const;
export type Action = (typeof ACTIONS)[number];

export const ROLE_RANK: Record<StaffRole, number> = {
  clerk: 1,
  pharmacist: 2,
  store_manager: 3,
  regional_manager: 4,
  hq_admin: 5,
};

type Rule = (actor: Actor, resource: Resource) => Decision;

const anyone: Rule = () => 'allow';
const memberOnly: Rule = (actor) => (actor.kind === 'member' ? 'allow' : 'deny');
const staffOnly: Rule = (actor) => (actor.kind === 'staff' ? 'allow' : 'deny');

/**
 * Whether a staff member's scope covers a member record or store: store staff see their store, regional
 * managers their region, HQ everything. Outside scope, later member-record actions answer `mask`.
 */
export function staffCovers(actor: Extract<Actor, { kind: 'staff' }>, resource: Resource): boolean {
  if (actor.role === 'hq_admin') return true;
  if (resource.kind === 'none') return true;
  if (actor.role === 'regional_manager') {
    if (!actor.regionId) return false;
    return resource.kind === 'store'
      ? resource.regionId === actor.regionId
      : resource.regionIds.includes(actor.regionId);
  }
  if (!actor.storeId) return false;
  return resource.kind === 'store' ? resource.storeId === actor.storeId : resource.storeIds.includes(actor.storeId);
}

export const POLICY: Record<Action, Rule> = {
  'system.health': anyone,
  'system.ping': anyone,
  // logging in is how an anonymous caller becomes an actor
  'auth.member_login': anyone,
  'auth.staff_login': anyone,
  'auth.refresh': anyone,
  'member.self_read': memberOnly,
  'staff.self_read': staffOnly,
};

export function decide(actor: Actor, action: Action, resource: Resource = { kind: 'none' }): Decision {
  const rule = POLICY[action];
  // an action missing from the table is denied, never allowed by accident
  return rule ? rule(actor, resource) : 'deny';
}
