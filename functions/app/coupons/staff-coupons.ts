import { type Actor, decide, type Resource, type StaffActor } from '../../../shared/access/policy.js';
import { manualIssueRefusal } from '../../../shared/access/rules/loyalty.rules.js';
import {
  type CouponTemplateCreateOptions,
  type CouponTemplateView,
  type CreateCouponTemplateBody,
  ISSUE_LIST_MAX,
  type IssueCouponsResponse,
  type MemberLookupResponse,
  type ResolvedPhone,
  type ResolvePhonesResponse,
} from '../../../shared/contracts/loyalty.js';
import { businessDate } from '../../../shared/coupons/business-day.js';
import { couponHeadline, couponRuleLines, lastValidDay } from '../../../shared/coupons/coupon.describe.js';
import { couponValidity, fixedValidity } from '../../../shared/coupons/coupon.rules.js';
import { ruleProblem } from '../../../shared/coupons/template.rules.js';
import { type ErrorCode, fail, ok, type Result } from '../../../shared/errors.js';
import { maskName } from '../../../shared/identity/name.js';
import { maskPhone, normalizePhone } from '../../../shared/identity/phone.js';
import type { Db } from '../../adapters/db/client.js';
import { type CouponTemplateRow, couponRepo, type Executor } from '../../adapters/db/repos/coupon.repo.js';
import { type BulkIssueOutcome, couponTemplateRepo } from '../../adapters/db/repos/coupon-template.repo.js';
import { loyaltyMemberRepo } from '../../adapters/db/repos/loyalty-member.repo.js';
import { posRepo } from '../../adapters/db/repos/pos.repo.js';
import { newId } from '../../adapters/ids.js';
import { recordAudit } from '../audit.js';
import { customersInScope } from '../members/member-scope.js';
import { templateRule } from '../pos/redeem.js';
import { newCouponCode } from './issue-coupon.js';

async function storesInScope(db: Db, actor: StaffActor): Promise<string[] | null> {
  if (actor.role === 'hq_admin') return null;
  if (actor.role === 'regional_manager') return actor.regionId ? couponRepo.storeIdsOfRegion(db, actor.regionId) : [];
  return actor.storeId ? [actor.storeId] : [];
}

/** The policy resource of a template: its owning store, or none for a chain-wide one (HQ). */
export function templateResource(
  t: Pick<CouponTemplateRow, 'ownerStoreId'>,
  owner: { regionId: string } | undefined,
): Resource {
  if (!t.ownerStoreId) return { kind: 'none' };
  // an owner store without a region cannot be matched by anyone but HQ
  return { kind: 'store', storeId: t.ownerStoreId, regionId: owner?.regionId ?? '' };
}

/**
 * Templates as staff see them: rules in words, true issued counts, whether this caller may manage each and issue it
 * by hand now (`now`: a fixed-date template past its last day issues nothing, so it is shown as ended).
 */
export async function templateViews(
  ex: Executor,
  actor: StaffActor,
  rows: CouponTemplateRow[],
  now: Date,
): Promise<CouponTemplateView[]> {
  const today = businessDate(now);
  const ids = new Set<string>();
  for (const r of rows) {
    for (const s of r.storeIds) ids.add(s);
    if (r.ownerStoreId) ids.add(r.ownerStoreId);
  }
  const stores = await couponTemplateRepo.stores(ex, [...ids]);
  const names = new Map([...stores].map(([id, s]) => [id, s.name]));
  const usage = await couponTemplateRepo.usage(
    ex,
    rows.map((r) => r.id),
  );
  return rows.map((t) => {
    const used = usage.get(t.id) ?? { issued: 0, used: 0, discountFen: 0 };
    const issuedCount = used.issued;
    const resource = templateResource(t, t.ownerStoreId ? stores.get(t.ownerStoreId) : undefined);
    const fixed =
      t.validityKind === 'fixed'
        ? { from: businessDate(t.validFrom as Date), until: lastValidDay(t.validUntil as Date) }
        : null;
    const pastEnd = !!fixed && fixed.until < today;
    const refusal = manualIssueRefusal(actor, {
      code: t.code,
      owner: resource.kind === 'store' ? resource : null,
    });
    const notIssuableCode = refusal ?? (t.status !== 'active' || pastEnd ? 'COUPON_TEMPLATE_INACTIVE' : null);
    return {
      id: t.id,
      code: t.code,
      name: t.name,
      description: t.description,
      headline: couponHeadline(templateRule(t)),
      rules: couponRuleLines(
        templateRule(t),
        names,
        t.validityKind === 'relative'
          ? { validDays: t.validDays as number }
          : { validFrom: t.validFrom as Date, validUntil: t.validUntil as Date },
      ),
      kind: t.kind,
      ownerStoreId: t.ownerStoreId,
      ownerStoreName: t.ownerStoreId ? (names.get(t.ownerStoreId) ?? null) : null,
      totalStock: t.totalStock,
      issuedCount,
      usedCount: used.used,
      discountGivenFen: used.discountFen,
      perMemberLimit: t.perMemberLimit,
      status: t.status,
      amountOffFen: t.amountOffFen,
      percentOff: t.percentOff,
      maxDiscountFen: t.maxDiscountFen,
      thresholdFen: t.thresholdFen,
      storeIds: t.storeIds,
      categories: t.categories,
      includeRx: t.includeRx,
      validity: fixed
        ? { kind: 'fixed' as const, ...fixed }
        : { kind: 'relative' as const, days: t.validDays as number },
      rulesFrozen: issuedCount > 0,
      manageable: decide(actor, 'coupon.template_update', resource) === 'allow',
      pastEnd,
      startsLater: !!fixed && fixed.from > today,
      issuable: notIssuableCode === null,
      notIssuableCode,
    };
  });
}

/** What the create form may offer: owner stores in the caller's scope, chain-wide for HQ, the catalogue's categories. */
async function createOptions(db: Db, actor: StaffActor, now: Date): Promise<CouponTemplateCreateOptions> {
  const scope = await storesInScope(db, actor);
  const canCreate = ['store_manager', 'regional_manager', 'hq_admin'].includes(actor.role);
  let ownerStores: { id: string; name: string }[] = [];
  if (canCreate && scope === null) {
    // HQ may make any store's own template
    ownerStores = await couponTemplateRepo.allStores(db);
  } else if (canCreate && scope) {
    const names = await couponRepo.storeNames(db, scope);
    ownerStores = scope.filter((id) => names.has(id)).map((id) => ({ id, name: names.get(id) as string }));
  }
  return {
    chainWide: actor.role === 'hq_admin',
    ownerStores,
    categories: canCreate ? await couponTemplateRepo.catalogueCategories(db) : [],
    today: businessDate(now),
  };
}

export async function listTemplates(
  db: Db,
  actor: StaffActor,
  now: Date,
): Promise<{ templates: CouponTemplateView[]; createOptions: CouponTemplateCreateOptions }> {
  const scope = await storesInScope(db, actor);
  return {
    templates: await templateViews(db, actor, await couponRepo.listTemplates(db, scope), now),
    createOptions: await createOptions(db, actor, now),
  };
}

export async function createTemplate(
  db: Db,
  actor: StaffActor,
  body: CreateCouponTemplateBody,
  ctx: { requestId: string; now: Date },
): Promise<Result<CouponTemplateView, ErrorCode>> {
  const { now } = ctx;
  const problem = ruleProblem({
    kind: body.kind,
    amountOffFen: body.amountOffFen ?? null,
    percentOff: body.percentOff ?? null,
    thresholdFen: body.thresholdFen,
  });
  if (problem) return fail('COUPON_RULE_INVALID', problem);
  // as an edit's validUntil (template.rules.ts planTemplateEdit): a campaign over before it starts is a typo
  const today = businessDate(now);
  if (body.validity.kind === 'fixed' && body.validity.until < today) {
    return fail('COUPON_VALIDITY_INVALID', `validity.until ${body.validity.until} is before today (${today})`);
  }
  const categories = [...new Set(body.categories)];
  if (categories.length > 0) {
    // a template limited to a category the catalogue lacks would never apply to any order
    const known = new Set(await couponTemplateRepo.catalogueCategories(db, categories));
    const unknown = categories.filter((c) => !known.has(c));
    if (unknown.length > 0) {
      return fail('COUPON_CATEGORY_UNKNOWN', `categories not in the catalogue: ${unknown.join(', ')}`);
    }
  }
  let storeIds = [...new Set(body.storeIds)];
  if (body.ownerStoreId) {
    const owner = await posRepo.storeExists(db, body.ownerStoreId);
    if (!owner) return fail('STORE_NOT_FOUND', `no store ${body.ownerStoreId}`);
    // a store's own template is redeemable at that store only
    if (storeIds.length === 0) storeIds = [owner.id];
    if (storeIds.some((s) => s !== owner.id)) {
      return fail('FORBIDDEN', 'a store-scoped template applies to its own store only');
    }
  } else if (storeIds.length > 0) {
    const known = await couponRepo.storeNames(db, storeIds);
    const unknown = storeIds.find((s) => !known.has(s));
    if (unknown) return fail('STORE_NOT_FOUND', `no store ${unknown}`);
  }
  const validity =
    body.validity.kind === 'relative'
      ? { validityKind: 'relative' as const, validDays: body.validity.days, validFrom: null, validUntil: null }
      : { validityKind: 'fixed' as const, validDays: null, ...fixedValidity(body.validity.from, body.validity.until) };
  const id = newId('ctp', now.getTime());
  const inserted = await couponRepo.insertTemplate(db, {
    id,
    code: body.code,
    name: body.name,
    description: body.description || null,
    kind: body.kind,
    amountOffFen: body.kind === 'amount_off' ? (body.amountOffFen ?? null) : null,
    percentOff: body.kind === 'percent_off' ? (body.percentOff ?? null) : null,
    maxDiscountFen: body.kind === 'percent_off' ? (body.maxDiscountFen ?? null) : null,
    thresholdFen: body.thresholdFen,
    ...validity,
    totalStock: body.totalStock ?? null,
    perMemberLimit: body.perMemberLimit ?? null,
    storeIds,
    categories,
    includeRx: body.includeRx,
    ownerStoreId: body.ownerStoreId ?? null,
    createdBy: actor.staffId,
    createdAt: now,
    updatedAt: now,
  });
  if (!inserted) return fail('COUPON_TEMPLATE_CODE_TAKEN', `template code ${body.code} is taken`);
  await recordAudit(db, {
    actorKind: 'staff',
    actorId: actor.staffId,
    action: 'coupon.template_create',
    storeId: body.ownerStoreId ?? null,
    requestId: ctx.requestId,
    details: { templateCode: body.code, templateId: id },
    at: now,
  });
  const row = await couponRepo.templateById(db, id);
  if (!row) throw new Error(`template ${id} vanished after insert`);
  const [view] = await templateViews(db, actor, [row], now);
  return ok(view);
}

/**
 * 给会员发券's single lookup: the member holding this phone (`loyaltyMemberRepo.byPhone`: a signed-up member who
 * proved it, never a store card or mall account on the same family phone), if in the caller's scope. No member, a
 * phone only customers who never signed up carry, and a member outside the caller's stores are one answer,
 * MEMBER_NOT_FOUND, so a phone tells no one which of these it is. Masked phone and the masked real name (the one
 * the member's records give, as at the counter and 会员注销), audited.
 */
export async function lookupMemberByPhone(
  db: Db,
  actor: StaffActor,
  phone: string,
  ctx: { requestId: string; now: Date },
): Promise<Result<MemberLookupResponse, ErrorCode>> {
  const parsed = normalizePhone(phone);
  if (!parsed.ok) return fail('PHONE_NOT_MOBILE', 'enter the member’s 11-digit mobile number');
  const member = await loyaltyMemberRepo.byPhone(db, parsed.canonical);
  // outside one's scope the member is "not found", in the same words as no member: a phone number must not reveal
  // membership elsewhere
  if (
    !member ||
    !(await customersInScope(db, actor, 'coupon.member_lookup', [member.customerId])).has(member.customerId)
  )
    return fail('MEMBER_NOT_FOUND', 'no member with this phone in your stores');
  await recordAudit(db, {
    actorKind: 'staff',
    actorId: actor.staffId,
    action: 'coupon.member_lookup',
    customerId: member.customerId,
    storeId: actor.storeId,
    reason: 'issue coupon',
    requestId: ctx.requestId,
    at: ctx.now,
  });
  const available = await couponRepo.availableCoupons(db, member.customerId, ctx.now);
  return ok({
    customerId: member.customerId,
    maskedPhone: maskPhone(member.phone),
    maskedName: maskName(member.name),
    homeStoreName: member.homeStoreName,
    availableCoupons: available.length,
  });
}

/**
 * 批量发券's preview: the members of a pasted list of phones, each entry answered in its place (found, invalid,
 * not found, duplicate). The same matching as the single lookup (`loyaltyMemberRepo.byPhones`, the rule `byPhone`
 * uses: signed-up members only) in one query for the list, then the scope of the members found in two
 * (`customersInScope`): a member outside the caller's stores is `not_found`, exactly as a phone of no member or of
 * store cards only. Masked phone and name only; one audit line per list naming the members read.
 */
export async function resolvePhones(
  db: Db,
  actor: StaffActor,
  phones: readonly string[],
  ctx: { requestId: string; now: Date },
): Promise<Result<ResolvePhonesResponse, ErrorCode>> {
  if (phones.length > ISSUE_LIST_MAX)
    return fail('PHONE_LIST_TOO_LONG', `at most ${ISSUE_LIST_MAX} phone numbers at once, got ${phones.length}`, {
      max: ISSUE_LIST_MAX,
      received: phones.length,
    });
  const parsed = phones.map((p) => normalizePhone(p));
  const canonical = [...new Set(parsed.flatMap((p) => (p.ok ? [p.canonical] : [])))];
  const members = await loyaltyMemberRepo.byPhones(db, canonical);
  const allowed = await customersInScope(db, actor, 'coupon.member_lookup', [
    ...new Set([...members.values()].map((m) => m.customerId)),
  ]);

  const firstOfPhone = new Map<string, number>();
  const firstOfMember = new Map<string, number>();
  const results = parsed.map((p, index): ResolvedPhone => {
    if (!p.ok) return { status: 'invalid' };
    const first = firstOfPhone.get(p.canonical);
    if (first !== undefined) return { status: 'duplicate', firstIndex: first, samePhone: true };
    firstOfPhone.set(p.canonical, index);
    const member = members.get(p.canonical);
    // outside one's scope the member is "not found": a list of phones must not reveal membership elsewhere
    if (!member || !allowed.has(member.customerId)) return { status: 'not_found' };
    const same = firstOfMember.get(member.customerId);
    if (same !== undefined) return { status: 'duplicate', firstIndex: same, samePhone: false };
    firstOfMember.set(member.customerId, index);
    return {
      status: 'found',
      customerId: member.customerId,
      maskedPhone: maskPhone(p.canonical),
      maskedName: maskName(member.name),
    };
  });
  const customerIds = [...firstOfMember.keys()];
  await recordAudit(db, {
    actorKind: 'staff',
    actorId: actor.staffId,
    action: 'coupon.member_lookup',
    customerId: customerIds.length === 1 ? customerIds[0] : null,
    storeId: actor.storeId,
    reason: 'issue coupon',
    requestId: ctx.requestId,
    details: { phones: phones.length, found: customerIds.length, customerIds },
    at: ctx.now,
  });
  return ok({ results, customerIds });
}

/** Rounds of a bulk issue: only a coupon code collision (about 1 in 10^8 per coupon) needs a second one. */
const MAX_ISSUE_ROUNDS = 3;

const REFUSAL: Partial<Record<BulkIssueOutcome, ErrorCode>> = {
  limit: 'COUPON_LIMIT_REACHED',
  stock: 'COUPON_OUT_OF_STOCK',
};

/**
 * Issues a template to a list of customers (one member, a list, or a segment's ids): one idempotency key per
 * recipient (`<batchKey>:<customer>`), so re-sending a batch issues nothing twice. Recipients are checked against
 * the issuer's scope (two queries for the whole list), then issued in ONE statement under the template's row lock:
 * stock and per-member limits hold for the whole batch and against concurrent runs; when the stock runs short the
 * first recipients in the list get the coupons.
 */
export async function issueToCustomers(
  db: Db,
  actor: Actor,
  input: {
    templateCode: string;
    customerIds: readonly string[];
    batchKey: string;
    reason?: 'manual' | 'campaign';
  },
  ctx: { requestId: string; now: Date },
): Promise<Result<IssueCouponsResponse, ErrorCode>> {
  if (actor.kind !== 'staff') return fail('FORBIDDEN');
  const template = await couponRepo.templateByCode(db, input.templateCode);
  if (!template) return fail('COUPON_TEMPLATE_NOT_FOUND', `no coupon template ${input.templateCode}`);
  const owner = template.ownerStoreId ? await posRepo.storeExists(db, template.ownerStoreId) : null;
  const refusal = manualIssueRefusal(actor, {
    code: template.code,
    owner: template.ownerStoreId
      ? { kind: 'store', storeId: template.ownerStoreId, regionId: owner?.regionId ?? '' }
      : null,
  });
  if (refusal === 'COUPON_TEMPLATE_AUTO_ISSUED')
    return fail(refusal, `template ${template.code} is issued by the system only (sign-up, birthday)`);
  if (refusal === 'COUPON_TEMPLATE_HQ_ONLY')
    return fail(refusal, `template ${template.code} is chain-wide: issued by hand by HQ only`);
  if (refusal) return fail(refusal, `template ${template.code} belongs to another store`);
  if (template.status !== 'active')
    return fail('COUPON_TEMPLATE_INACTIVE', `template ${template.code} is ${template.status}`);

  const ids = [...new Set(input.customerIds)];
  // Members only, whoever hands the ids in (the page's lookups, a segment feature): an id of a customer who never
  // signed up (a POS card, a mall account), closed the account or was merged into another is refused like an
  // unknown id. Such a customer has no wallet and no member code, so the coupon could be neither seen nor used at a
  // till, yet it would take the template's stock and count toward the per-member limit; and the phone lookups, where
  // the page's ids come from, never find one. A segment drawn from customers at large thus reaches its members, and
  // the answer counts the rest as not found.
  const members = await loyaltyMemberRepo.membersAmong(db, ids);
  const allowed = await customersInScope(
    db,
    actor,
    'coupon.issue',
    ids.filter((id) => members.has(id)),
  );
  const out: IssueCouponsResponse = { issued: 0, alreadyIssued: 0, refused: [] };
  let pending: string[] = [];
  // a customer outside the issuer's scope, or no member, is answered as one that does not exist, as the phone lookup
  // answers: a different code would tell a manager which ids are someone's (a security walk noted it)
  for (const customerId of ids) {
    if (!members.has(customerId) || !allowed.has(customerId))
      out.refused.push({ customerId, code: 'MEMBER_NOT_FOUND' });
    else pending.push(customerId);
  }

  for (let round = 1; pending.length > 0; round++) {
    const outcomes = await db.transaction(async (tx) => {
      const fresh = await couponTemplateRepo.lockForIssue(tx, template.id, 'update');
      if (!fresh || fresh.status !== 'active')
        return fail('COUPON_TEMPLATE_INACTIVE', `template ${template.code} is not active`);
      const validity = couponValidity(
        fresh.validityKind === 'fixed'
          ? { validityKind: 'fixed', validFrom: fresh.validFrom as Date, validUntil: fresh.validUntil as Date }
          : { validityKind: 'relative', validDays: fresh.validDays as number },
        ctx.now,
      );
      if (!validity) return fail('COUPON_TEMPLATE_INACTIVE', `template ${template.code} has ended`);
      return ok(
        await couponTemplateRepo.issueMany(tx, {
          templateId: fresh.id,
          recipients: pending.map((customerId) => ({
            customerId,
            couponId: newId('cpn', ctx.now.getTime()),
            code: newCouponCode(),
          })),
          issueKeyPrefix: `${input.batchKey}:`,
          ...validity,
          reason: input.reason ?? 'manual',
          storeId: actor.storeId,
          issuedBy: actor.staffId,
          now: ctx.now,
        }),
      );
    });
    // paused or ended before the first round: nothing was issued, say so; later rounds keep what was issued
    if (!outcomes.ok) {
      if (round === 1) return outcomes;
      for (const customerId of pending) out.refused.push({ customerId, code: outcomes.code });
      break;
    }
    const retry: string[] = [];
    for (const customerId of pending) {
      const outcome = outcomes.value.get(customerId);
      if (outcome === 'issued') out.issued += 1;
      else if (outcome === 'already') out.alreadyIssued += 1;
      else if (outcome === 'retry' || outcome === undefined) retry.push(customerId);
      else out.refused.push({ customerId, code: REFUSAL[outcome] ?? 'INTERNAL' });
    }
    pending = retry;
    if (round >= MAX_ISSUE_ROUNDS && pending.length > 0) {
      throw new Error(`bulk issue of ${template.code}: ${pending.length} coupons still unissued after ${round} rounds`);
    }
  }

  await recordAudit(db, {
    actorKind: 'staff',
    actorId: actor.staffId,
    action: 'coupon.issue',
    customerId: ids.length === 1 ? ids[0] : null,
    storeId: actor.storeId,
    requestId: ctx.requestId,
    details: {
      templateCode: template.code,
      batchKey: input.batchKey,
      recipients: ids.length,
      issued: out.issued,
      alreadyIssued: out.alreadyIssued,
      refused: out.refused.length,
    },
    at: ctx.now,
  });
  return ok(out);
}
