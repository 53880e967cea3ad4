import { MergeRestoreBody, MergeRestoreResponse } from '../../../../../shared/contracts/identity.js';
import { restoreMerge } from '../../../../app/identity/review.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/** Takes back HQ's undo of a merge: the two sides are no longer kept apart and are merged again. */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'identity.merge_restore', body: MergeRestoreBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(
      await restoreMerge(deps, { mergeId: body.mergeId, staffId: actor.staffId, requestId }),
      MergeRestoreResponse,
    );
  },
);
