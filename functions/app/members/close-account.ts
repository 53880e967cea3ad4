/**
 * 注销会员: a member closes their account from 我的设置 (PIPL art. 47: the person may ask for their personal
 * information to be deleted; WeChat asks every mini-program with sign-up to offer it).
 *
 * In one transaction, the account's personal data is erased, not hidden (account-close.repo.ts says what goes and
 * what the law keeps), points and coupons lapse, every consent is withdrawn, and the identities are deleted, which
 * ends the member's sessions at once (a session names its WeChat identity). What stays of the person is a keyed
 * digest of each verified phone and WeChat id with one fact: whether they had their new-member coupon, which is once
 * per person.
 *
 * Retrying is safe by construction: once closed, the caller's identity no longer exists, so a repeated request is
 * refused as an unknown session and changes nothing.
 */
import type { CloseAccountResponse, ClosurePreviewResponse } from '../../../shared/contracts/onboarding.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import { currentConsents } from '../../../shared/onboarding/consent.js';
import { createAccountCloseRepo } from '../../adapters/db/repos/account-close.repo.js';
import { createOnboardingRepo } from '../../adapters/db/repos/onboarding.repo.js';
import { recordAudit } from '../audit.js';
import type { Deps } from '../deps.js';
import { phoneDigest, wechatDigest } from './phone-digest.js';

export const CLOSURE_VOID_REASON = '会员已注销，优惠券作废';
export const CLOSURE_POINTS_NOTE = '会员已注销，积分清零';

type Caller = { identityId: string };

export async function previewClosure(
  deps: Deps,
  caller: Caller,
): Promise<Result<ClosurePreviewResponse, 'NOT_REGISTERED'>> {
  const member = await createOnboardingRepo(deps.database.db).registeredCustomerOfIdentity(caller.identityId);
  if (!member) return fail('NOT_REGISTERED', 'only a signed-up member has an account to close');
  const p = await deps.database.db.transaction((tx) =>
    createAccountCloseRepo(tx).preview(member.customerId, deps.clock.now()),
  );
  return ok({ points: Math.max(p.points, 0), coupons: p.coupons, orders: p.orders, posCards: p.posCards });
}

export async function closeAccount(
  deps: Deps,
  caller: Caller,
  requestId: string,
): Promise<Result<CloseAccountResponse, 'NOT_REGISTERED'>> {
  const member = await createOnboardingRepo(deps.database.db).registeredCustomerOfIdentity(caller.identityId);
  if (!member) return fail('NOT_REGISTERED', 'only a signed-up member has an account to close');
  const closed = await closeCustomer(deps, member.customerId, {
    actorKind: 'member',
    actorId: caller.identityId,
    identityId: caller.identityId,
    requestId,
  });
  return closed ?? fail('NOT_REGISTERED', 'the account is closed or merged already');
}

/** Who closes an account: the member in the mini-program, or a store manager at the store (staff-close.ts). */
export interface Closer {
  actorKind: 'member' | 'staff';
  actorId: string;
  /** the member's WeChat identity, on the consent withdrawals; null when staff closed it */
  identityId: string | null;
  requestId: string;
  /** staff: why, for the audit log (本人到店申请，已核对身份证件) */
  reason?: string;
}

/** Closes one customer's account in one transaction; null when it is no longer an active customer. */
export async function closeCustomer(
  deps: Deps,
  customerId: string,
  closer: Closer,
): Promise<Result<CloseAccountResponse, never> | null> {
  const now = deps.clock.now();
  const outcome = await deps.database.db.transaction(async (tx) => {
    const repo = createAccountCloseRepo(tx);
    const onboardingTx = createOnboardingRepo(tx);
    // A sign-up with one of these phones takes the phone's lock before it touches customers: so does this, in the
    // same order, so a sign-up racing the closure either lands before it (and is erased with it) or after it (and
    // is a new member)
    for (const phone of await repo.verifiedPhones(customerId)) {
      await onboardingTx.lockPerson(`phone:${phone}`);
    }
    const locked = await repo.lockCustomer(customerId);
    if (locked?.status !== 'active') return null;
    const before = await repo.preview(customerId, now);

    const withdrawn = currentConsents(await onboardingTx.consentsOf(customerId)).filter((c) => c.granted);
    await onboardingTx.appendConsents(
      withdrawn.map((c) => ({
        customerId,
        purpose: c.purpose,
        granted: false,
        version: c.version,
        source: 'closure' as const,
        identityId: closer.identityId,
        requestId: closer.requestId,
        at: now,
      })),
    );
    const counts = await repo.erase({
      customerId,
      now,
      voidReason: CLOSURE_VOID_REASON,
      pointsNote: CLOSURE_POINTS_NOTE,
    });
    await repo.rememberPhones({
      customerId,
      digests: [
        ...before.verifiedPhones.map((p) => phoneDigest(deps.env.JWT_SECRET, p)),
        ...before.wechatIds.map((w) => wechatDigest(deps.env.JWT_SECRET, w.kind, w.value)),
      ],
      hadNewMemberCoupon: before.hadNewMemberCoupon,
      now,
    });
    // no personal data in the entry: the customer id names the erased row, the counts say what went
    await recordAudit(tx, {
      actorKind: closer.actorKind,
      actorId: closer.actorId,
      action: 'member.account_close',
      customerId,
      reason: closer.reason ?? null,
      requestId: closer.requestId,
      at: now,
      details: { ...counts, consentsWithdrawn: withdrawn.map((c) => c.purpose) },
    });
    return counts;
  });
  if (!outcome) return null;
  deps.log.info('member account closed', { customerId, by: closer.actorKind, ...outcome });
  return ok({
    closedAt: now.toISOString(),
    pointsForfeited: outcome.pointsForfeited,
    couponsVoided: outcome.couponsVoided,
    ordersKept: outcome.ordersKept,
    recordsErased: outcome.records,
  });
}
