import { IN_STORE, OTHER_REGION, only, type PolicyCase, STAFF } from './helpers.js';

const STORE_001 = { kind: 'store', storeId: 'sto_001', regionId: 'reg_hz' } as const;
const STORE_002 = { kind: 'store', storeId: 'sto_002', regionId: 'reg_hz' } as const;
const STORE_NB = { kind: 'store', storeId: 'sto_017', regionId: 'reg_nb' } as const;
const MANAGERS = ['store_manager', 'regional_manager', 'hq_admin'] as const;

export const LOYALTY_CASES = {
  'loyalty.wallet_read': { resource: { kind: 'none' }, expect: only(['member']) },
  'loyalty.points_read': { resource: { kind: 'none' }, expect: only(['member']) },
  'loyalty.summary_read': { resource: { kind: 'none' }, expect: only(['member']) },
  'loyalty.birthday_update': { resource: { kind: 'none' }, expect: only(['member']) },
  'loyalty.new_member_offer': { resource: { kind: 'none' }, expect: only(['member']) },
  'pos.redeem': [
    { resource: { kind: 'none' }, expect: only(['pos']) },
    { resource: STORE_001, expect: only(['pos']) },
    // a POS key of sto_001 may not act for another store
    { resource: STORE_002, expect: only([]) },
  ],
  'pos.void': [
    { resource: { kind: 'none' }, expect: only(['pos']) },
    { resource: STORE_002, expect: only([]) },
  ],
  'pos.order_ingest': [
    { resource: { kind: 'none' }, expect: only(['pos']) },
    { resource: STORE_002, expect: only([]) },
  ],
  'pos.points_spend': [
    { resource: { kind: 'none' }, expect: only(['pos']) },
    { resource: STORE_001, expect: only(['pos']) },
    { resource: STORE_002, expect: only([]) },
  ],
  'pos.points_return': [
    { resource: { kind: 'none' }, expect: only(['pos']) },
    { resource: STORE_002, expect: only([]) },
  ],
  'coupon.template_list': { resource: { kind: 'none' }, expect: only([...MANAGERS]) },
  'coupon.template_create': [
    // chain-wide: HQ only
    { resource: { kind: 'none' }, expect: only(['hq_admin']) },
    { resource: STORE_001, expect: only([...MANAGERS]) },
    // another store of the region: the regional manager and HQ, not sto_001's manager
    { resource: STORE_002, expect: only(['regional_manager', 'hq_admin']) },
    { resource: STORE_NB, expect: only(['hq_admin']) },
  ],
  // managing a template: the same callers as creating it, on its owning store
  'coupon.template_update': [
    { resource: { kind: 'none' }, expect: only(['hq_admin']) },
    { resource: STORE_001, expect: only([...MANAGERS]) },
    { resource: STORE_002, expect: only(['regional_manager', 'hq_admin']) },
    { resource: STORE_NB, expect: only(['hq_admin']) },
  ],
  'coupon.template_status': [
    { resource: { kind: 'none' }, expect: only(['hq_admin']) },
    { resource: STORE_001, expect: only([...MANAGERS]) },
    { resource: STORE_002, expect: only(['regional_manager', 'hq_admin']) },
    { resource: STORE_NB, expect: only(['hq_admin']) },
  ],
  'coupon.member_lookup': [
    { resource: IN_STORE, expect: only([...MANAGERS]) },
    { resource: OTHER_REGION, expect: only(['hq_admin']) },
  ],
  'coupon.issue': [
    { resource: { kind: 'none' }, expect: only([...MANAGERS]) },
    { resource: IN_STORE, expect: only([...MANAGERS]) },
    { resource: OTHER_REGION, expect: only(['hq_admin']) },
  ],
  // any staff member: the use case acts for the caller's own store and answers COUNTER_NOT_AT_STORE without one
  'counter.lookup': { resource: { kind: 'none' }, expect: only([...STAFF]) },
  'counter.redeem': { resource: { kind: 'none' }, expect: only([...STAFF]) },
  'counter.list': { resource: { kind: 'none' }, expect: only([...STAFF]) },
  'counter.void': { resource: { kind: 'none' }, expect: only([...STAFF]) },
  'counter.sale': { resource: { kind: 'none' }, expect: only([...STAFF]) },
  'counter.sale_void': { resource: { kind: 'none' }, expect: only([...STAFF]) },
  'product.search': { resource: { kind: 'none' }, expect: only([...STAFF]) },
} satisfies Record<string, PolicyCase | PolicyCase[]>;
