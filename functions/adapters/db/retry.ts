/**
 * A transaction that lost a race with another one and may simply run again: a deadlock (40P01), a serialization
 * failure (40001), or a unique constraint the transaction checks before it inserts (23505 on a named constraint: two
 * batches bringing the same new record at once both found it missing, one inserted it first). Run again, the check
 * sees the winner's row and the work goes the other way (unchanged, updated). Bounded: a conflict that persists is
 * the caller's error.
 */

/** The database's code and constraint of an error, through drizzle's and the drivers' wrappers. */
export function databaseErrorOf(error: unknown): { code: string; constraint: string | null } | null {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, constraint } = e as { code?: unknown; constraint?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code))
      return { code, constraint: typeof constraint === 'string' ? constraint : null };
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

export function isLostRace(error: unknown, constraints: readonly string[] = []): boolean {
  const db = databaseErrorOf(error);
  if (!db) return false;
  if (db.code === '40P01' || db.code === '40001') return true;
  return db.code === '23505' && db.constraint !== null && constraints.includes(db.constraint);
}

export async function retryingLostRaces<T>(
  run: () => Promise<T>,
  opts: { constraints?: readonly string[]; attempts?: number } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts || !isLostRace(error, opts.constraints)) throw error;
      // a little apart, so that the same two do not meet again at once
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
    }
  }
}
