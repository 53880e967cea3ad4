/**
 * Coupon redemption at the POS: by the coupon's own code, or by the member code (the coupon the cashier picked, or
 * the best applicable one). Two round trips: read the coupon and let the rule decide (shared/coupons), then write
 * in ONE statement (couponRepo.redeemOnce): claim the idempotency key with the answer, the conditional UPDATE that
 * makes "never twice" true under any concurrency, the redemption row. A retry gets the first answer: from that
 * statement when the decision was yes, from storedAnswer when it was no (the coupon is used by then).
 */

import type { PosRedeemBody, PosRedeemResponse } from '../../../shared/contracts/loyalty.js';
import { couponHeadline } from '../../../shared/coupons/coupon.describe.js';
import {
  type CouponTemplateRule,
  evaluateRedemption,
  isCouponCode,
  type OrderInput,
  pickBestCoupon,
  type RedemptionPlan,
} from '../../../shared/coupons/coupon.rules.js';
import { type ErrorCode, fail, ok, type Result } from '../../../shared/errors.js';
import type { Db } from '../../adapters/db/client.js';
import { type CouponRow, type CouponTemplateRow, couponRepo } from '../../adapters/db/repos/coupon.repo.js';
import { newId } from '../../adapters/ids.js';
import { resolveMemberCode } from '../members/member-code.js';
import { answerFromStored, requestHash, storedAnswer } from './idempotent.js';

export function templateRule(t: CouponTemplateRow): CouponTemplateRule {
  return {
    kind: t.kind,
    amountOffFen: t.amountOffFen,
    percentOff: t.percentOff,
    maxDiscountFen: t.maxDiscountFen,
    thresholdFen: t.thresholdFen,
    storeIds: t.storeIds,
    categories: t.categories,
    includeRx: t.includeRx,
  };
}

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
  // read and decide, without a transaction: nothing is written unless the decision is yes
  const decided = await decideRedemption(db, caller, body, now);
  // a refusal is the answer unless this key already has one (a retry of a request that went through)
  if (!decided.ok) return (await storedAnswer<PosRedeemResponse>(db, scope, hash)) ?? decided;

  const { coupon, template, plan } = decided.value;
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
  // of any number of concurrent attempts, exactly one found the coupon still available
  return fail('COUPON_USED', `coupon ${coupon.id} has already been used`);
}

/** The coupon the request names (or the best one of the member's) and the rules' verdict on this order. Reads only. */
async function decideRedemption(
  db: Db,
  caller: PosCaller,
  body: PosRedeemBody,
  now: Date,
): Promise<Result<{ coupon: CouponRow; template: CouponTemplateRow; plan: RedemptionPlan }, ErrorCode>> {
  const order: OrderInput = { storeId: caller.storeId, amountFen: body.orderAmountFen, lines: body.lines };
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
