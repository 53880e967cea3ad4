/**
 * Points as payment at the POS: the cashier scans the member code, the member spends points in whole hundreds
 * (100 points = 1 yuan off, never more than the order), and a refund gives them back. Both are signed, idempotent
 * (the stored first answer for a retried key), and one transaction each with the member's row locked, so two tills
 * spending the same member's points at once can never overdraw them.
 */

import type {
  PosPointsReturnBody,
  PosPointsReturnResponse,
  PosPointsSpendBody,
  PosPointsSpendResponse,
} from '../../../shared/contracts/loyalty.js';
import { type ErrorCode, fail, ok, type Result } from '../../../shared/errors.js';
import { FEN_PER_POINT } from '../../../shared/points/points.rules.js';
import type { Db } from '../../adapters/db/client.js';
import { pointsRepo } from '../../adapters/db/repos/points.repo.js';
import { posRepo } from '../../adapters/db/repos/pos.repo.js';
import { newId } from '../../adapters/ids.js';
import { resolveMemberCode } from '../members/member-code.js';
import { returnSpend, settledBalance, spendNote, spendPoints } from '../points/points.js';
import { idempotent } from './idempotent.js';
import type { PosCaller } from './redeem.js';

export async function spendPointsAtPos(
  db: Db,
  caller: PosCaller,
  body: PosPointsSpendBody,
  now: Date,
): Promise<Result<PosPointsSpendResponse, ErrorCode>> {
  const discountFen = body.points * FEN_PER_POINT;
  if (discountFen > body.orderAmountFen) {
    return fail(
      'POINTS_EXCEED_ORDER',
      `${body.points} points are ${discountFen} fen, the order is ${body.orderAmountFen}`,
    );
  }
  const scope = { keyId: caller.keyId, operation: 'points_spend' as const, idempotencyKey: body.idempotencyKey };
  return idempotent(db, { ...scope, body: { ...body } }, async (tx) => {
    const member = await resolveMemberCode(tx, body.memberCode, now);
    if (!member.ok) return member;
    const { customerId } = member.value;
    const store = await posRepo.storeExists(tx, caller.storeId);
    const spendId = newId('spd', now.getTime());
    const spent = await spendPoints(tx, {
      customerId,
      entryKey: `spend:${spendId}`,
      storeId: caller.storeId,
      points: body.points,
      note: `${spendNote(store?.name ?? null, body.points)}${body.externalOrderId ? `（单号 ${body.externalOrderId}）` : ''}`,
      now,
    });
    if (!spent.ok) return spent;
    return ok({
      spendId,
      customerId,
      points: body.points,
      discountFen,
      balanceAfter: spent.value.balanceAfter,
      spentAt: now.toISOString(),
    });
  });
}

export async function returnPointsAtPos(
  db: Db,
  caller: PosCaller,
  body: PosPointsReturnBody,
  now: Date,
): Promise<Result<PosPointsReturnResponse, ErrorCode>> {
  const scope = { keyId: caller.keyId, operation: 'points_return' as const, idempotencyKey: body.idempotencyKey };
  return idempotent(db, { ...scope, body: { ...body } }, async (tx) => {
    const spend = await pointsRepo.byEntryKey(tx, `spend:${body.spendId}`);
    // a store returns only its own spends; another store's id is "not found"
    if (!spend || spend.storeId !== caller.storeId) {
      return fail('POINTS_SPEND_NOT_FOUND', `no points spend ${body.spendId} at this store`);
    }
    // the points go back to whoever holds the member's points now: the member, or the survivor of a merge since
    const owner = await pointsRepo.lockOwner(tx, spend.customerId);
    if (!owner) throw new Error(`points spend ${body.spendId} names a missing customer`);
    // a closed account's points were forfeited when it closed: nothing comes back to it, as a refund of an order
    // takes nothing back from it (reverseOrderPoints); the till refunds the money part and is told 0 came back
    if (owner.closed) {
      return ok({ spendId: body.spendId, pointsReturned: 0, balanceAfter: await pointsRepo.balance(tx, owner.id) });
    }
    const before = await settledBalance(tx, owner.id, now);
    // a second return of the same spend (with another key) returns nothing more
    const returned = await returnSpend(tx, owner, spend, {
      entryKey: `unspend:${body.spendId}`,
      orderId: null,
      storeId: caller.storeId,
      note: '订单退款，退回抵扣的积分',
      now,
    });
    return ok({ spendId: body.spendId, pointsReturned: returned, balanceAfter: before.balance + returned });
  });
}
