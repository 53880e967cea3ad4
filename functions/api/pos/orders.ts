import { PosOrderBody, PosOrderResponse } from '../../../shared/contracts/loyalty.js';
import { ingestPosOrder } from '../../app/pos/ingest-order.js';
import { posCaller } from '../../app/pos/pos-caller.js';
import { endpoint, fromResult } from '../../http/endpoint.js';

/** POS order ingest: the order counts once however often it is replayed; a known member earns points. */
export default endpoint(
  { method: 'POST', auth: 'partner', action: 'pos.order_ingest', body: PosOrderBody, maxBodyBytes: 128 * 1024 },
  async ({ deps, actor, body }) =>
    fromResult(await ingestPosOrder(deps.database.db, posCaller(actor), body, deps.clock.now()), PosOrderResponse),
);
