/**
 * Points, pure. The ledger is append-only; these functions read it and say what to append.
 *
 * Earning (configurable, EarnConfig): 1 point per whole yuan paid, doubled on orders paying ≥ 200 yuan.
 * Prescription lines earn nothing by default: rewarding Rx purchases reads as an inducement to buy prescription
 * drugs (NMPA rules forbid gifts tied to Rx sales), so a chain turns it on only where its regulator allows. For the
 * same reason the 200 yuan that doubles the points are counted on what earns: a prescription drug in the basket
 * never lifts the rest of it over the threshold.
 *
 * Expiry: points credited in business year Y (Asia/Shanghai) expire at the end of year Y+1 (31 Dec 24:00), so every
 * point lives 12 to 24 months, and a member only ever has two "generations" to think about. Points leave
 * oldest-first (FIFO) when spent.
 */

import { businessYear, startOfBusinessYear } from '../coupons/business-day.js';
import { fail, ok, type Result } from '../errors.js';

export interface EarnConfig {
  pointsPerYuan: number;
  /** orders paying at least this much (fen) of what earns (prescription lines count only if `rxEarns`) earn
   * `multiplier` times the points */
  bonusThresholdFen: number;
  multiplier: number;
  /** whether prescription lines earn points */
  rxEarns: boolean;
}

export const DEFAULT_EARN_CONFIG: EarnConfig = {
  pointsPerYuan: 1,
  bonusThresholdFen: 20_000,
  multiplier: 2,
  rxEarns: false,
};

export interface EarnOrder {
  paidFen: number;
  lines?: readonly { amountFen: number; rx?: boolean }[];
}

export interface EarnPlan {
  points: number;
  eligibleFen: number;
  bonus: boolean;
}

/** Points an order earns. The paid amount is shared between lines pro rata, so a discount lowers every line. */
export function pointsForOrder(order: EarnOrder, config: EarnConfig = DEFAULT_EARN_CONFIG): EarnPlan {
  let eligibleFen = order.paidFen;
  const lines = order.lines ?? [];
  const linesFen = lines.reduce((s, l) => s + l.amountFen, 0);
  if (!config.rxEarns && linesFen > 0) {
    const nonRxFen = lines.filter((l) => !l.rx).reduce((s, l) => s + l.amountFen, 0);
    eligibleFen = Math.floor((order.paidFen * nonRxFen) / linesFen);
  }
  const bonus = eligibleFen >= config.bonusThresholdFen;
  // whole yuan only: 199.99 yuan earns 199 points, never a fraction
  const points = Math.floor(eligibleFen / 100) * config.pointsPerYuan * (bonus ? config.multiplier : 1);
  return { points: Math.max(0, points), eligibleFen, bonus };
}

/**
 * A till sale to a card MedLoop does not know yet (opened at the counter, its record not synced) earns its points
 * when the card's record arrives, if that is within this many days of the sale; later, the sale is history.
 */
export const LATE_EARN_DAYS = 90;

export function lateEarnAllowed(orderedAt: Date, now: Date): boolean {
  return now.getTime() - orderedAt.getTime() <= LATE_EARN_DAYS * 86_400_000;
}

/** When points credited in `earnYear` expire: 00:00 on 1 January two years later, Asia/Shanghai. */
export function pointsExpiryAt(earnYear: number): Date {
  return startOfBusinessYear(earnYear + 2);
}

export function earnYearOf(at: Date): number {
  return businessYear(at);
}

export type PointsKind = 'earn' | 'spend' | 'expire' | 'reverse' | 'adjust' | 'transfer';

export interface LedgerLine {
  kind: PointsKind;
  points: number;
  /**
   * earn: the year credited; expire: the year that expired; reverse of an earn: the reversed earn's year;
   * transfer (merge or its undo): the bucket moved, null when a debt moves
   */
  earnYear: number | null;
  occurredAt: Date;
}

export interface PointsState {
  balance: number;
  /** what is left per earn year (live years only, oldest first); a merge moves exactly these */
  buckets: { earnYear: number; points: number }[];
  /** points spent beyond what was earned (a reversed earn after a spend): a negative balance part */
  debt: number;
  /** expiries due by `now` that the ledger does not hold yet: append them (`expire:<customer>:<year>`) */
  pendingExpiries: { earnYear: number; points: number; at: Date }[];
  /** the next batch to expire, for "N points expire on 31 Dec" */
  nextExpiry: { points: number; at: Date } | null;
}

/**
 * Replays the ledger: per-year buckets, debits FIFO from the oldest, explicit expiry lines zeroing their year,
 * and expiries the ledger has not recorded yet applied virtually (and reported as pending).
 */
export function pointsState(ledger: readonly LedgerLine[], now: Date): PointsState {
  const lines = [...ledger].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const recordedExpiry = new Set(lines.filter((l) => l.kind === 'expire').map((l) => l.earnYear));
  const buckets = new Map<number, number>();
  let debt = 0;
  const pending: PointsState['pendingExpiries'] = [];

  const expireDue = (at: Date) => {
    for (const year of [...buckets.keys()].sort((a, b) => a - b)) {
      const expiry = pointsExpiryAt(year);
      if (expiry.getTime() > at.getTime() || recordedExpiry.has(year)) continue;
      const left = buckets.get(year) ?? 0;
      if (left > 0) pending.push({ earnYear: year, points: left, at: expiry });
      buckets.delete(year);
    }
  };
  const credit = (year: number, points: number) => {
    const paid = Math.min(debt, points);
    debt -= paid;
    if (points - paid > 0) buckets.set(year, (buckets.get(year) ?? 0) + points - paid);
  };
  const debit = (points: number, preferYear: number | null) => {
    let rest = points;
    const order = [...buckets.keys()].sort((a, b) => a - b);
    if (preferYear !== null && buckets.has(preferYear)) order.unshift(preferYear);
    for (const year of order) {
      if (rest === 0) break;
      const have = buckets.get(year) ?? 0;
      const take = Math.min(have, rest);
      if (have - take > 0) buckets.set(year, have - take);
      else buckets.delete(year);
      rest -= take;
    }
    debt += rest;
  };

  for (const line of lines) {
    expireDue(line.occurredAt);
    // every line moves the balance by exactly its points, so the balance is always the ledger's sum
    if (line.points > 0) {
      // a transfer keeps its earn year so merged points expire when they would have anyway
      const keepsYear = (line.kind === 'earn' || line.kind === 'transfer') && line.earnYear !== null;
      credit(keepsYear && line.earnYear !== null ? line.earnYear : earnYearOf(line.occurredAt), line.points);
    } else {
      const fromYear = line.kind === 'reverse' || line.kind === 'expire' || line.kind === 'transfer';
      debit(-line.points, fromYear ? line.earnYear : null);
    }
  }
  expireDue(now);

  const total = [...buckets.values()].reduce((s, v) => s + v, 0);
  const oldest = [...buckets.entries()].sort((a, b) => a[0] - b[0])[0];
  return {
    balance: total - debt,
    buckets: [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([earnYear, points]) => ({ earnYear, points })),
    debt,
    pendingExpiries: pending,
    nextExpiry: oldest ? { points: oldest[1], at: pointsExpiryAt(oldest[0]) } : null,
  };
}

/** Points as payment at the POS: 100 points take 1 yuan (100 fen) off. */
export const FEN_PER_POINT = 1;
/** Points are spent in whole hundreds (whole yuan). */
export const POINTS_SPEND_STEP = 100;

/** What a balance can pay at the till or the counter, in fen: its whole hundreds. */
export const spendableFen = (balance: number): number =>
  Math.max(0, Math.floor(balance / POINTS_SPEND_STEP)) * POINTS_SPEND_STEP * FEN_PER_POINT;

/** Whether a member can spend `points` now. */
export function planSpend(state: PointsState, points: number): Result<{ points: number }, 'INSUFFICIENT_POINTS'> {
  if (!Number.isInteger(points) || points <= 0) throw new Error('points to spend must be a positive integer');
  if (state.balance < points) return fail('INSUFFICIENT_POINTS', `balance ${state.balance} < ${points}`);
  return ok({ points });
}
