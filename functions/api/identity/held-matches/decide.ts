import { HeldDecideBody, HeldDecideResponse } from '../../../../shared/contracts/identity.js';
import { decideHeldMatch } from '../../../app/identity/review.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

export default endpoint(
  { method: 'POST', auth: 'member', action: 'identity.held_decide', body: HeldDecideBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'member') return failure('FORBIDDEN');
    return fromResult(
      await decideHeldMatch(deps, {
        customerId: actor.customerId,
        identityId: actor.identityId,
        matchId: body.matchId,
        decision: body.decision,
        requestId,
      }),
      HeldDecideResponse,
    );
  },
);
