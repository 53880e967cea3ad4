/**
 * Coupon redemption at the POS: by the coupon's own code, or by the member code (the coupon the cashier picked, or
 * the best applicable one). The rule decides (shared/coupons); the one conditional UPDATE makes "never twice" true
 * under any concurrency; the idempotency wrapper makes a retry return the first answer.
 */

import type { PosRedeemBody, PosRedeemResponse } from '../../../shared/contracts/loyalty.js';
import { couponHeadline } from '../../../shared/coupons/coupon.describe.js';
import {
  type CouponTemplateRule,
  evaluateRedemption,
  isCouponCode,
  type OrderInput,
  pickBestCoupon,
} from '../../../shared/coupons/coupon.rules.js';
import { type ErrorCode, fail, ok, type Result } from '../../../shared/errors.js';
import type { Db, Tx } from '../../adapters/db/client.js';
import { type CouponRow, type CouponTemplateRow, couponRepo } from '../../adapters/db/repos/coupon.repo.js';
import { newId } from '../../adapters/ids.js';
import { resolveMemberCode } from '../members/member-code.js';
import { idempotent } from './idempotent.js';

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
  return idempotent(db, { keyId: caller.keyId, operation: 'redeem', idempotencyKey: body.idempotencyKey, body }, (tx) =>
    redeemInTx(tx, caller, body, now),
  );
}

async function redeemInTx(
  tx: Tx,
  caller: PosCaller,
  body: PosRedeemBody,
  now: Date,
): Promise<Result<PosRedeemResponse, ErrorCode>> {
  const order: OrderInput = { storeId: caller.storeId, amountFen: body.orderAmountFen, lines: body.lines };
  let picked: { coupon: CouponRow; template: CouponTemplateRow } | null = null;

  if (body.couponCode) {
    picked = await couponRepo.couponWithTemplateByCode(tx, body.couponCode.trim());
    if (!picked) return fail('COUPON_NOT_FOUND', 'no coupon has this code');
  } else if (body.memberCode) {
    const member = await resolveMemberCode(tx, body.memberCode, now);
    if (!member.ok) return member;
    if (body.couponId) {
      picked = await couponRepo.couponWithTemplateById(tx, body.couponId);
      // another member's coupon is "not found" for this member: say nothing about it
      if (!picked || picked.coupon.customerId !== member.value.customerId) {
        return fail('COUPON_NOT_FOUND', `member has no coupon ${body.couponId}`);
      }
    } else {
      const candidates = await couponRepo.availableCoupons(tx, member.value.customerId, now);
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

  const redemptionId = newId('rdm', now.getTime());
  for (const action of plan.value.actions) {
    if (action.action !== 'redeem_coupon') continue;
    // of any number of concurrent attempts, exactly one finds the coupon still available
    if (!(await couponRepo.markRedeemed(tx, action.couponId, action.storeId, now))) {
      return fail('COUPON_USED', `coupon ${coupon.id} has already been used`);
    }
    await couponRepo.insertRedemption(tx, {
      id: redemptionId,
      couponId: coupon.id,
      customerId: coupon.customerId,
      storeId: caller.storeId,
      keyId: caller.keyId,
      externalOrderId: body.externalOrderId ?? null,
      orderAmountFen: body.orderAmountFen,
      discountFen: action.discountFen,
      status: 'redeemed',
      redeemedAt: now,
    });
  }
  return ok({
    redemptionId,
    couponId: coupon.id,
    couponName: template.name,
    headline: couponHeadline(templateRule(template)),
    customerId: coupon.customerId,
    storeId: caller.storeId,
    orderAmountFen: body.orderAmountFen,
    eligibleFen: plan.value.eligibleFen,
    discountFen: plan.value.discountFen,
    payableFen: body.orderAmountFen - plan.value.discountFen,
    redeemedAt: now.toISOString(),
  });
}
