import { LoyaltySummaryResponse } from '../../../shared/contracts/loyalty.js';
import { summaryOf } from '../../app/loyalty/wallet.js';
import { endpoint, failure, fromResult } from '../../http/endpoint.js';

/** The member home's card: points balance and what expires soon, tier, usable coupons and those ending this week. */
export default endpoint({ method: 'GET', auth: 'member', action: 'loyalty.summary_read' }, async ({ deps, actor }) => {
  if (actor.kind !== 'member') return failure('FORBIDDEN');
  return fromResult(await summaryOf(deps.database.db, actor.customerId, deps.clock.now()), LoyaltySummaryResponse);
});
