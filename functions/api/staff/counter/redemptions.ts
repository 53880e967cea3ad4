import { CounterRedemptionsResponse } from '../../../../shared/contracts/counter.js';
import { counterRedemptions } from '../../../app/counter/counter.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/** Today's redemptions at the caller's store, counter and till, with the day's totals. */
export default endpoint({ method: 'GET', auth: 'staff', action: 'counter.list' }, async ({ deps, actor }) => {
  if (actor.kind !== 'staff') return failure('FORBIDDEN');
  return fromResult(await counterRedemptions(deps, actor), CounterRedemptionsResponse);
});
