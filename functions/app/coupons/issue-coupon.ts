/**
 * Issuing coupons. `issueCoupon` is the one way a coupon comes into being: idempotent on the caller's key (a unique
 * index), with the template's total stock and per-member limit taken atomically (conditional UPDATE / upsert), all
 * inside a savepoint of the caller's transaction so a refused issue leaves nothing behind while the caller's own
 * work (e.g. the sign-up) still commits.
 */
import { randomInt } from 'node:crypto';
import { couponCodeFromDigits, couponValidity } from '../../../shared/coupons/coupon.rules.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import type { Tx } from '../../adapters/db/client.js';
import { type CouponTemplateRow, couponRepo, type Executor } from '../../adapters/db/repos/coupon.repo.js';
import { newId } from '../../adapters/ids.js';

export type IssueReason = 'new_member' | 'manual' | 'campaign' | 'birthday';

export interface IssueCouponInput {
  customerId: string;
  templateCode: string;
  reason: IssueReason;
  /** the caller's idempotency key: one coupon per key, ever (e.g. `new_member:<customerId>`) */
  idempotencyKey: string;
  now: Date;
  storeId?: string | null;
  issuedBy?: string | null;
}

export type IssueFailure =
  | 'COUPON_TEMPLATE_NOT_FOUND'
  | 'COUPON_TEMPLATE_INACTIVE'
  | 'COUPON_OUT_OF_STOCK'
  | 'COUPON_LIMIT_REACHED';

export interface IssuedCoupon {
  couponId: string;
  code: string;
  created: boolean;
}

/** Thrown inside the savepoint to roll it back; never escapes this module. */
class IssueRefused extends Error {
  constructor(readonly code: IssueFailure) {
    super(code);
  }
}

/** 15 random digits + a Luhn digit: 10^15 codes keep collisions negligible at 10^7 coupons. */
export function newCouponCode(): string {
  let body = '';
  for (let i = 0; i < 3; i++) body += String(randomInt(0, 100_000)).padStart(5, '0');
  return couponCodeFromDigits(body);
}

export async function issueCoupon(ex: Executor, input: IssueCouponInput): Promise<Result<IssuedCoupon, IssueFailure>> {
  const template = await couponRepo.templateByCode(ex, input.templateCode);
  if (!template) return fail('COUPON_TEMPLATE_NOT_FOUND', `no coupon template ${input.templateCode}`);
  return issueFromTemplate(ex, template, input);
}

export async function issueFromTemplate(
  ex: Executor,
  template: CouponTemplateRow,
  input: Omit<IssueCouponInput, 'templateCode'>,
): Promise<Result<IssuedCoupon, IssueFailure>> {
  // a replay answers with the first coupon even if the template was switched off since
  const existing = await couponRepo.couponByIssueKey(ex, input.idempotencyKey);
  if (existing) return ok({ couponId: existing.id, code: existing.code, created: false });
  if (!template.active) return fail('COUPON_TEMPLATE_INACTIVE', `coupon template ${template.code} is inactive`);
  const validity = couponValidity(
    template.validityKind === 'fixed'
      ? { validityKind: 'fixed', validFrom: template.validFrom as Date, validUntil: template.validUntil as Date }
      : { validityKind: 'relative', validDays: template.validDays as number },
    input.now,
  );
  if (!validity) return fail('COUPON_TEMPLATE_INACTIVE', `coupon template ${template.code} has ended`);

  try {
    return await ex.transaction(async (sp) => {
      const id = newId('cpn', input.now.getTime());
      const code = newCouponCode();
      // insert first: a concurrent issue with the same key waits on the unique index, then finds this coupon
      const inserted = await couponRepo.insertCouponOnce(sp, {
        id,
        templateId: template.id,
        customerId: input.customerId,
        code,
        status: 'available',
        validFrom: validity.validFrom,
        validUntil: validity.validUntil,
        reason: input.reason,
        issueKey: input.idempotencyKey,
        issuedStoreId: input.storeId ?? null,
        issuedBy: input.issuedBy ?? null,
        issuedAt: input.now,
      });
      if (!inserted) {
        const first = await couponRepo.couponByIssueKey(sp, input.idempotencyKey);
        if (!first) throw new Error(`coupon issue key ${input.idempotencyKey} conflicted but is not visible`);
        return ok({ couponId: first.id, code: first.code, created: false });
      }
      // unlimited templates skip the counter so sign-ups never queue on one template row
      if (template.totalStock !== null && !(await couponRepo.takeStock(sp, template.id))) {
        throw new IssueRefused('COUPON_OUT_OF_STOCK');
      }
      if (
        template.perMemberLimit !== null &&
        !(await couponRepo.takeMemberQuota(sp, template.id, input.customerId, template.perMemberLimit))
      ) {
        throw new IssueRefused('COUPON_LIMIT_REACHED');
      }
      return ok({ couponId: id, code, created: true });
    });
  } catch (error) {
    if (error instanceof IssueRefused) {
      return fail(error.code, `coupon template ${template.code}: ${error.code.toLowerCase().replaceAll('_', ' ')}`);
    }
    throw error;
  }
}

/**
 * For sign-up and other flows that just need "this member has this coupon, once": null when nothing was issued
 * (template missing, inactive or ended, out of stock, or the member's limit reached).
 */
export async function issueCouponOnce(
  tx: Tx,
  input: {
    customerId: string;
    templateCode: string;
    reason: IssueReason;
    idempotencyKey: string;
    now: Date;
    storeId?: string | null;
  },
): Promise<{ couponId: string; created: boolean } | null> {
  const result = await issueCoupon(tx, input);
  return result.ok ? { couponId: result.value.couponId, created: result.value.created } : null;
}
