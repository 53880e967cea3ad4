import { anyone, cronOnly, memberOnly, partnerOf, type Rule, staffAtLeast } from '../actor.js';

/** Sign-up at the store's QR code, consent settings, the member code and its POS lookup, sign-up codes and figures. */
export const ONBOARDING_RULES = {
  // the sign-up page shows which store's code was scanned before the person logs in
  'signup.store_read': anyone,
  'signup.verify_phone': memberOnly,
  'signup.register': memberOnly,
  'member.consents_read': memberOnly,
  'member.consents_update': memberOnly,
  'member.closure_preview': memberOnly,
  'member.account_close': memberOnly,
  // closing an account at the store for a customer who asks in person (ID checked): managers, within their scope
  'member.staff_close': staffAtLeast('store_manager'),
  'member.code_issue': memberOnly,
  // any store's POS: a member signed up at one store shops at all of them; the answer is masked
  'pos.member_lookup': partnerOf('pos'),
  // printing a store's sign-up codes is a manager's job, for their own store (regional: region; HQ: all)
  'staff.signup_codes_read': staffAtLeast('store_manager'),
  'staff.signup_code_create': staffAtLeast('store_manager'),
  // every clerk sees their store's sign-up figures (the incentive board); managers their scope
  'staff.signup_stats_read': staffAtLeast('clerk'),
  'jobs.purge_member_codes': cronOnly,
} as const satisfies Record<string, Rule>;
