import { SeparationLiftBody, SeparationLiftResponse } from '../../../../../shared/contracts/identity.js';
import { liftDecidedSeparation } from '../../../../app/identity/review.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/** Takes back a "not the same person" decision (HQ): the hold or suggestion is open again; nothing merges here. */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'identity.separation_lift', body: SeparationLiftBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(
      await liftDecidedSeparation(deps, { id: body.id, staffId: actor.staffId, requestId }),
      SeparationLiftResponse,
    );
  },
);
