/**
 * The member code: issued to a signed-up member for the member home (QR + Code128), resolved by the POS.
 * Codes are random (not derived from the customer id), short-lived and stored, so a code says nothing by itself
 * and a screenshot stops working 90 s after it was issued.
 */
import { randomBytes } from 'node:crypto';
import { fail, ok, type Result } from '../../../shared/errors.js';
import {
  isMemberCodeFormat,
  MEMBER_CODE_REFRESH_SECONDS,
  MEMBER_CODE_TTL_SECONDS,
  memberCodeFromBytes,
} from '../../../shared/onboarding/member-code.js';
import type { Db, Tx } from '../../adapters/db/client.js';
import { createMemberCodeRepo } from '../../adapters/db/repos/member-code.repo.js';

/**
 * A member code → the customer it was issued to (followed through merges). For the POS side (member lookup,
 * coupon redemption by member code). Expired is told apart from unknown so the cashier can ask the member to
 * refresh the page rather than suspect a fraud.
 */
export async function resolveMemberCode(
  db: Db | Tx,
  code: string,
  now: Date,
  opts: { soldAt?: Date } = {},
): Promise<Result<{ customerId: string }, 'MEMBER_CODE_INVALID' | 'MEMBER_CODE_EXPIRED'>> {
  const trimmed = code.trim();
  if (!isMemberCodeFormat(trimmed)) return fail('MEMBER_CODE_INVALID', 'a member code is 18 digits starting with 88');
  const row = await createMemberCodeRepo(db).find(trimmed);
  if (!row) return fail('MEMBER_CODE_INVALID', `member code ${maskCode(trimmed)} is unknown`);
  if (opts.soldAt) {
    // a sale's code: live when the cashier scanned it, before a checkout that ended at soldAt
    const at = opts.soldAt.getTime();
    if (at < row.issuedAt.getTime() - TILL_CLOCK_SKEW_MS || at > row.expiresAt.getTime() + CHECKOUT_MS) {
      return fail(
        'MEMBER_CODE_EXPIRED',
        `member code ${maskCode(trimmed)} was live ${row.issuedAt.toISOString()} to ${row.expiresAt.toISOString()}, not for a sale at ${opts.soldAt.toISOString()}`,
      );
    }
    return ok({ customerId: row.customerId });
  }
  if (row.expiresAt.getTime() <= now.getTime()) {
    return fail('MEMBER_CODE_EXPIRED', `member code ${maskCode(trimmed)} expired at ${row.expiresAt.toISOString()}`);
  }
  return ok({ customerId: row.customerId });
}

/**
 * A till scans the member code when the checkout starts and sends the order when it is paid, minutes later, or
 * from its offline queue hours later: an order's code counts when it was live at the sale, give or take the
 * checkout, whenever the order arrives (until the code is purged, a day after it expired). Spending (a coupon,
 * points) still needs a live code: the member is there.
 */
export const CHECKOUT_MS = 30 * 60_000;
const TILL_CLOCK_SKEW_MS = 5 * 60_000;

/** Logs and messages name a code by its last four digits only: a live code is a bearer credential. */
export function maskCode(code: string): string {
  return `…${code.slice(-4)}`;
}

export interface IssuedMemberCode {
  code: string;
  issuedAt: Date;
  expiresAt: Date;
  refreshAfterSeconds: number;
}

// Two pages open, or a double tap, should not mint a code each: a code younger than this is handed out again.
const REUSE_WITHIN_MS = 5_000;

export async function issueMemberCode(
  db: Db,
  input: { customerId: string; identityId: string; now: Date },
): Promise<IssuedMemberCode> {
  const repo = createMemberCodeRepo(db);
  const nowMs = input.now.getTime();
  const latest = await repo.latestForIdentity(input.identityId);
  if (latest && latest.customerId === input.customerId && nowMs - latest.issuedAt.getTime() < REUSE_WITHIN_MS) {
    return { ...latest, refreshAfterSeconds: MEMBER_CODE_REFRESH_SECONDS };
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = memberCodeFromBytes(randomBytes(32));
    if (!code) continue;
    const row = {
      code,
      customerId: input.customerId,
      identityId: input.identityId,
      issuedAt: input.now,
      expiresAt: new Date(nowMs + MEMBER_CODE_TTL_SECONDS * 1000),
    };
    if (await repo.insert(row)) {
      return {
        code,
        issuedAt: row.issuedAt,
        expiresAt: row.expiresAt,
        refreshAfterSeconds: MEMBER_CODE_REFRESH_SECONDS,
      };
    }
  }
  // 10^16 codes and a few thousand live ones: five collisions in a row means the random source is broken
  throw new Error('could not draw an unused member code in 5 attempts');
}
