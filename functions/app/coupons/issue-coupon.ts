/**
 * Issuing one coupon. `issueCoupon` is the way a single coupon comes into being (bulk issues to a list or a segment
 * are one statement: staff-coupons.ts): idempotent on the caller's key (a unique index), only from an active
 * template (a paused or ended one issues nothing; sign-up then simply gives no coupon), with the template's total
 * stock and per-member limit taken atomically (conditional UPDATE / upsert), all inside a savepoint of the caller's
 * transaction so a refused issue leaves nothing behind while the caller's own work (e.g. the sign-up) still
 * commits.
 */
import { randomInt } from 'node:crypto';
import { couponCodeFromDigits, couponValidity } from '../../../shared/coupons/coupon.rules.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import type { Tx } from '../../adapters/db/client.js';
import { type CouponTemplateRow, couponRepo, type Executor } from '../../adapters/db/repos/coupon.repo.js';
import { couponTemplateRepo, type IssueLock } from '../../adapters/db/repos/coupon-template.repo.js';
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

/** The row was locked FOR SHARE but now counts stock: rolled back and retried with the stronger lock. */
class LockTooWeak extends Error {}

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
  // a replay answers with the first coupon even if the template was paused or ended since
  const existing = await couponRepo.couponByIssueKey(ex, input.idempotencyKey);
  if (existing) return ok({ couponId: existing.id, code: existing.code, created: false });
  if (template.status !== 'active') return inactive(template);
  if (!validityOf(template, input.now))
    return fail('COUPON_TEMPLATE_INACTIVE', `coupon template ${template.code} has ended`);
  try {
    // unlimited templates lock their row only FOR SHARE, so sign-ups never queue on one template row
    return await issueLocked(ex, template.id, input, template.totalStock === null ? 'share' : 'update');
  } catch (error) {
    // the template got a stock while we waited for its row: once more, as an issue that counts stock
    if (error instanceof LockTooWeak) return issueLocked(ex, template.id, input, 'update');
    throw error;
  }
}

function validityOf(t: CouponTemplateRow, now: Date): { validFrom: Date; validUntil: Date } | null {
  return couponValidity(
    t.validityKind === 'fixed'
      ? { validityKind: 'fixed', validFrom: t.validFrom as Date, validUntil: t.validUntil as Date }
      : { validityKind: 'relative', validDays: t.validDays as number },
    now,
  );
}

const inactive = (t: CouponTemplateRow) =>
  fail('COUPON_TEMPLATE_INACTIVE', `coupon template ${t.code} is ${t.status === 'active' ? 'not issuable' : t.status}`);

/**
 * The issue itself, in a savepoint of the caller's transaction, against the template row as it is NOW (locked, see
 * coupon-template.repo.ts): a pause, an end or an edit committed a moment ago is what this issue obeys.
 */
async function issueLocked(
  ex: Executor,
  templateId: string,
  input: Omit<IssueCouponInput, 'templateCode'>,
  lock: IssueLock,
): Promise<Result<IssuedCoupon, IssueFailure>> {
  try {
    return await ex.transaction(async (sp) => {
      const template = await couponTemplateRepo.lockForIssue(sp, templateId, lock);
      if (!template) throw new Error(`coupon template ${templateId} vanished`);
      if (template.totalStock !== null && lock === 'share') throw new LockTooWeak();
      if (template.status !== 'active') throw new IssueRefused('COUPON_TEMPLATE_INACTIVE');
      const validity = validityOf(template, input.now);
      if (!validity) throw new IssueRefused('COUPON_TEMPLATE_INACTIVE');
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
      return fail(error.code, `coupon template ${templateId}: ${error.code.toLowerCase().replaceAll('_', ' ')}`);
    }
    throw error;
  }
}

/**
 * For sign-up and other flows that just need "this member has this coupon, once": null when nothing was issued
 * (template missing, paused, ended or past its dates, out of stock, or the member's limit reached).
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
