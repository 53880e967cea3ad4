/**
 * Voiding at the POS (the order was refunded): each live redemption of the order is voided, its coupon goes back
 * if still valid (shared/coupons evaluateVoid), the points the order earned are reversed (from whoever holds the
 * member's points now, the survivor of a merge since), the points spent as payment on it come back (the till's
 * /points/spend with the order's receipt number at this store: a refund is of the whole sale, and a till that only
 * voided gave the member's points away), and the order no longer counts towards the tier (`orders.refunded_at`).
 * A void by `redemptionId` refunds that redemption's order alike: it has always reversed the order's points, and the
 * README's POS table says the void answers "the points reversed" either way. Idempotent twice over: the stored
 * answer for a retried key, and voided rows / the reversal's and the return's entry keys for a new key (a
 * /points/return of a spend the void gave back returns 0 more, and the other way round).
 */

import type { PosVoidResponse } from '../../../shared/contracts/loyalty.js';
import { evaluateVoid } from '../../../shared/coupons/coupon.rules.js';
import { type ErrorCode, fail, ok, type Result } from '../../../shared/errors.js';
import type { Db, Tx } from '../../adapters/db/client.js';
import { couponRepo, type RedemptionRow } from '../../adapters/db/repos/coupon.repo.js';
import { type PointsOwner, pointsRepo } from '../../adapters/db/repos/points.repo.js';
import { posRepo } from '../../adapters/db/repos/pos.repo.js';
import { lockOrder, reverseOrderPoints } from '../points/points.js';
import { idempotent } from './idempotent.js';
import { returnTillSpend } from './points-spend.js';
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
  // What the void touches, read first without locks: the members are locked before their rows (a closure locks the
  // customer, then its orders and coupons; the other way round the two deadlocked), then the rows, read again.
  let externalOrderId = body.externalOrderId ?? null;
  const members: string[] = [];
  if (body.redemptionId) {
    const seen = await couponRepo.redemptionById(tx, body.redemptionId);
    // a store voids only its own redemptions; another store's id is "not found"
    if (!seen || seen.storeId !== caller.storeId)
      return fail('REDEMPTION_NOT_FOUND', `no redemption ${body.redemptionId} at this store`);
    members.push(seen.customerId);
    externalOrderId = seen.externalOrderId;
  } else {
    const seen = await posRepo.liveRedemptionsOfOrder(tx, caller.storeId, externalOrderId as string, false);
    members.push(...seen.map((r) => r.customerId));
  }
  // the till's order: voiding it, or a redemption of it, is its refund (README, "Coupons, points and the POS API")
  // this store's order of the number: two stores' tills may print the same one (orders_source_store_external_uq)
  const seenOrder = externalOrderId
    ? await posRepo.orderByExternalId(tx, 'pos', externalOrderId, caller.storeId)
    : null;
  const orderId = seenOrder && seenOrder.storeId === caller.storeId ? seenOrder.id : null;
  if (seenOrder?.customerId && orderId) members.push(seenOrder.customerId);
  // the points spent on the order at this store's till: the ledger is append-only, so this read is what there is
  // (a spend of this number committed after it is a payment after the refund, not part of it)
  const spends = externalOrderId ? await pointsRepo.tillSpendsOfOrder(tx, caller.storeId, externalOrderId) : [];
  members.push(...spends.map((s) => s.customerId));
  const owners = new Map<string, PointsOwner | null>();
  const ownerOf = async (customerId: string) => {
    if (!owners.has(customerId)) owners.set(customerId, await pointsRepo.lockOwner(tx, customerId));
    return owners.get(customerId) ?? null;
  };
  for (const customerId of [...new Set(members)].sort()) await ownerOf(customerId);

  let redemptions: RedemptionRow[];
  if (body.redemptionId) {
    const row = await couponRepo.redemptionForUpdate(tx, body.redemptionId);
    if (!row) throw new Error(`redemption ${body.redemptionId} vanished`);
    redemptions = row.status === 'redeemed' ? [row] : [];
  } else {
    redemptions = await posRepo.liveRedemptionsOfOrder(tx, caller.storeId, externalOrderId as string);
  }

  const voided: PosVoidResponse['voided'] = [];
  for (const redemption of redemptions) {
    const found = await couponRepo.couponWithTemplateById(tx, redemption.couponId);
    if (!found) throw new Error(`redemption ${redemption.id} names a missing coupon`);
    // a coupon redeemed on the order since the first read: its member is locked now
    const owner = await ownerOf(redemption.customerId);
    const decision = evaluateVoid(redemption, found.coupon, now, owner?.closed ?? false);
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
  if (orderId) {
    // the order, after its member (lockOrder); the lock also waits for an attach in flight, so the reversal below
    // sees the points it credited
    const locked = await lockOrder(tx, orderId);
    if (!locked) throw new Error(`order ${orderId} vanished`);
    // refunded: out of the tier, and a sale refunded before its card's record arrived promises no points any more
    await posRepo.markRefunded(tx, orderId, now);
    pointsReversed = await reverseOrderPoints(tx, orderId, now);
  }
  let pointsReturned = 0;
  for (const spend of spends) {
    const owner = await ownerOf(spend.customerId);
    if (!owner) throw new Error(`points spend ${spend.entryKey} names a missing customer`);
    pointsReturned += await returnTillSpend(tx, owner, spend, caller.storeId, now);
  }
  if (!body.redemptionId && !orderId && voided.length === 0 && spends.length === 0) {
    return fail('REDEMPTION_NOT_FOUND', `nothing to void for order ${externalOrderId} at this store`);
  }
  return ok({ voided, pointsReversed, pointsReturned });
}
