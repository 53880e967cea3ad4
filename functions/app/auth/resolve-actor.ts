/**
 * Bearer token → actor. Staff records are re-read on every request so that disabling a record, or changing
 * a role or store, takes effect at once rather than when the token expires.
 */
import type { Actor } from '../../../shared/access/policy.js';
import { createMemberRepo } from '../../adapters/db/repos/member.repo.js';
import { createStaffRepo } from '../../adapters/db/repos/staff.repo.js';
import { AppError } from '../../http/app-error.js';
import type { AuthKind } from '../../http/endpoint.js';
import type { Deps } from '../deps.js';

export async function resolveActor(deps: Deps, bearer: string | null, auth: AuthKind): Promise<Actor> {
  if (!bearer) {
    if (auth === 'none') return { kind: 'anonymous' };
    throw new AppError('UNAUTHENTICATED', `this endpoint needs a ${auth} session`);
  }
  const audience = deps.tokens.peekAudience(bearer);
  if (!audience) throw new AppError('TOKEN_INVALID', 'the session token is invalid');
  if (auth !== 'none' && audience !== auth) {
    throw new AppError('FORBIDDEN', `this endpoint needs a ${auth} session, not a ${audience} session`);
  }
  const verified = await deps.tokens.verify(bearer, audience, 'access');
  if (!verified.ok)
    throw new AppError(
      verified.code,
      verified.code === 'TOKEN_EXPIRED' ? 'the session token has expired' : 'the session token is invalid',
    );
  const claims = verified.claims;
  if (claims.aud === 'member') {
    const owner = await createMemberRepo(deps.database.db).customerOfIdentity(claims.sub);
    if (!owner.exists) throw new AppError('TOKEN_INVALID', 'the session names an unknown identity');
    return { kind: 'member', identityId: claims.sub, customerId: owner.customerId, openid: claims.oid };
  }
  const record = await createStaffRepo(deps.database.db).findById(claims.sub);
  if (!record) throw new AppError('TOKEN_INVALID', 'the session names an unknown staff record');
  if (record.status === 'disabled') throw new AppError('STAFF_DISABLED', `staff ${record.id} is disabled`);
  if (record.tokenVersion !== claims.ver) throw new AppError('TOKEN_INVALID', 'the session was revoked');
  return { kind: 'staff', staffId: record.id, role: record.role, storeId: record.storeId, regionId: record.regionId };
}
