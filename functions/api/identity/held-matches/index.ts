import { HeldMatchesResponse } from '../../../../shared/contracts/identity.js';
import { listHeldMatches } from '../../../app/identity/review.js';
import { endpoint, failure, json } from '../../../http/endpoint.js';

/** POS cards that share the member's phone but were not linked: "这是您在××店的会员卡吗?" */
export default endpoint({ method: 'GET', auth: 'member', action: 'identity.held_list' }, async ({ deps, actor }) => {
  if (actor.kind !== 'member') return failure('FORBIDDEN');
  return json(200, HeldMatchesResponse, await listHeldMatches(deps, actor.customerId, deps.clock.now()));
});
