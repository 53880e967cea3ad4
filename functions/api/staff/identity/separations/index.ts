import { DecidedSeparationsResponse } from '../../../../../shared/contracts/identity.js';
import { listDecidedSeparations } from '../../../../app/identity/review.js';
import { endpoint, failure, json } from '../../../../http/endpoint.js';

/** 已确认不是同一人 (HQ): the "not the same person" decisions of every store, newest first. */
export default endpoint(
  { method: 'GET', auth: 'staff', action: 'identity.separations_list' },
  async ({ deps, actor }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return json(200, DecidedSeparationsResponse, await listDecidedSeparations(deps));
  },
);
