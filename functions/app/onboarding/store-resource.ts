import type { Resource } from '../../../shared/access/policy.js';
import { createOnboardingRepo } from '../../adapters/db/repos/onboarding.repo.js';
import type { Deps } from '../deps.js';

/** The store a staff request names, as a policy resource; none when no store is named (the handler picks one in scope). */
export async function storeResource(deps: Deps, storeId: string | undefined): Promise<Resource> {
  if (!storeId) return { kind: 'none' };
  const store = await createOnboardingRepo(deps.database.db).storeById(storeId);
  // an unknown store: let the handler answer STORE_NOT_FOUND (store ids are not secret)
  return store ? { kind: 'store', storeId: store.id, regionId: store.regionId } : { kind: 'none' };
}
