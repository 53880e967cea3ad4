/**
 * Store sign-up QR codes for printing. wxacode.getUnlimited codes never expire but WeChat rate-limits their
 * generation, so each (store, inviting clerk) is generated once and the image kept; asking again returns it. The
 * image is WeChat's bare code; the staff page draws the printable sheet around it (store, clerk, code number), on
 * the phone or in the browser, whose CJK fonts the functions do not have.
 */
import { randomBytes } from 'node:crypto';
import type { StaffActor } from '../../../shared/access/policy.js';
import type { SignupCode, SignupCodesResponse } from '../../../shared/contracts/onboarding.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import { formatSignupScene, inviteFromBytes, SIGNUP_PAGE } from '../../../shared/onboarding/scene.js';
import { createOnboardingRepo, type QrCodeRow, type StoreRow } from '../../adapters/db/repos/onboarding.repo.js';
import { newId } from '../../adapters/ids.js';
import { isRateLimited, WeChatError } from '../../adapters/wechat/wechat.port.js';
import { AppError } from '../../http/app-error.js';
import { recordAudit } from '../audit.js';
import { newMemberOffer } from '../coupons/new-member-offer.js';
import type { Deps } from '../deps.js';

function toSignupCode(row: QrCodeRow, store: StoreRow): SignupCode {
  return {
    id: row.id,
    scene: row.scene,
    page: row.page,
    clerk: row.clerkStaffId ? { staffId: row.clerkStaffId, name: row.clerkName ?? row.clerkStaffId } : null,
    imageDataUrl: `data:${row.contentType};base64,${row.pngBase64}`,
    // the page saves a sheet it draws around the code (store, clerk, code number) as a PNG, whatever WeChat answered
    fileName: `会员注册码-${store.code}-${row.clerkName ?? '门店'}.png`,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The stores a staff member's scope covers: their store, their region, or every store (HQ). */
export function scopeOf(actor: StaffActor): { storeId: string | null; regionId: string | null } {
  if (actor.role === 'hq_admin') return { storeId: null, regionId: null };
  if (actor.role === 'regional_manager') return { storeId: null, regionId: actor.regionId ?? '__none__' };
  return { storeId: actor.storeId ?? '__none__', regionId: null };
}

export async function listSignupCodes(
  deps: Deps,
  actor: StaffActor,
  storeId: string | undefined,
): Promise<Result<SignupCodesResponse, 'STORE_NOT_FOUND'>> {
  const repo = createOnboardingRepo(deps.database.db);
  const stores = await repo.storesIn(scopeOf(actor));
  const storeRef = (s: StoreRow) => ({ id: s.id, code: s.code, name: s.name });
  const selected = storeId ? await repo.storeById(storeId) : (stores.find((s) => s.id === actor.storeId) ?? stores[0]);
  if (storeId && !selected) return fail('STORE_NOT_FOUND', `store ${storeId} not found`);
  // what the sign-up page would promise a visitor now: a printed sheet says 领新人券 only while sign-up gives one
  const offerNow = async () => (await newMemberOffer(deps.database.db, deps.clock.now())).offer !== null;
  if (!selected) return ok({ stores: [], store: null, staff: [], codes: [], newMemberOffer: await offerNow() });
  const [staff, codes, offer] = await Promise.all([
    repo.staffOfStore(selected.id),
    repo.qrCodesOfStore(selected.id),
    offerNow(),
  ]);
  return ok({
    stores: stores.map(storeRef),
    store: storeRef(selected),
    staff: staff.map((s) => ({ staffId: s.staffId, name: s.name, role: s.role })),
    codes: codes.map((c) => toSignupCode(c, selected)),
    newMemberOffer: offer,
  });
}

const imageType = (bytes: Uint8Array): 'image/png' | 'image/jpeg' | null => {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  return null;
};

export async function createSignupCode(
  deps: Deps,
  actor: StaffActor,
  input: { storeId: string; clerkStaffId: string | null; requestId: string },
): Promise<Result<{ code: SignupCode; created: boolean }, 'STORE_NOT_FOUND' | 'CLERK_NOT_FOUND'>> {
  const repo = createOnboardingRepo(deps.database.db);
  const store = await repo.storeById(input.storeId);
  if (!store) return fail('STORE_NOT_FOUND', `store ${input.storeId} not found`);
  const existing = await repo.qrCodeFor(store.id, input.clerkStaffId);
  if (existing) return ok({ code: toSignupCode(existing, store), created: false });
  if (input.clerkStaffId) {
    const clerk = await repo.staffById(input.clerkStaffId);
    if (!clerk || clerk.storeId !== store.id || clerk.status === 'disabled') {
      return fail('CLERK_NOT_FOUND', `staff ${input.clerkStaffId} does not work at store ${store.id}`);
    }
  }
  const scene = formatSignupScene({
    storeCode: store.code,
    invite: input.clerkStaffId ? inviteFromBytes(randomBytes(8)) : null,
  });
  let bytes: Uint8Array;
  try {
    bytes = await deps.wechat.getUnlimitedQrCode({ scene, page: SIGNUP_PAGE, width: 430 });
  } catch (error) {
    if (isRateLimited(error)) throw new AppError('RATE_LIMITED', 'WeChat limits how fast codes can be generated');
    if (error instanceof WeChatError) {
      throw new AppError('UPSTREAM_UNAVAILABLE', `WeChat could not make the code (errcode ${error.errcode})`, {
        cause: error,
        retryable: error.retryable,
      });
    }
    throw error;
  }
  const contentType = imageType(bytes);
  if (!contentType) throw new AppError('UPSTREAM_UNAVAILABLE', 'WeChat answered bytes that are not an image');
  const now = deps.clock.now();
  const inserted = await repo.insertQrCode({
    id: newId('sqr', now.getTime()),
    storeId: store.id,
    clerkStaffId: input.clerkStaffId,
    scene,
    page: SIGNUP_PAGE,
    pngBase64: Buffer.from(bytes).toString('base64'),
    contentType,
    createdBy: actor.staffId,
    createdAt: now,
  });
  // Two managers pressing at once: one code is kept and both get it (the other image is dropped unused).
  const row = await repo.qrCodeFor(store.id, input.clerkStaffId);
  if (!row) throw new Error(`sign-up code for ${store.id}/${input.clerkStaffId} vanished after insert`);
  if (inserted) {
    await recordAudit(deps.database.db, {
      actorKind: 'staff',
      actorId: actor.staffId,
      action: 'staff.signup_code_create',
      storeId: store.id,
      requestId: input.requestId,
      at: now,
      details: { scene, clerkStaffId: input.clerkStaffId },
    });
  }
  return ok({ code: toSignupCode(row, store), created: inserted });
}
