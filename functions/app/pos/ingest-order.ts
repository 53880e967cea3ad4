/**
 * POS order ingest: the order and its lines land once per (source, order number, store) however often the POS
 * replays it, and a known member earns points once (the ledger's entry key `earn:<order>`). A card MedLoop does not
 * know yet keeps the order's points waiting on the order (`points_on_attach`), credited when the card's record
 * arrives. An order number is the store's receipt number: another store's sale with the same number is a sale of
 * its own, and nothing of it is ever in this store's answer. The same number sent again with other contents is
 * refused (ORDER_CHANGED), as the history ingest refuses it (`order_changed`), never answered as if recorded.
 */
import { COUNTER_MAX_ORDER_FEN } from '../../../shared/contracts/counter.js';
import type { PosOrderBody, PosOrderResponse } from '../../../shared/contracts/loyalty.js';
import { type ErrorCode, fail, ok, type Result } from '../../../shared/errors.js';
import {
  lineAmountExceeds,
  type NormalizedOrder,
  ORDER_FUTURE_SKEW_MS,
  orderTimeRefusal,
} from '../../../shared/identity/order.js';
import { lateEarnAllowed, pointsForOrder } from '../../../shared/points/points.rules.js';
import type { Db, Tx } from '../../adapters/db/client.js';
import { pointsRepo } from '../../adapters/db/repos/points.repo.js';
import { posRepo } from '../../adapters/db/repos/pos.repo.js';
import { newId } from '../../adapters/ids.js';
import { sameOrderContents, tillOrderHash } from '../identity/ingest-orders.js';
import { resolveMemberCode } from '../members/member-code.js';
import { earnForOrder, settledBalance } from '../points/points.js';
import { idempotent } from './idempotent.js';
import type { PosCaller } from './redeem.js';

export async function ingestPosOrder(
  db: Db,
  caller: PosCaller,
  body: PosOrderBody,
  now: Date,
): Promise<Result<PosOrderResponse, ErrorCode>> {
  const when = orderTimeProblem(body.orderedAt, now);
  if (when) return fail('ORDER_DATE_INVALID', when);
  const over = body.lines.findIndex((l) => lineAmountExceeds(l));
  if (over >= 0) {
    const l = body.lines[over];
    return fail(
      'ORDER_LINE_AMOUNT_INVALID',
      `line ${over + 1}: amountFen ${l.amountFen} is more than quantity ${l.quantity} × unitPriceFen ${l.unitPriceFen}: a line may cost less (a line discount), never more`,
    );
  }
  const linesFen = body.lines.reduce((s, l) => s + l.amountFen, 0);
  if (linesFen !== body.totalFen || body.paidFen !== body.totalFen - body.discountFen) {
    return fail(
      'ORDER_AMOUNT_MISMATCH',
      `lines ${linesFen} fen, total ${body.totalFen}, discount ${body.discountFen}, paid ${body.paidFen}: paid must be total - discount and total the sum of the lines`,
    );
  }
  // the counter's bound: a pharmacy order above it is a typo (yuan sent as fen, a digit too many), and recording it
  // would credit points for a sale that never happened (one of 1,000,000 yuan earned 2,000,000 points)
  if (body.totalFen > COUNTER_MAX_ORDER_FEN) {
    return fail(
      'ORDER_AMOUNT_TOO_LARGE',
      `totalFen ${body.totalFen} is more than ${COUNTER_MAX_ORDER_FEN} fen (${COUNTER_MAX_ORDER_FEN / 100} yuan), the most one order may be: check the amounts are in fen`,
    );
  }
  return idempotent(db, { keyId: caller.keyId, operation: 'order', idempotencyKey: body.idempotencyKey, body }, (tx) =>
    ingestInTx(tx, caller, body, now),
  );
}

/**
 * Why the order's time cannot be a sale's, or null: the bounds of the ingest of history (shared/identity/order.ts),
 * by the server's clock. The schema takes any ISO time with a zone, year 0 and 9999 included.
 */
function orderTimeProblem(orderedAt: string, now: Date): string | null {
  const at = new Date(orderedAt);
  if (Number.isNaN(at.getTime())) return `orderedAt ${orderedAt} is not a time`;
  const refused = orderTimeRefusal(at, now);
  if (refused === 'ordered_at_future')
    return `orderedAt ${orderedAt} is more than ${ORDER_FUTURE_SKEW_MS / 60_000} minutes after the server's time ${now.toISOString()}: check the till's clock and time zone`;
  if (refused === 'ordered_at_too_old') return `orderedAt ${orderedAt} is before 2000`;
  return null;
}

/**
 * The till's order in the terms of the history ingest's content hash (orderHash, shared with /api/ingest/orders and
 * the file import), so a replay is compared as they compare one. The member as the till named it: its card, or that
 * a member code was scanned, not the code: codes change every 90 s, and a resent receipt after a re-scan is the same
 * sale.
 */
function tillOrder(body: PosOrderBody, orderedAt: Date): NormalizedOrder {
  const cardNo = body.posCardNo?.trim();
  return {
    externalId: body.externalId,
    kind: 'sale',
    originalExternalId: null,
    memberId: body.memberCode ? 'code:' : cardNo ? `card:${cardNo}` : null,
    storeCode: null,
    orderedAt,
    totalFen: body.totalFen,
    discountFen: body.discountFen,
    paidFen: body.paidFen,
    lines: body.lines.map((l) => ({
      sku: l.sku,
      productName: null,
      quantity: l.quantity,
      unitPriceFen: l.unitPriceFen,
      amountFen: l.amountFen,
    })),
  };
}

async function ingestInTx(
  tx: Tx,
  caller: PosCaller,
  body: PosOrderBody,
  now: Date,
): Promise<Result<PosOrderResponse, ErrorCode>> {
  const orderedAt = new Date(body.orderedAt);
  const contents = tillOrderHash(tillOrder(body, orderedAt), caller.storeId);
  let customerId: string | null = null;
  if (body.memberCode) {
    const member = await resolveMemberCode(tx, body.memberCode, now, { soldAt: orderedAt });
    if (!member.ok) {
      // an order that counted already (a replay once its code is purged) is answered as it counted
      const known = await replayAnswer(tx, caller.storeId, body.externalId, contents, now);
      return known ?? member;
    }
    customerId = member.value.customerId;
  } else if (body.posCardNo) {
    customerId = await posRepo.customerOfPosCard(tx, body.posCardNo.trim());
  }

  const catalogue = await posRepo.productsBySku(
    tx,
    body.lines.map((l) => l.sku),
  );
  const lines = body.lines.map((l, i) => {
    const product = catalogue.get(l.sku);
    return { line: l, product, rx: product?.rx ?? l.rx ?? false, lineNo: i + 1 };
  });
  const earnOrder = { paidFen: body.paidFen, lines: lines.map((l) => ({ amountFen: l.line.amountFen, rx: l.rx })) };
  const cardNo = body.posCardNo?.trim() || null;
  // History earns nothing: a sale older than LATE_EARN_DAYS when it reaches MedLoop (a till re-sending old sales, a
  // year typed wrong) is the member's purchase history, as its import would be, by a known card as by one whose
  // record comes later (which would credit it no later than that either). A member code is live at its sale only.
  const tooOld = !lateEarnAllowed(orderedAt, now);
  // a card the till knows before MedLoop does: the points wait with the order for the card's record
  const pointsOnAttach = !customerId && cardNo && !tooOld ? pointsForOrder(earnOrder).points : null;

  const orderId = newId('ord', now.getTime());
  const inserted = await posRepo.insertOrderOnce(tx, {
    id: orderId,
    source: 'pos',
    externalId: body.externalId,
    storeId: caller.storeId,
    customerId,
    // a card the till knows before MedLoop does: the order waits for the card's record and then joins its customer
    memberSourceId: cardNo,
    pointsOnAttach,
    totalFen: body.totalFen,
    discountFen: body.discountFen,
    paidFen: body.paidFen,
    orderedAt,
    // what a replay under a new key is compared with (ORDER_CHANGED)
    payloadHash: contents,
    // by the clock the rules use: a replay tells a sale that was history when it arrived (replayAnswer)
    createdAt: now,
  });
  if (!inserted) {
    // this store's order number under a new idempotency key: it already counted, answer with what it earned
    const known = await replayAnswer(tx, caller.storeId, body.externalId, contents, now);
    if (!known) throw new Error(`order ${body.externalId} conflicted but is not visible`);
    return known;
  }

  await posRepo.insertLines(
    tx,
    lines.map(({ line, product, lineNo }) => ({
      orderId,
      lineNo,
      productId: product?.id ?? null,
      sku: line.sku,
      quantity: line.quantity,
      unitPriceFen: line.unitPriceFen,
      amountFen: line.amountFen,
    })),
  );

  let pointsEarned = 0;
  let pointsBalance: number | null = null;
  if (customerId) {
    if (!tooOld) {
      const store = await posRepo.storeExists(tx, caller.storeId);
      pointsEarned = await earnForOrder(tx, {
        customerId,
        orderId,
        storeId: caller.storeId,
        storeName: store?.name ?? null,
        order: earnOrder,
        now,
      });
    }
    pointsBalance = (await settledBalance(tx, customerId, now)).balance;
  }
  return ok({
    orderId,
    customerId,
    pointsEarned,
    pointsBalance,
    pointsPending: pointsOnAttach ?? 0,
    refunded: false,
    noPointsReason: tooOld && (customerId || cardNo) ? 'sale_too_old' : null,
  });
}

/**
 * The answer for this store's order number that counted already: what it earned, net of a refund's reversal, and
 * the balance now; ORDER_CHANGED when the body is not the order recorded (the same comparison as the history
 * ingest's `order_changed`); null when the store has no order of the number. Another store's order of the number is
 * never looked at: its member and balance are not this till's to read.
 */
async function replayAnswer(
  tx: Tx,
  storeId: string,
  externalId: string,
  contents: string,
  now: Date,
): Promise<Result<PosOrderResponse, 'ORDER_CHANGED'> | null> {
  const existing = await posRepo.orderByExternalId(tx, 'pos', externalId, storeId);
  if (!existing) return null;
  if (!sameOrderContents(existing.payloadHash, contents)) {
    return fail(
      'ORDER_CHANGED',
      `order ${externalId} was recorded at this store with other contents (amounts, lines, time or member): a recorded sale is not changed; a refund is /api/pos/void, another sale needs its own number`,
    );
  }
  const earned = await pointsRepo.byEntryKey(tx, `earn:${existing.id}`);
  const reversed = earned ? await pointsRepo.byEntryKey(tx, `reverse:${existing.id}`) : null;
  const refunded = existing.refundedAt !== null;
  const member = existing.customerId !== null || existing.memberSourceId !== null;
  return ok({
    orderId: existing.id,
    customerId: existing.customerId,
    // a refunded sale's points were taken back (`reverse:<order>`): what it earned is what is left of them
    pointsEarned: (earned?.points ?? 0) + (reversed?.points ?? 0),
    pointsBalance: existing.customerId ? (await settledBalance(tx, existing.customerId, now)).balance : null,
    pointsPending: earned || existing.customerId || refunded ? 0 : (existing.pointsOnAttach ?? 0),
    refunded,
    noPointsReason:
      !earned && member && !lateEarnAllowed(existing.orderedAt, existing.createdAt) ? 'sale_too_old' : null,
  });
}
