import type { MemberCodeResponse } from '../../../shared/contracts/onboarding.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import { createOnboardingRepo } from '../../adapters/db/repos/onboarding.repo.js';
import type { Deps } from '../deps.js';
import { renderMemberCodeImages } from './code-images.js';
import { issueMemberCode } from './member-code.js';

/** A fresh member code with its images, for a signed-up member only (the POS has nothing to find otherwise). */
export async function memberCodeForCaller(
  deps: Deps,
  caller: { identityId: string },
): Promise<Result<MemberCodeResponse, 'NOT_REGISTERED'>> {
  const member = await createOnboardingRepo(deps.database.db).registeredCustomerOfIdentity(caller.identityId);
  if (!member) return fail('NOT_REGISTERED', 'sign up before showing a member code');
  const now = deps.clock.now();
  const issued = await issueMemberCode(deps.database.db, {
    customerId: member.customerId,
    identityId: caller.identityId,
    now,
  });
  const images = await renderMemberCodeImages(issued.code);
  return ok({
    code: issued.code,
    ...images,
    issuedAt: issued.issuedAt.toISOString(),
    expiresAt: issued.expiresAt.toISOString(),
    refreshAfterSeconds: issued.refreshAfterSeconds,
    serverTime: now.toISOString(),
  });
}
