import { CounterSaleVoidBody, CounterSaleVoidResponse } from '../../../../shared/contracts/counter.js';
import { counterSaleVoid } from '../../../app/counter/counter.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/** Takes back a counter sale of today recorded without a coupon (its points go back); idempotent on the key. */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'counter.sale_void', body: CounterSaleVoidBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await counterSaleVoid(deps, actor, body, { requestId }), CounterSaleVoidResponse);
  },
);
