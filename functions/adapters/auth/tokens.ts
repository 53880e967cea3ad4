/**
 * Session tokens: jose HS256 JWTs with algorithm, issuer and audience pinned on verify. Members and staff have
 * separate audiences, so a member token can never pass as a staff token. Refresh tokens are JWTs too, with
 * their own `typ` claim, so an access token can never be used to refresh and vice versa.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../clock.js';

export type Audience = 'member' | 'staff';
export type TokenType = 'access' | 'refresh';

export interface MemberClaims {
  aud: 'member';
  sub: string; // identity id of the WeChat openid
  oid: string; // openid
}
export interface StaffClaims {
  aud: 'staff';
  sub: string; // staff id
  ver: number; // staff token version: bumped on disable/role change
}
export type SessionClaims = MemberClaims | StaffClaims;

export interface TokenConfig {
  secret: string;
  issuer: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

export type VerifyOutcome =
  | { ok: true; claims: SessionClaims }
  | { ok: false; code: 'TOKEN_EXPIRED' | 'TOKEN_INVALID' };

const AUDIENCE = { member: 'medloop-member', staff: 'medloop-staff' } as const;
const COUNTER_AUDIENCE = 'medloop-counter';

/** Who scanned whose code where: the customer (sub), the clerk (sid) and the store (sto). */
export interface CounterClaims {
  customerId: string;
  staffId: string;
  storeId: string;
  /**
   * The coupon (cpn) when a coupon's own code was scanned, not the member code: that code is printed in the wallet,
   * screenshotted and forwarded, so it proves possession of that one coupon, never of the member's account. Such a
   * token redeems that coupon only (no other coupon, no points, no sale). Absent or null: a live member code.
   */
  couponId?: string | null;
}

export function createTokenService(config: TokenConfig, clock: Clock) {
  const key = new TextEncoder().encode(config.secret);
  if (key.byteLength < 32) throw new Error('JWT secret must be at least 32 bytes');

  async function sign(claims: SessionClaims, typ: TokenType): Promise<string> {
    const nowSec = Math.floor(clock.now().getTime() / 1000);
    const ttl = typ === 'access' ? config.accessTtlSeconds : config.refreshTtlSeconds;
    const extra = claims.aud === 'member' ? { oid: claims.oid } : { ver: claims.ver };
    return new SignJWT({ ...extra, typ })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(config.issuer)
      .setAudience(AUDIENCE[claims.aud])
      .setSubject(claims.sub)
      .setIssuedAt(nowSec)
      .setExpirationTime(nowSec + ttl)
      .sign(key);
  }

  async function verify(token: string, aud: Audience, typ: TokenType): Promise<VerifyOutcome> {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        issuer: config.issuer,
        audience: AUDIENCE[aud],
        currentDate: clock.now(),
      });
      if (payload.typ !== typ || typeof payload.sub !== 'string') return { ok: false, code: 'TOKEN_INVALID' };
      if (aud === 'member') {
        if (typeof payload.oid !== 'string') return { ok: false, code: 'TOKEN_INVALID' };
        return { ok: true, claims: { aud, sub: payload.sub, oid: payload.oid } };
      }
      if (typeof payload.ver !== 'number') return { ok: false, code: 'TOKEN_INVALID' };
      return { ok: true, claims: { aud, sub: payload.sub, ver: payload.ver } };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, code: 'TOKEN_EXPIRED' };
      return { ok: false, code: 'TOKEN_INVALID' };
    }
  }

  async function issuePair(claims: SessionClaims) {
    return {
      accessToken: await sign(claims, 'access'),
      refreshToken: await sign(claims, 'refresh'),
      expiresIn: config.accessTtlSeconds,
    };
  }

  /** Which audience a bearer token claims, read without trusting it; verification still pins the audience. */
  function peekAudience(token: string): Audience | null {
    const part = token.split('.')[1];
    if (!part) return null;
    try {
      const aud = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')).aud;
      if (aud === AUDIENCE.member) return 'member';
      if (aud === AUDIENCE.staff) return 'staff';
      return null;
    } catch {
      return null;
    }
  }

  /**
   * A counter token: a clerk scanned this member's live code (or, scoped by `cpn`, one coupon's code) at this store
   * (functions/app/counter). Its own
   * audience, so it never passes as a session token, and a session token never passes as one.
   */
  async function signCounter(claims: CounterClaims, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const nowSec = Math.floor(clock.now().getTime() / 1000);
    const scope = claims.couponId ? { cpn: claims.couponId } : {};
    const token = await new SignJWT({ sid: claims.staffId, sto: claims.storeId, ...scope })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(config.issuer)
      .setAudience(COUNTER_AUDIENCE)
      .setSubject(claims.customerId)
      .setIssuedAt(nowSec)
      .setExpirationTime(nowSec + ttlSeconds)
      .sign(key);
    return { token, expiresAt: new Date((nowSec + ttlSeconds) * 1000) };
  }

  async function verifyCounter(
    token: string,
  ): Promise<{ ok: true; claims: CounterClaims } | { ok: false; code: 'TOKEN_EXPIRED' | 'TOKEN_INVALID' }> {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        issuer: config.issuer,
        audience: COUNTER_AUDIENCE,
        currentDate: clock.now(),
      });
      const { sub, sid, sto, cpn } = payload;
      if (typeof sub !== 'string' || typeof sid !== 'string' || typeof sto !== 'string') {
        return { ok: false, code: 'TOKEN_INVALID' };
      }
      if (cpn !== undefined && typeof cpn !== 'string') return { ok: false, code: 'TOKEN_INVALID' };
      return { ok: true, claims: { customerId: sub, staffId: sid, storeId: sto, couponId: cpn ?? null } };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, code: 'TOKEN_EXPIRED' };
      return { ok: false, code: 'TOKEN_INVALID' };
    }
  }

  return { sign, verify, issuePair, peekAudience, signCounter, verifyCounter };
}

export type TokenService = ReturnType<typeof createTokenService>;
