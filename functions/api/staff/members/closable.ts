import { StaffClosableQuery, StaffClosableResponse } from '../../../../shared/contracts/onboarding.js';
import { listClosable } from '../../../app/members/staff-close.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/** The active customers on a phone, masked, for a store manager closing one account at the store. */
export default endpoint(
  { method: 'GET', auth: 'staff', action: 'member.staff_close', query: StaffClosableQuery },
  async ({ deps, actor, query, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await listClosable(deps, actor, query.phone, requestId), StaffClosableResponse);
  },
);
