/**
 * Points as payment at the POS: the cashier scans the member code, the member spends points in whole hundreds
 * (100 points = 1 yuan off, never more than the order), and a refund gives them back: /points/return by the spend's
 * id, or the void of the order by its receipt number (void.ts; the spend keeps the number it was sent with). Both
 * give back once (`unspend:<spend>`), whichever comes first. Signed, idempotent (the stored first answer for a
 * retried key), and one transaction each with the member's row locked, so two tills spending the same member's
 * points at once can never overdraw them.
 */

import type {
  PosPointsReturnBody,
  PosPointsReturnResponse,
  PosPointsSpendBody,
  PosPointsSpendResponse,
} from '../../../shared/contracts/loyalty.js';
import { type ErrorCode, fail, ok, type Result } from '../../../shared/errors.js';
import { FEN_PER_POINT } from '../../../shared/points/points.rules.js';
import type { Db, Tx } from '../../adapters/db/client.js';
import { type PointsLedgerRow, type PointsOwner, pointsRepo } from '../../adapters/db/repos/points.repo.js';
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
      // the receipt number is of the idempotency keys' alphabet (receiptNumber, shared/contracts/loyalty.ts): the
      // member reads this note, and free text from the till would reach them verbatim
      note: `${spendNote(store?.name ?? null, body.points)}${body.externalOrderId ? `（单号 ${body.externalOrderId}）` : ''}`,
      externalOrderId: body.externalOrderId,
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
    // a second return of the same spend (with another key, or after the void of its order) returns nothing more
    const returned = await returnTillSpend(tx, owner, spend, caller.storeId, now);
    return ok({ spendId: body.spendId, pointsReturned: returned, balanceAfter: before.balance + returned });
  });
}

/** The spend's id in its ledger line's entry key, `spend:<spend>`. */
export const tillSpendId = (spend: PointsLedgerRow) => spend.entryKey.slice('spend:'.length);

/**
 * Gives back a till's spend line, once (`unspend:<spend>`, whether /points/return or the order's void comes first),
 * to `owner` (pointsRepo.lockOwner of the spender: the member, or the survivor of a merge since, locked). Nothing to
 * a closed account: its points were forfeited when it closed, as a refund of an order takes nothing back from it.
 * The points returned.
 */
export async function returnTillSpend(
  tx: Tx,
  owner: PointsOwner,
  spend: PointsLedgerRow,
  storeId: string,
  now: Date,
): Promise<number> {
  if (owner.closed) return 0;
  return returnSpend(tx, owner, spend, {
    entryKey: `unspend:${tillSpendId(spend)}`,
    orderId: null,
    storeId,
    note: '订单退款，退回抵扣的积分',
    now,
  });
}
