/**
 * The POS scans a member code: the cashier gets just enough to greet the member and confirm it is them (masked
 * name and phone, tier, home store), never the full record.
 */
import type { PosMemberResponse } from '../../../shared/contracts/onboarding.js';
import { couponHeadline } from '../../../shared/coupons/coupon.describe.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import { maskName } from '../../../shared/identity/name.js';
import { maskPhone } from '../../../shared/identity/phone.js';
import { tierFor, tierWindowStart } from '../../../shared/points/tier.rules.js';
import { couponRepo } from '../../adapters/db/repos/coupon.repo.js';
import { createMemberRepo } from '../../adapters/db/repos/member.repo.js';
import { pointsRepo } from '../../adapters/db/repos/points.repo.js';
import { recordAudit } from '../audit.js';
import type { Deps } from '../deps.js';
import { listHeldMatches } from '../identity/review.js';
import { templateRule } from '../pos/redeem.js';
import { resolveMemberCode } from './member-code.js';

/**
 * What a counter shows of a member (the POS's lookup and the staff pages' counter): the summary, the tier by the
 * spend of its window, the available coupons (with their templates) and the POS cards held on the member's phone.
 */
export async function memberAtCounter(deps: Pick<Deps, 'database'>, customerId: string, now: Date) {
  const db = deps.database.db;
  const summary = await createMemberRepo(db).summary(customerId);
  if (!summary) return null;
  const [spendFen, available, held] = await Promise.all([
    pointsRepo.spendSince(db, summary.customerId, tierWindowStart(now)),
    couponRepo.availableCoupons(db, summary.customerId, now),
    listHeldMatches({ database: deps.database }, summary.customerId, now),
  ]);
  return {
    summary,
    /** masked: enough for the cashier to greet and to ask "是您本人吗", not enough to identify */
    nameMasked: maskName(summary.realName ?? summary.displayName),
    phoneMasked: summary.phone ? maskPhone(summary.phone) : null,
    tier: tierFor(spendFen).tier.name,
    available,
    cardsToConfirm: held.matches.map((m) => ({ storeName: m.storeName, cardMasked: m.cardMasked })),
  };
}

export async function lookupMemberForPos(
  deps: Deps,
  input: { memberCode: string; keyId: string; storeId: string | null; requestId: string },
): Promise<Result<PosMemberResponse, 'MEMBER_CODE_INVALID' | 'MEMBER_CODE_EXPIRED' | 'NOT_FOUND'>> {
  const now = deps.clock.now();
  const resolved = await resolveMemberCode(deps.database.db, input.memberCode, now);
  if (!resolved.ok) return resolved;
  const member = await memberAtCounter(deps, resolved.value.customerId, now);
  if (!member) return fail('NOT_FOUND', `customer ${resolved.value.customerId} not found`);
  const { summary } = member;
  await recordAudit(deps.database.db, {
    actorKind: 'pos',
    actorId: input.keyId,
    action: 'pos.member_lookup',
    customerId: summary.customerId,
    storeId: input.storeId,
    requestId: input.requestId,
    at: now,
  });
  return ok({
    customerId: summary.customerId,
    nameMasked: member.nameMasked,
    phoneMasked: member.phoneMasked,
    tier: member.tier,
    memberSince: summary.registeredAt ? summary.registeredAt.toISOString() : null,
    homeStoreName: summary.homeStore?.name ?? null,
    coupons: member.available
      // a coupon limited to other stores cannot be used at this counter
      .filter(
        ({ template }) => !input.storeId || template.storeIds.length === 0 || template.storeIds.includes(input.storeId),
      )
      .map(({ coupon, template }) => ({
        couponId: coupon.id,
        name: template.name,
        headline: couponHeadline(templateRule(template)),
        validUntil: coupon.validUntil.toISOString(),
      })),
    cardsToConfirm: member.cardsToConfirm,
  });
}
