import type { StaffActor } from '../../../shared/access/policy.js';
import type { SignupStatsResponse } from '../../../shared/contracts/onboarding.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import { createOnboardingRepo } from '../../adapters/db/repos/onboarding.repo.js';
import type { Deps } from '../deps.js';
import { scopeOf } from './signup-codes.js';

// Business days are Asia/Shanghai days (UTC+8 all year, no daylight saving).
const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const shanghaiDate = (at: Date) => new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
const startOfShanghaiDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) - SHANGHAI_OFFSET_MS);

/** Sign-ups per inviting clerk for one store and a range of days (default: this month so far). */
export async function readSignupStats(
  deps: Deps,
  actor: StaffActor,
  query: { storeId?: string; from?: string; to?: string },
): Promise<Result<SignupStatsResponse, 'STORE_NOT_FOUND' | 'VALIDATION_FAILED'>> {
  const repo = createOnboardingRepo(deps.database.db);
  const storeId = query.storeId ?? actor.storeId ?? (await repo.storesIn(scopeOf(actor)))[0]?.id;
  const store = storeId ? await repo.storeById(storeId) : null;
  if (!store) return fail('STORE_NOT_FOUND', `store ${storeId ?? '(none in scope)'} not found`);
  const today = shanghaiDate(deps.clock.now());
  const to = query.to ?? today;
  const from = query.from ?? `${to.slice(0, 8)}01`;
  if (from > to) return fail('VALIDATION_FAILED', `from ${from} is after to ${to}`);
  const end = new Date(startOfShanghaiDay(to).getTime() + 24 * 3600_000);
  const rows = await repo.signupsByClerk(store.id, startOfShanghaiDay(from), end);
  const byClerk = rows.map((r) => ({
    staffId: r.staffId,
    name: r.staffId ? (r.name ?? r.staffId) : '门店二维码',
    signups: Number(r.signups),
    newCustomers: Number(r.newCustomers),
  }));
  const total = byClerk.reduce((n, r) => n + r.signups, 0);
  const newCustomers = byClerk.reduce((n, r) => n + r.newCustomers, 0);
  return ok({
    store: { id: store.id, code: store.code, name: store.name },
    from,
    to,
    total,
    newCustomers,
    linkedCustomers: total - newCustomers,
    byClerk,
  });
}
