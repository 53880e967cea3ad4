import { PosPointsReturnBody, PosPointsReturnResponse } from '../../../../shared/contracts/loyalty.js';
import { returnPointsAtPos } from '../../../app/pos/points-spend.js';
import { posCaller } from '../../../app/pos/pos-caller.js';
import { endpoint, fromResult } from '../../../http/endpoint.js';

/** Gives back the points a spend took (the order was refunded). Signed per store; idempotent on idempotencyKey. */
export default endpoint(
  { method: 'POST', auth: 'partner', action: 'pos.points_return', body: PosPointsReturnBody },
  async ({ deps, actor, body }) =>
    fromResult(
      await returnPointsAtPos(deps.database.db, posCaller(actor), body, deps.clock.now()),
      PosPointsReturnResponse,
    ),
);
