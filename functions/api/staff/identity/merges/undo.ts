import { MergeUndoBody, MergeUndoResponse } from '../../../../../shared/contracts/identity.js';
import { undoMerge } from '../../../../app/identity/review.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/** Undoes one merge: every row it moved goes back to the customer it came from. */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'identity.merge_undo', body: MergeUndoBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(
      await undoMerge(deps, { mergeId: body.mergeId, staffId: actor.staffId, requestId }),
      MergeUndoResponse,
    );
  },
);
