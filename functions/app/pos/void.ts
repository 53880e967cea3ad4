/**
 * Voiding at the POS (the order was refunded): each live redemption of the order is voided, its coupon goes back
 * if still valid (shared/coupons evaluateVoid), and the points the order earned are reversed. Idempotent twice
 * over: the stored answer for a retried key, and voided rows / the reversal's entry key for a new key.
 */

import type { PosVoidResponse } from '../../../shared/contracts/loyalty.js';
import { evaluateVoid } from '../../../shared/coupons/coupon.rules.js';
import { type ErrorCode, fail, ok, type Result } from '../../../shared/errors.js';
import type { Db, Tx } from '../../adapters/db/client.js';
import { couponRepo, type RedemptionRow } from '../../adapters/db/repos/coupon.repo.js';
import { pointsRepo } from '../../adapters/db/repos/points.repo.js';
import { posRepo } from '../../adapters/db/repos/pos.repo.js';
import { reverseOrderPoints } from '../points/points.js';
import { idempotent } from './idempotent.js';
import type { PosCaller } from './redeem.js';

export interface PosVoidInput {
  idempotencyKey: string;
  redemptionId?: string;
  externalOrderId?: string;
}

export async function voidAtPos(
  db: Db,
  caller: PosCaller,
  body: PosVoidInput,
  now: Date,
): Promise<Result<PosVoidResponse, ErrorCode>> {
  return idempotent(
    db,
    { keyId: caller.keyId, operation: 'void', idempotencyKey: body.idempotencyKey, body: { ...body } },
    (tx) => voidInTx(tx, caller, body, now),
  );
}

async function voidInTx(
  tx: Tx,
  caller: PosCaller,
  body: PosVoidInput,
  now: Date,
): Promise<Result<PosVoidResponse, ErrorCode>> {
  let redemptions: RedemptionRow[];
  let externalOrderId = body.externalOrderId ?? null;
  let orderKnown = false;
  if (body.redemptionId) {
    const row = await couponRepo.redemptionForUpdate(tx, body.redemptionId);
    // a store voids only its own redemptions; another store's id is "not found"
    if (!row || row.storeId !== caller.storeId)
      return fail('REDEMPTION_NOT_FOUND', `no redemption ${body.redemptionId} at this store`);
    redemptions = row.status === 'redeemed' ? [row] : [];
    externalOrderId = row.externalOrderId;
    orderKnown = true;
  } else {
    redemptions = await posRepo.liveRedemptionsOfOrder(tx, caller.storeId, body.externalOrderId as string);
  }

  const voided: PosVoidResponse['voided'] = [];
  for (const redemption of redemptions) {
    const found = await couponRepo.couponWithTemplateById(tx, redemption.couponId);
    if (!found) throw new Error(`redemption ${redemption.id} names a missing coupon`);
    const decision = evaluateVoid(
      redemption,
      found.coupon,
      now,
      await pointsRepo.customerClosed(tx, redemption.customerId),
    );
    for (const action of decision.actions) {
      if (action.action === 'void_redemption')
        await couponRepo.markVoided(tx, action.redemptionId, now, decision.couponReturned);
      if (action.action === 'return_coupon') await couponRepo.markAvailable(tx, action.couponId);
    }
    voided.push({
      redemptionId: redemption.id,
      couponId: redemption.couponId,
      couponReturned: decision.couponReturned,
    });
  }

  let pointsReversed = 0;
  if (externalOrderId) {
    const order = await posRepo.orderByExternalId(tx, 'pos', externalOrderId);
    if (order && order.storeId === caller.storeId) {
      orderKnown = true;
      // a refund before the card's record arrived: the sale promises no points any more. The update also waits for
      // an attach in flight, so the reversal below sees the points it credited.
      await posRepo.cancelPendingPoints(tx, order.id);
      pointsReversed = await reverseOrderPoints(tx, order.id, now);
    }
  }
  if (!orderKnown && voided.length === 0) {
    return fail('REDEMPTION_NOT_FOUND', `nothing to void for order ${externalOrderId} at this store`);
  }
  return ok({ voided, pointsReversed });
}
