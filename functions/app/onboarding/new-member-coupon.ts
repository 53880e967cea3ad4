/**
 * The one place sign-up touches coupons: the new-member coupon, issued once per person. The idempotency key is
 * the customer id, not the WeChat account or phone, so a second WeChat account that links to the same person, or
 * a retried sign-up, gets the first coupon back instead of a second one. Which coupon it is (e.g. 10 yuan off, no
 * threshold) is the NEW_MEMBER template, configured in the loyalty back office.
 */
import type { Tx } from '../../adapters/db/client.js';
import { issueCouponOnce } from '../coupons/issue-coupon.js';

export const NEW_MEMBER_TEMPLATE = 'NEW_MEMBER';

export async function issueNewMemberCoupon(
  tx: Tx,
  input: { customerId: string; storeId: string | null; now: Date },
): Promise<{ couponId: string; created: boolean } | null> {
  return issueCouponOnce(tx, {
    customerId: input.customerId,
    templateCode: NEW_MEMBER_TEMPLATE,
    reason: 'new_member',
    idempotencyKey: `new_member:${input.customerId}`,
    now: input.now,
    storeId: input.storeId,
  });
}
