import type { Actor, Resource } from '../../../shared/access/policy.js';
import { posRepo } from '../../adapters/db/repos/pos.repo.js';
import { AppError } from '../../http/app-error.js';
import { activePartnerKey } from '../auth/partner-keys.js';
import type { Deps } from '../deps.js';
import type { PosCaller } from './redeem.js';

/**
 * The store a POS request names (optional cross-check) as a policy resource. An unknown store id is a clear
 * STORE_NOT_FOUND before anything runs, and another store than the key's a clear STORE_NOT_KEYS_STORE: the policy
 * would refuse it too, but as FORBIDDEN "partner may not pos.redeem", which does not tell the till's developer that
 * the body's storeId is what is wrong. The key's own store (what a POS sends) comes from the cached key
 * (partner-keys.ts), without a round trip; any other store is read.
 */
export async function posStoreResource(deps: Deps, storeId: string | undefined, actor?: Actor): Promise<Resource> {
  if (!storeId) return { kind: 'none' };
  if (actor?.kind === 'partner' && actor.storeId === storeId) {
    const key = await activePartnerKey(deps.database.db, actor.keyId);
    if (key?.storeId === storeId && key.storeRegionId) {
      return { kind: 'store', storeId, regionId: key.storeRegionId };
    }
  }
  const store = await posRepo.storeExists(deps.database.db, storeId);
  if (!store) throw new AppError('STORE_NOT_FOUND', `no store ${storeId}`);
  if (actor?.kind === 'partner' && actor.storeId && actor.storeId !== store.id) {
    throw new AppError(
      'STORE_NOT_KEYS_STORE',
      `storeId ${storeId} is not this POS key's store (${actor.storeId}): a key acts only for its own store`,
    );
  }
  return { kind: 'store', storeId: store.id, regionId: store.regionId };
}

/** The POS actor's key and store; the policy admits only store-bound POS keys to these endpoints. */
export function posCaller(actor: Actor): PosCaller {
  if (actor.kind !== 'partner' || actor.source !== 'pos' || !actor.storeId) {
    throw new AppError('FORBIDDEN', 'a POS key bound to a store is required');
  }
  return { keyId: actor.keyId, storeId: actor.storeId };
}
