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
import { settledBalance, spendNote, spendPoints } from '../points/points.js';
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
    await pointsRepo.lockCustomer(tx, spend.customerId);
    const before = await settledBalance(tx, spend.customerId, now);
    // a second return of the same spend (with another key) returns nothing more
    const appended = await pointsRepo.append(tx, {
      customerId: spend.customerId,
      kind: 'reverse',
      points: -spend.points,
      entryKey: `unspend:${body.spendId}`,
      storeId: caller.storeId,
      earnYear: null,
      note: '订单退款，退回抵扣的积分',
      occurredAt: now,
    });
    const returned = appended ? -spend.points : 0;
    return ok({ spendId: body.spendId, pointsReturned: returned, balanceAfter: before.balance + returned });
  });
}
