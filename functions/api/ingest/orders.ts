import { IngestOrdersBody, IngestOrdersResponse } from '../../../shared/contracts/identity.js';
import { ingestOrdersAndLog } from '../../app/identity/ingest-orders.js';
import { endpoint, failure, json } from '../../http/endpoint.js';

/**
 * Purchase history from a POS or the mall, signed by the partner's key: up to 500 orders with their lines.
 * Idempotent on (source, order number): a replay changes nothing, the same number with other contents is refused.
 * Each order is judged alone: malformed ones come back rejected with a reason (and are quarantined) while the rest
 * lands, each given to its member's customer, or kept until the member's card or account arrives.
 */
export default endpoint(
  {
    method: 'POST',
    auth: 'partner',
    action: 'identity.order_ingest',
    body: IngestOrdersBody,
    itemsJudgedAlone: 'orders',
    maxBodyBytes: 4 * 1024 * 1024,
    // the batch's own row has its counts (created, linked, rejected…)
    logsItself: true,
  },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'partner' || (actor.source !== 'pos' && actor.source !== 'mall')) return failure('FORBIDDEN');
    const summary = await ingestOrdersAndLog(deps.database, {
      source: actor.source,
      orders: body.orders,
      keyId: actor.keyId,
      keyStoreId: actor.storeId,
      storeId: actor.storeId,
      requestId,
      operation: 'ingest.orders',
      now: deps.clock.now(),
    });
    return json(200, IngestOrdersResponse, summary);
  },
);
