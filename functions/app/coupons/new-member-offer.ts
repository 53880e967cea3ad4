/**
 * What the sign-up pages may promise: the new-member coupon, only while its template would issue one (active,
 * within its dates, stock left). A paused or ended campaign makes the pages promise nothing instead of a coupon
 * sign-up will not give. Nor to a visitor who had the coupon under an account they closed on this WeChat: signing up
 * again makes them a member, but the coupon is once per person.
 */
import type { NewMemberOfferResponse } from '../../../shared/contracts/loyalty.js';
import { couponHeadline } from '../../../shared/coupons/coupon.describe.js';
import { couponValidity } from '../../../shared/coupons/coupon.rules.js';
import type { Db } from '../../adapters/db/client.js';
import { closedHadNewMemberCoupon } from '../../adapters/db/repos/account-close.repo.js';
import { couponRepo } from '../../adapters/db/repos/coupon.repo.js';
import { wechatDigest } from '../members/phone-digest.js';
import { NEW_MEMBER_TEMPLATE } from '../onboarding/new-member-coupon.js';
import { templateRule } from '../pos/redeem.js';

export async function newMemberOffer(
  db: Db,
  now: Date,
  visitor: { openid: string; secret: string } | null = null,
): Promise<NewMemberOfferResponse> {
  if (visitor && (await closedHadNewMemberCoupon(db, [wechatDigest(visitor.secret, 'openid', visitor.openid)]))) {
    return { offer: null };
  }
  const t = await couponRepo.templateByCode(db, NEW_MEMBER_TEMPLATE);
  if (!t || t.status !== 'active') return { offer: null };
  if (t.totalStock !== null && t.issuedCount >= t.totalStock) return { offer: null };
  const validity = couponValidity(
    t.validityKind === 'fixed'
      ? { validityKind: 'fixed', validFrom: t.validFrom as Date, validUntil: t.validUntil as Date }
      : { validityKind: 'relative', validDays: t.validDays as number },
    now,
  );
  if (!validity) return { offer: null };
  return { offer: { name: t.name, headline: couponHeadline(templateRule(t)) } };
}
