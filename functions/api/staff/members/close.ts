import { CloseAccountResponse, StaffCloseBody } from '../../../../shared/contracts/onboarding.js';
import { staffCloseMember } from '../../../app/members/staff-close.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/** 注销会员 at the store, for a customer who asks in person (functions/app/members/staff-close.ts). */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'member.staff_close', body: StaffCloseBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await staffCloseMember(deps, actor, body, requestId), CloseAccountResponse);
  },
);
