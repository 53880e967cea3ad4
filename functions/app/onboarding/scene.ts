import { fail, ok, type Result } from '../../../shared/errors.js';
import { SignupSceneString } from '../../../shared/onboarding/scene.js';
import type { Db, Tx } from '../../adapters/db/client.js';
import { createOnboardingRepo, type StoreRow } from '../../adapters/db/repos/onboarding.repo.js';

export interface ResolvedScene {
  scene: string;
  store: StoreRow;
  /** the inviting clerk, from the stored code the scene belongs to */
  clerkStaffId: string | null;
}

export type SceneError = 'SCENE_INVALID' | 'STORE_NOT_FOUND';

/**
 * A scanned scene → the store (and inviting clerk). The store code alone names the store; a clerk's invite token
 * only counts when it is one we generated for that store, so a hand-made scene cannot credit someone else. An invite
 * that does not count (a code printed before its clerk's was replaced, a hand-made one) still signs the customer up
 * at the store, crediting no clerk: a code on a counter must never turn a customer away.
 */
export async function resolveScene(db: Db | Tx, raw: string): Promise<Result<ResolvedScene, SceneError>> {
  const parsed = SignupSceneString.safeParse(raw);
  if (!parsed.success) return fail('SCENE_INVALID', parsed.error.issues[0]?.message ?? 'not a sign-up scene');
  const { storeCode, invite } = parsed.data;
  const repo = createOnboardingRepo(db);
  const store = await repo.storeByCode(storeCode);
  if (!store) return fail('STORE_NOT_FOUND', `no store with code ${storeCode}`);
  const scene = invite ? `s1.${storeCode}.${invite}` : `s1.${storeCode}`;
  if (!invite) return ok({ scene, store, clerkStaffId: null });
  const code = await repo.qrCodeByScene(scene);
  if (!code || code.storeId !== store.id || !code.clerkStaffId)
    return ok({ scene: `s1.${storeCode}`, store, clerkStaffId: null });
  return ok({ scene, store, clerkStaffId: code.clerkStaffId });
}
