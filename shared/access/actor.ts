/** Who is calling, what they act on, and the scope helpers every rule shares. Pure. */
import type { StaffRole } from '../contracts/auth.js';

export type PartnerSource = 'pos' | 'mall' | 'wecom';

export type Actor =
  | { kind: 'anonymous' }
  | { kind: 'member'; identityId: string; customerId: string | null; openid: string }
  | { kind: 'staff'; staffId: string; role: StaffRole; storeId: string | null; regionId: string | null }
  /** a partner system calling server-to-server with a signed request: a store's POS, the online mall, WeCom */
  | { kind: 'partner'; keyId: string; source: PartnerSource; storeId: string | null }
  /** a scheduled job (Vercel cron) that presented the CRON_SECRET bearer */
  | { kind: 'cron' };

export type ActorKind = Actor['kind'];
export type StaffActor = Extract<Actor, { kind: 'staff' }>;
export type Decision = 'allow' | 'mask' | 'deny';

/** What an action is applied to. `none` for actions on the caller's own session or public data. */
export type Resource =
  | { kind: 'none' }
  /** a member's record, with the stores and regions it belongs to (home store plus stores it bought at) */
  | { kind: 'member'; customerId: string; storeIds: readonly string[]; regionIds: readonly string[] }
  | { kind: 'store'; storeId: string; regionId: string };

export type Rule = (actor: Actor, resource: Resource) => Decision;

export const ROLE_RANK: Record<StaffRole, number> = {
  clerk: 1,
  pharmacist: 2,
  store_manager: 3,
  regional_manager: 4,
  hq_admin: 5,
};

/**
 * Whether a staff member's scope covers a member record or store: store staff see their store, regional
 * managers their region, HQ everything.
 */
export function staffCovers(actor: StaffActor, resource: Resource): boolean {
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

export const anyone: Rule = () => 'allow';
export const memberOnly: Rule = (actor) => (actor.kind === 'member' ? 'allow' : 'deny');
export const staffOnly: Rule = (actor) => (actor.kind === 'staff' ? 'allow' : 'deny');
export const cronOnly: Rule = (actor) => (actor.kind === 'cron' ? 'allow' : 'deny');

/** Staff at or above a role; `mask` when the resource lies outside their store/region scope. */
export const staffAtLeast =
  (role: StaffRole, outside: Decision = 'deny'): Rule =>
  (actor, resource) => {
    if (actor.kind !== 'staff' || ROLE_RANK[actor.role] < ROLE_RANK[role]) return 'deny';
    return staffCovers(actor, resource) ? 'allow' : outside;
  };

/** A partner system of one source; a store-bound key (a POS) only for its own store. */
export const partnerOf =
  (...sources: PartnerSource[]): Rule =>
  (actor, resource) => {
    if (actor.kind !== 'partner' || !sources.includes(actor.source)) return 'deny';
    if (resource.kind === 'store' && actor.storeId && resource.storeId !== actor.storeId) return 'deny';
    return 'allow';
  };
