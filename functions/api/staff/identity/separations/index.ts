import { DecidedSeparationsQuery, DecidedSeparationsResponse } from '../../../../../shared/contracts/identity.js';
import { listDecidedSeparations } from '../../../../app/identity/review.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/** 已确认不是同一人 (HQ): the "not the same person" decisions of every store, newest first, a page at a time. */
export default endpoint(
  { method: 'GET', auth: 'staff', action: 'identity.separations_list', query: DecidedSeparationsQuery },
  async ({ deps, actor, query, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(
      await listDecidedSeparations(deps, { query, staffId: actor.staffId, requestId }),
      DecidedSeparationsResponse,
    );
  },
);
