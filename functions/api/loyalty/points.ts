import { PointsResponse } from '../../../shared/contracts/loyalty.js';
import { pointsOf } from '../../app/loyalty/wallet.js';
import { endpoint, failure, fromResult } from '../../http/endpoint.js';

/** The member's points: balance, next expiry, tier and its benefits, and every ledger line. */
export default endpoint({ method: 'GET', auth: 'member', action: 'loyalty.points_read' }, async ({ deps, actor }) => {
  if (actor.kind !== 'member') return failure('FORBIDDEN');
  return fromResult(await pointsOf(deps.database.db, actor.customerId, deps.clock.now()), PointsResponse);
});
