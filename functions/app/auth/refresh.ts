import type { SessionTokens } from '../../../shared/contracts/auth.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import { createMemberRepo } from '../../adapters/db/repos/member.repo.js';
import { createStaffRepo } from '../../adapters/db/repos/staff.repo.js';
import type { Deps } from '../deps.js';

/** A refresh token buys a new pair, after the same checks as any request (disabled staff cannot refresh). */
export async function refreshSession(
  deps: Deps,
  refreshToken: string,
): Promise<Result<SessionTokens, 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'STAFF_DISABLED'>> {
  const audience = deps.tokens.peekAudience(refreshToken);
  if (!audience) return fail('TOKEN_INVALID', 'the refresh token is invalid');
  const verified = await deps.tokens.verify(refreshToken, audience, 'refresh');
  if (!verified.ok) return fail(verified.code, 'the refresh token is invalid or expired');
  const claims = verified.claims;
  if (claims.aud === 'member') {
    const owner = await createMemberRepo(deps.database.db).customerOfIdentity(claims.sub);
    if (!owner.exists) return fail('TOKEN_INVALID', 'the session names an unknown identity');
    return ok(await deps.tokens.issuePair(claims));
  }
  const record = await createStaffRepo(deps.database.db).findById(claims.sub);
  if (!record || record.tokenVersion !== claims.ver) return fail('TOKEN_INVALID', 'the session was revoked');
  if (record.status === 'disabled') return fail('STAFF_DISABLED', `staff ${record.id} is disabled`);
  return ok(await deps.tokens.issuePair(claims));
}
