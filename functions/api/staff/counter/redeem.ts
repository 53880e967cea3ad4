import { CounterRedeemBody, CounterRedeemResponse } from '../../../../shared/contracts/counter.js';
import { counterRedeem } from '../../../app/counter/counter.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/** Redeems one of the scanned member's coupons against the order amount; idempotent on the clerk's key. */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'counter.redeem', body: CounterRedeemBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await counterRedeem(deps, actor, body, { requestId }), CounterRedeemResponse);
  },
);
