import { SignupStoreQuery, SignupStoreResponse } from '../../../shared/contracts/onboarding.js';
import { resolveScene } from '../../app/onboarding/scene.js';
import { endpoint, failure, json } from '../../http/endpoint.js';

/** The sign-up page's first call: which store's code was scanned (before asking the person for anything). */
export default endpoint(
  { method: 'GET', auth: 'none', action: 'signup.store_read', query: SignupStoreQuery },
  async ({ deps, query }) => {
    const scene = await resolveScene(deps.database.db, query.scene);
    if (!scene.ok) return failure(scene.code, scene.message);
    const { store } = scene.value;
    return json(200, SignupStoreResponse, {
      store: { id: store.id, name: store.name, address: store.address },
      invited: scene.value.clerkStaffId !== null,
    });
  },
);
