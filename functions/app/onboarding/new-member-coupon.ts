/**
 * The one place sign-up touches coupons: the new-member coupon, issued once per person. The idempotency key is
 * the customer id, not the WeChat account or phone, so a second WeChat account that links to the same person, or
 * a retried sign-up, gets the first coupon back instead of a second one. Which coupon it is (e.g. 10 yuan off, no
 * threshold) is the NEW_MEMBER template, configured in the loyalty back office.
 *
 * The key alone is not enough once customers merge: the absorbed account's coupon was issued under ITS customer
 * id and now belongs to the survivor, so a later sign-up of that person (landing on the survivor) would find no
 * coupon under `new_member:<survivor>` and issue a second. Whatever new-member coupon the customer already holds
 * (used, voided or not) answers instead.
 */
import type { Tx } from '../../adapters/db/client.js';
import { closedHadNewMemberCoupon } from '../../adapters/db/repos/account-close.repo.js';
import { couponRepo } from '../../adapters/db/repos/coupon.repo.js';
import { issueCouponOnce } from '../coupons/issue-coupon.js';

export const NEW_MEMBER_TEMPLATE = 'NEW_MEMBER';

export async function issueNewMemberCoupon(
  tx: Tx,
  input: {
    customerId: string;
    storeId: string | null;
    now: Date;
    /**
     * the keyed digests of the phone and the WeChat signing up (phone-digest.ts): a person who had the coupon under
     * an account they closed does not get it again, though they are a new customer now
     */
    personDigests?: readonly string[];
  },
): Promise<{ couponId: string; created: boolean } | 'withheld' | null> {
  const held = await couponRepo.firstByReason(tx, input.customerId, 'new_member');
  if (held) return { couponId: held.id, created: false };
  if (input.personDigests && (await closedHadNewMemberCoupon(tx, input.personDigests))) return 'withheld';
  return issueCouponOnce(tx, {
    customerId: input.customerId,
    templateCode: NEW_MEMBER_TEMPLATE,
    reason: 'new_member',
    idempotencyKey: `new_member:${input.customerId}`,
    now: input.now,
    storeId: input.storeId,
  });
}
