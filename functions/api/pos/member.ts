import { PosMemberBody, PosMemberResponse } from '../../../shared/contracts/onboarding.js';
import { lookupMemberForPos } from '../../app/members/pos-member.js';
import { endpoint, failure, fromResult } from '../../http/endpoint.js';

/** The POS scanned a member code: a masked summary for the cashier (signed partner request, POS keys only). */
export default endpoint(
  { method: 'POST', auth: 'partner', action: 'pos.member_lookup', body: PosMemberBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'partner') return failure('FORBIDDEN');
    return fromResult(
      await lookupMemberForPos(deps, {
        memberCode: body.memberCode,
        keyId: actor.keyId,
        storeId: actor.storeId,
        requestId,
      }),
      PosMemberResponse,
    );
  },
);
