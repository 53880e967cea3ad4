/**
 * POS order ingest: the order and its lines land once per (source, external id) however often the POS replays it,
 * and a known member earns points once (the ledger's entry key `earn:<order>`). A card MedLoop does not know yet
 * keeps the order's points waiting on the order (`points_on_attach`), credited when the card's record arrives.
 */
import type { PosOrderBody, PosOrderResponse } from '../../../shared/contracts/loyalty.js';
import { type ErrorCode, fail, ok, type Result } from '../../../shared/errors.js';
import { lineAmountExceeds, ORDER_FUTURE_SKEW_MS, orderTimeRefusal } from '../../../shared/identity/order.js';
import { pointsForOrder } from '../../../shared/points/points.rules.js';
import type { Db, Tx } from '../../adapters/db/client.js';
import { pointsRepo } from '../../adapters/db/repos/points.repo.js';
import { posRepo } from '../../adapters/db/repos/pos.repo.js';
import { newId } from '../../adapters/ids.js';
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

async function ingestInTx(
  tx: Tx,
  caller: PosCaller,
  body: PosOrderBody,
  now: Date,
): Promise<Result<PosOrderResponse, ErrorCode>> {
  let customerId: string | null = null;
  if (body.memberCode) {
    const member = await resolveMemberCode(tx, body.memberCode, now, { soldAt: new Date(body.orderedAt) });
    if (!member.ok) {
      // an order that counted already (a replay once its code is purged) is answered as it counted
      const known = await replayAnswer(tx, body.externalId, now);
      return known ? ok(known) : member;
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
  // a card the till knows before MedLoop does: the points wait with the order for the card's record
  const pointsOnAttach = !customerId && cardNo ? pointsForOrder(earnOrder).points : null;

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
    orderedAt: new Date(body.orderedAt),
  });
  if (!inserted) {
    // the same order under a new idempotency key: it already counted, answer with what it earned
    const known = await replayAnswer(tx, body.externalId, now);
    if (!known) throw new Error(`order ${body.externalId} conflicted but is not visible`);
    return ok(known);
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
    const store = await posRepo.storeExists(tx, caller.storeId);
    pointsEarned = await earnForOrder(tx, {
      customerId,
      orderId,
      storeId: caller.storeId,
      storeName: store?.name ?? null,
      order: earnOrder,
      now,
    });
    pointsBalance = (await settledBalance(tx, customerId, now)).balance;
  }
  return ok({ orderId, customerId, pointsEarned, pointsBalance, pointsPending: pointsOnAttach ?? 0 });
}

/** The answer for an order number that counted already: what it earned, and the balance now; null when unknown. */
async function replayAnswer(tx: Tx, externalId: string, now: Date): Promise<PosOrderResponse | null> {
  const existing = await posRepo.orderByExternalId(tx, 'pos', externalId);
  if (!existing) return null;
  const earned = await pointsRepo.byEntryKey(tx, `earn:${existing.id}`);
  return {
    orderId: existing.id,
    customerId: existing.customerId,
    pointsEarned: earned?.points ?? 0,
    pointsBalance: existing.customerId ? (await settledBalance(tx, existing.customerId, now)).balance : null,
    pointsPending: earned || existing.customerId ? 0 : (existing.pointsOnAttach ?? 0),
  };
}
