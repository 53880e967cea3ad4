import { PosPointsSpendBody, PosPointsSpendResponse } from '../../../../shared/contracts/loyalty.js';
import { spendPointsAtPos } from '../../../app/pos/points-spend.js';
import { posCaller, posStoreResource } from '../../../app/pos/pos-caller.js';
import { endpoint, fromResult } from '../../../http/endpoint.js';

/** Spends a member's points as payment (100 points = 1 yuan). Signed per store; idempotent on idempotencyKey. */
export default endpoint(
  {
    method: 'POST',
    auth: 'partner',
    action: 'pos.points_spend',
    body: PosPointsSpendBody,
    resource: ({ deps, body, actor }) => posStoreResource(deps, body.storeId, actor),
  },
  async ({ deps, actor, body }) =>
    fromResult(
      await spendPointsAtPos(deps.database.db, posCaller(actor), body, deps.clock.now()),
      PosPointsSpendResponse,
    ),
);
