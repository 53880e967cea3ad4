/**
 * Sign-up at the store's QR code: the scanned store (and inviting clerk), the verified phone, the consents, then
 * in one transaction: link to the person (a phone the POS or another WeChat account already knows is the same
 * customer), mark the member registered, attribute the sign-up, record consents, issue the new-member coupon once
 * per person, and audit it. A phone that is already a member's (another WeChat of theirs signed up) joins this WeChat
 * to that member without consents: theirs stand.
 */
import type {
  SignupBody,
  SignupResponse,
  VerifyPhoneResponse,
  WelcomeCoupon,
} from '../../../shared/contracts/onboarding.js';
import { businessDate } from '../../../shared/coupons/business-day.js';
import { lastValidDay } from '../../../shared/coupons/coupon.describe.js';
import { couponLifecycle } from '../../../shared/coupons/coupon.rules.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import { maskPhone } from '../../../shared/identity/phone.js';
import { type ConsentChoice, currentConsents, planSignupConsents } from '../../../shared/onboarding/consent.js';
import type { Tx } from '../../adapters/db/client.js';
import { closedHadNewMemberCoupon } from '../../adapters/db/repos/account-close.repo.js';
import { couponRepo } from '../../adapters/db/repos/coupon.repo.js';
import { createOnboardingRepo } from '../../adapters/db/repos/onboarding.repo.js';
import { newId } from '../../adapters/ids.js';
import { recordAudit } from '../audit.js';
import type { Deps } from '../deps.js';
import { linkOnSignup } from '../identity/link-on-signup.js';
import { phoneDigest, wechatDigest } from '../members/phone-digest.js';
import { issueNewMemberCoupon } from './new-member-coupon.js';
import { exchangePhoneCode, type PhoneExchangeError } from './phone-exchange.js';
import { type ResolvedScene, resolveScene, type SceneError } from './scene.js';

export interface MemberCaller {
  identityId: string;
  openid: string;
  customerId: string | null;
}

export type SignupError =
  | SceneError
  | PhoneExchangeError
  | 'CONSENT_REQUIRED'
  | 'CONSENT_VERSION_STALE'
  | 'VALIDATION_FAILED';

/** What a closed account of this person would have left: the digests of the phone and of the caller's WeChat. */
const personDigests = (deps: Deps, caller: MemberCaller, phone: string, unionid: string | null = null) => [
  phoneDigest(deps.env.JWT_SECRET, phone),
  wechatDigest(deps.env.JWT_SECRET, 'openid', caller.openid),
  ...(unionid ? [wechatDigest(deps.env.JWT_SECRET, 'unionid', unionid)] : []),
];

/**
 * The phone step: trade the button's code (once) and tell the page who this phone is to us (a member already, a
 * store card's, nobody's), so that it asks a member for no consents and promises only the coupon the sign-up gives.
 */
export async function verifySignupPhone(
  deps: Deps,
  caller: MemberCaller,
  phoneCode: string,
): Promise<Result<VerifyPhoneResponse, PhoneExchangeError>> {
  const phone = await exchangePhoneCode(deps, { identityId: caller.identityId, phoneCode });
  if (!phone.ok) return phone;
  const repo = createOnboardingRepo(deps.database.db);
  const standing = await repo.phoneStanding(phone.value.phone, caller.customerId);
  const known = await repo.phoneKnown(phone.value.phone, caller.customerId);
  const withheld = await closedHadNewMemberCoupon(deps.database.db, personDigests(deps, caller, phone.value.phone));
  return ok({
    phoneMasked: maskPhone(phone.value.phone),
    standing,
    knownCustomer: known,
    // a member had theirs, or has it: what a closed account left says nothing this sign-up needs
    newMemberCouponWithheld: standing !== 'member' && withheld,
  });
}

/**
 * Thrown inside the sign-up's transaction to roll it back: a sign-up sent without consents (the page was told the
 * phone is a member's) linked to someone who is no member. Never escapes this module.
 */
class NotYetMember extends Error {}

export async function signUp(
  deps: Deps,
  caller: MemberCaller,
  body: SignupBody,
  requestId: string,
): Promise<Result<SignupResponse, SignupError>> {
  // Everything that can be refused is checked before anything is written.
  // no consents: the page was told the phone is a member's, whose answers stand; joining this WeChat to that member
  const joinOnly = body.consents.length === 0;
  const consents = joinOnly ? ok([]) : planSignupConsents(body.consents);
  if (!consents.ok) return consents;
  let scene: ResolvedScene | null = null;
  if (body.scene !== null) {
    const resolved = await resolveScene(deps.database.db, body.scene);
    if (!resolved.ok) return resolved;
    scene = resolved.value;
  }
  const phone = await exchangePhoneCode(deps, { identityId: caller.identityId, phoneCode: body.phoneCode });
  if (!phone.ok) return phone;
  const unionid = await createOnboardingRepo(deps.database.db).unionidOfOpenid(caller.openid);
  const now = deps.clock.now();

  let result: SignupResponse;
  try {
    result = await deps.database.db.transaction((tx) =>
      registerInTx(tx, {
        caller,
        phone: phone.value.phone,
        personDigests: personDigests(deps, caller, phone.value.phone, unionid),
        unionid,
        scene,
        consents: consents.value,
        joinOnly,
        requestId,
        now,
      }),
    );
  } catch (error) {
    if (error instanceof NotYetMember) {
      return fail('CONSENT_REQUIRED', 'the phone is no member’s: signing up needs an answer for every consent');
    }
    throw error;
  }
  deps.log.info('member signed up', {
    customerId: result.customerId,
    newCustomer: result.newCustomer,
    alreadyMember: result.alreadyMember,
    storeId: scene?.store.id ?? null,
    couponIssued: result.welcomeCoupon?.created ?? false,
  });
  return ok(result);
}

async function registerInTx(
  tx: Tx,
  input: {
    caller: MemberCaller;
    phone: string;
    personDigests: string[];
    unionid: string | null;
    scene: ResolvedScene | null;
    consents: ConsentChoice[];
    /** sent without consents: only a member may be joined so (else NotYetMember rolls everything back) */
    joinOnly: boolean;
    requestId: string;
    now: Date;
  },
): Promise<SignupResponse> {
  const repo = createOnboardingRepo(tx);
  const { caller, now } = input;
  // One person at a time: concurrent sign-ups with this phone (a double tap, a second WeChat account) queue here,
  // so the second one finds the customer the first created instead of creating another.
  await repo.lockPerson(`phone:${input.phone}`);
  const storeId = input.scene?.store.id ?? null;

  const link = await linkOnSignup(tx, {
    openidIdentityId: caller.identityId,
    unionid: input.unionid,
    phone: input.phone,
    storeId,
    now,
  });
  const customerId = link.customerId;
  const { wasMember } = await repo.markRegistered(customerId, storeId, now);
  if (input.joinOnly && !wasMember) throw new NotYetMember();

  const attributed = await repo.attribute({
    id: newId('sgn', now.getTime()),
    customerId,
    storeId,
    clerkStaffId: input.scene?.clerkStaffId ?? null,
    identityId: caller.identityId,
    scene: input.scene?.scene ?? null,
    newCustomer: link.created,
    signedUpAt: now,
  });

  // Append only what differs from the person's current answers. A member signing up again (a second tab, a second
  // WeChat account on their phone) changes none: their answers stand until they change them in 我的设置, not
  // withdrawn by a box left unticked on a form they thought was new
  const current = currentConsents(await repo.consentsOf(customerId));
  const changed = input.consents.filter((c) => {
    if (wasMember) return false;
    const seen = current.find((s) => s.purpose === c.purpose);
    return !seen || seen.granted !== c.granted || seen.version !== c.version;
  });
  await repo.appendConsents(
    changed.map((c) => ({
      customerId,
      purpose: c.purpose,
      granted: c.granted,
      version: c.version,
      source: 'signup' as const,
      identityId: caller.identityId,
      requestId: input.requestId,
      at: now,
    })),
  );

  // once per person, also across a closed account: a person who closed theirs and signs up again is a new member
  // without a second new-member coupon (what is kept of the closed account says whether they had one)
  const issued = await issueNewMemberCoupon(tx, { customerId, storeId, now, personDigests: input.personDigests });
  const withheld = issued === 'withheld';
  const coupon = withheld || issued === null ? null : await welcomeCoupon(tx, issued, now);

  await recordAudit(tx, {
    actorKind: 'member',
    actorId: caller.identityId,
    action: 'member.signup',
    customerId,
    storeId,
    requestId: input.requestId,
    at: now,
    details: {
      newCustomer: link.created,
      attributed,
      clerkStaffId: input.scene?.clerkStaffId ?? null,
      consents: Object.fromEntries(input.consents.map((c) => [c.purpose, c.granted])),
      couponCreated: coupon?.created ?? false,
      couponWithheld: withheld,
      heldMatches: link.heldMatches.length,
    },
  });

  return {
    customerId,
    newCustomer: link.created,
    alreadyMember: wasMember,
    phoneMasked: maskPhone(input.phone),
    store: await repo.customerStore(customerId),
    welcomeCoupon: coupon,
    welcomeWithheld: withheld,
    heldMatches: link.heldMatches,
  };
}

/**
 * The new-member coupon as the wallet lists it now: the one a member had before may be used, expired or voided,
 * and the welcome must not then promise a discount at the till.
 */
async function welcomeCoupon(
  tx: Tx,
  issued: { couponId: string; created: boolean },
  now: Date,
): Promise<WelcomeCoupon> {
  const found = await couponRepo.couponWithTemplateById(tx, issued.couponId);
  if (!found) throw new Error(`new-member coupon ${issued.couponId} not found`);
  const { coupon } = found;
  const state = couponLifecycle(coupon, now);
  const day =
    state === 'used' && coupon.redeemedAt
      ? businessDate(coupon.redeemedAt)
      : state === 'voided' && coupon.voidedAt
        ? businessDate(coupon.voidedAt)
        : state === 'not_yet_valid'
          ? businessDate(coupon.validFrom)
          : lastValidDay(coupon.validUntil);
  return { ...issued, state, day };
}
