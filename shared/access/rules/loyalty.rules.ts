import { memberOnly, partnerOf, type Rule, staffAtLeast } from '../actor.js';

/**
 * Coupon templates may be created (and later edited, paused, resumed, ended) by a store manager for their own store
 * (regional managers for stores of their region); chain-wide templates (no owning store) cost the whole chain, so
 * only HQ creates and manages them.
 */
const templateCreate: Rule = (actor, resource) => {
  if (resource.kind === 'none') return actor.kind === 'staff' && actor.role === 'hq_admin' ? 'allow' : 'deny';
  return staffAtLeast('store_manager')(actor, resource);
};

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
  // issuing costs money: managers; each recipient is checked against the issuer's scope in the use case
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
