/**
 * The POS scans a member code: the cashier gets just enough to greet the member and confirm it is them (masked
 * name and phone, tier, home store), never the full record.
 */
import type { PosMemberResponse } from '../../../shared/contracts/onboarding.js';
import { couponHeadline } from '../../../shared/coupons/coupon.describe.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import { maskPhone } from '../../../shared/identity/phone.js';
import { tierFor, tierWindowStart } from '../../../shared/points/tier.rules.js';
import { couponRepo } from '../../adapters/db/repos/coupon.repo.js';
import { createMemberRepo } from '../../adapters/db/repos/member.repo.js';
import { pointsRepo } from '../../adapters/db/repos/points.repo.js';
import { recordAudit } from '../audit.js';
import type { Deps } from '../deps.js';
import { templateRule } from '../pos/redeem.js';
import { resolveMemberCode } from './member-code.js';

/** 张伟 → 张*, 欧阳娜娜 → 欧阳**, 王先生 → 王**: the surname stays, the given name is hidden. */
export function maskName(name: string | null): string | null {
  const trimmed = name?.trim();
  if (!trimmed) return null;
  const chars = Array.from(trimmed);
  const COMPOUND = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '司徒', '令狐'];
  const surnameLength = chars.length > 2 && COMPOUND.includes(chars.slice(0, 2).join('')) ? 2 : 1;
  return chars.slice(0, surnameLength).join('') + '*'.repeat(Math.max(1, chars.length - surnameLength));
}

export async function lookupMemberForPos(
  deps: Deps,
  input: { memberCode: string; keyId: string; storeId: string | null; requestId: string },
): Promise<Result<PosMemberResponse, 'MEMBER_CODE_INVALID' | 'MEMBER_CODE_EXPIRED' | 'NOT_FOUND'>> {
  const now = deps.clock.now();
  const resolved = await resolveMemberCode(deps.database.db, input.memberCode, now);
  if (!resolved.ok) return resolved;
  const db = deps.database.db;
  const summary = await createMemberRepo(db).summary(resolved.value.customerId);
  if (!summary) return fail('NOT_FOUND', `customer ${resolved.value.customerId} not found`);
  const [spendFen, available] = await Promise.all([
    pointsRepo.spendSince(db, summary.customerId, tierWindowStart(now)),
    couponRepo.availableCoupons(db, summary.customerId, now),
  ]);
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
    nameMasked: maskName(summary.realName ?? summary.displayName),
    phoneMasked: summary.phone ? maskPhone(summary.phone) : null,
    tier: tierFor(spendFen).tier.name,
    memberSince: summary.registeredAt ? summary.registeredAt.toISOString() : null,
    homeStoreName: summary.homeStore?.name ?? null,
    coupons: available
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
  });
}
