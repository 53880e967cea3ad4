/**
 * The store counter on the staff pages (扫码核销), for a store whose till is not connected to MedLoop: a clerk scans
 * the member's code (or a coupon's own code), sees who it is and which coupons work here, and redeems one against
 * the order amount; a redemption made by mistake is voided the same day from the same page.
 *
 * - The lookup answers a counter token (10 minutes, bound to the clerk, the store and the member): proof that the
 *   member showed a live code at this counter, presented by the redemption instead of the 90-second member code.
 *   A coupon's own code is no such proof (it lasts until the coupon expires and travels in screenshots and forwarded
 *   coupons): its token is scoped to that coupon, which is all it redeems; no other coupon, points or sale, and the
 *   lookup shows neither the member's other coupons nor the points balance.
 * - Redeem and void are idempotent on the clerk's key (staff_requests, the same claim-in-the-transaction as the
 *   POS's partner_requests); the coupon is taken by a conditional UPDATE, so of any number of concurrent attempts,
 *   counter and till alike, exactly one wins; a refusal writes nothing.
 * - The rules are the POS's (shared/coupons): the clerk gives the order amount and its prescription-drug part, and
 *   either the sale's items (their categories and Rx flags from the catalogue) or, for a coupon limited to
 *   categories, the part of the order in them.
 * - Every lookup, redemption and void is in the audit log.
 */
import type { StaffActor } from '../../../shared/access/actor.js';
import type {
  CounterCoupon,
  CounterLookupBody,
  CounterLookupResponse,
  CounterRedeemBody,
  CounterRedeemResponse,
  CounterRedemptionsResponse,
  CounterSaleBody,
  CounterSaleResponse,
  CounterSaleVoidBody,
  CounterSaleVoidResponse,
  CounterVoidBody,
  CounterVoidPreviewBody,
  CounterVoidPreviewResponse,
  CounterVoidResponse,
  ProductSearchQuery,
  ProductSearchResponse,
} from '../../../shared/contracts/counter.js';
import {
  COUNTER_ITEMS_MAX_DISCOUNT_PERCENT,
  itemsAmountBounds,
  TILL_QUIET_MS,
  voidPointsOutlook,
} from '../../../shared/contracts/counter.js';
import { businessDate, businessDayStart, startOfBusinessDay } from '../../../shared/coupons/business-day.js';
import { couponHeadline, couponRuleLines, zhDate } from '../../../shared/coupons/coupon.describe.js';
import {
  COUPON_CODE_PATTERN,
  type CouponTemplateRule,
  couponLifecycle,
  evaluateRedemption,
  evaluateVoid,
  isCouponCode,
  type OrderLineInput,
} from '../../../shared/coupons/coupon.rules.js';
import { type ErrorCode, fail, ok, type Result } from '../../../shared/errors.js';
import { maskName } from '../../../shared/identity/name.js';
import { maskPhone } from '../../../shared/identity/phone.js';
import { isMemberCodeFormat } from '../../../shared/onboarding/member-code.js';
import { FEN_PER_POINT, pointsState } from '../../../shared/points/points.rules.js';
import type { CounterClaims } from '../../adapters/auth/tokens.js';
import type { Db, Tx } from '../../adapters/db/client.js';
import { counterRepo, staffRequestLedger } from '../../adapters/db/repos/counter.repo.js';
import { couponRepo } from '../../adapters/db/repos/coupon.repo.js';
import { orderPointsHome } from '../../adapters/db/repos/loyalty-merge.repo.js';
import { pointsRepo } from '../../adapters/db/repos/points.repo.js';
import { posRepo } from '../../adapters/db/repos/pos.repo.js';
import { newId } from '../../adapters/ids.js';
import { recordAudit } from '../audit.js';
import type { Deps } from '../deps.js';
import { resolveMemberCode } from '../members/member-code.js';
import { memberAtCounter } from '../members/pos-member.js';
import {
  earnForOrder,
  lockOrder,
  returnOrderSpend,
  reverseOrderPoints,
  settledBalance,
  spendEntryKey,
  spendNote,
  spendPoints,
} from '../points/points.js';
import { type IdempotencyScope, idempotent } from '../pos/idempotent.js';
import { templateRule } from '../pos/redeem.js';

/** How long a scan stays good for redeeming: long enough to ring up a basket, short enough not to outlive the visit. */
export const COUNTER_TOKEN_SECONDS = 600;
/** The day's list shows this many redemptions, newest first (a busy store redeems a few hundred a day). */
const DAY_LIST_LIMIT = 200;

type Ctx = { requestId: string };

/** The counter is a store's: staff without a store (regional managers, HQ) have none to redeem at. */
function counterStore(actor: StaffActor): Result<string, 'COUNTER_NOT_AT_STORE'> {
  return actor.storeId
    ? ok(actor.storeId)
    : fail('COUNTER_NOT_AT_STORE', 'the counter is for staff of a store; this account has no store');
}

export async function counterLookup(
  deps: Deps,
  actor: StaffActor,
  body: CounterLookupBody,
  ctx: Ctx,
): Promise<Result<CounterLookupResponse, ErrorCode>> {
  const store = counterStore(actor);
  if (!store.ok) return store;
  const storeId = store.value;
  const now = deps.clock.now();
  const db = deps.database.db;
  const code = body.code.replace(/\s+/g, '');

  let customerId: string;
  let scannedCouponId: string | null = null;
  if (isCouponCode(code)) {
    const found = await couponRepo.couponWithTemplateByCodePrepared(db, code);
    if (!found) return fail('COUPON_NOT_FOUND', 'no coupon has this code');
    // a used or expired coupon says so at once: the clerk need not look for it in the list
    const state = couponLifecycle(found.coupon, now);
    if (state === 'used') return fail('COUPON_USED', `coupon ${found.coupon.id} has already been used`);
    if (state === 'voided') return fail('COUPON_VOIDED', `coupon ${found.coupon.id} was voided`);
    if (state === 'expired') return fail('COUPON_EXPIRED', `coupon ${found.coupon.id} expired`);
    customerId = found.coupon.customerId;
    scannedCouponId = found.coupon.id;
  } else if (isMemberCodeFormat(code)) {
    const resolved = await resolveMemberCode(db, code, now);
    if (!resolved.ok) return resolved;
    customerId = resolved.value.customerId;
  } else if (COUPON_CODE_PATTERN.test(code)) {
    // 16 digits whose check digit fails: a coupon code mistyped, answered as the POS answers it
    return fail('COUPON_CODE_INVALID', 'a coupon code is 16 digits with a valid check digit');
  } else {
    // a short number, a phone, anything else: the counter takes a member code or a coupon code only
    return fail('MEMBER_CODE_INVALID', 'neither a member code (18 digits, 88…) nor a coupon code (16 digits)');
  }

  const member = await memberAtCounter(deps, customerId, now);
  if (!member) return fail('MEMBER_NOT_FOUND', `customer ${customerId} not found`);
  // a coupon code proves possession of that coupon, not of the member's account: only that coupon is shown
  const available = scannedCouponId
    ? member.available.filter((c) => c.coupon.id === scannedCouponId)
    : member.available;
  const [points, storeNames, tillConnected, tillLastOkAt] = await Promise.all([
    scannedCouponId ? null : pointsRepo.balance(db, customerId),
    couponRepo.storeNames(db, [...new Set(available.flatMap((c) => c.template.storeIds))]),
    counterRepo.tillConnected(db, storeId),
    counterRepo.tillLastOkAt(db, storeId),
  ]);
  const coupons: CounterCoupon[] = available
    .map(({ coupon, template }) => {
      const rule = templateRule(template);
      const elsewhere = rule.storeIds.length > 0 && !rule.storeIds.includes(storeId);
      const early = coupon.validFrom.getTime() > now.getTime();
      return {
        couponId: coupon.id,
        name: template.name,
        headline: couponHeadline(rule),
        rules: couponRuleLines(rule, storeNames, { validUntil: coupon.validUntil }),
        validUntil: coupon.validUntil.toISOString(),
        thresholdFen: rule.thresholdFen,
        categories: [...rule.categories],
        usableHere: !elsewhere && !early,
        whyNot: elsewhere
          ? `仅限${rule.storeIds.map((id) => storeNames.get(id) ?? id).join('、')}使用`
          : early
            ? `${zhDate(businessDate(coupon.validFrom))}起可用`
            : null,
      };
    })
    // usable here first; each group in the order the repo gives (soonest-expiring first)
    .sort((a, b) => Number(b.usableHere) - Number(a.usableHere));

  const { token, expiresAt } = await deps.tokens.signCounter(
    { customerId, staffId: actor.staffId, storeId, couponId: scannedCouponId },
    COUNTER_TOKEN_SECONDS,
  );
  await recordAudit(db, {
    actorKind: 'staff',
    actorId: actor.staffId,
    action: 'counter.member_lookup',
    customerId,
    storeId,
    requestId: ctx.requestId,
    details: { by: scannedCouponId ? 'coupon_code' : 'member_code' },
    at: now,
  });
  const { summary } = member;
  return ok({
    counterToken: token,
    tokenExpiresAt: expiresAt.toISOString(),
    member: {
      nameMasked: member.nameMasked,
      phoneMasked: member.phoneMasked,
      tier: member.tier,
      points,
      memberSince: summary.registeredAt ? summary.registeredAt.toISOString() : null,
      homeStoreName: summary.homeStore?.name ?? null,
    },
    scope: scannedCouponId ? 'coupon' : 'member',
    coupons,
    scannedCouponId,
    cardsToConfirm: scannedCouponId ? [] : member.cardsToConfirm,
    tillConnected,
    tillLastOkAt: tillConnected && tillLastOkAt ? tillLastOkAt.toISOString() : null,
    tillQuiet: tillConnected && (!tillLastOkAt || now.getTime() - tillLastOkAt.getTime() > TILL_QUIET_MS),
  });
}

/** A counter write, answered once per clerk and retry key (staff_requests), in one transaction. */
const clerkOnce = <T>(
  deps: Deps,
  actor: StaffActor,
  scope: { operation: IdempotencyScope['operation']; idempotencyKey: string; body: Record<string, unknown> },
  work: (tx: Tx) => Promise<Result<T, ErrorCode>>,
) => idempotent(deps.database.db, { keyId: actor.staffId, ...scope }, work, staffRequestLedger);

/** The member a counter token names, if it is this clerk's own scan at this store and not older than 10 minutes. */
async function verifyScan(
  deps: Deps,
  actor: StaffActor,
  storeId: string,
  token: string,
): Promise<Result<CounterClaims, 'COUNTER_SESSION_EXPIRED' | 'COUNTER_SESSION_INVALID'>> {
  const verified = await deps.tokens.verifyCounter(token);
  if (!verified.ok) {
    return verified.code === 'TOKEN_EXPIRED'
      ? fail('COUNTER_SESSION_EXPIRED', 'the scan is older than 10 minutes: scan the member code again')
      : fail('COUNTER_SESSION_INVALID', 'the counter token is not valid');
  }
  // a scan is the clerk's own, at their store: another clerk's token, or a token from before a move, is refused
  if (verified.claims.staffId !== actor.staffId || verified.claims.storeId !== storeId) {
    return fail('COUNTER_SESSION_INVALID', 'this scan was made by another clerk or at another store');
  }
  return ok(verified.claims);
}

/**
 * A counter sale's items valued at the catalogue price, with their category (for a coupon limited to categories); a
 * SKU not in the catalogue refuses the sale, and so does an order amount the items cannot be (itemsAmountBounds).
 */
async function saleItems(tx: Tx, lines: CounterSaleBody['lines'], orderAmountFen: number) {
  const skus = lines.map((l) => l.sku);
  const catalogue = await counterRepo.catalogue(tx, skus);
  const missing = lines.filter((l) => !catalogue.has(l.sku)).map((l) => l.sku);
  if (missing.length > 0) return fail('PRODUCT_NOT_FOUND', `not in the catalogue: ${missing.join(', ')}`);
  const items = lines.flatMap((l) => {
    const product = catalogue.get(l.sku);
    if (!product) return [];
    return [
      {
        sku: l.sku,
        productId: product.id,
        name: product.name,
        rx: product.rx,
        category: product.category,
        quantity: l.quantity,
        unitPriceFen: product.priceFen,
        amountFen: product.priceFen * l.quantity,
      },
    ];
  });
  if (items.length > 0) {
    const itemsFen = items.reduce((sum, l) => sum + l.amountFen, 0);
    const { minFen, maxFen } = itemsAmountBounds(itemsFen);
    if (orderAmountFen < minFen || orderAmountFen > maxFen) {
      return fail(
        'COUNTER_ITEMS_AMOUNT_MISMATCH',
        `the order is ${orderAmountFen} fen, its items ${itemsFen} fen at catalogue price: the amount must be from ${minFen} (${COUNTER_ITEMS_MAX_DISCOUNT_PERCENT}% off at most) to ${maxFen}`,
        { orderAmountFen, itemsFen, minFen, maxFen },
      );
    }
  }
  return ok(items);
}

type SaleItem = Extract<Awaited<ReturnType<typeof saleItems>>, { ok: true }>['value'][number];

/** The order as the rules read it: the prescription-drug part is a line of its own. */
function orderLines(orderAmountFen: number, rxAmountFen: number): OrderLineInput[] | undefined {
  if (rxAmountFen === 0) return undefined;
  const lines: OrderLineInput[] = [{ amountFen: rxAmountFen, rx: true }];
  if (orderAmountFen > rxAmountFen) lines.push({ amountFen: orderAmountFen - rxAmountFen, rx: false });
  return lines;
}

/**
 * The order a counter redemption is evaluated on. With items: each item's category and Rx flag from the catalogue,
 * its catalogue value shared out over the order amount (a store discount lowers every line alike; rounded down, so a
 * percentage coupon never gets more than was paid). Without items, a coupon limited to categories needs the part of
 * the order in them (typed from the receipt, non-prescription); any other coupon reads the amount and its Rx part.
 */
function redemptionLines(
  rule: CouponTemplateRule,
  body: CounterRedeemBody,
  items: readonly SaleItem[],
): Result<OrderLineInput[] | undefined, 'COUPON_CATEGORY_NOT_IN_ORDER'> {
  const { orderAmountFen, rxAmountFen } = body;
  if (items.length > 0) {
    const itemsFen = items.reduce((sum, l) => sum + l.amountFen, 0);
    return ok(
      items.map((l) => ({
        amountFen: Math.floor((l.amountFen * orderAmountFen) / itemsFen),
        category: l.category,
        rx: l.rx,
      })),
    );
  }
  if (rule.categories.length === 0) return ok(orderLines(orderAmountFen, rxAmountFen));
  if (body.categoryAmountFen === undefined) {
    return fail(
      'COUPON_CATEGORY_NOT_IN_ORDER',
      `the coupon is for ${rule.categories.join(', ')} only: give the sale's items, or the part of the order in these categories (categoryAmountFen)`,
    );
  }
  const rest = orderAmountFen - rxAmountFen - body.categoryAmountFen;
  const lines: OrderLineInput[] = [{ amountFen: body.categoryAmountFen, category: rule.categories[0], rx: false }];
  if (rxAmountFen > 0) lines.push({ amountFen: rxAmountFen, rx: true });
  if (rest > 0) lines.push({ amountFen: rest, rx: false });
  return ok(lines);
}

/** Whether an order has a line of any of the coupon's categories: what tells "none of its categories" from "Rx". */
const hasCategoryLine = (rule: CouponTemplateRule, lines: readonly OrderLineInput[] | undefined) =>
  (lines ?? []).some((l) => l.amountFen > 0 && l.category != null && rule.categories.includes(l.category));

export async function counterRedeem(
  deps: Deps,
  actor: StaffActor,
  body: CounterRedeemBody,
  ctx: Ctx,
): Promise<Result<CounterRedeemResponse, ErrorCode>> {
  const store = counterStore(actor);
  if (!store.ok) return store;
  const storeId = store.value;
  const verified = await verifyScan(deps, actor, storeId, body.counterToken);
  if (!verified.ok) return verified;
  const scan = verified.value;
  // a coupon code proves possession of that coupon only: the member's other coupons need the member code
  if (scan.couponId && scan.couponId !== body.couponId) {
    return fail(
      'COUNTER_SCAN_COUPON_ONLY',
      `the scan was coupon ${scan.couponId}'s own code: it redeems that coupon only; ${body.couponId} needs the member code`,
    );
  }
  const now = deps.clock.now();
  const { counterToken: _token, ...request } = body;
  return clerkOnce(
    deps,
    actor,
    {
      operation: 'redeem',
      idempotencyKey: body.idempotencyKey,
      // the request is what was asked, for whom: a retry carries the same token, a new scan of the member the same
      body: { ...request, customerId: scan.customerId },
    },
    async (tx): Promise<Result<CounterRedeemResponse, ErrorCode>> => {
      // the member, locked (a closure voids the coupons under the same lock), and still a member
      const member = await scannedMember(tx, scan);
      if (!member.ok) return member;
      const found = await couponRepo.couponWithTemplateById(tx, body.couponId);
      // another member's coupon is "not found" for this member: say nothing about it
      if (!found || found.coupon.customerId !== member.value) {
        return fail('COUPON_NOT_FOUND', `the member has no coupon ${body.couponId}`);
      }
      const { coupon, template } = found;
      const rule = templateRule(template);
      const items = await saleItems(tx, body.lines, body.orderAmountFen);
      if (!items.ok) return items;
      const lines = redemptionLines(rule, body, items.value);
      if (!lines.ok) return lines;
      const plan = evaluateRedemption(
        coupon,
        rule,
        { storeId, amountFen: body.orderAmountFen, lines: lines.value },
        now,
      );
      if (!plan.ok) {
        // nothing eligible on a category coupon's order without its categories: say so, not "prescription drugs"
        if (plan.code === 'NO_ELIGIBLE_ITEMS' && rule.categories.length > 0 && !hasCategoryLine(rule, lines.value)) {
          return fail(
            'COUPON_CATEGORY_NOT_IN_ORDER',
            `coupon ${coupon.id} is for ${rule.categories.join(', ')} only: the order has none of them`,
            { categories: rule.categories },
          );
        }
        return plan;
      }
      // of any number of concurrent attempts, at this counter or a till, exactly one finds it still available
      if (!(await counterRepo.takeCoupon(tx, coupon.id, storeId, now))) {
        return fail('COUPON_USED', `coupon ${coupon.id} has already been used`);
      }
      const redemptionId = newId('rdm', now.getTime());
      await couponRepo.insertRedemption(tx, {
        id: redemptionId,
        couponId: coupon.id,
        customerId: coupon.customerId,
        storeId,
        staffId: actor.staffId,
        orderAmountFen: body.orderAmountFen,
        discountFen: plan.value.discountFen,
        status: 'redeemed',
        redeemedAt: now,
      });
      await recordAudit(tx, {
        actorKind: 'staff',
        actorId: actor.staffId,
        action: 'counter.redeem',
        customerId: coupon.customerId,
        storeId,
        requestId: ctx.requestId,
        details: { redemptionId, couponId: coupon.id, discountFen: plan.value.discountFen },
        at: now,
      });
      return ok({
        redemptionId,
        couponId: coupon.id,
        couponName: template.name,
        headline: couponHeadline(rule),
        orderAmountFen: body.orderAmountFen,
        eligibleFen: plan.value.eligibleFen,
        discountFen: plan.value.discountFen,
        payableFen: body.orderAmountFen - plan.value.discountFen,
        redeemedAt: now.toISOString(),
      });
    },
  );
}

const isManager = (actor: StaffActor) => actor.role === 'store_manager';

/**
 * The order numbers of sales recorded at the counter (orders of source `pos`, the store's own sales, prefixed so they
 * never meet a till's numbers): one per redemption, else one per clerk and retry key.
 */
const SALE_PREFIX = 'counter:';
const counterSaleId = (redemptionId: string) => `${SALE_PREFIX}${redemptionId}`;
const couponlessSaleId = (staffId: string, idempotencyKey: string) => `${SALE_PREFIX}${staffId}:${idempotencyKey}`;
/** the redemption a sale's number names, if it is a redemption's */
const redemptionOfSale = (externalId: string) => externalId.slice(SALE_PREFIX.length);

/**
 * Whether `actor` may take back something recorded at the counter (`by`, at `at`) now: made today, by the actor, or
 * by anyone of the store for its manager. The caller has checked the store.
 */
const mayTakeBack = (actor: StaffActor, by: string | null, at: Date, now: Date): boolean =>
  by !== null && businessDate(at) === businessDate(now) && (by === actor.staffId || isManager(actor));

/**
 * Whether `actor` may void a redemption at the counter now, were it live: a counter redemption (a till's is voided at
 * the till, which also reverses the order's points) of the actor's store that they may take back.
 */
const mayVoid = (actor: StaffActor, r: { storeId: string; staffId: string | null; redeemedAt: Date }, now: Date) =>
  r.storeId === actor.storeId && mayTakeBack(actor, r.staffId, r.redeemedAt, now);

/** Whether the counter's list offers the void: a live redemption the actor may void. */
const voidable = (
  actor: StaffActor,
  r: { storeId: string; staffId: string | null; redeemedAt: Date; status: string },
  now: Date,
): boolean => r.status === 'redeemed' && mayVoid(actor, r, now);

/**
 * Takes back a sale recorded at the counter (alone, or with its redemption's void), its member and then the order
 * locked by the caller (lockOrder): it leaves the member's tier (`refunded_at`), what it earned goes back and what
 * was paid with points comes back, each once, with whoever holds the member's points now.
 */
async function takeBackSale(tx: Tx, orderId: string, now: Date) {
  await posRepo.markRefunded(tx, orderId, now);
  const pointsReversed = await reverseOrderPoints(tx, orderId, now);
  const pointsReturned = await returnOrderSpend(tx, orderId, now);
  return { pointsReversed, pointsReturned };
}

/**
 * The member a counter scan named, locked for a redemption or a sale (pointsRepo.lockOwner): a closure waits for it,
 * or it sees the closure. Merged since the scan, the member is the merge's survivor: the same person, whose code and
 * coupons are there now (a new scan would find them there too). Refused once the account is closed.
 */
async function scannedMember(tx: Tx, scan: CounterClaims): Promise<Result<string, 'MEMBER_ACCOUNT_CLOSED'>> {
  const owner = await pointsRepo.lockOwner(tx, scan.customerId);
  if (!owner || owner.closed) {
    return fail('MEMBER_ACCOUNT_CLOSED', `customer ${scan.customerId} closed the account since the scan`);
  }
  return ok(owner.id);
}

export async function counterRedemptions(
  deps: Deps,
  actor: StaffActor,
): Promise<Result<CounterRedemptionsResponse, ErrorCode>> {
  const store = counterStore(actor);
  if (!store.ok) return store;
  const storeId = store.value;
  const db = deps.database.db;
  const now = deps.clock.now();
  const day = businessDate(now);
  const from = businessDayStart(day);
  const to = startOfBusinessDay(now, 1);
  const [rows, sales, totals, names] = await Promise.all([
    counterRepo.redemptionsOfStore(db, { storeId, from, to, limit: DAY_LIST_LIMIT, salePrefix: SALE_PREFIX }),
    counterRepo.couponlessSalesOfStore(db, { storeId, from, to, limit: DAY_LIST_LIMIT, salePrefix: SALE_PREFIX }),
    counterRepo.dayTotals(db, storeId, from, to),
    couponRepo.storeNames(db, [storeId]),
  ]);
  return ok({
    store: { id: storeId, name: names.get(storeId) ?? storeId },
    day,
    items: rows.map((r) => ({
      redemptionId: r.id,
      couponId: r.couponId,
      couponName: r.template.name,
      headline: couponHeadline(templateRule(r.template)),
      nameMasked: maskName(r.customerName),
      phoneMasked: r.customerPhone ? maskPhone(r.customerPhone) : null,
      orderAmountFen: r.orderAmountFen,
      discountFen: r.discountFen,
      redeemedAt: r.redeemedAt.toISOString(),
      status: r.status,
      channel: r.staffId ? 'counter' : 'pos',
      staffName: r.staffName,
      couponReturned: r.couponReturned,
      pointsEarned: r.pointsEarned,
      pointsSpent: r.pointsSpent,
      voidable: voidable(actor, { ...r, storeId }, now),
      memberClosed: r.memberClosed === true,
    })),
    sales: sales.map((o) => ({
      orderId: o.orderId,
      recordedAt: o.orderedAt.toISOString(),
      nameMasked: maskName(o.customerName),
      phoneMasked: o.customerPhone ? maskPhone(o.customerPhone) : null,
      staffName: o.staffName,
      orderAmountFen: o.orderAmountFen,
      pointsEarned: o.pointsEarned,
      pointsSpent: o.pointsSpent,
      takenBack: o.takenBack,
      // a sale that neither earned nor spent points has nothing to take back
      voidable:
        !o.takenBack && (o.pointsEarned > 0 || o.pointsSpent > 0) && mayTakeBack(actor, o.recordedBy, o.orderedAt, now),
    })),
    totals,
  });
}

export async function counterVoid(
  deps: Deps,
  actor: StaffActor,
  body: CounterVoidBody,
  ctx: Ctx,
): Promise<Result<CounterVoidResponse, ErrorCode>> {
  const store = counterStore(actor);
  if (!store.ok) return store;
  const storeId = store.value;
  const now = deps.clock.now();
  return clerkOnce(
    deps,
    actor,
    { operation: 'void', idempotencyKey: body.idempotencyKey, body: { ...body } },
    async (tx): Promise<Result<CounterVoidResponse, ErrorCode>> => {
      const seen = await couponRepo.redemptionById(tx, body.redemptionId);
      // another store's redemption is "not found" here
      if (!seen || seen.storeId !== storeId) {
        return fail('REDEMPTION_NOT_FOUND', `no redemption ${body.redemptionId} at this store`);
      }
      // the member first, then the redemption and the sale's order, as a closure locks the customer, then its rows
      const owner = await pointsRepo.lockOwner(tx, seen.customerId);
      const row = await couponRepo.redemptionForUpdate(tx, body.redemptionId);
      if (!row) throw new Error(`redemption ${body.redemptionId} vanished`);
      // only who may void it, live or not: a voided one answers no differently to someone who could not have voided it
      if (!mayVoid(actor, row, now)) {
        return fail(
          'REDEMPTION_NOT_VOIDABLE',
          row.staffId === null
            ? 'a till redemption is voided by the till (its refund also reverses the points)'
            : 'only today’s counter redemptions, by the clerk who made them or the store manager',
        );
      }
      // voided already (by another tap, or the manager): the state asked for is there, and this void gave nothing back
      if (row.status === 'voided') {
        return ok({
          redemptionId: row.id,
          couponReturned: false,
          alreadyVoided: true,
          pointsReversed: 0,
          pointsReturned: 0,
        });
      }
      const found = await couponRepo.couponWithTemplateById(tx, row.couponId);
      if (!found) throw new Error(`redemption ${row.id} names a missing coupon`);
      const decision = evaluateVoid(row, found.coupon, now, owner?.closed ?? false);
      for (const action of decision.actions) {
        if (action.action === 'void_redemption')
          await couponRepo.markVoided(tx, action.redemptionId, now, decision.couponReturned);
        if (action.action === 'return_coupon') await couponRepo.markAvailable(tx, action.couponId);
      }
      // the sale recorded with it at the counter goes back with it: its points, and out of the member's tier
      const sale = await posRepo.orderByExternalId(tx, 'pos', counterSaleId(row.id), storeId);
      let taken = { pointsReversed: 0, pointsReturned: 0 };
      if (sale && (await lockOrder(tx, sale.id))) taken = await takeBackSale(tx, sale.id, now);
      const { pointsReversed, pointsReturned } = taken;
      await recordAudit(tx, {
        actorKind: 'staff',
        actorId: actor.staffId,
        action: 'counter.void',
        customerId: row.customerId,
        storeId,
        requestId: ctx.requestId,
        details: {
          redemptionId: row.id,
          couponId: row.couponId,
          couponReturned: decision.couponReturned,
          pointsReversed,
          pointsReturned,
        },
        at: now,
      });
      return ok({
        redemptionId: row.id,
        couponReturned: decision.couponReturned,
        alreadyVoided: false,
        pointsReversed,
        pointsReturned,
      });
    },
  );
}

/**
 * A sale at a store whose till is not connected, recorded so the member earns its points by the same rules as a
 * till's order (prescription drugs earn nothing; the paid amount is shared over the lines). With a redemption, the
 * order is that redemption's: the same amount, its discount off what was paid, and one sale however often it is
 * sent. A store whose till reports its sales is refused: the till's order earns them, and twice would be wrong.
 */
export async function counterSale(
  deps: Deps,
  actor: StaffActor,
  body: CounterSaleBody,
  ctx: Ctx,
): Promise<Result<CounterSaleResponse, ErrorCode>> {
  const store = counterStore(actor);
  if (!store.ok) return store;
  const storeId = store.value;
  const verified = await verifyScan(deps, actor, storeId, body.counterToken);
  if (!verified.ok) return verified;
  const scan = verified.value;
  // a coupon code is no proof of the member's account: points are earned and spent with the member code, as at a
  // till (whose orders earn with the member code or card, never a coupon code), and a sale's answer shows the balance
  if (scan.couponId) {
    return fail(
      'COUNTER_SCAN_COUPON_ONLY',
      `the scan was coupon ${scan.couponId}'s own code: a sale (points earned or spent) needs the member code`,
    );
  }
  const db = deps.database.db;
  if (await counterRepo.tillConnected(db, storeId)) {
    return fail('COUNTER_TILL_CONNECTED', "this store's till reports its sales: they earn points from there");
  }
  const now = deps.clock.now();
  const { counterToken: _token, ...request } = body;
  const result = await clerkOnce(
    deps,
    actor,
    {
      operation: 'sale',
      idempotencyKey: body.idempotencyKey,
      body: { ...request, customerId: scan.customerId },
    },
    async (tx): Promise<Result<CounterSaleResponse, ErrorCode>> => {
      // the member, locked before the redemption and the order (as a closure locks them), and still a member
      const member = await scannedMember(tx, scan);
      if (!member.ok) return member;
      const customerId = member.value;
      const items = await saleItems(tx, body.lines, body.orderAmountFen);
      if (!items.ok) return items;
      let discountFen = 0;
      let externalId = couponlessSaleId(actor.staffId, body.idempotencyKey);
      if (body.redemptionId) {
        const r = await couponRepo.redemptionForUpdate(tx, body.redemptionId);
        // the redemption this counter made for this member today; a voided one has no sale any more
        if (
          !r ||
          r.storeId !== storeId ||
          r.customerId !== customerId ||
          r.staffId === null ||
          r.status !== 'redeemed'
        ) {
          return fail('REDEMPTION_NOT_FOUND', `no live counter redemption ${body.redemptionId} of this member here`);
        }
        if (r.orderAmountFen !== body.orderAmountFen) {
          return fail(
            'ORDER_AMOUNT_MISMATCH',
            `the redemption was for ${r.orderAmountFen} fen, the sale says ${body.orderAmountFen}`,
          );
        }
        discountFen = r.discountFen;
        externalId = counterSaleId(r.id);
      }
      const pointsDiscountFen = body.pointsToSpend * FEN_PER_POINT;
      if (discountFen + pointsDiscountFen > body.orderAmountFen) {
        return fail(
          'POINTS_EXCEED_ORDER',
          `${body.pointsToSpend} points are ${pointsDiscountFen} fen, ${body.orderAmountFen - discountFen} is left to pay`,
        );
      }
      const paidFen = body.orderAmountFen - discountFen - pointsDiscountFen;
      const orderId = newId('ord', now.getTime());
      const inserted = await posRepo.insertOrderOnce(tx, {
        id: orderId,
        source: 'pos',
        externalId,
        storeId,
        customerId,
        totalFen: body.orderAmountFen,
        // the order's discount is all that was not paid in money: the coupon's and the points'
        discountFen: discountFen + pointsDiscountFen,
        paidFen,
        orderedAt: now,
        recordedBy: actor.staffId,
      });
      if (!inserted) {
        // the redemption's sale was recorded already (another key): the same order, its points once
        const existing = await posRepo.orderByExternalId(tx, 'pos', externalId, storeId);
        if (!existing) throw new Error(`order ${externalId} conflicted but is not visible`);
        const [earned, spent] = await Promise.all([
          pointsRepo.byEntryKey(tx, `earn:${existing.id}`),
          pointsRepo.byEntryKey(tx, spendEntryKey(existing.id)),
        ]);
        const existingPointsSpent = spent ? -spent.points : 0;
        return ok({
          orderId: existing.id,
          orderAmountFen: existing.totalFen,
          discountFen: existing.discountFen - existingPointsSpent * FEN_PER_POINT,
          pointsSpent: existingPointsSpent,
          pointsDiscountFen: existingPointsSpent * FEN_PER_POINT,
          paidFen: existing.paidFen,
          lines: await counterRepo.saleLines(tx, existing.id),
          pointsEarned: earned?.points ?? 0,
          pointsBalance: (await settledBalance(tx, customerId, now)).balance,
        });
      }
      await posRepo.insertLines(
        tx,
        items.value.map(({ name: _name, rx: _rx, category: _category, ...line }, i) => ({
          orderId,
          lineNo: i + 1,
          ...line,
        })),
      );
      // prescription drugs earn nothing: the part typed, or the Rx items' value where the clerk left it out
      const rxItemsFen = items.value.reduce((sum, l) => sum + (l.rx ? l.amountFen : 0), 0);
      const rxAmountFen = Math.max(body.rxAmountFen, Math.min(body.orderAmountFen, rxItemsFen));
      const names = await couponRepo.storeNames(tx, [storeId]);
      // the points paid with come off the balance before this sale's own points are earned
      if (body.pointsToSpend > 0) {
        const spent = await spendPoints(tx, {
          customerId,
          entryKey: spendEntryKey(orderId),
          orderId,
          storeId,
          points: body.pointsToSpend,
          note: spendNote(names.get(storeId) ?? null, body.pointsToSpend),
          now,
        });
        if (!spent.ok) return spent;
      }
      const pointsEarned = await earnForOrder(tx, {
        customerId,
        orderId,
        storeId,
        storeName: names.get(storeId) ?? null,
        order: {
          paidFen,
          lines: orderLines(body.orderAmountFen, rxAmountFen) ?? [{ amountFen: body.orderAmountFen, rx: false }],
        },
        now,
      });
      await recordAudit(tx, {
        actorKind: 'staff',
        actorId: actor.staffId,
        action: 'counter.sale',
        customerId,
        storeId,
        requestId: ctx.requestId,
        details: {
          orderId,
          redemptionId: body.redemptionId ?? null,
          paidFen,
          items: items.value.length,
          pointsEarned,
          pointsSpent: body.pointsToSpend,
        },
        at: now,
      });
      return ok({
        orderId,
        orderAmountFen: body.orderAmountFen,
        discountFen,
        pointsSpent: body.pointsToSpend,
        pointsDiscountFen,
        paidFen,
        lines: items.value.map(({ productId: _id, category: _category, ...line }) => line),
        pointsEarned,
        pointsBalance: (await settledBalance(tx, customerId, now)).balance,
      });
    },
  );
  if (result.ok || result.code !== 'IDEMPOTENCY_CONFLICT') return result;
  return saleKeyTaken(db, actor, body.idempotencyKey);
}

/**
 * The answer to a sale sent under a key that already recorded another: the page keeps the key of a sale whose
 * answer was lost and sends a changed amount under it, so that the first, if it was recorded, is found (this 409,
 * nothing written) and, if it never arrived, can no longer be (its late arrival is this 409). `details.recorded` is
 * what the key recorded, as its answer said then (the caller's own key: nothing of anyone else's).
 */
async function saleKeyTaken(db: Db, actor: StaffActor, idempotencyKey: string) {
  const stored = await staffRequestLedger.stored(db, { keyId: actor.staffId, operation: 'sale', idempotencyKey });
  const recorded = (stored?.response ?? null) as CounterSaleResponse | null;
  return fail(
    'IDEMPOTENCY_CONFLICT',
    `idempotency key ${idempotencyKey} already recorded ${recorded ? `sale ${recorded.orderId}` : 'a sale'} with other contents: take it back, or keep it, before recording another`,
    { recorded },
  );
}

/**
 * Takes back a sale recorded at the counter without a coupon (a wrong amount, the wrong member): today, at the
 * caller's store, by the clerk who recorded it or the store manager. Its points go back (`reverse:<order>`, once);
 * the order stays, as a till's refunded order does. A sale recorded with a redemption goes back with that redemption.
 */
export async function counterSaleVoid(
  deps: Deps,
  actor: StaffActor,
  body: CounterSaleVoidBody,
  ctx: Ctx,
): Promise<Result<CounterSaleVoidResponse, ErrorCode>> {
  const store = counterStore(actor);
  if (!store.ok) return store;
  const storeId = store.value;
  const now = deps.clock.now();
  return clerkOnce(
    deps,
    actor,
    { operation: 'sale_void', idempotencyKey: body.idempotencyKey, body: { ...body } },
    async (tx): Promise<Result<CounterSaleVoidResponse, ErrorCode>> => {
      // the member first, then the order (a closure locks them in this order)
      const order = (await lockOrder(tx, body.orderId))?.order;
      // a counter sale of this store; anything else is "not found" here
      if (!order || order.storeId !== storeId || order.recordedBy === null || !order.customerId) {
        return fail('ORDER_NOT_FOUND', `no counter sale ${body.orderId} at this store`);
      }
      // a sale recorded with a coupon goes back with the redemption's void (coupon and points together)
      if (await couponRepo.redemptionForUpdate(tx, redemptionOfSale(order.externalId))) {
        return fail('SALE_NOT_VOIDABLE', "a sale recorded with a redemption goes back with the redemption's void");
      }
      if (!mayTakeBack(actor, order.recordedBy, order.orderedAt, now)) {
        return fail(
          'SALE_NOT_VOIDABLE',
          'only today’s counter sales, by the clerk who recorded them or the store manager',
        );
      }
      const { pointsReversed, pointsReturned } = await takeBackSale(tx, order.id, now);
      await recordAudit(tx, {
        actorKind: 'staff',
        actorId: actor.staffId,
        action: 'counter.sale_void',
        customerId: order.customerId,
        storeId,
        requestId: ctx.requestId,
        details: { orderId: order.id, pointsReversed, pointsReturned },
        at: now,
      });
      return ok({ orderId: order.id, pointsReversed, pointsReturned });
    },
  );
}

/**
 * What voiding a redemption (with the sale recorded with it) or taking a coupon-less sale back will do to the
 * member's points, for the clerk's confirmation: the same checks as the void itself (this store's, today's, the
 * caller's or any for the store manager), nothing written. A member who spent points the void takes back goes below
 * 0 (`shortfall`): the void still goes through, as the money is refunded, and the clerk tells the member first.
 */
export async function counterVoidPreview(
  deps: Deps,
  actor: StaffActor,
  body: CounterVoidPreviewBody,
): Promise<Result<CounterVoidPreviewResponse, ErrorCode>> {
  const store = counterStore(actor);
  if (!store.ok) return store;
  const storeId = store.value;
  const db = deps.database.db;
  const now = deps.clock.now();
  if (body.redemptionId) {
    const r = await couponRepo.redemptionById(db, body.redemptionId);
    if (!r || r.storeId !== storeId) return fail('REDEMPTION_NOT_FOUND', `no redemption ${body.redemptionId} here`);
    if (!mayVoid(actor, r, now)) {
      return fail('REDEMPTION_NOT_VOIDABLE', 'only today’s counter redemptions, by their clerk or the store manager');
    }
    // voided already: the void asked for gives nothing back
    const sale =
      r.status === 'voided' ? null : await posRepo.orderByExternalId(db, 'pos', counterSaleId(r.id), storeId);
    return ok(await pointsOutlook(db, sale?.id ?? null, r.customerId, now));
  }
  const order = body.orderId ? await posRepo.orderById(db, body.orderId) : null;
  if (!order || order.storeId !== storeId || order.recordedBy === null || !order.customerId) {
    return fail('ORDER_NOT_FOUND', `no counter sale ${body.orderId} at this store`);
  }
  if (await couponRepo.redemptionById(db, redemptionOfSale(order.externalId))) {
    return fail('SALE_NOT_VOIDABLE', "a sale recorded with a redemption goes back with the redemption's void");
  }
  if (!mayTakeBack(actor, order.recordedBy, order.orderedAt, now)) {
    return fail('SALE_NOT_VOIDABLE', 'only today’s counter sales, by the clerk who recorded them or the store manager');
  }
  return ok(await pointsOutlook(db, order.id, order.customerId, now));
}

/**
 * The points taking `orderId` back moves (what it earned, not yet reversed; what it was paid with, not yet returned)
 * and the balance of whoever holds them now (the member, or the survivor of a merge since; takeBackSale moves them
 * there), read as the void would find them.
 */
async function pointsOutlook(
  db: Db,
  orderId: string | null,
  customerId: string,
  now: Date,
): Promise<CounterVoidPreviewResponse> {
  const [earned, reversed, spent, unspent, home] = orderId
    ? await Promise.all([
        pointsRepo.byEntryKey(db, `earn:${orderId}`),
        pointsRepo.byEntryKey(db, `reverse:${orderId}`),
        pointsRepo.byEntryKey(db, spendEntryKey(orderId)),
        pointsRepo.byEntryKey(db, `unspend:${orderId}`),
        orderPointsHome(db, orderId),
      ])
    : [null, null, null, null, null];
  // outside a transaction this locks nothing: it follows the merges to who holds the points now
  const owner = await pointsRepo.lockOwner(db, home?.customerId ?? earned?.customerId ?? customerId);
  // a closed account's points were zeroed when it closed: a void moves none
  if (!owner || owner.closed) {
    return { pointsToReverse: 0, pointsToReturn: 0, balanceNow: null, balanceAfter: null, shortfall: 0 };
  }
  const pointsToReverse = earned && !reversed ? earned.points : 0;
  const pointsToReturn = spent && !unspent ? -spent.points : 0;
  const balanceNow = pointsState(await pointsRepo.ledger(db, owner.id), now).balance;
  return {
    pointsToReverse,
    pointsToReturn,
    balanceNow,
    ...voidPointsOutlook(balanceNow, pointsToReverse, pointsToReturn),
  };
}

/** The number of catalogue entries a search answers: the clerk types on until the one wanted is among them. */
const PRODUCT_SEARCH_LIMIT = 12;

/** The catalogue, for adding a counter sale's medicines (names and prices: no member data, not audited). */
export async function searchProducts(deps: Deps, query: ProductSearchQuery): Promise<ProductSearchResponse> {
  return { items: await counterRepo.searchProducts(deps.database.db, query.q, PRODUCT_SEARCH_LIMIT) };
}
