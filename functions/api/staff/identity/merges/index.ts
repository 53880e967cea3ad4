import { MergesQuery, MergesResponse } from '../../../../../shared/contracts/identity.js';
import { listMerges } from '../../../../app/identity/review.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/** The merge history, newest first, by phone or customer: evidence, who did it, what moved, whether undone. */
export default endpoint(
  { method: 'GET', auth: 'staff', action: 'identity.merge_list', query: MergesQuery },
  async ({ deps, actor, query, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await listMerges(deps, { query, staffId: actor.staffId, requestId }), MergesResponse);
  },
);
