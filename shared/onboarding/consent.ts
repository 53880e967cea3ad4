/**
 * Consent at sign-up and in the member's settings. Three separate choices, each in plain words (PIPL: consent must
 * be informed and specific; health data is sensitive personal information and needs its own, separate consent):
 *   service      membership and service notices: required to be a member at all
 *   marketing    offers and campaign messages: optional, never pre-ticked
 *   health_data  using purchase history and health information for reminders and pharmacist advice: optional
 * Every change is a new, versioned, append-only record; the current choice is the latest record per purpose.
 */
import { fail, ok, type Result } from '../errors.js';

export const CONSENT_PURPOSES = ['service', 'marketing', 'health_data'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export interface ConsentText {
  version: string;
  required: boolean;
  title: string;
  /** what the member agrees to, in plain words a 70-year-old can read on a phone */
  body: string;
  /** what happens when they say no */
  ifDeclined: string;
}

export const CONSENT_TEXTS: Record<ConsentPurpose, ConsentText> = {
  service: {
    version: '2026-11-v1',
    required: true,
    title: '会员服务与服务通知',
    body: '我同意成为本药店会员：门店用我的手机号识别会员身份，记录我的消费积分和优惠券，并在积分、优惠券和订单有变化时通知我。',
    ifDeclined: '这是成为会员的必要条件，不同意则无法注册。',
  },
  marketing: {
    version: '2026-11-v1',
    required: false,
    title: '优惠活动消息',
    body: '我愿意收到优惠活动、会员日和新品的消息。',
    ifDeclined: '不同意也不影响会员服务，以后随时可以更改。',
  },
  health_data: {
    version: '2026-11-v1',
    required: false,
    title: '健康信息使用（单独同意）',
    body: '我同意药店使用我的购药记录和健康信息（如慢病用药、过敏情况），用于续药提醒和药师用药建议。健康信息属于敏感个人信息，只有为我服务的药师和店员可以查看，不会用于广告。',
    ifDeclined: '不同意也能正常使用会员、积分和优惠券，但收不到续药提醒和个性化用药建议。',
  },
};

export interface ConsentChoice {
  purpose: ConsentPurpose;
  granted: boolean;
  /** the version of the text the member saw */
  version: string;
}

export interface ConsentState {
  purpose: ConsentPurpose;
  granted: boolean;
  version: string;
  at: Date;
}

export type ConsentError = 'CONSENT_REQUIRED' | 'CONSENT_VERSION_STALE' | 'VALIDATION_FAILED';

function checkVersions(choices: readonly ConsentChoice[]): Result<void, ConsentError> {
  for (const c of choices) {
    if (c.version !== CONSENT_TEXTS[c.purpose].version) {
      return fail(
        'CONSENT_VERSION_STALE',
        `the ${c.purpose} text is now version ${CONSENT_TEXTS[c.purpose].version}, not ${c.version}`,
      );
    }
  }
  return ok(undefined);
}

function checkDistinct(choices: readonly ConsentChoice[]): Result<void, ConsentError> {
  const seen = new Set<ConsentPurpose>();
  for (const c of choices) {
    if (seen.has(c.purpose)) return fail('VALIDATION_FAILED', `consent ${c.purpose} is given twice`);
    seen.add(c.purpose);
  }
  return ok(undefined);
}

/**
 * Sign-up: an explicit answer for every purpose (nothing is assumed), the current text versions, and the
 * required service consent granted. Returns the records to append, one per purpose.
 */
export function planSignupConsents(choices: readonly ConsentChoice[]): Result<ConsentChoice[], ConsentError> {
  const distinct = checkDistinct(choices);
  if (!distinct.ok) return distinct;
  const missing = CONSENT_PURPOSES.filter((p) => !choices.some((c) => c.purpose === p));
  if (missing.length > 0) return fail('VALIDATION_FAILED', `an answer is needed for ${missing.join(', ')}`);
  const versions = checkVersions(choices);
  if (!versions.ok) return versions;
  for (const purpose of CONSENT_PURPOSES) {
    const choice = choices.find((c) => c.purpose === purpose);
    if (CONSENT_TEXTS[purpose].required && !choice?.granted) {
      return fail('CONSENT_REQUIRED', `consent to ${purpose} is required to become a member`);
    }
  }
  return ok(CONSENT_PURPOSES.map((p) => choices.find((c) => c.purpose === p) as ConsentChoice));
}

/**
 * Settings: only what changed is recorded (the same answer again, on the same text version, adds nothing).
 * The service consent cannot be withdrawn here: that is leaving the membership, which goes through the store.
 */
export function planConsentChanges(
  current: readonly ConsentState[],
  changes: readonly ConsentChoice[],
): Result<ConsentChoice[], ConsentError> {
  if (changes.length === 0) return fail('VALIDATION_FAILED', 'no consent change was sent');
  const distinct = checkDistinct(changes);
  if (!distinct.ok) return distinct;
  const versions = checkVersions(changes);
  if (!versions.ok) return versions;
  const out: ConsentChoice[] = [];
  for (const change of changes) {
    if (CONSENT_TEXTS[change.purpose].required && !change.granted) {
      return fail('CONSENT_REQUIRED', `consent to ${change.purpose} cannot be withdrawn while a member`);
    }
    const now = current.find((c) => c.purpose === change.purpose);
    if (now && now.granted === change.granted && now.version === change.version) continue;
    out.push(change);
  }
  return ok(out);
}

/** The latest record per purpose (records in any order); a purpose never answered is absent. */
export function currentConsents(records: readonly ConsentState[]): ConsentState[] {
  const latest = new Map<ConsentPurpose, ConsentState>();
  for (const r of records) {
    const seen = latest.get(r.purpose);
    if (!seen || seen.at.getTime() <= r.at.getTime()) latest.set(r.purpose, r);
  }
  return CONSENT_PURPOSES.flatMap((p) => (latest.has(p) ? [latest.get(p) as ConsentState] : []));
}

/** Whether a purpose may be used now: granted on its latest record. Never assumed without a record. */
export const hasConsent = (records: readonly ConsentState[], purpose: ConsentPurpose): boolean =>
  currentConsents(records).some((c) => c.purpose === purpose && c.granted);
