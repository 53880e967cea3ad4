import { ResolvePhonesBody, ResolvePhonesResponse } from '../../../../shared/contracts/loyalty.js';
import { resolvePhones } from '../../../app/coupons/staff-coupons.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/**
 * 批量发券: the members of a pasted list of phones, each entry answered in its place: masked, in the caller's scope
 * only (a member elsewhere reads as no member), audited. The same people and action as the single lookup.
 */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'coupon.member_lookup', body: ResolvePhonesBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(
      await resolvePhones(deps.database.db, actor, body.phones, { requestId, now: deps.clock.now() }),
      ResolvePhonesResponse,
    );
  },
);
