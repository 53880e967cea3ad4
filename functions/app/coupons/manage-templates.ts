/**
 * Changing a coupon template after it was created: edit (what is safe once coupons were issued) and 暂停发放 /
 * 恢复发放 / 结束活动. Who may: the same as creation (a store's templates by its managers, chain-wide ones by HQ),
 * decided by the endpoint on the template's owning store. Each change runs in one transaction holding the template
 * row FOR UPDATE (issues in flight finish first; later ones see the change), is planned by the pure rules in
 * shared/coupons/template.rules.ts against the row as it is, and is audited with what it changed. Repeating a
 * change changes nothing and writes nothing. Coupons already issued are never touched.
 */
import type { StaffActor } from '../../../shared/access/policy.js';
import type {
  CouponTemplateStatusBody,
  CouponTemplateView,
  UpdateCouponTemplateBody,
} from '../../../shared/contracts/loyalty.js';
import { businessDate, businessDayStart, startOfBusinessDay } from '../../../shared/coupons/business-day.js';
import { lastValidDay } from '../../../shared/coupons/coupon.describe.js';
import { planStatusChange, planTemplateEdit, type TemplateSettings } from '../../../shared/coupons/template.rules.js';
import { type ErrorCode, fail, ok, type Result } from '../../../shared/errors.js';
import type { Db, Tx } from '../../adapters/db/client.js';
import { type CouponTemplateInsert, type CouponTemplateRow, couponRepo } from '../../adapters/db/repos/coupon.repo.js';
import { couponTemplateRepo } from '../../adapters/db/repos/coupon-template.repo.js';
import { posRepo } from '../../adapters/db/repos/pos.repo.js';
import { AppError } from '../../http/app-error.js';
import { recordAudit } from '../audit.js';
import type { Deps } from '../deps.js';
import { templateRule } from '../pos/redeem.js';
import { templateResource, templateViews } from './staff-coupons.js';

interface Ctx {
  requestId: string;
  now: Date;
}

/**
 * The policy resource of the template a request names (its owning store, or none: chain-wide, HQ only). An unknown
 * code is a clear COUPON_TEMPLATE_NOT_FOUND before the policy is asked.
 */
export async function templateResourceByCode(deps: Deps, code: string) {
  const t = await couponRepo.templateByCode(deps.database.db, code);
  if (!t) throw new AppError('COUPON_TEMPLATE_NOT_FOUND', `no coupon template ${code}`);
  const owner = t.ownerStoreId ? await posRepo.storeExists(deps.database.db, t.ownerStoreId) : null;
  return templateResource(t, owner ?? undefined);
}

function settingsOf(t: CouponTemplateRow): TemplateSettings {
  return {
    status: t.status,
    name: t.name,
    description: t.description,
    totalStock: t.totalStock,
    perMemberLimit: t.perMemberLimit,
    validity:
      t.validityKind === 'relative'
        ? { kind: 'relative', days: t.validDays as number }
        : { kind: 'fixed', from: businessDate(t.validFrom as Date), until: lastValidDay(t.validUntil as Date) },
    rule: templateRule(t),
  };
}

async function viewOf(tx: Tx, actor: StaffActor, id: string, now: Date): Promise<CouponTemplateView> {
  const row = await couponRepo.templateById(tx, id);
  if (!row) throw new Error(`coupon template ${id} vanished`);
  const [view] = await templateViews(tx, actor, [row], now);
  return view;
}

/** A store-scoped template stays redeemable at its own store only; a chain-wide one names existing stores. */
async function checkStores(
  tx: Tx,
  t: CouponTemplateRow,
  storeIds: readonly string[],
): Promise<Result<null, ErrorCode>> {
  if (t.ownerStoreId) {
    return storeIds.every((s) => s === t.ownerStoreId)
      ? ok(null)
      : fail('FORBIDDEN', 'a store-scoped template applies to its own store only');
  }
  const known = await couponTemplateRepo.stores(tx, storeIds);
  const unknown = storeIds.find((s) => !known.has(s));
  return unknown ? fail('STORE_NOT_FOUND', `no store ${unknown}`) : ok(null);
}

export async function updateTemplate(
  db: Db,
  actor: StaffActor,
  body: UpdateCouponTemplateBody,
  ctx: Ctx,
): Promise<Result<CouponTemplateView, ErrorCode>> {
  const { templateCode, ...edit } = body;
  return db.transaction(async (tx) => {
    const t = await couponTemplateRepo.byCodeForUpdate(tx, templateCode);
    if (!t) return fail('COUPON_TEMPLATE_NOT_FOUND', `no coupon template ${templateCode}`);
    const issued = (await couponTemplateRepo.issuedCounts(tx, [t.id])).get(t.id) ?? 0;
    const before = settingsOf(t);
    const plan = planTemplateEdit(before, edit, { issued, today: businessDate(ctx.now) });
    if (!plan.ok) return plan;
    const { patch, changed } = plan.value;
    if (changed.length === 0) return ok(await viewOf(tx, actor, t.id, ctx.now));

    const values: Partial<CouponTemplateInsert> = { updatedAt: ctx.now };
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.description !== undefined) values.description = patch.description;
    if (patch.totalStock !== undefined) {
      values.totalStock = patch.totalStock;
      // the counter runs only while there is a stock: it starts from the coupons actually issued
      if (patch.totalStock !== null) values.issuedCount = issued;
    }
    if (patch.perMemberLimit !== undefined) values.perMemberLimit = patch.perMemberLimit;
    if (patch.validUntil !== undefined) values.validUntil = startOfBusinessDay(businessDayStart(patch.validUntil), 1);
    if (patch.validDays !== undefined) values.validDays = patch.validDays;
    if (patch.rule) {
      const stores = await checkStores(tx, t, patch.rule.storeIds);
      if (!stores.ok) return stores;
      Object.assign(values, {
        kind: patch.rule.kind,
        amountOffFen: patch.rule.amountOffFen,
        percentOff: patch.rule.percentOff,
        maxDiscountFen: patch.rule.maxDiscountFen,
        thresholdFen: patch.rule.thresholdFen,
        storeIds: [...patch.rule.storeIds],
        categories: [...patch.rule.categories],
        includeRx: patch.rule.includeRx,
      });
    }
    await couponTemplateRepo.update(tx, t.id, values);
    // per-member counters run only while there is a limit: a new limit counts what members already hold
    if (patch.perMemberLimit != null) await couponTemplateRepo.backfillMemberCounts(tx, t.id);

    const after = settingsOf({ ...t, ...values } as CouponTemplateRow);
    await recordAudit(tx, {
      actorKind: 'staff',
      actorId: actor.staffId,
      action: 'coupon.template_update',
      storeId: t.ownerStoreId,
      requestId: ctx.requestId,
      details: {
        templateCode: t.code,
        changed,
        before: Object.fromEntries(changed.map((k) => [k, pick(before, k)])),
        after: Object.fromEntries(changed.map((k) => [k, pick(after, k)])),
      },
      at: ctx.now,
    });
    return ok(await viewOf(tx, actor, t.id, ctx.now));
  });
}

/** A changed field's value in audit terms (validity fields read from the validity setting). */
function pick(s: TemplateSettings, key: string): unknown {
  if (key === 'validUntil') return s.validity.kind === 'fixed' ? s.validity.until : null;
  if (key === 'validDays') return s.validity.kind === 'relative' ? s.validity.days : null;
  return (s as unknown as Record<string, unknown>)[key];
}

export async function changeTemplateStatus(
  db: Db,
  actor: StaffActor,
  body: CouponTemplateStatusBody,
  ctx: Ctx,
): Promise<Result<CouponTemplateView, ErrorCode>> {
  return db.transaction(async (tx) => {
    const t = await couponTemplateRepo.byCodeForUpdate(tx, body.templateCode);
    if (!t) return fail('COUPON_TEMPLATE_NOT_FOUND', `no coupon template ${body.templateCode}`);
    const plan = planStatusChange(t.status, body.action);
    if (!plan.ok) return fail(plan.code, `coupon template ${t.code}: ${plan.message}`);
    if (plan.value.changed) {
      await couponTemplateRepo.update(tx, t.id, { status: plan.value.status, updatedAt: ctx.now });
      await recordAudit(tx, {
        actorKind: 'staff',
        actorId: actor.staffId,
        action: 'coupon.template_status',
        storeId: t.ownerStoreId,
        requestId: ctx.requestId,
        details: { templateCode: t.code, action: body.action, from: t.status, to: plan.value.status },
        at: ctx.now,
      });
    }
    return ok(await viewOf(tx, actor, t.id, ctx.now));
  });
}
