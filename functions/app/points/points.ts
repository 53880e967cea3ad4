/**
 * Points use cases: earn on an order, reverse an order's points, read the balance with expiries settled, and the
 * member's points page. The rules are in shared/points; this loads, calls them and appends to the ledger.
 */

import { businessDate } from '../../../shared/coupons/business-day.js';
import { yuan } from '../../../shared/coupons/coupon.describe.js';
import { ok, type Result } from '../../../shared/errors.js';
import {
  DEFAULT_EARN_CONFIG,
  type EarnConfig,
  type EarnOrder,
  earnYearOf,
  FEN_PER_POINT,
  LATE_EARN_DAYS,
  lateEarnAllowed,
  planSpend,
  pointsForOrder,
  pointsState,
} from '../../../shared/points/points.rules.js';
import { tierFor, tierWindowStart } from '../../../shared/points/tier.rules.js';
import type { Executor } from '../../adapters/db/repos/coupon.repo.js';
import { orderPointsHome } from '../../adapters/db/repos/loyalty-merge.repo.js';
import type { AttachedOrder } from '../../adapters/db/repos/order-ingest.repo.js';
import {
  type PointsLedgerInsert,
  type PointsLedgerRow,
  type PointsOwner,
  pointsRepo,
} from '../../adapters/db/repos/points.repo.js';
import { type OrderRow, posRepo } from '../../adapters/db/repos/pos.repo.js';

/** An order's earn line, once per order (entry key `earn:<order>`, which a refund's reversal finds); true if new. */
function appendEarn(
  ex: Executor,
  e: { customerId: string; orderId: string; storeId: string | null; points: number; note: string; now: Date },
): Promise<boolean> {
  return pointsRepo.append(ex, {
    customerId: e.customerId,
    kind: 'earn',
    points: e.points,
    entryKey: `earn:${e.orderId}`,
    orderId: e.orderId,
    storeId: e.storeId,
    earnYear: earnYearOf(e.now),
    note: e.note,
    occurredAt: e.now,
  });
}

export async function earnForOrder(
  ex: Executor,
  input: {
    customerId: string;
    orderId: string;
    storeId: string | null;
    storeName: string | null;
    order: EarnOrder;
    now: Date;
  },
  config: EarnConfig = DEFAULT_EARN_CONFIG,
): Promise<number> {
  const plan = pointsForOrder(input.order, config);
  if (plan.points <= 0) return 0;
  const appended = await appendEarn(ex, {
    customerId: input.customerId,
    orderId: input.orderId,
    storeId: input.storeId,
    points: plan.points,
    note: `${input.storeName ?? '门店'}消费${yuan(input.order.paidFen)}元${plan.bonus ? '（满200元双倍积分）' : ''}`,
    now: input.now,
  });
  if (appended) return plan.points;
  return (await pointsRepo.byEntryKey(ex, `earn:${input.orderId}`))?.points ?? 0;
}

/**
 * Credits the points a till sale promised while its card was unknown, now that the card's customer is (entry key
 * `earn:<order>`, so once however often the record is replayed, and a refund takes them back as for any order).
 * Returns the points credited.
 */
export async function earnForAttachedOrders(ex: Executor, attached: readonly AttachedOrder[], now: Date) {
  let credited = 0;
  for (const o of attached) {
    if (!o.pointsOnAttach || o.pointsOnAttach <= 0 || !lateEarnAllowed(o.orderedAt, now)) continue;
    const appended = await appendEarn(ex, {
      customerId: o.customerId,
      orderId: o.orderId,
      storeId: o.storeId,
      points: o.pointsOnAttach,
      note: `补记：${businessDate(o.orderedAt)} ${o.storeName ?? '门店'}消费${yuan(o.paidFen)}元`,
      now,
    });
    if (appended) credited += o.pointsOnAttach;
  }
  return credited;
}

/** The absorbed customer's side of a line carried on to the merge's survivor (appendFollowingMerges). */
const MERGED_ON_NOTE = '会员已合并，转入合并后的会员';

/**
 * Appends a line that answers an earlier one (a refund's reversal of what an order earned, the return of points
 * spent) where the earlier line is, on `line.customerId`, once (its entry key). When that customer has been merged
 * since, its points live on with the survivor, `owner` (pointsRepo.lockOwner, called first): the line's effect is
 * carried there through each live merge by a transfer pair in that merge's own group (`merge:<merge>:out|in:after:
 * <entry key>`), as the merge itself carried the customer's points and any debt. So the survivor's balance moves,
 * the absorbed customer's stays 0, and undoing a merge, which mirrors its group, gives each customer back their own
 * history, the refund included (loyalty-merge.repo.ts). True when appended (false: written already).
 */
async function appendFollowingMerges(
  ex: Executor,
  owner: PointsOwner,
  line: Omit<PointsLedgerInsert, 'id' | 'createdAt'> & { occurredAt: Date },
  carriedNote: string,
): Promise<boolean> {
  if (!(await pointsRepo.append(ex, line))) return false;
  const carried = owner.hops.flatMap((hop) => [
    { customerId: hop.from, points: -line.points, entryKey: `merge:${hop.mergeId}:out:after:${line.entryKey}` },
    { customerId: hop.to, points: line.points, entryKey: `merge:${hop.mergeId}:in:after:${line.entryKey}` },
  ]);
  // credits first (as a merge's transfers): each debit then finds its earn-year bucket filled
  carried.sort((a, b) => Number(b.points > 0) - Number(a.points > 0));
  for (const c of carried) {
    await pointsRepo.append(ex, {
      ...c,
      kind: 'transfer',
      orderId: line.orderId ?? null,
      storeId: line.storeId ?? null,
      earnYear: line.earnYear ?? null,
      note: c.customerId === owner.id ? carriedNote : MERGED_ON_NOTE,
      occurredAt: line.occurredAt,
    });
  }
  return true;
}

/**
 * Locks an order for a refund or a taking-back: its customer first (who holds its points now, pointsRepo.lockOwner;
 * a closure locks the customer, then its orders, so the other way round two could deadlock), then the order, read
 * again under the lock. Null when there is no such order; `owner` null for an order without a customer yet.
 */
export async function lockOrder(
  ex: Executor,
  orderId: string,
): Promise<{ order: OrderRow; owner: PointsOwner | null } | null> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const seen = await posRepo.orderById(ex, orderId);
    if (!seen) return null;
    const owner = seen.customerId ? await pointsRepo.lockOwner(ex, seen.customerId) : null;
    // still that customer's (a merge or a card's record may have moved it since it was read: then again)
    const order = await posRepo.orderForUpdate(ex, orderId, seen.customerId);
    if (order) return { order, owner };
  }
  throw new Error(`order ${orderId} kept changing hands while being locked`);
}

/**
 * Takes back what an order earned (refund), from whoever holds the earner's points now; idempotent: the reversal
 * has its own entry key. Nothing from a closed account: its points were zeroed when it closed.
 */
export async function reverseOrderPoints(ex: Executor, orderId: string, now: Date): Promise<number> {
  const earned = await pointsRepo.byEntryKey(ex, `earn:${orderId}`);
  if (!earned) return 0;
  // where the points were last put: the earner, or the card an undone merge sent the order back to
  const home = (await orderPointsHome(ex, orderId)) ?? earned;
  const owner = await pointsRepo.lockOwner(ex, home.customerId);
  if (!owner || owner.closed) return 0;
  const appended = await appendFollowingMerges(
    ex,
    owner,
    {
      customerId: home.customerId,
      kind: 'reverse',
      points: -earned.points,
      entryKey: `reverse:${orderId}`,
      orderId,
      storeId: earned.storeId,
      earnYear: earned.earnYear,
      // which purchase, as its earn line says it (北仑新碶店消费120.00元): a member reading a minus sees what for
      note: `订单退款，扣回积分：${earned.note}`,
      occurredAt: now,
    },
    '订单退款，扣回积分（合并前的消费）',
  );
  return appended ? earned.points : 0;
}

/** The ledger line of the points an order was paid with (积分抵现 at the counter); `unspend:<order>` returns them. */
export const spendEntryKey = (orderId: string) => `spend:${orderId}`;

/**
 * Pays with the member's points (at a till, or at the counter for an order: `spend:<order>`): the member's row is
 * locked and the balance settled first, so two tills or counters spending the same points at once cannot overdraw
 * them. Refused, with nothing written, when the balance is short.
 */
export async function spendPoints(
  ex: Executor,
  v: {
    customerId: string;
    entryKey: string;
    orderId?: string;
    /** a till's spend: the receipt number it was sent with, so that the till's void of that order returns it */
    externalOrderId?: string;
    storeId: string;
    points: number;
    note: string;
    now: Date;
  },
): Promise<Result<{ points: number; balanceAfter: number }, 'INSUFFICIENT_POINTS'>> {
  await pointsRepo.lockCustomer(ex, v.customerId);
  const state = await settledBalance(ex, v.customerId, v.now);
  const plan = planSpend(state, v.points);
  if (!plan.ok) return plan;
  await pointsRepo.append(ex, {
    customerId: v.customerId,
    kind: 'spend',
    points: -v.points,
    entryKey: v.entryKey,
    orderId: v.orderId ?? null,
    storeId: v.storeId,
    externalOrderId: v.externalOrderId ?? null,
    earnYear: null,
    note: v.note,
    occurredAt: v.now,
  });
  return ok({ points: v.points, balanceAfter: state.balance - v.points });
}

/** How a spend reads in the member's ledger: 北仑新碶店积分抵扣10.00元. */
export const spendNote = (storeName: string | null, points: number) =>
  `${storeName ?? '门店'}积分抵扣${yuan(points * FEN_PER_POINT)}元`;

/**
 * Gives back the points an order was paid with (the sale was taken back), once, to whoever holds the spender's
 * points now; nothing to a closed account. The points returned.
 */
export async function returnOrderSpend(ex: Executor, orderId: string, now: Date): Promise<number> {
  const spent = await pointsRepo.byEntryKey(ex, spendEntryKey(orderId));
  if (!spent) return 0;
  const owner = await pointsRepo.lockOwner(ex, spent.customerId);
  if (!owner || owner.closed) return 0;
  return returnSpend(ex, owner, spent, {
    entryKey: `unspend:${orderId}`,
    orderId,
    note: '撤销消费，退回抵扣的积分',
    now,
  });
}

/** Appends the return of a spend line (`owner`: pointsRepo.lockOwner of its customer); the points returned, 0 if done. */
export async function returnSpend(
  ex: Executor,
  owner: PointsOwner,
  spent: PointsLedgerRow,
  v: { entryKey: string; orderId: string | null; storeId?: string; note: string; now: Date },
): Promise<number> {
  const appended = await appendFollowingMerges(
    ex,
    owner,
    {
      customerId: spent.customerId,
      kind: 'reverse',
      points: -spent.points,
      entryKey: v.entryKey,
      orderId: v.orderId,
      storeId: v.storeId ?? spent.storeId,
      earnYear: null,
      note: v.note,
      occurredAt: v.now,
    },
    `${v.note}（合并前的抵扣）`,
  );
  return appended ? -spent.points : 0;
}

/** Appends the expiries that fell due (idempotent per customer and year) and returns the balance. */
export async function settledBalance(ex: Executor, customerId: string, now: Date) {
  const ledger = await pointsRepo.ledger(ex, customerId);
  const state = pointsState(ledger, now);
  for (const expiry of state.pendingExpiries) {
    await pointsRepo.append(ex, {
      customerId,
      kind: 'expire',
      points: -expiry.points,
      entryKey: `expire:${customerId}:${expiry.earnYear}`,
      earnYear: expiry.earnYear,
      note: `${expiry.earnYear}年获得的积分到期`,
      occurredAt: expiry.at,
    });
  }
  return state;
}

export const POINTS_RULES_ZH = [
  '每消费1元积1分（按实付金额，不足1元不计）',
  '单笔实付满200元（处方药不计入），积分翻倍',
  '处方药不参与积分',
  '当年获得的积分，在次年12月31日24点到期',
  '订单退款时，扣回该订单获得的积分；其中已用掉的记为负积分，由之后消费获得的积分先补足，补足前不能抵现',
  '积分可抵现：每100积分抵1元，结账时出示会员码使用；抵现部分不再积分，退款时退回',
  `用未登记的会员卡消费的，会员卡登记后补记积分（限消费后${LATE_EARN_DAYS}天内）`,
];

/** The member's balance (expiries settled), next expiry, and tier by the last 12 months' spend. */
export async function pointsStanding(ex: Executor, customerId: string, now: Date) {
  const [state, spendFen] = await Promise.all([
    settledBalance(ex, customerId, now),
    pointsRepo.spendSince(ex, customerId, tierWindowStart(now)),
  ]);
  const tier = tierFor(spendFen);
  return {
    balance: state.balance,
    nextExpiry: state.nextExpiry
      ? { points: state.nextExpiry.points, lastDay: businessDate(new Date(state.nextExpiry.at.getTime() - 1)) }
      : null,
    tier: { code: tier.tier.code, name: tier.tier.name, benefits: [...tier.tier.benefits] },
    spendFen,
    nextTier: tier.next ? { name: tier.next.tier.name, missingFen: tier.next.missingFen } : null,
  };
}

export async function memberPoints(ex: Executor, customerId: string, now: Date, birthday: string | null) {
  // the expiries the standing settles are appended first, so the lines show them
  const standing = await pointsStanding(ex, customerId, now);
  const lines = await pointsRepo.recent(ex, customerId, 200);
  return {
    ...standing,
    rules: POINTS_RULES_ZH,
    birthday,
    ledger: lines.map((l) => ({
      id: l.id,
      kind: l.kind,
      points: l.points,
      note: l.note,
      occurredAt: l.occurredAt.toISOString(),
    })),
  };
}
