import type { ConsentsResponse, UpdateConsentsBody } from '../../../shared/contracts/onboarding.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import {
  CONSENT_PURPOSES,
  CONSENT_TEXTS,
  type ConsentError,
  currentConsents,
  planConsentChanges,
} from '../../../shared/onboarding/consent.js';
import type { Db } from '../../adapters/db/client.js';
import { createOnboardingRepo } from '../../adapters/db/repos/onboarding.repo.js';
import { recordAudit } from '../audit.js';
import type { Deps } from '../deps.js';

async function view(db: Db, customerId: string): Promise<ConsentsResponse> {
  const current = currentConsents(await createOnboardingRepo(db).consentsOf(customerId));
  return {
    items: CONSENT_PURPOSES.map((purpose) => {
      const text = CONSENT_TEXTS[purpose];
      const answer = current.find((c) => c.purpose === purpose);
      return {
        purpose,
        title: text.title,
        body: text.body,
        ifDeclined: text.ifDeclined,
        required: text.required,
        currentVersion: text.version,
        granted: answer?.granted ?? null,
        answeredVersion: answer?.version ?? null,
        answeredAt: answer ? answer.at.toISOString() : null,
      };
    }),
  };
}

export async function readConsents(
  deps: Deps,
  caller: { identityId: string },
): Promise<Result<ConsentsResponse, 'NOT_REGISTERED'>> {
  const member = await createOnboardingRepo(deps.database.db).registeredCustomerOfIdentity(caller.identityId);
  if (!member) return fail('NOT_REGISTERED', 'consents belong to signed-up members');
  return ok(await view(deps.database.db, member.customerId));
}

/** Appends one record per actual change, in one transaction with its audit entry. */
export async function updateConsents(
  deps: Deps,
  caller: { identityId: string },
  body: UpdateConsentsBody,
  requestId: string,
): Promise<Result<ConsentsResponse, 'NOT_REGISTERED' | ConsentError>> {
  const member = await createOnboardingRepo(deps.database.db).registeredCustomerOfIdentity(caller.identityId);
  if (!member) return fail('NOT_REGISTERED', 'consents belong to signed-up members');
  const now = deps.clock.now();
  const outcome = await deps.database.db.transaction(async (tx) => {
    const repo = createOnboardingRepo(tx);
    // one member's changes in order: two devices toggling at once both land, the later one last
    await repo.lockPerson(`consent:${member.customerId}`);
    const plan = planConsentChanges(currentConsents(await repo.consentsOf(member.customerId)), body.changes);
    if (!plan.ok) return plan;
    await repo.appendConsents(
      plan.value.map((c) => ({
        customerId: member.customerId,
        purpose: c.purpose,
        granted: c.granted,
        version: c.version,
        source: 'settings' as const,
        identityId: caller.identityId,
        requestId,
        at: now,
      })),
    );
    if (plan.value.length > 0) {
      await recordAudit(tx, {
        actorKind: 'member',
        actorId: caller.identityId,
        action: 'member.consents_update',
        customerId: member.customerId,
        requestId,
        at: now,
        details: Object.fromEntries(plan.value.map((c) => [c.purpose, c.granted])),
      });
    }
    return ok(plan.value.length);
  });
  if (!outcome.ok) return outcome;
  return ok(await view(deps.database.db, member.customerId));
}
