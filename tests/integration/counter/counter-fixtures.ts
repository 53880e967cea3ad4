/** What the counter's integration tests share: signed-in clerks, calls to the counter API as one of them, keys. */
import type { TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';

/** A fresh suffix for idempotency keys and receipt numbers. */
export const unique = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * Signs the simulated WeChat users `users` in as their staff and answers a call of the counter API
 * (`/api/staff/counter/<path>`) as one of them. `revokeTillsOf`: stores whose POS key is revoked first, so that their
 * counter records sales as a store without a till does.
 */
export async function counterClerks(sys: TestSystem, users: string[], revokeTillsOf: string[] = []) {
  for (const storeId of revokeTillsOf)
    await sys.database.exec("update partner_keys set revoked_at = now() where source = 'pos' and store_id = $1", [
      storeId,
    ]);
  const tokens: Record<string, string> = {};
  for (const u of users) tokens[u] = await staffToken(sys, u);
  return (user: string, path: string, body: unknown) =>
    sys.call(`/api/staff/counter/${path}`, { body, token: tokens[user] });
}
