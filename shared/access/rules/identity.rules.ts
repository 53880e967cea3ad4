import { cronOnly, memberOnly, partnerOf, type Rule, staffAtLeast } from '../actor.js';

/**
 * Identity linking. Partners feed records; members confirm their own held matches; store managers decide merge
 * suggestions of their store (a regional manager their region, HQ all); the merge history, undoing a merge and the
 * integration health view are HQ's, since a merge spans stores; store and regional managers read their stores' lines
 * of the data-quality report.
 */
export const IDENTITY_RULES = {
  'identity.ingest': partnerOf('pos', 'mall', 'wecom'),
  // purchase history: the tills and the mall sell; WeCom does not
  'identity.order_ingest': partnerOf('pos', 'mall'),
  'identity.held_list': memberOnly,
  'identity.held_decide': memberOnly,
  'identity.suggestions_list': staffAtLeast('store_manager'),
  'identity.suggestion_decide': staffAtLeast('store_manager'),
  // cards the linker held on a shared phone: the held card's store decides, as for suggestions
  'identity.holds_list': staffAtLeast('store_manager'),
  'identity.hold_decide': staffAtLeast('store_manager'),
  'identity.merge_list': staffAtLeast('hq_admin'),
  'identity.merge_undo': staffAtLeast('hq_admin'),
  'identity.merge_restore': staffAtLeast('hq_admin'),
  'identity.health_read': staffAtLeast('hq_admin'),
  // what partners sent that could not be taken in: ids and reasons, HQ's integration work
  'identity.quarantine_read': staffAtLeast('hq_admin'),
  'identity.quarantine_resolve': staffAtLeast('hq_admin'),
  'identity.quality_refresh': staffAtLeast('hq_admin'),
  // a POS or mall export uploaded from the staff pages: it writes members and orders of every store
  'identity.import': staffAtLeast('hq_admin'),
  'identity.import_list': staffAtLeast('hq_admin'),
  // "not the same person" decisions of every store: taking one back may let two customers merge
  'identity.separations_list': staffAtLeast('hq_admin'),
  'identity.separation_lift': staffAtLeast('hq_admin'),
  'identity.records_on_phone': staffAtLeast('hq_admin'),
  'identity.separation_create': staffAtLeast('hq_admin'),
  // the refused rows of an upload, as a file: members' names and phones of every store
  'identity.import_refused_download': staffAtLeast('hq_admin'),
  // upload formats made on the staff pages: what every later upload of that format reads into every store
  'identity.import_format_manage': staffAtLeast('hq_admin'),
  'jobs.data_quality': cronOnly,
  'jobs.purge_integration_log': cronOnly,
  // aggregate counts of the stores in the caller's scope (the handler picks them): no person in it
  'identity.quality_stores_read': staffAtLeast('store_manager'),
  // a store's cards with an unusable phone, masked: the manager of that store, of its region, or HQ
  'identity.quality_records_read': staffAtLeast('store_manager'),
} as const satisfies Record<string, Rule>;
