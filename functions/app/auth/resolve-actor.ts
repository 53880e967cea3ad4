/**
 * Bearer token → actor. Staff records are re-read on every request so that disabling a record, or changing
 * a role or store, takes effect at once rather than when the token expires.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Actor } from '../../../shared/access/policy.js';
import { verifyPartnerSignature } from '../../adapters/auth/partner-signature.js';
import { createMemberRepo } from '../../adapters/db/repos/member.repo.js';
import { createStaffRepo } from '../../adapters/db/repos/staff.repo.js';
import { AppError } from '../../http/app-error.js';
import type { AuthKind } from '../../http/endpoint.js';
import type { Deps } from '../deps.js';
import { activePartnerKey } from './partner-keys.js';

/** A signed partner request → the partner actor (a POS key is bound to its store). */
export async function resolvePartner(
  deps: Deps,
  req: IncomingMessage,
  rawBody: Buffer,
  /** told the key as soon as it is known, before its signature is checked (the call log names who failed) */
  onKey?: (key: { keyId: string; source: string; storeId: string | null }) => void,
): Promise<Actor> {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const keyId = header('x-medloop-key');
  const timestamp = header('x-medloop-timestamp');
  const nonce = header('x-medloop-nonce');
  const signature = header('x-medloop-signature');
  if (!keyId || !timestamp || !nonce || !signature) {
    throw new AppError(
      'SIGNATURE_INVALID',
      'signed request headers x-medloop-key/-timestamp/-nonce/-signature are required',
    );
  }
  // cached for a few seconds: a revoked key stops working within PARTNER_KEY_CACHE_SECONDS (partner-keys.ts)
  const key = await activePartnerKey(deps.database.db, keyId);
  if (!key) throw new AppError('SIGNATURE_INVALID', `unknown or revoked key ${keyId.slice(0, 64)}`);
  onKey?.({ keyId: key.id, source: key.source, storeId: key.storeId });
  const verified = verifyPartnerSignature({
    secret: key.secret,
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    timestamp,
    nonce,
    body: rawBody,
    signature,
    now: deps.clock.now(),
  });
  if (!verified.ok) throw new AppError(verified.code, `${verified.message} (key ${key.id})`);
  return { kind: 'partner', keyId: key.id, source: key.source, storeId: key.storeId };
}

/**
 * A scheduled job: Vercel sends `Authorization: Bearer $CRON_SECRET` with every cron invocation. Without a
 * configured secret no caller is a cron (fail closed), so a deployment that forgot the variable runs no jobs
 * from outside rather than letting anyone trigger them.
 */
export function resolveCron(deps: Deps, bearer: string | null): Actor {
  const secret = deps.env.CRON_SECRET;
  if (!secret) throw new AppError('UNAUTHENTICATED', 'CRON_SECRET is not configured on this deployment');
  if (!bearer) throw new AppError('UNAUTHENTICATED', 'a cron bearer token is required');
  const given = createHash('sha256').update(bearer).digest();
  const expected = createHash('sha256').update(secret).digest();
  if (!timingSafeEqual(given, expected)) throw new AppError('TOKEN_INVALID', 'the cron bearer token is wrong');
  return { kind: 'cron' };
}

export async function resolveActor(
  deps: Deps,
  bearer: string | null,
  auth: Exclude<AuthKind, 'partner' | 'cron'>,
): Promise<Actor> {
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
