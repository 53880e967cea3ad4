import { CounterVoidBody, CounterVoidResponse } from '../../../../shared/contracts/counter.js';
import { counterVoid } from '../../../app/counter/counter.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/** Voids a counter redemption of today (the coupon goes back if still valid); idempotent on the clerk's key. */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'counter.void', body: CounterVoidBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await counterVoid(deps, actor, body, { requestId }), CounterVoidResponse);
  },
);
