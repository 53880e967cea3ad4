/**
 * The loyalty API contract: the POS endpoints (signed, idempotent), the member's wallet and points, and the staff
 * coupon pages. Money is integer fen everywhere.
 */
import { z } from 'zod';
import { CALENDAR_YEAR_MAX, CALENDAR_YEAR_MIN, isCalendarDate } from '../coupons/business-day.js';
import { TEMPLATE_STATUS_ACTIONS, TEMPLATE_STATUSES } from '../coupons/template.rules.js';
import { POINTS_SPEND_STEP } from '../points/points.rules.js';

export const fen = z.number().int().min(0).max(100_000_000);
/** a retry key (the POS's, the staff pages'): the same key with the same body returns the first answer */
export const idempotencyKey = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[\w.:-]+$/, 'letters, digits and _ . : - only');
// codes are checked by the use case so a malformed one answers COUPON_CODE_INVALID / MEMBER_CODE_INVALID, not 400
const code = z.string().min(1).max(64);
/**
 * A till's order (receipt) number, on every till route: the alphabet of the idempotency keys. It is printed into
 * the member's points history (积分抵扣…（单号 …）) and matched by a void, so free text from the till would reach the
 * member verbatim (a QA walk put 中奖了！请加微信… there).
 */
export const receiptNumber = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.:-]+$/, 'a receipt number: letters, digits and _ . : - only');

export const PosOrderLine = z
  .object({
    sku: z.string().min(1).max(64).optional(),
    category: z.string().min(1).max(32).optional(),
    rx: z.boolean().optional(),
    amountFen: fen,
  })
  .strict();

export const PosRedeemBody = z
  .object({
    idempotencyKey,
    memberCode: code.optional(),
    couponCode: code.optional(),
    /** with a member code: the coupon the cashier picked; without, the best applicable one is used */
    couponId: z.string().min(1).max(64).optional(),
    orderAmountFen: fen,
    externalOrderId: receiptNumber.optional(),
    lines: z.array(PosOrderLine).max(200).optional(),
    /** optional cross-check: must be the store the POS key is bound to */
    storeId: z.string().min(1).max(32).optional(),
  })
  .strict()
  .refine((b) => (b.memberCode ? 1 : 0) + (b.couponCode ? 1 : 0) === 1, {
    message: 'send exactly one of memberCode or couponCode',
  });
export type PosRedeemBody = z.infer<typeof PosRedeemBody>;

export const PosRedeemResponse = z.object({
  redemptionId: z.string(),
  couponId: z.string(),
  couponName: z.string(),
  headline: z.string(),
  customerId: z.string(),
  storeId: z.string(),
  orderAmountFen: fen,
  eligibleFen: fen,
  discountFen: fen,
  payableFen: fen,
  redeemedAt: z.string(),
});
export type PosRedeemResponse = z.infer<typeof PosRedeemResponse>;

export const PosVoidBody = z
  .object({
    idempotencyKey,
    redemptionId: z.string().min(1).max(64).optional(),
    /** voids every coupon redeemed on this order at this store, reverses the order's points, returns those spent on it */
    externalOrderId: receiptNumber.optional(),
  })
  .strict()
  .refine((b) => (b.redemptionId ? 1 : 0) + (b.externalOrderId ? 1 : 0) === 1, {
    message: 'send exactly one of redemptionId or externalOrderId',
  });

export const PosVoidResponse = z.object({
  voided: z.array(z.object({ redemptionId: z.string(), couponId: z.string(), couponReturned: z.boolean() })),
  pointsReversed: z.number().int(),
  /**
   * the points spent as payment on the order (/points/spend with its externalOrderId at this store) given back now;
   * a void answered before voids returned them is replayed as 0, which it returned
   */
  pointsReturned: z.number().int().default(0),
});
export type PosVoidResponse = z.infer<typeof PosVoidResponse>;

/** Points as payment: 100 points take 1 yuan off, in whole hundreds, never more than the order. */
export const PosPointsSpendBody = z
  .object({
    idempotencyKey,
    memberCode: code,
    points: z.number().int().positive().max(10_000_000).multipleOf(POINTS_SPEND_STEP),
    orderAmountFen: fen,
    /** the sale's receipt number: a void of that number at this store gives these points back */
    externalOrderId: receiptNumber.optional(),
    storeId: z.string().min(1).max(64).optional(),
  })
  .strict();
export type PosPointsSpendBody = z.infer<typeof PosPointsSpendBody>;

export const PosPointsSpendResponse = z.object({
  spendId: z.string(),
  customerId: z.string(),
  points: z.number().int(),
  discountFen: fen,
  balanceAfter: z.number().int(),
  spentAt: z.string(),
});
export type PosPointsSpendResponse = z.infer<typeof PosPointsSpendResponse>;

/** The order was refunded: the points its spend took go back to the member. */
export const PosPointsReturnBody = z.object({ idempotencyKey, spendId: z.string().min(1).max(64) }).strict();
export type PosPointsReturnBody = z.infer<typeof PosPointsReturnBody>;

export const PosPointsReturnResponse = z.object({
  spendId: z.string(),
  pointsReturned: z.number().int(),
  balanceAfter: z.number().int(),
});
export type PosPointsReturnResponse = z.infer<typeof PosPointsReturnResponse>;

export const PosIngestLine = z
  .object({
    sku: z.string().min(1).max(64),
    quantity: z.number().int().min(1).max(10_000),
    unitPriceFen: fen,
    amountFen: fen,
    rx: z.boolean().optional(),
  })
  .strict();

export const PosOrderBody = z
  .object({
    idempotencyKey,
    externalId: receiptNumber,
    memberCode: code.optional(),
    posCardNo: z.string().min(1).max(32).optional(),
    orderedAt: z.iso.datetime({ offset: true }),
    totalFen: fen,
    discountFen: fen.default(0),
    paidFen: fen,
    lines: z.array(PosIngestLine).min(1).max(200),
  })
  .strict()
  .refine((b) => !(b.memberCode && b.posCardNo), { message: 'send at most one of memberCode or posCardNo' });
export type PosOrderBody = z.infer<typeof PosOrderBody>;

/**
 * Why a till's sale to a member or a card earns no points, and promises none: `sale_too_old`, sold more than
 * LATE_EARN_DAYS (90) days before it reached MedLoop. The sale is recorded all the same (200, the member's purchase
 * history, as an import of it would be); only points are not given for history.
 */
export const POS_NO_POINTS_REASONS = ['sale_too_old'] as const;

/**
 * The answer to a till's order: the order recorded, or the one recorded before under this store's number (a replay
 * under any key; the same number with other contents is `409 ORDER_CHANGED`). The fields added later have defaults,
 * so an answer stored before them (replayed for its key) still reads.
 */
export const PosOrderResponse = z.object({
  orderId: z.string(),
  customerId: z.string().nullable(),
  /** the points the sale earned; for a refunded sale what is left of them after the refund took them back (0) */
  pointsEarned: z.number().int(),
  pointsBalance: z.number().int().nullable(),
  /** points waiting for a card MedLoop does not know yet: credited when its record arrives (the receipt can say so) */
  pointsPending: z.number().int(),
  /** the sale was refunded (/api/pos/void) since it was recorded: a replay says so, its points net of the reversal */
  refunded: z.boolean().default(false),
  /** why a sale with a member code or a card earns no points and promises none (POS_NO_POINTS_REASONS); else null */
  noPointsReason: z.enum(POS_NO_POINTS_REASONS).nullable().default(null),
});
export type PosOrderResponse = z.infer<typeof PosOrderResponse>;

// ---- member pages

export const CouponView = z.object({
  id: z.string(),
  name: z.string(),
  /** the campaign's note, e.g. 春季慢病关怀活动专享 */
  description: z.string().nullable(),
  headline: z.string(),
  rules: z.array(z.string()),
  state: z.enum(['available', 'used', 'expired', 'not_yet_valid', 'voided']),
  /**
   * why a voided coupon was taken out of use, or why a coupon used on an order since refunded did not come back (it
   * had expired by the refund: state `expired`); shown with it under 已失效, next to the expired ones
   */
  voidReason: z.string().nullable(),
  code: z.string(),
  /** Code 128 of `code`, PNG data URL; only for coupons that can still be used */
  barcodePng: z.string().nullable(),
  /** the chain's day (YYYY-MM-DD) it can first be used: a fixed-date coupon issued before its start says when */
  firstValidDay: z.string(),
  lastValidDay: z.string(),
  redeemedAt: z.string().nullable(),
  redeemedStoreName: z.string().nullable(),
});
export type CouponView = z.infer<typeof CouponView>;

export const WalletResponse = z.object({
  available: z.array(CouponView),
  used: z.array(CouponView),
  expired: z.array(CouponView),
});
export type WalletResponse = z.infer<typeof WalletResponse>;

export const PointsLine = z.object({
  id: z.number().int(),
  kind: z.enum(['earn', 'spend', 'expire', 'reverse', 'adjust', 'transfer']),
  points: z.number().int(),
  note: z.string(),
  occurredAt: z.string(),
});

export const PointsResponse = z.object({
  balance: z.number().int(),
  nextExpiry: z.object({ points: z.number().int(), lastDay: z.string() }).nullable(),
  tier: z.object({ code: z.enum(['basic', 'silver', 'gold']), name: z.string(), benefits: z.array(z.string()) }),
  spendFen: z.number().int(),
  nextTier: z.object({ name: z.string(), missingFen: z.number().int() }).nullable(),
  rules: z.array(z.string()),
  birthday: z.string().nullable(),
  ledger: z.array(PointsLine),
});
export type PointsResponse = z.infer<typeof PointsResponse>;

/**
 * The member home's card: points, tier and coupons at a glance. `soon`: what runs out within a week (coupons) or a
 * month (points), so the member uses it in time; null when nothing does.
 */
export const LoyaltySummaryResponse = z.object({
  points: z.object({
    balance: z.number().int(),
    expiringSoon: z.object({ points: z.number().int(), lastDay: z.string() }).nullable(),
  }),
  tier: z.object({ code: z.enum(['basic', 'silver', 'gold']), name: z.string() }),
  coupons: z.object({
    /** what the wallet lists under 可用 (usable now, or from a later day) */
    available: z.number().int(),
    expiringSoon: z.object({ count: z.number().int(), lastDay: z.string() }).nullable(),
  }),
});
export type LoyaltySummaryResponse = z.infer<typeof LoyaltySummaryResponse>;

export const SetBirthdayBody = z
  .object({ birthday: z.string().regex(/^(19|20)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'YYYY-MM-DD') })
  .strict();
export const SetBirthdayResponse = z.object({
  birthday: z.string(),
  /** 'YYYY-MM': the first birthday month with the birthday benefit (one typed in its own month: next year's) */
  benefitFrom: z.string(),
});

/** The coupon sign-up gives right now; null while the new-member campaign is paused, ended or sold out. */
export const NewMemberOfferResponse = z.object({
  offer: z.object({ name: z.string(), headline: z.string() }).nullable(),
});
export type NewMemberOfferResponse = z.infer<typeof NewMemberOfferResponse>;

// ---- staff pages

export const CouponTemplateView = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  headline: z.string(),
  rules: z.array(z.string()),
  kind: z.enum(['amount_off', 'percent_off']),
  ownerStoreId: z.string().nullable(),
  ownerStoreName: z.string().nullable(),
  description: z.string().nullable(),
  totalStock: z.number().int().nullable(),
  /** coupons ever issued from it (any status) */
  issuedCount: z.number().int(),
  /** of those, used now (a voided redemption gives its coupon back), at a till or the counter */
  usedCount: z.number().int(),
  /** the discount those redemptions gave, in fen */
  discountGivenFen: z.number().int(),
  perMemberLimit: z.number().int().nullable(),
  /** only an active template issues; coupons already issued stay valid whatever the status */
  status: z.enum(TEMPLATE_STATUSES),
  /** the discount rule, for the edit form (frozen once any coupon was issued) */
  amountOffFen: z.number().int().nullable(),
  percentOff: z.number().int().nullable(),
  maxDiscountFen: z.number().int().nullable(),
  thresholdFen: z.number().int(),
  storeIds: z.array(z.string()),
  categories: z.array(z.string()),
  includeRx: z.boolean(),
  /** dates are Asia/Shanghai business dates, `until` the last valid day */
  validity: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('relative'), days: z.number().int() }),
    z.object({ kind: z.literal('fixed'), from: z.string(), until: z.string() }),
  ]),
  /** true once a coupon was issued: kind, amounts, threshold, stores, categories and Rx can no longer change */
  rulesFrozen: z.boolean(),
  /** whether the caller may edit, pause, resume or end it (its store's managers; HQ for chain-wide ones) */
  manageable: z.boolean(),
  /** fixed dates whose last valid day is before today (Asia/Shanghai): it issues nothing, whatever its status */
  pastEnd: z.boolean(),
  /** fixed dates starting after today: coupons issued now work from `validity.from` */
  startsLater: z.boolean(),
  /**
   * Whether this caller may issue it by hand now, and if not why (a code of shared/errors.ts):
   * COUPON_TEMPLATE_AUTO_ISSUED (sign-up, birthday), COUPON_TEMPLATE_HQ_ONLY (chain-wide), FORBIDDEN (another
   * store's), COUPON_TEMPLATE_INACTIVE (paused, ended, past its dates).
   */
  issuable: z.boolean(),
  notIssuableCode: z.string().nullable(),
});
export type CouponTemplateView = z.infer<typeof CouponTemplateView>;

/** What the 新建优惠券模板 form may offer this caller; the API checks the same. */
export const CouponTemplateCreateOptions = z.object({
  /** HQ only: templates for every store (chain-wide) */
  chainWide: z.boolean(),
  /** the stores the caller may create a store's own template for (its store, its region's, HQ: all) */
  ownerStores: z.array(z.object({ id: z.string(), name: z.string() })),
  /** the catalogue's product categories: a template may be limited to some of them */
  categories: z.array(z.string()),
  /** today, Asia/Shanghai, YYYY-MM-DD: fixed dates end no earlier */
  today: z.string(),
});
export type CouponTemplateCreateOptions = z.infer<typeof CouponTemplateCreateOptions>;

export const CouponTemplateList = z.object({
  templates: z.array(CouponTemplateView),
  createOptions: CouponTemplateCreateOptions,
});

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
/** a real day (no 30 February, month 13 or year 0) from 2000 to 2100: businessDayStart would roll one over */
const calendarDate = date.refine(isCalendarDate, {
  message: `not a calendar date from ${CALENDAR_YEAR_MIN} to ${CALENDAR_YEAR_MAX}`,
});
const templateDescription = z.string().trim().max(100);

export const CreateCouponTemplateBody = z
  .object({
    code: z
      .string()
      .min(3)
      .max(32)
      .regex(/^[A-Z0-9_]+$/, 'upper-case letters, digits and _'),
    name: z.string().trim().min(1).max(30),
    description: templateDescription.optional(),
    kind: z.enum(['amount_off', 'percent_off']),
    amountOffFen: z.number().int().min(1).max(1_000_000).optional(),
    percentOff: z.number().int().min(1).max(99).optional(),
    maxDiscountFen: z.number().int().min(1).max(1_000_000).optional(),
    thresholdFen: fen.default(0),
    validity: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('relative'), days: z.number().int().min(1).max(3660) }).strict(),
      z.object({ kind: z.literal('fixed'), from: calendarDate, until: calendarDate }).strict(),
    ]),
    totalStock: z.number().int().min(1).max(10_000_000).optional(),
    perMemberLimit: z.number().int().min(1).max(1000).optional(),
    storeIds: z.array(z.string().min(1).max(32)).max(1000).default([]),
    categories: z.array(z.string().min(1).max(32)).max(50).default([]),
    includeRx: z.boolean().default(false),
    /** the owning store for a store-scoped template; omitted = chain-wide (HQ only) */
    ownerStoreId: z.string().min(1).max(32).optional(),
  })
  .strict()
  .refine((b) => (b.kind === 'amount_off' ? !!b.amountOffFen && !b.percentOff : !!b.percentOff && !b.amountOffFen), {
    message: 'amount_off needs amountOffFen; percent_off needs percentOff',
  })
  .refine((b) => b.validity.kind === 'relative' || b.validity.from <= b.validity.until, {
    message: 'validity.from must not be after validity.until',
    path: ['validity', 'until'],
  })
  // a cap only bounds a percentage; on an amount off it would be dropped without a word
  .refine((b) => b.kind === 'percent_off' || b.maxDiscountFen === undefined, {
    message: 'maxDiscountFen is for percent_off only',
    path: ['maxDiscountFen'],
  });
export type CreateCouponTemplateBody = z.infer<typeof CreateCouponTemplateBody>;

const templateCode = z.string().min(1).max(32);

/**
 * Edit a template: only the fields sent change. Name, description, stock, per-member limit and the end of validity
 * (for coupons issued from now on) may change any time before it ends; the discount rule (kind, amounts,
 * threshold, stores, categories, Rx) only until the first coupon is issued (COUPON_TEMPLATE_RULES_FROZEN).
 */
export const UpdateCouponTemplateBody = z
  .object({
    templateCode,
    name: z.string().trim().min(1).max(30).optional(),
    /** null or empty clears it */
    description: templateDescription.nullable().optional(),
    /** null = unlimited; never below the coupons already issued (COUPON_STOCK_BELOW_ISSUED) */
    totalStock: z.number().int().min(1).max(10_000_000).nullable().optional(),
    /** null = unlimited */
    perMemberLimit: z.number().int().min(1).max(1000).nullable().optional(),
    /** fixed-date templates: the last valid day of coupons issued from now on */
    validUntil: calendarDate.optional(),
    /** relative templates: days of validity of coupons issued from now on */
    validDays: z.number().int().min(1).max(3660).optional(),
    kind: z.enum(['amount_off', 'percent_off']).optional(),
    amountOffFen: z.number().int().min(1).max(1_000_000).optional(),
    percentOff: z.number().int().min(1).max(99).optional(),
    maxDiscountFen: z.number().int().min(1).max(1_000_000).nullable().optional(),
    thresholdFen: fen.optional(),
    storeIds: z.array(z.string().min(1).max(32)).max(1000).optional(),
    categories: z.array(z.string().min(1).max(32)).max(50).optional(),
    includeRx: z.boolean().optional(),
  })
  .strict();
export type UpdateCouponTemplateBody = z.infer<typeof UpdateCouponTemplateBody>;

/** 暂停发放 / 恢复发放 / 结束活动. Ended is final (COUPON_TEMPLATE_ENDED); repeating a change changes nothing. */
export const CouponTemplateStatusBody = z.object({ templateCode, action: z.enum(TEMPLATE_STATUS_ACTIONS) }).strict();
export type CouponTemplateStatusBody = z.infer<typeof CouponTemplateStatusBody>;

/**
 * 给会员发券's single lookup: the signed-up member who holds the phone verified, in the caller's scope; anyone else
 * (no one, customers who never signed up: store cards, mall accounts; a member elsewhere) is MEMBER_NOT_FOUND alike.
 */
export const MemberLookupQuery = z.object({ phone: z.string().min(1).max(20) }).strict();
export const MemberLookupResponse = z.object({
  customerId: z.string(),
  maskedPhone: z.string(),
  /** the real name the member's records give (a store card's 王海涛), else the name they go by; masked: 王** */
  maskedName: z.string().nullable(),
  homeStoreName: z.string().nullable(),
  availableCoupons: z.number().int(),
});
export type MemberLookupResponse = z.infer<typeof MemberLookupResponse>;

/** The most members one issue by hand reaches (a store's list; a segment is issued in batches of it). */
export const ISSUE_LIST_MAX = 500;

/**
 * 批量发券: the phone numbers a manager pasted, one entry per number as the page split the paste (the page keeps
 * which line each came from). Each entry is normalised by the server (+86, spaces, dashes, full-width digits): a bad
 * one is answered in its place, not with a 400. More than ISSUE_LIST_MAX entries is PHONE_LIST_TOO_LONG (422), a
 * code the page can name; the array has no schema bound so that it is that code, not VALIDATION_FAILED (the
 * wrapper's 256 KB body limit bounds it).
 */
export const ResolvePhonesBody = z.object({ phones: z.array(z.string().max(64)).min(1) }).strict();
export type ResolvePhonesBody = z.infer<typeof ResolvePhonesBody>;

/**
 * One pasted entry, in its place, found as the single lookup finds a phone (the signed-up member who holds it
 * verified). `not_found`: no member with this phone in the caller's stores; a phone of no one, one only customers
 * who never signed up carry (store cards, mall accounts) and one of a member elsewhere read alike (as the single
 * lookup's MEMBER_NOT_FOUND), so a list cannot probe which phones are members elsewhere. `duplicate`: the same
 * phone as entry `firstIndex`, or (`samePhone` false) a member found already by another of their phones: collapsed,
 * one coupon per member. `maskedName` as the single lookup's.
 */
export const ResolvedPhone = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('found'),
    customerId: z.string(),
    maskedPhone: z.string(),
    maskedName: z.string().nullable(),
  }),
  z.object({ status: z.literal('invalid') }),
  z.object({ status: z.literal('not_found') }),
  z.object({ status: z.literal('duplicate'), firstIndex: z.number().int(), samePhone: z.boolean() }),
]);
export type ResolvedPhone = z.infer<typeof ResolvedPhone>;

export const ResolvePhonesResponse = z.object({
  /** one per entry of `phones`, in order */
  results: z.array(ResolvedPhone),
  /** the members found, each once, in the order pasted: what 发放给 N 位会员 sends */
  customerIds: z.array(z.string()),
});
export type ResolvePhonesResponse = z.infer<typeof ResolvePhonesResponse>;

export const IssueCouponsBody = z
  .object({
    templateCode: z.string().min(1).max(32),
    customerIds: z.array(z.string().min(1).max(64)).min(1).max(ISSUE_LIST_MAX),
    /** one batch = one key: re-sending the same batch issues nothing new */
    batchKey: idempotencyKey,
  })
  .strict();

export const IssueCouponsResponse = z.object({
  issued: z.number().int(),
  alreadyIssued: z.number().int(),
  refused: z.array(z.object({ customerId: z.string(), code: z.string() })),
});
export type IssueCouponsResponse = z.infer<typeof IssueCouponsResponse>;
