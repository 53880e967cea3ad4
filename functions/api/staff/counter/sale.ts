import { CounterSaleBody, CounterSaleResponse } from '../../../../shared/contracts/counter.js';
import { counterSale } from '../../../app/counter/counter.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/** Records a sale at a store whose till is not connected, so the member earns its points; idempotent on the key. */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'counter.sale', body: CounterSaleBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await counterSale(deps, actor, body, { requestId }), CounterSaleResponse);
  },
);
