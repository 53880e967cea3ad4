/**
 * Coupon redemption at the POS: by the coupon's own code, or by the member code (the coupon the cashier picked, or
 * the best applicable one).
 *
 * By code, ONE round trip (redeemByCodeAtOnce): the shared rules (shared/coupons) evaluate the order against every
 * cached template (redeem-templates.ts: store, eligible items, threshold, discount), and one statement
 * (couponRepo.redeemByCode, migration 0015) finds the coupon and writes only if its template is one that accepted
 * the order, unchanged since it was cached, and the coupon is redeemable now (couponLifecycle's conditions).
 * Anything else (a refusal, a template not cached or changed) writes nothing and takes the slow path below.
 *
 * The slow path (and the member code): read the coupon and let the rules decide, then write in ONE statement
 * (couponRepo.redeemOnce). Both writes do the same: claim the idempotency key with the answer, the conditional
 * UPDATE that makes "never twice" true under any concurrency, the redemption row. A retry gets the first answer:
 * from that statement when the decision was yes, from the stored answer when it was no (the coupon is used by then).
 *
 * Both paths read the order as the catalogue has it: a line's SKU brings the catalogue's Rx flag and category
 * (catalogueLines), one query before either path, and only when a line names a SKU.
 *
 * 每单限用一张 (every coupon's rules say so, coupon.describe.ts): a receipt, the till's externalOrderId at its store,
 * carries at most one live (not voided) coupon redemption. Both statements check it where they write, before
 * claiming the key (migration 0048): another coupon's live redemption on the receipt refuses this one with
 * 409 ORDER_HAS_COUPON, nothing written, so a retry under the same key gets the same refusal, or goes through once
 * the till has voided the first. The one-round-trip statement answers it itself (it only gets there when the rules
 * accepted the coupon: the slow path would answer the same, without a read, a second write and a template cache
 * thrown away); the slow path gets it from its write, after the rules (a coupon the rules refuse is refused for
 * that). The same coupon again is COUPON_USED as before; the key's first answer still comes first (a replay, or
 * IDEMPOTENCY_CONFLICT for another request under a used key). A redemption without an externalOrderId cannot be
 * checked: nothing says which receipt it is on. Two different coupons for one receipt in flight at the same instant
 * (which a till, waiting for each answer, does not send) can both go through: see migration 0048 for why no lock or
 * unique index closes that.
 */

import type { PosRedeemBody, PosRedeemResponse } from '../../../shared/contracts/loyalty.js';
import { couponHeadline } from '../../../shared/coupons/coupon.describe.js';
import {
  evaluateRedemption,
  isCouponCode,
  type OrderInput,
  type OrderLineInput,
  pickBestCoupon,
  type RedemptionPlan,
} from '../../../shared/coupons/coupon.rules.js';
import { type ErrorCode, fail, ok, type Result } from '../../../shared/errors.js';
import type { Db } from '../../adapters/db/client.js';
import { type CouponRow, type CouponTemplateRow, couponRepo } from '../../adapters/db/repos/coupon.repo.js';
import { posRepo } from '../../adapters/db/repos/pos.repo.js';
import { newId } from '../../adapters/ids.js';
import { resolveMemberCode } from '../members/member-code.js';
import { answerFromStored, type IdempotencyScope, requestHash, storedAnswer } from './idempotent.js';
import { invalidateRedeemTemplates, redeemTemplates, templateRule } from './redeem-templates.js';

export { templateRule };

export interface PosCaller {
  keyId: string;
  storeId: string;
}

export async function redeemAtPos(
  db: Db,
  caller: PosCaller,
  body: PosRedeemBody,
  now: Date,
): Promise<Result<PosRedeemResponse, ErrorCode>> {
  if (body.lines) {
    const sum = body.lines.reduce((s, l) => s + l.amountFen, 0);
    if (sum !== body.orderAmountFen) {
      return fail('ORDER_AMOUNT_MISMATCH', `lines add up to ${sum} fen, orderAmountFen is ${body.orderAmountFen}`);
    }
  }
  if (body.couponCode && !isCouponCode(body.couponCode.trim())) {
    return fail('COUPON_CODE_INVALID', 'a coupon code is 16 digits with a valid check digit');
  }
  const scope = { keyId: caller.keyId, operation: 'redeem' as const, idempotencyKey: body.idempotencyKey, body };
  const hash = requestHash(body);
  const order: OrderInput = {
    storeId: caller.storeId,
    amountFen: body.orderAmountFen,
    lines: await catalogueLines(db, body.lines),
  };
  const fast = body.couponCode
    ? await redeemByCodeAtOnce(db, caller, body, order, body.couponCode, scope, hash, now)
    : null;
  if (fast) return fast;
  // read and decide, without a transaction: nothing is written unless the decision is yes
  const decided = await decideRedemption(db, body, order, now);
  // a refusal is the answer unless this key already has one (a retry of a request that went through)
  if (!decided.ok) return (await storedAnswer<PosRedeemResponse>(db, scope, hash)) ?? decided;

  const { coupon, template, plan } = decided.value;
  // the one-round-trip path could have written this: its cached template is missing or stale
  if (body.couponCode) invalidateRedeemTemplates(db);
  const action = plan.actions.find((a) => a.action === 'redeem_coupon');
  if (!action || action.action !== 'redeem_coupon') throw new Error(`no redeem action for coupon ${coupon.id}`);
  const redemptionId = newId('rdm', now.getTime());
  const response: PosRedeemResponse = {
    redemptionId,
    couponId: coupon.id,
    couponName: template.name,
    headline: couponHeadline(templateRule(template)),
    customerId: coupon.customerId,
    storeId: caller.storeId,
    orderAmountFen: body.orderAmountFen,
    eligibleFen: plan.eligibleFen,
    discountFen: plan.discountFen,
    payableFen: body.orderAmountFen - plan.discountFen,
    redeemedAt: now.toISOString(),
  };
  // one statement: claim the key with this answer, take the coupon if still available, record the redemption
  const written = await couponRepo.redeemOnce(db, {
    keyId: caller.keyId,
    idempotencyKey: body.idempotencyKey,
    requestHash: hash,
    response,
    couponId: action.couponId,
    customerId: coupon.customerId,
    storeId: action.storeId,
    redemptionId,
    externalOrderId: body.externalOrderId ?? null,
    orderAmountFen: body.orderAmountFen,
    discountFen: action.discountFen,
    now,
  });
  if (written.outcome === 'redeemed') return ok(response);
  if (written.outcome === 'stored') return answerFromStored<PosRedeemResponse>(scope, hash, written.stored);
  if (written.outcome === 'order_has_coupon') return orderHasCoupon(body, written);
  // of any number of concurrent attempts, exactly one found the coupon still available
  return fail('COUPON_USED', `coupon ${coupon.id} has already been used`);
}

/**
 * The order's lines as the rules read them: a line whose SKU is in the catalogue takes the catalogue's Rx flag and
 * category over the till's (a till sending rx:false, or no flag, for a prescription drug got it discounted, while
 * /api/pos/orders kept the same SKU out of the points). A SKU the catalogue does not know keeps the till's flags, as
 * the order ingest does (ingest-order.ts): a till sells what HQ's catalogue has not caught up with yet, and refusing
 * would hold up the checkout. One query by the SKUs' unique index, only when a line names a SKU: a request without
 * one keeps the one round trip. Not cached, as the order ingest's lookup is not: a drug reclassified as prescription
 * is kept out of the next redemption, not one a cache period later.
 */
async function catalogueLines(db: Db, lines: PosRedeemBody['lines']): Promise<readonly OrderLineInput[] | undefined> {
  const skus = (lines ?? []).flatMap((l) => (l.sku ? [l.sku] : []));
  if (!lines || skus.length === 0) return lines;
  const catalogue = await posRepo.productsBySku(db, skus);
  return lines.map((l) => {
    const product = l.sku ? catalogue.get(l.sku) : undefined;
    return product ? { amountFen: l.amountFen, rx: product.rx, category: product.category } : l;
  });
}

/** Evaluating an order against a template alone: a coupon redeemable now (its own state is checked in SQL). */
const REDEEMABLE = {
  id: '',
  status: 'available',
  validFrom: new Date(-8.64e15),
  validUntil: new Date(8.64e15),
} as const;

/**
 * Redemption by code in one round trip, or null: nothing written, decide the slow way. The rules decide for every
 * cached template; the statement applies the verdict of the coupon's own template (see the file's comment).
 */
async function redeemByCodeAtOnce(
  db: Db,
  caller: PosCaller,
  body: PosRedeemBody,
  order: OrderInput,
  couponCode: string,
  scope: IdempotencyScope,
  hash: string,
  now: Date,
): Promise<Result<PosRedeemResponse, ErrorCode> | null> {
  const cached = await redeemTemplates(db);
  const accepted: number[] = [];
  const discountFen: number[] = [];
  const eligibleFen: number[] = [];
  for (let i = 0; i < cached.templates.length; i++) {
    const plan = evaluateRedemption(REDEEMABLE, cached.templates[i].rule, order, now);
    if (!plan.ok) continue;
    accepted.push(i);
    discountFen.push(plan.value.discountFen);
    eligibleFen.push(plan.value.eligibleFen);
  }
  // no template accepts this order: the slow path says why
  if (accepted.length === 0) return null;
  const literals = cached.literals(accepted);
  const redemptionId = newId('rdm', now.getTime());
  const written = await couponRepo.redeemByCode(db, {
    keyId: caller.keyId,
    idempotencyKey: body.idempotencyKey,
    requestHash: hash,
    code: couponCode.trim(),
    storeId: caller.storeId,
    redemptionId,
    externalOrderId: body.externalOrderId ?? null,
    orderAmountFen: body.orderAmountFen,
    now,
    // the answer's fields that do not depend on the coupon; the statement adds the coupon's and its template's
    responseBase: {
      redemptionId,
      storeId: caller.storeId,
      orderAmountFen: body.orderAmountFen,
      redeemedAt: now.toISOString(),
    },
    templateIds: literals.ids,
    fingerprints: literals.fingerprints,
    discountFen,
    eligibleFen,
    headlines: literals.headlines,
  });
  switch (written.outcome) {
    case 'redeemed':
      return ok(written.response as PosRedeemResponse);
    case 'used':
      // of any number of concurrent attempts, exactly one found the coupon still available
      return fail('COUPON_USED', 'this coupon has already been used');
    case 'order_has_coupon':
      return orderHasCoupon(body, written);
    case 'stored':
      return answerFromStored<PosRedeemResponse>(scope, hash, written.stored);
    case 'undecided':
      // a refusal (or a template the cache does not know): the key's first answer if it has one, else decide
      return written.stored ? answerFromStored<PosRedeemResponse>(scope, hash, written.stored) : null;
  }
}

/**
 * 每单限用一张: the refusal of another coupon on a receipt that has one (store, externalOrderId), for the till's
 * developer: which receipt, and the coupon and redemption already on it (void that to use another coupon).
 */
function orderHasCoupon(body: PosRedeemBody, found: { couponId: string; redemptionId: string }) {
  const externalOrderId = body.externalOrderId ?? '';
  return fail(
    'ORDER_HAS_COUPON',
    `receipt ${externalOrderId} already has coupon ${found.couponId} redeemed at this store (redemption ` +
      `${found.redemptionId}): one coupon per receipt. Void that redemption first to use another coupon on it`,
    { externalOrderId, couponId: found.couponId, redemptionId: found.redemptionId },
  );
}

/**
 * The coupon the request names (or the best one of the member's) and the rules' verdict on this order. Reads only.
 * The receipt's one coupon is checked where the redemption is written (pos_redeem_coupon), not here: a read here
 * would cost every slow-path redemption a round trip, and the write has to check again anyway.
 */
async function decideRedemption(
  db: Db,
  body: PosRedeemBody,
  order: OrderInput,
  now: Date,
): Promise<Result<{ coupon: CouponRow; template: CouponTemplateRow; plan: RedemptionPlan }, ErrorCode>> {
  let picked: { coupon: CouponRow; template: CouponTemplateRow } | null = null;

  if (body.couponCode) {
    picked = await couponRepo.couponWithTemplateByCodePrepared(db, body.couponCode.trim());
    if (!picked) return fail('COUPON_NOT_FOUND', 'no coupon has this code');
  } else if (body.memberCode) {
    const member = await resolveMemberCode(db, body.memberCode, now);
    if (!member.ok) return member;
    if (body.couponId) {
      picked = await couponRepo.couponWithTemplateById(db, body.couponId);
      // another member's coupon is "not found" for this member: say nothing about it
      if (!picked || picked.coupon.customerId !== member.value.customerId) {
        return fail('COUPON_NOT_FOUND', `member has no coupon ${body.couponId}`);
      }
    } else {
      const candidates = await couponRepo.availableCoupons(db, member.value.customerId, now);
      const best = pickBestCoupon(
        candidates.map((c) => ({ ...c.coupon, template: templateRule(c.template), row: c })),
        order,
        now,
      );
      if (!best) return fail('NO_APPLICABLE_COUPON', 'the member has no coupon that applies to this order');
      picked = best.coupon.row;
    }
  }
  if (!picked) return fail('VALIDATION_FAILED', 'send a couponCode or a memberCode');

  const { coupon, template } = picked;
  const plan = evaluateRedemption(coupon, templateRule(template), order, now);
  if (!plan.ok) return plan;
  return ok({ coupon, template, plan: plan.value });
}
