import { CounterLookupBody, CounterLookupResponse } from '../../../../shared/contracts/counter.js';
import { counterLookup } from '../../../app/counter/counter.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/** The clerk scanned a member code or a coupon code: who it is, the coupons that work here, and a counter token. */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'counter.lookup', body: CounterLookupBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await counterLookup(deps, actor, body, { requestId }), CounterLookupResponse);
  },
);
