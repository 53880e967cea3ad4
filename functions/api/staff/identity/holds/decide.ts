import { HeldReviewDecideBody, HeldReviewDecideResponse } from '../../../../../shared/contracts/identity.js';
import { decideHeldReview, heldReviewResource } from '../../../../app/identity/review.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

export default endpoint(
  {
    method: 'POST',
    auth: 'staff',
    action: 'identity.hold_decide',
    body: HeldReviewDecideBody,
    resource: ({ deps, body }) => heldReviewResource(deps, body.id),
  },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(
      await decideHeldReview(deps, { id: body.id, decision: body.decision, staffId: actor.staffId, requestId }),
      HeldReviewDecideResponse,
    );
  },
);
