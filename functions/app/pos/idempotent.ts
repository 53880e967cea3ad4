/**
 * Idempotent partner requests: the first answer to (key, operation, idempotency key) is stored in the same
 * transaction as the work, and every retry gets it back. The same key with a different body is a conflict, not a
 * replay. A refused request (bad input, coupon already used…) stores nothing and changes nothing, so fixing the
 * input and retrying with the same key is fine.
 *
 * Two shapes: `idempotent` runs the work in a transaction that claims the key first (void, order ingest);
 * redemption reads and decides first and writes everything in one statement (see redeem.ts), and uses
 * `storedAnswer` / `answerFromStored` to answer a retry exactly as `idempotent` would.
 */
import { hash } from 'node:crypto';
import { type ErrorCode, fail, ok, type Result } from '../../../shared/errors.js';
import type { Db, Tx } from '../../adapters/db/client.js';
import { posRepo } from '../../adapters/db/repos/pos.repo.js';

export interface IdempotencyScope {
  keyId: string;
  operation: 'redeem' | 'void' | 'order' | 'points_spend' | 'points_return' | 'sale' | 'sale_void';
  idempotencyKey: string;
  /** the request body; the hash covers everything but the idempotency key itself */
  body: Record<string, unknown>;
}

class Refused<C extends ErrorCode> extends Error {
  constructor(readonly result: { ok: false; code: C; message?: string; details?: unknown }) {
    super(result.code);
  }
}

/** Canonical JSON: keys sorted, so the same fields in another order are the same request. */
export function requestHash(body: Record<string, unknown>): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as object)
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .sort()
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  const { idempotencyKey: _ignored, ...rest } = body;
  return hash('sha256', JSON.stringify(canonical(rest)), 'hex');
}

/** What a retry gets from the stored row: the first answer for the same body, a conflict for another body. */
export function answerFromStored<T>(
  scope: Pick<IdempotencyScope, 'operation' | 'idempotencyKey'>,
  requestHash: string,
  prior: { requestHash: string; response: unknown } | null,
): Result<T, 'IDEMPOTENCY_CONFLICT'> {
  if (!prior || prior.response === null) throw new Error(`idempotency key ${scope.idempotencyKey} vanished`);
  if (prior.requestHash !== requestHash) {
    return fail(
      'IDEMPOTENCY_CONFLICT',
      `idempotency key ${scope.idempotencyKey} was already used for a different ${scope.operation} request`,
    );
  }
  return ok(prior.response as T);
}

/** The answer stored for this key (replay or conflict), or null when the key has not been used (outside a claim). */
export async function storedAnswer<T>(
  ex: Db | Tx,
  scope: IdempotencyScope,
  requestHash: string,
): Promise<Result<T, 'IDEMPOTENCY_CONFLICT'> | null> {
  const prior = await posRepo.stored(ex, {
    keyId: scope.keyId,
    operation: scope.operation,
    idempotencyKey: scope.idempotencyKey,
  });
  return prior && prior.response !== null ? answerFromStored<T>(scope, requestHash, prior) : null;
}

/**
 * Where the answers are stored: partner_requests (keyed by the partner key, the default) or staff_requests (the staff
 * pages' counter, keyed by the staff member: `keyId` is then the staff id).
 */
export type RequestLedger = Pick<typeof posRepo, 'claim' | 'stored' | 'complete'>;

export async function idempotent<T, C extends ErrorCode>(
  db: Db,
  scope: IdempotencyScope,
  work: (tx: Tx) => Promise<Result<T, C>>,
  ledger: RequestLedger = posRepo,
): Promise<Result<T, C | 'IDEMPOTENCY_CONFLICT'>> {
  const hash = requestHash(scope.body);
  const key = { keyId: scope.keyId, operation: scope.operation, idempotencyKey: scope.idempotencyKey };
  try {
    return await db.transaction(async (tx) => {
      const claimed = await ledger.claim(tx, { ...key, requestHash: hash });
      if (claimed === null) return answerFromStored<T>(scope, hash, await ledger.stored(tx, key));
      const result = await work(tx);
      if (!result.ok) throw new Refused(result);
      await ledger.complete(tx, claimed, 200, result.value);
      return result;
    });
  } catch (error) {
    if (error instanceof Refused) return error.result as Result<T, C>;
    throw error;
  }
}
