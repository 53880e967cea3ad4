/**
 * Onboarding API: store sign-up codes (staff), the sign-up itself (member), consent settings, the member code and
 * its POS lookup. Types come from here on both sides.
 */
import { z } from 'zod';
import { CONSENT_PURPOSES } from '../onboarding/consent.js';

const Id = z.string().min(1).max(64);
/** the scene exactly as the page got it; parsed server-side by SignupSceneString */
const RawScene = z.string().min(1).max(96);
const PhoneCode = z.string().min(1).max(128);

export const ConsentPurpose = z.enum(CONSENT_PURPOSES);
export type ConsentPurpose = z.infer<typeof ConsentPurpose>;

export const ConsentChoiceBody = z.strictObject({
  purpose: ConsentPurpose,
  granted: z.boolean(),
  version: z.string().min(1).max(32),
});

// ---- sign-up (member) ----

export const SignupStoreQuery = z.strictObject({ scene: RawScene });
/** What the sign-up page shows before anything is asked: which store's code was scanned. */
export const SignupStoreResponse = z.object({
  store: z.object({ id: z.string(), name: z.string(), address: z.string() }),
  invited: z.boolean(),
});
export type SignupStoreResponse = z.infer<typeof SignupStoreResponse>;

export const VerifyPhoneBody = z.strictObject({ phoneCode: PhoneCode });
/**
 * Who the phone is to MedLoop, told to the one who just proved it with WeChat and no more (no name, no store):
 * - `member`: a member already (signed up through another WeChat account): the sign-up joins this WeChat to that
 *   member, asks no consents (theirs stand, changed in 我的设置) and promises no new-member coupon (once per person);
 * - `store_card`: a store's POS card carries the phone, and no member does: the sign-up links what it can prove;
 * - `none`: neither.
 */
export const PhoneStanding = z.enum(['member', 'store_card', 'none']);
export type PhoneStanding = z.infer<typeof PhoneStanding>;
export const VerifyPhoneResponse = z.object({
  phoneMasked: z.string(),
  standing: PhoneStanding,
  /**
   * the phone already belongs to a customer (a member, a POS card, a mall account): sign-up links to it. Kept for
   * mini-program versions still in use that read it; `standing` says which.
   */
  knownCustomer: z.boolean(),
  /** an account with this phone, closed by its member, had its new-member coupon: this sign-up gives none */
  newMemberCouponWithheld: z.boolean(),
});
export type VerifyPhoneResponse = z.infer<typeof VerifyPhoneResponse>;

export const SignupBody = z.strictObject({
  /** null when the page was opened without a store code (e.g. from the member home) */
  scene: RawScene.nullable(),
  /** the phone button's code; already traded by /api/signup/phone, answered from the stored exchange */
  phoneCode: PhoneCode,
  /**
   * an answer for every purpose; none when the phone step answered `standing: 'member'`: this WeChat joins that
   * member, whose consents stand (`CONSENT_REQUIRED`, nothing written, if the phone is no member's after all)
   */
  consents: z.array(ConsentChoiceBody).max(CONSENT_PURPOSES.length),
});
export type SignupBody = z.infer<typeof SignupBody>;

export const WelcomeCoupon = z.object({
  couponId: z.string(),
  /** whether this sign-up issued it (false: the person already had their new-member coupon) */
  created: z.boolean(),
  /**
   * the coupon now, as the wallet lists it: one the person had before may be used, expired or voided since, and
   * the welcome then promises no discount at the till
   */
  state: z.enum(['available', 'not_yet_valid', 'used', 'expired', 'voided']),
  /**
   * YYYY-MM-DD (Asia/Shanghai) that goes with the state: the day it was used or voided, the first day it works
   * (not_yet_valid), else its last valid day
   */
  day: z.string(),
});
export type WelcomeCoupon = z.infer<typeof WelcomeCoupon>;

export const SignupResponse = z.object({
  customerId: z.string(),
  /** a new person (false: linked to a customer the POS or another WeChat account already knew) */
  newCustomer: z.boolean(),
  /**
   * the person was a member already (this WeChat account, or another on their phone, signed up before): their
   * consents stand as they were (they change them in 我的设置), and the new-member coupon is not issued again
   */
  alreadyMember: z.boolean(),
  phoneMasked: z.string(),
  store: z.object({ id: z.string(), name: z.string() }).nullable(),
  welcomeCoupon: WelcomeCoupon.nullable(),
  /**
   * no new-member coupon because this phone's earlier account, closed by its member, had had one: it is once per
   * person (closed_member_phones)
   */
  welcomeWithheld: z.boolean(),
  /** POS member cards that look like this person but need a clerk to confirm before they are merged */
  heldMatches: z.array(z.object({ matchId: z.string(), storeName: z.string(), cardMasked: z.string() })),
});
export type SignupResponse = z.infer<typeof SignupResponse>;

// ---- consent settings (member) ----

export const ConsentItem = z.object({
  purpose: ConsentPurpose,
  title: z.string(),
  body: z.string(),
  ifDeclined: z.string(),
  required: z.boolean(),
  /** current wording's version: send it back with a change */
  currentVersion: z.string(),
  /** null when never answered */
  granted: z.boolean().nullable(),
  /** the version the member answered; differs from currentVersion when the wording changed since */
  answeredVersion: z.string().nullable(),
  answeredAt: z.string().nullable(),
});
export type ConsentItem = z.infer<typeof ConsentItem>;

export const ConsentsResponse = z.object({ items: z.array(ConsentItem) });
export type ConsentsResponse = z.infer<typeof ConsentsResponse>;

export const UpdateConsentsBody = z.strictObject({ changes: z.array(ConsentChoiceBody).min(1).max(3) });
export type UpdateConsentsBody = z.infer<typeof UpdateConsentsBody>;

// ---- closing the account (注销会员) ----

/** What closing the account would take away, shown before the member confirms. */
export const ClosurePreviewResponse = z.object({
  /** the points balance that would be forfeited */
  points: z.number().int(),
  /** coupons still usable that would be voided */
  coupons: z.number().int(),
  /** purchase records kept (GSP: drug sales records are kept five years), no longer linked to anything of theirs */
  orders: z.number().int(),
  /** the stores' POS member cards linked to the account: their copy here is erased, the till's own is the store's */
  posCards: z.number().int(),
});
export type ClosurePreviewResponse = z.infer<typeof ClosurePreviewResponse>;

export const CloseAccountBody = z.strictObject({
  /** the member ticked 我已了解 and confirmed the dialog */
  confirm: z.literal(true),
});
export type CloseAccountBody = z.infer<typeof CloseAccountBody>;

export const CloseAccountResponse = z.object({
  closedAt: z.string(),
  pointsForfeited: z.number().int(),
  couponsVoided: z.number().int(),
  ordersKept: z.number().int(),
  recordsErased: z.number().int(),
});
export type CloseAccountResponse = z.infer<typeof CloseAccountResponse>;

/**
 * A store manager closes the account of a customer who asks at the store (one without the mini-program: a POS card
 * holder). Found by phone: everyone active on it, masked, with what tells them apart.
 */
export const StaffClosableQuery = z.strictObject({ phone: z.string().min(1).max(32) });
export const ClosableMember = z.object({
  customerId: z.string(),
  nameMasked: z.string().nullable(),
  homeStoreName: z.string().nullable(),
  /** signed up in the mini-program */
  registered: z.boolean(),
  /** what the person holds, counted (never the card numbers or account ids) */
  posCards: z.number().int(),
  mallAccounts: z.number().int(),
  wecomContacts: z.number().int(),
  points: z.number().int(),
  coupons: z.number().int(),
  /** YYYY-MM-DD of the latest activity on any of their records */
  lastActive: z.string().nullable(),
});
export type ClosableMember = z.infer<typeof ClosableMember>;
/** The stores the lookup covered: the caller's store, their region (regional manager) or every store (HQ). */
export const CLOSABLE_SCOPES = ['store', 'region', 'chain'] as const;
export const StaffClosableResponse = z.object({
  phoneMasked: z.string(),
  scope: z.enum(CLOSABLE_SCOPES),
  members: z.array(ClosableMember),
});
export type StaffClosableResponse = z.infer<typeof StaffClosableResponse>;

export const StaffCloseBody = z.strictObject({
  customerId: z.string().min(1).max(64),
  /** the manager saw the person's ID card and the person asked for it themselves */
  identityChecked: z.literal(true),
});
export type StaffCloseBody = z.infer<typeof StaffCloseBody>;

// ---- member code (member) and its POS lookup (partner) ----

export const MemberCodeResponse = z.object({
  code: z.string(),
  /** PNG data URLs rendered server-side, so the client bundle carries no QR/barcode library */
  qrDataUrl: z.string(),
  barcodeDataUrl: z.string(),
  issuedAt: z.string(),
  expiresAt: z.string(),
  /** when the page should fetch the next code */
  refreshAfterSeconds: z.number().int().positive(),
  serverTime: z.string(),
});
export type MemberCodeResponse = z.infer<typeof MemberCodeResponse>;

/** any string: a malformed code is answered MEMBER_CODE_INVALID, which a cashier understands better than a 400 */
export const PosMemberBody = z.strictObject({ memberCode: z.string().min(1).max(64) });
export const PosMemberResponse = z.object({
  customerId: z.string(),
  /** 张* / 欧阳** : enough for the cashier to greet, not enough to identify */
  nameMasked: z.string().nullable(),
  phoneMasked: z.string().nullable(),
  /** tier name, e.g. 金卡会员 */
  tier: z.string().nullable(),
  memberSince: z.string().nullable(),
  homeStoreName: z.string().nullable(),
  /** coupons the cashier can apply, soonest-expiring first (redeem one by couponId with the member code) */
  coupons: z.array(z.object({ couponId: z.string(), name: z.string(), headline: z.string(), validUntil: z.string() })),
  /**
   * POS cards on the member's phone that MedLoop would not join alone (held): the cashier asks the member, who is at
   * the counter, to confirm them on the mini-program's home page (这是您在××店的会员卡吗?), so that the card's points
   * and purchases join their account. Masked; empty when there are none.
   */
  cardsToConfirm: z.array(z.object({ storeName: z.string(), cardMasked: z.string() })),
});
export type PosMemberResponse = z.infer<typeof PosMemberResponse>;

// ---- store sign-up codes and figures (staff) ----

export const SignupCodesQuery = z.strictObject({ storeId: Id.optional() });
export const CreateSignupCodeBody = z.strictObject({ storeId: Id, clerkStaffId: Id.nullable() });

export const SignupCode = z.object({
  id: z.string(),
  scene: z.string(),
  page: z.string(),
  clerk: z.object({ staffId: z.string(), name: z.string() }).nullable(),
  imageDataUrl: z.string(),
  /** a file name for saving/printing, e.g. 会员码-HZ001-王芳.png */
  fileName: z.string(),
  createdAt: z.string(),
});
export type SignupCode = z.infer<typeof SignupCode>;

const StoreRef = z.object({ id: z.string(), code: z.string(), name: z.string() });

export const SignupCodesResponse = z.object({
  /** stores in the caller's scope, for the picker */
  stores: z.array(StoreRef),
  store: StoreRef.nullable(),
  /** staff of the selected store who can invite */
  staff: z.array(z.object({ staffId: z.string(), name: z.string(), role: z.string() })),
  codes: z.array(SignupCode),
  /**
   * whether sign-up gives the new-member coupon now (the campaign active, in its dates, stock left): only then does
   * a printed sheet promise 领新人券, as the sign-up page promises it only then
   */
  newMemberOffer: z.boolean(),
});
export type SignupCodesResponse = z.infer<typeof SignupCodesResponse>;

/**
 * A calendar day the figures can be asked for: 2000-01-01 to 2100-12-31. Outside, a day is a typo (0001, 9999), and
 * the database takes no year 0 or a day past 9999 (the request answered 500).
 */
const StatsDay = z.iso
  .date()
  .refine((d) => d >= '2000-01-01' && d <= '2100-12-31', { message: 'a day from 2000-01-01 to 2100-12-31' });

export const SignupStatsQuery = z.strictObject({
  storeId: Id.optional(),
  /** Asia/Shanghai calendar days, inclusive; default: the current month to today */
  from: StatsDay.optional(),
  to: StatsDay.optional(),
});
export const SignupStatsResponse = z.object({
  store: StoreRef,
  from: z.string(),
  to: z.string(),
  total: z.number().int(),
  newCustomers: z.number().int(),
  linkedCustomers: z.number().int(),
  byClerk: z.array(
    z.object({
      staffId: z.string().nullable(),
      name: z.string(),
      signups: z.number().int(),
      newCustomers: z.number().int(),
    }),
  ),
});
export type SignupStatsResponse = z.infer<typeof SignupStatsResponse>;

export const PurgeMemberCodesResponse = z.object({ deleted: z.number().int() });
