import { PosVoidBody, PosVoidResponse } from '../../../shared/contracts/loyalty.js';
import { posCaller } from '../../app/pos/pos-caller.js';
import { voidAtPos } from '../../app/pos/void.js';
import { endpoint, fromResult } from '../../http/endpoint.js';

/** Voids a redemption (the order was refunded): the coupon comes back if still valid, the order's points go. */
export default endpoint(
  { method: 'POST', auth: 'partner', action: 'pos.void', body: PosVoidBody },
  async ({ deps, actor, body }) =>
    fromResult(await voidAtPos(deps.database.db, posCaller(actor), body, deps.clock.now()), PosVoidResponse),
);
