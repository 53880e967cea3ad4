/**
 * The store counter (门店收银台) contract: a clerk at a store whose till is not connected to MedLoop scans a member's
 * code (or a coupon's code) with the staff pages, sees who it is and which coupons work here, and redeems one against
 * the order amount; a redemption made by mistake is voided from the same page the same day. Where the till is not
 * connected, the counter also records the sale, so the member earns its points there too. Money is integer fen.
 *
 * The member code lives 90 s; the lookup answers a counter token (10 minutes, bound to the clerk, the store and the
 * member) that the redemption presents instead, so a clerk typing the amount does not race the code's expiry.
 */
import { z } from 'zod';
import { FEN_PER_POINT, POINTS_SPEND_STEP } from '../points/points.rules.js';
import { fen, idempotencyKey } from './loyalty.js';

/** A member code (18 digits, 88…) or a coupon code (16 digits); the use case tells them apart and checks them. */
export const CounterLookupBody = z.strictObject({ code: z.string().min(1).max(64) });
export type CounterLookupBody = z.infer<typeof CounterLookupBody>;

export const CounterCoupon = z.object({
  couponId: z.string(),
  name: z.string(),
  headline: z.string(),
  /** the rules in words, one sentence each (validity, stores, categories, prescription drugs) */
  rules: z.array(z.string()),
  validUntil: z.string(),
  thresholdFen: fen,
  /**
   * The categories the coupon is limited to, as the catalogue names them (维生素矿物质); empty: every category. A
   * category coupon is redeemed on the sale's items, or on the part of the order in these categories typed by the
   * clerk (CounterRedeemBody).
   */
  categories: z.array(z.string()),
  /** false: the coupon is limited to other stores, or not valid yet; `whyNot` says which, in Chinese */
  usableHere: z.boolean(),
  whyNot: z.string().nullable(),
});
export type CounterCoupon = z.infer<typeof CounterCoupon>;

export const CounterLookupResponse = z.object({
  counterToken: z.string(),
  tokenExpiresAt: z.string(),
  member: z.object({
    /** 张* / 欧阳**: enough to greet and to ask "是您本人吗", not enough to identify */
    nameMasked: z.string().nullable(),
    phoneMasked: z.string().nullable(),
    tier: z.string().nullable(),
    /** null when a coupon code was scanned: the balance is the member's, shown for a member code only */
    points: z.number().int().nullable(),
    memberSince: z.string().nullable(),
    homeStoreName: z.string().nullable(),
  }),
  /**
   * What the scan unlocks. `member`: a live member code, the member's account (every coupon, points, the sale).
   * `coupon`: a coupon's own code (unchanged until it expires, so in screenshots and forwarded coupons): that one
   * coupon only; the token redeems nothing else, spends no points and records no sale (COUNTER_SCAN_COUPON_ONLY).
   */
  scope: z.enum(['member', 'coupon']),
  /**
   * A member code: the member's available coupons, those usable at this store first, then soonest-expiring. A coupon
   * code: that coupon alone (the member's other coupons are not shown).
   */
  coupons: z.array(CounterCoupon),
  /** when a coupon code was scanned: that coupon (it is among `coupons` when still available) */
  scannedCouponId: z.string().nullable(),
  /**
   * POS cards held on the member's phone: the clerk asks the member to confirm them in the mini-program. Empty for a
   * coupon code (a card is confirmed by the member, who shows the member code).
   */
  cardsToConfirm: z.array(z.object({ storeName: z.string(), cardMasked: z.string() })),
  /**
   * Whether this store's till reports its sales to MedLoop (an active POS key): then the till earns the member's
   * points and the counter records no sale; otherwise the counter records the sale (POST …/sale) so the member
   * earns points here too.
   */
  tillConnected: z.boolean(),
  /**
   * A connected till: when it last got through to MedLoop (HQ's integration health); null when it never has. The
   * clerk is told when the till has gone quiet, as the member's points wait for it.
   */
  tillLastOkAt: z.string().nullable(),
  /** a connected till that never got through, or not for TILL_QUIET_MS */
  tillQuiet: z.boolean(),
});

/** a till silent for longer is flagged to the clerk: a store open every day makes sales within a day */
export const TILL_QUIET_MS = 24 * 3_600_000;
export type CounterLookupResponse = z.infer<typeof CounterLookupResponse>;

/**
 * The most one order at the counter may be: 100,000 yuan. A pharmacy order above it is a typo (1280000 for 1280.00),
 * and a typo here would be a record of points and discounts the member never had.
 */
export const COUNTER_MAX_ORDER_FEN = 10_000_000;

/** A medicine of the sale, from the chain's catalogue: what the member bought, for their medicines and refills. */
export const CounterSaleLine = z.strictObject({
  sku: z.string().trim().min(1).max(32),
  quantity: z.number().int().min(1).max(99),
});
export type CounterSaleLine = z.infer<typeof CounterSaleLine>;

/**
 * The deepest store discount an order with items may carry off their catalogue total: 50%, 买一送一. Pharmacies'
 * everyday promotions (会员日 88折, 第二件半价 = 75%) stay above it; an amount lower still is a slip of the keyboard
 * (a digit dropped is 10%; 1 yuan for 243 yuan of medicines is 0.4%), and recording it would be a purchase history and
 * a coupon's base that never happened. An amount above the items' total is refused too: the items are the sale's
 * lines, as a till's lines add up to its order, and a store discount only ever lowers a price.
 */
export const COUNTER_ITEMS_MAX_DISCOUNT_PERCENT = 50;

/** The order amounts a sale with items at this catalogue total may have, in fen, both ends included. */
export const itemsAmountBounds = (itemsFen: number) => ({
  minFen: Math.ceil((itemsFen * (100 - COUNTER_ITEMS_MAX_DISCOUNT_PERCENT)) / 100),
  maxFen: itemsFen,
});

export const CounterRedeemBody = z
  .strictObject({
    idempotencyKey,
    counterToken: z.string().min(1).max(2048),
    couponId: z.string().min(1).max(64),
    orderAmountFen: fen.max(COUNTER_MAX_ORDER_FEN),
    /** the part of the order that is prescription drugs (excluded from discounts unless the coupon says so) */
    rxAmountFen: fen.default(0),
    /**
     * The sale's items, optional (the counter's 本单药品, each SKU once): the coupon then reads each item's category
     * and whether it is a prescription drug from the catalogue, its value shared out over the order amount (which
     * must be within itemsAmountBounds). Without items the order is the amount and its prescription part.
     */
    lines: z.array(CounterSaleLine).max(30).default([]),
    /**
     * For a coupon limited to categories, redeemed without items (a till's receipt at hand): the part of the order
     * in the coupon's categories, non-prescription, as the clerk adds it up from the receipt. Not with `lines`.
     */
    categoryAmountFen: fen.optional(),
  })
  .refine((b) => b.rxAmountFen <= b.orderAmountFen, {
    message: 'rxAmountFen cannot exceed orderAmountFen',
    path: ['rxAmountFen'],
  })
  .refine((b) => b.categoryAmountFen === undefined || b.categoryAmountFen + b.rxAmountFen <= b.orderAmountFen, {
    message: 'the category part and the prescription part together cannot exceed orderAmountFen',
    path: ['categoryAmountFen'],
  })
  .refine((b) => b.categoryAmountFen === undefined || b.lines.length === 0, {
    message: 'with lines the categories come from the catalogue: give categoryAmountFen only without lines',
    path: ['categoryAmountFen'],
  })
  .refine((b) => new Set(b.lines.map((l) => l.sku)).size === b.lines.length, {
    message: 'each SKU once: give its quantity instead',
    path: ['lines'],
  });
export type CounterRedeemBody = z.infer<typeof CounterRedeemBody>;

export const CounterRedeemResponse = z.object({
  redemptionId: z.string(),
  couponId: z.string(),
  couponName: z.string(),
  headline: z.string(),
  orderAmountFen: fen,
  eligibleFen: fen,
  discountFen: fen,
  payableFen: fen,
  redeemedAt: z.string(),
});
export type CounterRedeemResponse = z.infer<typeof CounterRedeemResponse>;

/**
 * A sale at a store whose till is not connected, recorded at the counter so the member earns its points (the same
 * rules as a till's order: prescription drugs earn nothing). With `redemptionId` (the coupon just redeemed for this
 * order) the order is that redemption's: the same amount, its discount taken off what was paid, at most one sale.
 */
export const CounterSaleBody = z
  .strictObject({
    /**
     * One per sale the clerk means to record. Kept while its answer is unknown (no answer, a server failure), also
     * when the clerk changes the amount before sending again: a key that recorded another sale then answers `409
     * IDEMPOTENCY_CONFLICT` with what it recorded (CounterSaleConflict), so the first is never doubled by the second.
     */
    idempotencyKey,
    counterToken: z.string().min(1).max(2048),
    orderAmountFen: fen.min(1).max(COUNTER_MAX_ORDER_FEN),
    rxAmountFen: fen.default(0),
    redemptionId: z.string().min(1).max(64).optional(),
    /**
     * The items, optional: each SKU once. Lines are valued at the catalogue price; prescription drugs among them
     * count towards the part that earns no points even where `rxAmountFen` leaves them out. With items the order
     * amount must be within itemsAmountBounds of their total (422 COUNTER_ITEMS_AMOUNT_MISMATCH).
     */
    lines: z.array(CounterSaleLine).max(30).default([]),
    /**
     * Points the member pays with (积分抵现): whole hundreds, 100 points = 1 yuan, never more than is left to pay
     * after the coupon. What they pay for earns no points, and taking the sale back returns them.
     */
    pointsToSpend: z.number().int().min(0).max(10_000_000).multipleOf(POINTS_SPEND_STEP).default(0),
  })
  .refine((b) => b.rxAmountFen <= b.orderAmountFen, {
    message: 'rxAmountFen cannot exceed orderAmountFen',
    path: ['rxAmountFen'],
  })
  .refine((b) => b.pointsToSpend * FEN_PER_POINT <= b.orderAmountFen, {
    message: 'the points cannot pay for more than the order',
    path: ['pointsToSpend'],
  })
  .refine((b) => new Set(b.lines.map((l) => l.sku)).size === b.lines.length, {
    message: 'each SKU once: give its quantity instead',
    path: ['lines'],
  });
export type CounterSaleBody = z.infer<typeof CounterSaleBody>;

export const CounterSaleLineView = z.object({
  sku: z.string(),
  name: z.string(),
  rx: z.boolean(),
  quantity: z.number().int(),
  unitPriceFen: fen,
  amountFen: fen,
});
export type CounterSaleLineView = z.infer<typeof CounterSaleLineView>;

export const CounterSaleResponse = z.object({
  orderId: z.string(),
  orderAmountFen: fen,
  /** the coupon's discount, when the sale is a redemption's */
  discountFen: fen,
  /** the points the member paid with, and the yuan they paid for */
  pointsSpent: z.number().int(),
  pointsDiscountFen: fen,
  /** what the member paid in money: the amount less the coupon and the points; it is what earns points */
  paidFen: fen,
  /** the items recorded with the sale (none when the clerk gave only the amount) */
  lines: z.array(CounterSaleLineView),
  pointsEarned: z.number().int(),
  /** the member's balance after it (expiries settled) */
  pointsBalance: z.number().int(),
});
export type CounterSaleResponse = z.infer<typeof CounterSaleResponse>;

/**
 * The `details` of a sale's `409 IDEMPOTENCY_CONFLICT`: the sale its key recorded already (the caller's own key), as
 * its answer said then. The page had lost that answer and sent other contents under the same key: it says the first
 * sale stands, to be taken back or kept, rather than recording a second.
 */
export const CounterSaleConflict = z.object({ recorded: CounterSaleResponse });
export type CounterSaleConflict = z.infer<typeof CounterSaleConflict>;

/**
 * A sale recorded here by mistake (a wrong amount, the wrong member), taken back the same day by the clerk who
 * recorded it or the store manager: its points go back. A sale recorded with a redemption goes back with the
 * redemption's void.
 */
export const CounterSaleVoidBody = z.strictObject({ idempotencyKey, orderId: z.string().min(1).max(64) });
export type CounterSaleVoidBody = z.infer<typeof CounterSaleVoidBody>;

export const CounterSaleVoidResponse = z.object({
  orderId: z.string(),
  /** the points the sale earned, taken back; 0 when they were taken back already */
  pointsReversed: z.number().int(),
  /** the points the member paid with, given back; 0 when none were spent or they were given back already */
  pointsReturned: z.number().int(),
});
export type CounterSaleVoidResponse = z.infer<typeof CounterSaleVoidResponse>;

export const CounterRedemption = z.object({
  redemptionId: z.string(),
  /** the coupon redeemed: how the counter finds the redemption an attempt whose answer was lost made */
  couponId: z.string(),
  couponName: z.string(),
  headline: z.string(),
  nameMasked: z.string().nullable(),
  /**
   * 138****5678, masked by the server (never the full number): who the member is where there is no name (a member
   * who signed up in the mini-program and never gave one)
   */
  phoneMasked: z.string().nullable(),
  orderAmountFen: fen,
  discountFen: fen,
  redeemedAt: z.string(),
  status: z.enum(['redeemed', 'voided']),
  /** counter: the staff pages; pos: the store's till (voided at the till, which also reverses the order's points) */
  channel: z.enum(['counter', 'pos']),
  staffName: z.string().nullable(),
  couponReturned: z.boolean().nullable(),
  /**
   * the sale recorded with it at the counter: the points it earned and the points the member paid with (a void takes
   * the one back and returns the other); 0 when no sale was recorded (a till's, or the clerk left it off)
   */
  pointsEarned: z.number().int(),
  pointsSpent: z.number().int(),
  /** whether this caller may void it now: a counter redemption of today, by the caller or any for a manager */
  voidable: z.boolean(),
  /** the member has closed the account since: a void gives the coupon back to nobody and moves no points */
  memberClosed: z.boolean(),
});
export type CounterRedemption = z.infer<typeof CounterRedemption>;

/** A sale recorded at the counter without a coupon today (one with a coupon is listed under its redemption). */
export const CounterSaleRecord = z.object({
  orderId: z.string(),
  recordedAt: z.string(),
  nameMasked: z.string().nullable(),
  /** 138****5678, masked by the server: who the member is where there is no name */
  phoneMasked: z.string().nullable(),
  staffName: z.string().nullable(),
  orderAmountFen: fen,
  pointsEarned: z.number().int(),
  /** the points the member paid with (积分抵现) */
  pointsSpent: z.number().int(),
  /** taken back (撤销登记): its points earned went back, and the points spent were returned */
  takenBack: z.boolean(),
  /** whether this caller may take it back now: today's, by the caller or any for a manager, with points earned or spent */
  voidable: z.boolean(),
});
export type CounterSaleRecord = z.infer<typeof CounterSaleRecord>;

export const CounterRedemptionsResponse = z.object({
  store: z.object({ id: z.string(), name: z.string() }),
  /** the store's business day (Asia/Shanghai), YYYY-MM-DD */
  day: z.string(),
  items: z.array(CounterRedemption),
  /** today's coupon-less sales recorded at this store's counter, newest first (empty where the till is connected) */
  sales: z.array(CounterSaleRecord),
  /** today's totals at this store, counter and till together, voided ones left out */
  totals: z.object({ redemptions: z.number().int(), discountFen: fen }),
});
export type CounterRedemptionsResponse = z.infer<typeof CounterRedemptionsResponse>;

export const CounterVoidBody = z.strictObject({ idempotencyKey, redemptionId: z.string().min(1).max(64) });
export type CounterVoidBody = z.infer<typeof CounterVoidBody>;

export const CounterVoidResponse = z.object({
  redemptionId: z.string(),
  /** false when the coupon had expired by then: it stays used up; false too when it was voided already */
  couponReturned: z.boolean(),
  /** voided before this request (another tap, the store manager): this one gave nothing back */
  alreadyVoided: z.boolean(),
  /** the points the sale recorded with this redemption earned, taken back (0 when none was recorded) */
  pointsReversed: z.number().int(),
  /** the points the member paid that sale with, given back (0 when none) */
  pointsReturned: z.number().int(),
});
export type CounterVoidResponse = z.infer<typeof CounterVoidResponse>;

/**
 * What taking something back at the counter will do to the member's points, asked as the clerk opens the
 * confirmation: a redemption's void (`redemptionId`, with the sale recorded with it) or a coupon-less sale taken back
 * (`orderId`). The same people may ask as may take it back. Nothing is written.
 */
export const CounterVoidPreviewBody = z
  .strictObject({
    redemptionId: z.string().min(1).max(64).optional(),
    orderId: z.string().min(1).max(64).optional(),
  })
  .refine((b) => (b.redemptionId === undefined) !== (b.orderId === undefined), {
    message: 'give either redemptionId or orderId',
    path: ['redemptionId'],
  });
export type CounterVoidPreviewBody = z.infer<typeof CounterVoidPreviewBody>;

export const CounterVoidPreviewResponse = z.object({
  /** the points the sale earned that the void takes back (0: none, or taken back already) */
  pointsToReverse: z.number().int(),
  /** the points the member paid the sale with that it gives back */
  pointsToReturn: z.number().int(),
  /**
   * The member's balance now and after the void (expiries settled); null for a closed account, whose points no
   * longer move. After may be below 0: the member spent points the void takes back. The refund goes through all the
   * same (the money is given back); the debt is paid first from the points the member earns next, and spending
   * waits until the balance is above 0 again.
   */
  balanceNow: z.number().int().nullable(),
  balanceAfter: z.number().int().nullable(),
  /** of the points taken back, those the balance no longer holds (the member spent them): the debt the void adds */
  shortfall: z.number().int(),
});
export type CounterVoidPreviewResponse = z.infer<typeof CounterVoidPreviewResponse>;

/**
 * What a void does to a balance: taking back `reverse` points and giving back `returned`. The shortfall is the debt it
 * adds: the points taken back that the balance does not hold, beyond any debt the member already had.
 */
export function voidPointsOutlook(balanceNow: number, reverse: number, returned: number) {
  const balanceAfter = balanceNow - reverse + returned;
  const debt = (balance: number) => Math.max(0, -balance);
  return { balanceAfter, shortfall: Math.max(0, debt(balanceAfter) - debt(balanceNow)) };
}

/** The catalogue, searched by the counter to add a sale's medicines: by name, generic name or SKU. */
export const ProductSearchQuery = z.strictObject({ q: z.string().trim().min(1).max(40) });
export type ProductSearchQuery = z.infer<typeof ProductSearchQuery>;

export const ProductItem = z.object({
  sku: z.string(),
  name: z.string(),
  genericName: z.string(),
  category: z.string(),
  rx: z.boolean(),
  priceFen: fen,
});
export type ProductItem = z.infer<typeof ProductItem>;

export const ProductSearchResponse = z.object({ items: z.array(ProductItem) });
export type ProductSearchResponse = z.infer<typeof ProductSearchResponse>;
