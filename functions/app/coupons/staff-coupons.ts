/**
 * Staff coupon work: list and create templates (store-scoped by a store manager, chain-wide by HQ), find a member
 * by phone (masked), and issue a template to one member, a list, or a segment (a list of customer ids: later
 * segment features hand theirs to `issueToCustomers`). Each recipient is checked against the issuer's scope.
 */
import { type Actor, decide, type StaffActor, staffCovers } from '../../../shared/access/policy.js';
import type {
  CouponTemplateView,
  CreateCouponTemplateBody,
  IssueCouponsResponse,
  MemberLookupResponse,
} from '../../../shared/contracts/loyalty.js';
import { couponHeadline, couponRuleLines } from '../../../shared/coupons/coupon.describe.js';
import { fixedValidity } from '../../../shared/coupons/coupon.rules.js';
import { type ErrorCode, fail, ok, type Result } from '../../../shared/errors.js';
import { maskPhone, normalizePhone } from '../../../shared/identity/phone.js';
import type { Db } from '../../adapters/db/client.js';
import { type CouponTemplateRow, couponRepo } from '../../adapters/db/repos/coupon.repo.js';
import { loyaltyMemberRepo } from '../../adapters/db/repos/loyalty-member.repo.js';
import { posRepo } from '../../adapters/db/repos/pos.repo.js';
import { newId } from '../../adapters/ids.js';
import { recordAudit } from '../audit.js';
import { maskName } from '../members/pos-member.js';
import { templateRule } from '../pos/redeem.js';
import { issueFromTemplate } from './issue-coupon.js';

async function storesInScope(db: Db, actor: StaffActor): Promise<string[] | null> {
  if (actor.role === 'hq_admin') return null;
  if (actor.role === 'regional_manager') return actor.regionId ? couponRepo.storeIdsOfRegion(db, actor.regionId) : [];
  return actor.storeId ? [actor.storeId] : [];
}

async function toView(db: Db, rows: CouponTemplateRow[]): Promise<CouponTemplateView[]> {
  const ids = new Set<string>();
  for (const r of rows) {
    for (const s of r.storeIds) ids.add(s);
    if (r.ownerStoreId) ids.add(r.ownerStoreId);
  }
  const names = await couponRepo.storeNames(db, [...ids]);
  return rows.map((t) => ({
    id: t.id,
    code: t.code,
    name: t.name,
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
    issuedCount: t.issuedCount,
    perMemberLimit: t.perMemberLimit,
    active: t.active,
  }));
}

export async function listTemplates(db: Db, actor: StaffActor): Promise<{ templates: CouponTemplateView[] }> {
  const scope = await storesInScope(db, actor);
  return { templates: await toView(db, await couponRepo.listTemplates(db, scope)) };
}

export async function createTemplate(
  db: Db,
  actor: StaffActor,
  body: CreateCouponTemplateBody,
  now: Date,
): Promise<Result<CouponTemplateView, ErrorCode>> {
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
    kind: body.kind,
    amountOffFen: body.kind === 'amount_off' ? (body.amountOffFen ?? null) : null,
    percentOff: body.kind === 'percent_off' ? (body.percentOff ?? null) : null,
    maxDiscountFen: body.kind === 'percent_off' ? (body.maxDiscountFen ?? null) : null,
    thresholdFen: body.thresholdFen,
    ...validity,
    totalStock: body.totalStock ?? null,
    perMemberLimit: body.perMemberLimit ?? null,
    storeIds,
    categories: [...new Set(body.categories)],
    includeRx: body.includeRx,
    ownerStoreId: body.ownerStoreId ?? null,
    createdBy: actor.staffId,
    createdAt: now,
    updatedAt: now,
  });
  if (!inserted) return fail('COUPON_TEMPLATE_CODE_TAKEN', `template code ${body.code} is taken`);
  const row = await couponRepo.templateById(db, id);
  if (!row) throw new Error(`template ${id} vanished after insert`);
  const [view] = await toView(db, [row]);
  return ok(view);
}

export async function lookupMemberByPhone(
  db: Db,
  actor: StaffActor,
  phone: string,
  ctx: { requestId: string; now: Date },
): Promise<Result<MemberLookupResponse, ErrorCode>> {
  const parsed = normalizePhone(phone);
  if (!parsed.ok) return fail('PHONE_NOT_MOBILE', 'enter the member’s 11-digit mobile number');
  const member = await loyaltyMemberRepo.byPhone(db, parsed.canonical);
  if (!member) return fail('MEMBER_NOT_FOUND', 'no member has this phone');
  const scope = (await loyaltyMemberRepo.scope(db, [member.customerId])).get(member.customerId);
  const decision = decide(actor, 'coupon.member_lookup', {
    kind: 'member',
    customerId: member.customerId,
    storeIds: scope?.storeIds ?? [],
    regionIds: scope?.regionIds ?? [],
  });
  // outside one's scope the member is "not found": a phone number must not reveal membership elsewhere
  if (decision !== 'allow') return fail('MEMBER_NOT_FOUND', 'no member with this phone in your stores');
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
    maskedName: maskName(member.displayName),
    homeStoreName: member.homeStoreName,
    availableCoupons: available.length,
  });
}

/**
 * Issues a template to a list of customers (one member, a list, or a segment's ids). One idempotency key per
 * recipient (`<batchKey>:<customer>`), so re-sending a batch issues nothing twice.
 */
export async function issueToCustomers(
  db: Db,
  actor: Actor,
  input: { templateCode: string; customerIds: readonly string[]; batchKey: string; reason?: 'manual' | 'campaign' },
  ctx: { requestId: string; now: Date },
): Promise<Result<IssueCouponsResponse, ErrorCode>> {
  if (actor.kind !== 'staff') return fail('FORBIDDEN');
  const template = await couponRepo.templateByCode(db, input.templateCode);
  if (!template) return fail('COUPON_TEMPLATE_NOT_FOUND', `no coupon template ${input.templateCode}`);
  if (template.ownerStoreId) {
    const owner = await posRepo.storeExists(db, template.ownerStoreId);
    if (!owner || !staffCovers(actor, { kind: 'store', storeId: owner.id, regionId: owner.regionId })) {
      return fail('FORBIDDEN', `template ${template.code} belongs to another store`);
    }
  }
  if (!template.active) return fail('COUPON_TEMPLATE_INACTIVE', `template ${template.code} is inactive`);
  const ids = [...new Set(input.customerIds)];
  const scopes = await loyaltyMemberRepo.scope(db, ids);
  const out: IssueCouponsResponse = { issued: 0, alreadyIssued: 0, refused: [] };
  for (const customerId of ids) {
    const scope = scopes.get(customerId);
    if (!(await couponRepo.customerExists(db, customerId))) {
      out.refused.push({ customerId, code: 'MEMBER_NOT_FOUND' });
      continue;
    }
    const resource = {
      kind: 'member' as const,
      customerId,
      storeIds: scope?.storeIds ?? [],
      regionIds: scope?.regionIds ?? [],
    };
    if (decide(actor, 'coupon.issue', resource) !== 'allow') {
      out.refused.push({ customerId, code: 'FORBIDDEN' });
      continue;
    }
    const result = await issueFromTemplate(db, template, {
      customerId,
      reason: input.reason ?? 'manual',
      idempotencyKey: `${input.batchKey}:${customerId}`,
      now: ctx.now,
      storeId: actor.storeId,
      issuedBy: actor.staffId,
    });
    if (!result.ok) out.refused.push({ customerId, code: result.code });
    else if (result.value.created) out.issued += 1;
    else out.alreadyIssued += 1;
  }
  await recordAudit(db, {
    actorKind: 'staff',
    actorId: actor.staffId,
    action: 'coupon.issue',
    customerId: ids.length === 1 ? ids[0] : null,
    storeId: actor.storeId,
    requestId: ctx.requestId,
    details: { templateCode: template.code, batchKey: input.batchKey, recipients: ids.length, issued: out.issued },
    at: ctx.now,
  });
  return ok(out);
}
