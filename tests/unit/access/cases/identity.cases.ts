import type { Resource } from '../../../../shared/access/policy.js';
import { only, type PolicyCase } from './helpers.js';

const OWN_STORE: Resource = { kind: 'store', storeId: 'sto_001', regionId: 'reg_hz' };
const REGION_STORE: Resource = { kind: 'store', storeId: 'sto_002', regionId: 'reg_hz' };
const OTHER_REGION_STORE: Resource = { kind: 'store', storeId: 'sto_017', regionId: 'reg_nb' };
const MANAGERS = ['store_manager', 'regional_manager', 'hq_admin'] as const;

export const IDENTITY_CASES = {
  'identity.ingest': [
    { resource: { kind: 'none' }, expect: only(['pos', 'mall']) },
    // a store's POS key ingests for its own store only
    { resource: OWN_STORE, expect: only(['pos', 'mall']) },
    { resource: OTHER_REGION_STORE, expect: only(['mall']) },
  ],
  'identity.order_ingest': [
    { resource: { kind: 'none' }, expect: only(['pos', 'mall']) },
    { resource: OWN_STORE, expect: only(['pos', 'mall']) },
    { resource: OTHER_REGION_STORE, expect: only(['mall']) },
  ],
  'identity.held_list': { resource: { kind: 'none' }, expect: only(['member']) },
  'identity.held_decide': { resource: { kind: 'none' }, expect: only(['member']) },
  'identity.suggestions_list': [
    { resource: { kind: 'none' }, expect: only([...MANAGERS]) },
    { resource: OWN_STORE, expect: only([...MANAGERS]) },
    { resource: REGION_STORE, expect: only(['regional_manager', 'hq_admin']) },
    { resource: OTHER_REGION_STORE, expect: only(['hq_admin']) },
  ],
  'identity.suggestion_decide': [
    { resource: OWN_STORE, expect: only([...MANAGERS]) },
    { resource: REGION_STORE, expect: only(['regional_manager', 'hq_admin']) },
    { resource: OTHER_REGION_STORE, expect: only(['hq_admin']) },
  ],
  'identity.holds_list': [
    { resource: { kind: 'none' }, expect: only([...MANAGERS]) },
    { resource: OWN_STORE, expect: only([...MANAGERS]) },
    { resource: REGION_STORE, expect: only(['regional_manager', 'hq_admin']) },
    { resource: OTHER_REGION_STORE, expect: only(['hq_admin']) },
  ],
  'identity.hold_decide': [
    { resource: OWN_STORE, expect: only([...MANAGERS]) },
    { resource: REGION_STORE, expect: only(['regional_manager', 'hq_admin']) },
    { resource: OTHER_REGION_STORE, expect: only(['hq_admin']) },
  ],
  // the history spans stores and shows (masked) people of every store: HQ only, store-scoped staff never
  'identity.merge_list': [
    { resource: { kind: 'none' }, expect: only(['hq_admin']) },
    { resource: OWN_STORE, expect: only(['hq_admin']) },
  ],
  'identity.merge_undo': { resource: { kind: 'none' }, expect: only(['hq_admin']) },
  'identity.merge_restore': { resource: { kind: 'none' }, expect: only(['hq_admin']) },
  'identity.health_read': { resource: { kind: 'none' }, expect: only(['hq_admin']) },
  'identity.quality_refresh': { resource: { kind: 'none' }, expect: only(['hq_admin']) },
  'jobs.data_quality': { resource: { kind: 'none' }, expect: only(['cron']) },
  'jobs.purge_integration_log': { resource: { kind: 'none' }, expect: only(['cron']) },
  'identity.quarantine_read': { resource: { kind: 'none' }, expect: only(['hq_admin']) },
  'identity.quarantine_resolve': { resource: { kind: 'none' }, expect: only(['hq_admin']) },
  'identity.import': { resource: { kind: 'none' }, expect: only(['hq_admin']) },
  'identity.import_list': { resource: { kind: 'none' }, expect: only(['hq_admin']) },
  'identity.separations_list': { resource: { kind: 'none' }, expect: only(['hq_admin']) },
  'identity.separation_lift': { resource: { kind: 'none' }, expect: only(['hq_admin']) },
  'identity.records_on_phone': { resource: { kind: 'none' }, expect: only(['hq_admin']) },
  'identity.separation_create': { resource: { kind: 'none' }, expect: only(['hq_admin']) },
  'identity.import_refused_download': { resource: { kind: 'none' }, expect: only(['hq_admin']) },
  'identity.import_format_manage': { resource: { kind: 'none' }, expect: only(['hq_admin']) },
  // the handler narrows the lines to the caller's store or region; clerks and pharmacists do not coach the till
  'identity.quality_stores_read': { resource: { kind: 'none' }, expect: only([...MANAGERS]) },
  'identity.quality_records_read': [
    { resource: OWN_STORE, expect: only([...MANAGERS]) },
    { resource: REGION_STORE, expect: only(['regional_manager', 'hq_admin']) },
    { resource: OTHER_REGION_STORE, expect: only(['hq_admin']) },
  ],
} satisfies Record<string, PolicyCase | PolicyCase[]>;
