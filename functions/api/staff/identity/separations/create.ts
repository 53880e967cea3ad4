import { SeparationCreateBody, SeparationCreateResponse } from '../../../../../shared/contracts/identity.js';
import { markSeparate } from '../../../../app/identity/review.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/** 标记为不同的人 (HQ): two records never proposed together are kept apart from now on; audited. */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'identity.separation_create', body: SeparationCreateBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await markSeparate(deps, { body, staffId: actor.staffId, requestId }), SeparationCreateResponse);
  },
);
