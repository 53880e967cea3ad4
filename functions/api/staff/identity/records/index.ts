import { PhoneRecordsQuery, PhoneRecordsResponse } from '../../../../../shared/contracts/identity.js';
import { recordsOnPhone } from '../../../../app/identity/review.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/** 按手机号查会员资料 (HQ): the records carrying a phone, to mark two of them as two people; audited. */
export default endpoint(
  { method: 'GET', auth: 'staff', action: 'identity.records_on_phone', query: PhoneRecordsQuery },
  async ({ deps, actor, query, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await recordsOnPhone(deps, { query, staffId: actor.staffId, requestId }), PhoneRecordsResponse);
  },
);
