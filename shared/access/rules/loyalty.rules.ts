import { TIERS } from '../../points/tier.rules.js';
import { type Actor, memberOnly, partnerOf, type Resource, type Rule, staffAtLeast, staffCovers } from '../actor.js';

/**
 * Coupon templates may be created (and later edited, paused, resumed, ended) by a store manager for their own store
 * (regional managers for stores of their region); chain-wide templates (no owning store) cost the whole chain, so
 * only HQ creates and manages them.
 */
const templateCreate: Rule = (actor, resource) => {
  if (resource.kind === 'none') return actor.kind === 'staff' && actor.role === 'hq_admin' ? 'allow' : 'deny';
  return staffAtLeast('store_manager')(actor, resource);
};

/**
 * Templates the system issues by its own rule, each once per person or year: sign-up's (NEW_MEMBER, once per
 * person, even across a closed account) and the tiers' birthday coupons (once a year in the birthday month). Handed
 * out by hand they would bypass that rule, so they never are.
 */
export const SYSTEM_ISSUED_TEMPLATES: ReadonlySet<string> = new Set([
  'NEW_MEMBER',
  ...TIERS.map((t) => t.birthdayTemplate),
]);

/**
 * Who may issue a template by hand (给会员发券), the template's side of `coupon.issue` (each recipient is the
 * other side: in the issuer's scope). `owner` is the template's owning store (null: chain-wide).
 * - a system-issued template: nobody (COUPON_TEMPLATE_AUTO_ISSUED);
 * - a chain-wide template costs every store's margin and has no store to answer for it: HQ only
 *   (COUPON_TEMPLATE_HQ_ONLY); a campaign HQ wants stores to hand out is made as each store's own template;
 * - a store's own template: its store manager, its region's manager, HQ (FORBIDDEN for another store's).
 */
export function manualIssueRefusal(
  actor: Actor,
  template: { code: string; owner: Extract<Resource, { kind: 'store' }> | null },
): 'COUPON_TEMPLATE_AUTO_ISSUED' | 'COUPON_TEMPLATE_HQ_ONLY' | 'FORBIDDEN' | null {
  if (SYSTEM_ISSUED_TEMPLATES.has(template.code)) return 'COUPON_TEMPLATE_AUTO_ISSUED';
  if (actor.kind !== 'staff' || staffAtLeast('store_manager')(actor, { kind: 'none' }) !== 'allow') return 'FORBIDDEN';
  if (!template.owner) return actor.role === 'hq_admin' ? null : 'COUPON_TEMPLATE_HQ_ONLY';
  return staffCovers(actor, template.owner) ? null : 'FORBIDDEN';
}

/** Coupons, points and tiers: the member's wallet, the POS redemption / void / order ingest, the staff pages. */
export const LOYALTY_RULES = {
  'loyalty.wallet_read': memberOnly,
  'loyalty.points_read': memberOnly,
  'loyalty.summary_read': memberOnly,
  'loyalty.birthday_update': memberOnly,
  // what sign-up gives (a WeChat user not yet signed up asks it too)
  'loyalty.new_member_offer': memberOnly,
  // POS keys only, each bound to its store (the handler acts for the key's store; a body storeId must match)
  'pos.redeem': partnerOf('pos'),
  'pos.void': partnerOf('pos'),
  'pos.order_ingest': partnerOf('pos'),
  'pos.points_spend': partnerOf('pos'),
  'pos.points_return': partnerOf('pos'),
  'coupon.template_list': staffAtLeast('store_manager'),
  'coupon.template_create': templateCreate,
  // edit, pause, resume, end: the same people as creation, on the template's owning store (none = chain-wide: HQ)
  'coupon.template_update': templateCreate,
  'coupon.template_status': templateCreate,
  // finding a member by phone to issue to: managers, within their scope (the answer is masked anyway)
  'coupon.member_lookup': staffAtLeast('store_manager'),
  // issuing costs money: managers; the use case checks the template (manualIssueRefusal: system-issued never,
  // chain-wide HQ only, a store's own by its managers) and each recipient against the issuer's scope
  'coupon.issue': staffAtLeast('store_manager'),
  // the staff pages' counter (扫码核销): any staff member of a store, at their own store (the use case acts for the
  // caller's store only and refuses staff without one)
  'counter.lookup': staffAtLeast('clerk'),
  'counter.redeem': staffAtLeast('clerk'),
  'counter.list': staffAtLeast('clerk'),
  'counter.void': staffAtLeast('clerk'),
  'counter.sale': staffAtLeast('clerk'),
  'counter.sale_void': staffAtLeast('clerk'),
  // the catalogue (names, prices): any staff member, to add a counter sale's medicines
  'product.search': staffAtLeast('clerk'),
} as const satisfies Record<string, Rule>;
