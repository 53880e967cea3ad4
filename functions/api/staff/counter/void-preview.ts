import { CounterVoidPreviewBody, CounterVoidPreviewResponse } from '../../../../shared/contracts/counter.js';
import { counterVoidPreview } from '../../../app/counter/counter.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/**
 * What voiding a redemption or taking a sale back will do to the member's points, for the clerk's confirmation;
 * nothing written. Asked by those who may void (the void's own access rule).
 */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'counter.void', body: CounterVoidPreviewBody },
  async ({ deps, actor, body }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await counterVoidPreview(deps, actor, body), CounterVoidPreviewResponse);
  },
);
