import { PosRedeemBody, PosRedeemResponse } from '../../../shared/contracts/loyalty.js';
import { posCaller, posStoreResource } from '../../app/pos/pos-caller.js';
import { redeemAtPos } from '../../app/pos/redeem.js';
import { endpoint, fromResult } from '../../http/endpoint.js';

/**
 * Redeems a coupon at the POS: by the coupon's code, or by the member code (the coupon named by couponId, or the
 * best applicable one). Signed (HMAC, per-store key, 5-minute window); idempotent on idempotencyKey.
 */
export default endpoint(
  {
    method: 'POST',
    auth: 'partner',
    action: 'pos.redeem',
    body: PosRedeemBody,
    resource: ({ deps, body, actor }) => posStoreResource(deps, body.storeId, actor),
  },
  async ({ deps, actor, body }) =>
    fromResult(await redeemAtPos(deps.database.db, posCaller(actor), body, deps.clock.now()), PosRedeemResponse),
);
