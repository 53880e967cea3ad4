import { QualityRecordsQuery, QualityRecordsResponse } from '../../../../../shared/contracts/identity.js';
import { problemRecords } from '../../../../app/identity/quality.js';
import { storeResource } from '../../../../app/onboarding/store-resource.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/** 待核实名单: one store's POS cards with one kind of unusable phone (store manager of the store and up; audited). */
export default endpoint(
  {
    method: 'GET',
    auth: 'staff',
    action: 'identity.quality_records_read',
    query: QualityRecordsQuery,
    resource: ({ deps, query }) => storeResource(deps, query.storeId),
  },
  async ({ deps, actor, query, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await problemRecords(deps, actor, query, requestId), QualityRecordsResponse);
  },
);
