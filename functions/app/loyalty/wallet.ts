/**
 * The member's side: the coupon wallet (available / used / expired, each with its rules in words and its own
 * barcode), the points page, and the birthday setting. The birthday coupon is issued lazily, once a year, when
 * the member opens these pages in their birthday month (idempotency key `birthday:<customer>:<year>`).
 */
import bwipjs from 'bwip-js/node';
import type {
  CouponView,
  LoyaltySummaryResponse,
  PointsResponse,
  WalletResponse,
} from '../../../shared/contracts/loyalty.js';
import { businessDate } from '../../../shared/coupons/business-day.js';
import { couponHeadline, couponRuleLines, lastValidDay } from '../../../shared/coupons/coupon.describe.js';
import { couponLifecycle } from '../../../shared/coupons/coupon.rules.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import { birthdayBenefitDue, firstBirthdayMonth, tierFor, tierWindowStart } from '../../../shared/points/tier.rules.js';
import type { Db } from '../../adapters/db/client.js';
import { couponRepo, type Executor } from '../../adapters/db/repos/coupon.repo.js';
import { type LoyaltyMember, loyaltyMemberRepo } from '../../adapters/db/repos/loyalty-member.repo.js';
import { pointsRepo } from '../../adapters/db/repos/points.repo.js';
import { issueCoupon } from '../coupons/issue-coupon.js';
import { memberPoints, pointsStanding } from '../points/points.js';
import { templateRule } from '../pos/redeem.js';

async function barcodePng(code: string): Promise<string> {
  // Code 128 set C: 16 digits in 8 symbols, readable by any counter scanner off a phone screen
  const png = await bwipjs.toBuffer({
    bcid: 'code128',
    text: code,
    scale: 3,
    height: 14,
    paddingwidth: 10,
    paddingheight: 4,
  });
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}

/** Issues this year's birthday coupon for the member's tier when it is due; true when one was issued now. */
export async function ensureBirthdayCoupon(ex: Executor, member: LoyaltyMember, now: Date): Promise<boolean> {
  const customerId = member.id;
  const due = birthdayBenefitDue(member.birthday, now, member.birthdaySetAt);
  if (!due) return false;
  const tier = tierFor(await pointsRepo.spendSince(ex, customerId, tierWindowStart(now)));
  const result = await issueCoupon(ex, {
    customerId,
    templateCode: tier.tier.birthdayTemplate,
    reason: 'birthday',
    idempotencyKey: `birthday:${customerId}:${due.year}`,
    now,
  });
  return result.ok && result.value.created;
}

/** Why a coupon used on an order since refunded is not in the wallet again (shown under 已失效). */
export const REFUNDED_EXPIRED_REASON = '订单已退款，券已过期未退回';

export async function walletOf(
  db: Db,
  customerId: string | null,
  now: Date,
): Promise<Result<WalletResponse, 'NOT_REGISTERED'>> {
  const member = customerId ? await loyaltyMemberRepo.registered(db, customerId) : null;
  if (!member) return fail('NOT_REGISTERED', 'the coupon wallet belongs to signed-up members');
  await ensureBirthdayCoupon(db, member, now);
  const rows = await couponRepo.memberCoupons(db, member.id);
  const storeIds = new Set<string>();
  for (const r of rows) {
    for (const s of r.template.storeIds) storeIds.add(s);
    if (r.coupon.redeemedStoreId) storeIds.add(r.coupon.redeemedStoreId);
  }
  const used = rows.filter((r) => r.coupon.status === 'redeemed').map((r) => r.coupon.id);
  const [names, notReturned] = await Promise.all([
    couponRepo.storeNames(db, [...storeIds]),
    couponRepo.notReturnedOnRefund(db, used),
  ]);
  const views = await Promise.all(
    rows.map(async ({ coupon, template }): Promise<CouponView> => {
      const rule = templateRule(template);
      // its order was refunded after it had expired: the void did not give it back (evaluateVoid), and it stays
      // `redeemed` so that nothing uses it again; to the member it is an expired coupon, not one used on a purchase
      const refundedExpired = notReturned.has(coupon.id);
      const state = refundedExpired ? 'expired' : couponLifecycle(coupon, now);
      return {
        id: coupon.id,
        name: template.name,
        description: template.description,
        headline: couponHeadline(rule),
        rules: couponRuleLines(rule, names, { validUntil: coupon.validUntil }),
        state,
        code: coupon.code,
        barcodePng: state === 'available' || state === 'not_yet_valid' ? await barcodePng(coupon.code) : null,
        firstValidDay: businessDate(coupon.validFrom),
        lastValidDay: lastValidDay(coupon.validUntil),
        redeemedAt: coupon.redeemedAt?.toISOString() ?? null,
        redeemedStoreName: coupon.redeemedStoreId ? (names.get(coupon.redeemedStoreId) ?? null) : null,
        voidReason: coupon.status === 'voided' ? coupon.voidReason : refundedExpired ? REFUNDED_EXPIRED_REASON : null,
      };
    }),
  );
  const byExpiry = (a: CouponView, b: CouponView) => a.lastValidDay.localeCompare(b.lastValidDay);
  return ok({
    available: views.filter((v) => v.state === 'available' || v.state === 'not_yet_valid').sort(byExpiry),
    used: views.filter((v) => v.state === 'used'),
    // a voided coupon can no more be used than an expired one: it sits there, with its reason
    expired: views.filter((v) => v.state === 'expired' || v.state === 'voided'),
  });
}

export async function pointsOf(
  db: Db,
  customerId: string | null,
  now: Date,
): Promise<Result<PointsResponse, 'NOT_REGISTERED'>> {
  const member = customerId ? await loyaltyMemberRepo.registered(db, customerId) : null;
  if (!member) return fail('NOT_REGISTERED', 'points belong to signed-up members');
  await ensureBirthdayCoupon(db, member, now);
  return ok(await memberPoints(db, member.id, now, member.birthday));
}

const DAY_MS = 86_400_000;
/** a coupon whose last day is within this many days is "expiring soon" on the home card */
export const COUPON_SOON_DAYS = 7;
/** points expiring within this many days are mentioned on the home card */
export const POINTS_SOON_DAYS = 31;

/**
 * The home card's figures: the points balance (expiries settled) and the points that run out within a month, the
 * tier, how many coupons the wallet lists as usable and how many of them end within a week. No barcodes are drawn.
 */
export async function summaryOf(
  db: Db,
  customerId: string | null,
  now: Date,
): Promise<Result<LoyaltySummaryResponse, 'NOT_REGISTERED'>> {
  const member = customerId ? await loyaltyMemberRepo.registered(db, customerId) : null;
  if (!member) return fail('NOT_REGISTERED', 'points and coupons belong to signed-up members');
  // the birthday coupon lands on the first page the member opens in their birthday month, this one included
  await ensureBirthdayCoupon(db, member, now);
  const [standing, coupons] = await Promise.all([
    pointsStanding(db, member.id, now),
    couponRepo.memberCoupons(db, member.id),
  ]);
  const states = coupons.map(({ coupon }) => ({ coupon, state: couponLifecycle(coupon, now) }));
  const soon = states.filter(
    ({ coupon, state }) =>
      state === 'available' && coupon.validUntil.getTime() - now.getTime() <= COUPON_SOON_DAYS * DAY_MS,
  );
  const firstEnd = soon.reduce<Date | null>(
    (min, { coupon }) => (min === null || coupon.validUntil < min ? coupon.validUntil : min),
    null,
  );
  const points = standing.nextExpiry;
  const pointsSoon =
    points !== null && Date.parse(`${points.lastDay}T00:00:00+08:00`) - now.getTime() < POINTS_SOON_DAYS * DAY_MS;
  return ok({
    points: { balance: standing.balance, expiringSoon: pointsSoon ? points : null },
    tier: { code: standing.tier.code, name: standing.tier.name },
    coupons: {
      // usable today: one that starts later is in the wallet, not yet among the coupons to use
      available: states.filter(({ state }) => state === 'available').length,
      expiringSoon: firstEnd ? { count: soon.length, lastDay: lastValidDay(firstEnd) } : null,
    },
  });
}

export async function setBirthday(
  db: Db,
  customerId: string | null,
  birthday: string,
  now: Date,
): Promise<
  Result<{ birthday: string; benefitFrom: string }, 'NOT_REGISTERED' | 'VALIDATION_FAILED' | 'BIRTHDAY_ALREADY_SET'>
> {
  const member = customerId ? await loyaltyMemberRepo.registered(db, customerId) : null;
  if (!member) return fail('NOT_REGISTERED', 'the birthday belongs to signed-up members');
  const [y, m, d] = birthday.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || date.getTime() > now.getTime()) {
    return fail('VALIDATION_FAILED', `${birthday} is not a valid past date`);
  }
  // set once: a birthday the member could change at will would be a birthday coupon on demand
  const already = () => fail('BIRTHDAY_ALREADY_SET', 'the birthday is on file: a correction is made at a store');
  if (member.birthday) return already();
  if (!(await loyaltyMemberRepo.setBirthday(db, member.id, birthday, now))) return already();
  return ok({ birthday, benefitFrom: firstBirthdayMonth(birthday, now) });
}
