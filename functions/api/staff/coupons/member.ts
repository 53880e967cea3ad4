import { MemberLookupQuery, MemberLookupResponse } from '../../../../shared/contracts/loyalty.js';
import { lookupMemberByPhone } from '../../../app/coupons/staff-coupons.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/** Finds a member by phone to issue a coupon to: masked, in the caller's scope only, audited. */
export default endpoint(
  { method: 'GET', auth: 'staff', action: 'coupon.member_lookup', query: MemberLookupQuery },
  async ({ deps, actor, query, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(
      await lookupMemberByPhone(deps.database.db, actor, query.phone, { requestId, now: deps.clock.now() }),
      MemberLookupResponse,
    );
  },
);
