/**
 * One inbound source record (POS card, mall account, mini-program member, WeCom contact), cleaned: what the
 * ingest API, the file import and the evaluation all feed to linking.
 */

import { parseAddress } from './address.js';
import { blockReason, type IdentifierKind } from './blocked.js';
import { normalizeDate } from './date.js';
import { normalizeEmail } from './email.js';
import { type NameKind, normalizeName } from './name.js';
import { normalizePhone } from './phone.js';
import { type Refusal, refusal } from './refusal.js';
import { cleanText } from './text.js';

export const RECORD_SOURCES = ['pos', 'mall', 'miniprogram', 'wecom'] as const;
export type RecordSource = (typeof RECORD_SOURCES)[number];

/** A record as a partner sends it, after field mapping: every field a string (or absent), as exports hold them. */
export interface RawSourceRecord {
  sourceId: string;
  name?: string | null;
  birthday?: string | null;
  gender?: string | null;
  phone?: string | null;
  /** 'true'/'false' or a boolean: only the mini-program (WeChat's phone code) may claim true */
  phoneVerified?: string | boolean | null;
  email?: string | null;
  cardNo?: string | null;
  openid?: string | null;
  unionid?: string | null;
  wecomId?: string | null;
  mallAccount?: string | null;
  address?: string | null;
  storeCode?: string | null;
  lastActive?: string | null;
}

export interface NormalizedIdentifier {
  kind: IdentifierKind;
  value: string;
  raw: string;
  verified: boolean;
  quality: 'valid' | 'invalid' | 'blocked';
}

export interface NormalizedRecord {
  source: RecordSource;
  sourceId: string;
  name: string | null;
  nameKind: NameKind;
  surname: string | null;
  /** real names: surname + toneless pinyin of the given name (see normalizeName) */
  nameKey: string | null;
  birthday: string | null;
  gender: 'male' | 'female' | 'unknown';
  /** canonical mobile when valid and not blocked: what linking compares */
  phone: string | null;
  phoneVerified: boolean;
  email: string | null;
  province: string | null;
  city: string | null;
  district: string | null;
  storeCode: string | null;
  lastActive: string | null;
  identifiers: NormalizedIdentifier[];
  /** data-quality flags (invalid phone, bad email, unparseable date…): kept, reported, never fatal */
  flags: string[];
}

export type NormalizeResult = { ok: true; record: NormalizedRecord } | { ok: false; refusal: Refusal };

const GENDERS: Record<string, 'male' | 'female'> = {
  male: 'male',
  m: 'male',
  男: 'male',
  '1': 'male',
  female: 'female',
  f: 'female',
  女: 'female',
  '2': 'female',
};

/**
 * The sources that may give each WeChat id: only a system that got it from WeChat proves it. The mini-program's own
 * login gives the openid (an openid is per app: another system's is not ours) and the unionid; a WeChat mall and
 * WeCom get the unionid from WeChat too; WeCom alone issues its external user ids. A till typing one in proves
 * nothing, and a WeChat id is what a member's login finds their account by: a store's till could attach its own
 * WeChat to anyone's card and sign in as them (a walk found it). From another source it is ignored and flagged.
 */
const WECHAT_ID_SOURCES: Record<'openid' | 'unionid' | 'wecom_id', readonly RecordSource[]> = {
  openid: ['miniprogram'],
  unionid: ['miniprogram', 'mall', 'wecom'],
  wecom_id: ['wecom'],
};

/** The source's own key doubles as its strongest identifier when the explicit column is empty. */
const KEY_KIND: Record<RecordSource, IdentifierKind> = {
  pos: 'pos_card',
  mall: 'mall_account',
  miniprogram: 'openid',
  wecom: 'wecom_id',
};

export function normalizeRecord(
  source: RecordSource,
  raw: RawSourceRecord,
  storePhones: ReadonlySet<string>,
): NormalizeResult {
  const sourceId = cleanText(raw.sourceId);
  if (sourceId === null) return { ok: false, refusal: refusal('source_id_missing') };
  if (sourceId.length > 128) return { ok: false, refusal: refusal('source_id_too_long', { max: 128 }) };
  const flags: string[] = [];
  const identifiers: NormalizedIdentifier[] = [];
  const verifiedClaim = raw.phoneVerified === true || String(raw.phoneVerified ?? '').toLowerCase() === 'true';
  // only WeChat proves a phone; a POS or mall export claiming "verified" is a mapping mistake, not proof
  const phoneVerified = verifiedClaim && source === 'miniprogram';
  if (verifiedClaim && !phoneVerified) flags.push('phone_verified_ignored');

  const add = (kind: IdentifierKind, rawValue: string | null | undefined, verified: boolean) => {
    const value = cleanText(rawValue);
    if (value === null) return;
    if (identifiers.some((i) => i.kind === kind && i.value === value)) return;
    identifiers.push({
      kind,
      value,
      raw: String(rawValue),
      verified,
      quality: blockReason(kind, value, storePhones) ? 'blocked' : 'valid',
    });
  };
  add('pos_card', raw.cardNo, false);
  add('mall_account', raw.mallAccount, false);
  const addWeChat = (kind: 'openid' | 'unionid' | 'wecom_id', rawValue: string | null | undefined) => {
    if (cleanText(rawValue) === null) return;
    if (WECHAT_ID_SOURCES[kind].includes(source)) add(kind, rawValue, true);
    else flags.push(`${kind}_ignored`);
  };
  addWeChat('openid', raw.openid);
  addWeChat('unionid', raw.unionid);
  addWeChat('wecom_id', raw.wecomId);
  if (!identifiers.some((i) => i.kind === KEY_KIND[source]))
    add(KEY_KIND[source], sourceId, source !== 'pos' && source !== 'mall');

  let phone: string | null = null;
  if (cleanText(raw.phone) !== null) {
    const parsed = normalizePhone(raw.phone);
    if (parsed.ok) {
      const blocked = blockReason('phone', parsed.canonical, storePhones);
      identifiers.push({
        kind: 'phone',
        value: parsed.canonical,
        raw: String(raw.phone),
        verified: phoneVerified,
        quality: blocked ? 'blocked' : 'valid',
      });
      if (blocked) flags.push(`phone_${blocked}`);
      else phone = parsed.canonical;
    } else {
      const cleaned = parsed.cleaned.replace(/\D/g, '');
      const blocked = cleaned !== '' && blockReason('phone', cleaned, storePhones);
      identifiers.push({
        kind: 'phone',
        value: cleaned || parsed.cleaned,
        raw: String(raw.phone),
        verified: false,
        quality: blocked ? 'blocked' : 'invalid',
      });
      flags.push(blocked ? `phone_${blocked}` : `phone_${parsed.reason}`);
    }
  }
  let email: string | null = null;
  if (cleanText(raw.email) !== null) {
    const parsed = normalizeEmail(raw.email);
    identifiers.push({
      kind: 'email',
      value: parsed.ok ? parsed.canonical : parsed.cleaned,
      raw: String(raw.email),
      verified: false,
      quality: parsed.ok ? 'valid' : 'invalid',
    });
    if (parsed.ok) email = parsed.canonical;
    else flags.push('email_bad_syntax');
  }

  const name = normalizeName(raw.name);
  const birthdayRaw = cleanText(raw.birthday);
  const birthday = normalizeDate(birthdayRaw);
  if (birthdayRaw !== null && birthday === null) flags.push('birthday_unparseable');
  const lastActiveRaw = cleanText(raw.lastActive);
  const lastActive = normalizeDate(lastActiveRaw);
  if (lastActiveRaw !== null && lastActive === null) flags.push('last_active_unparseable');
  const genderRaw = cleanText(raw.gender)?.toLowerCase() ?? '';
  const gender = GENDERS[genderRaw] ?? name.gender ?? 'unknown';
  const address = parseAddress(raw.address);

  return {
    ok: true,
    record: {
      source,
      sourceId,
      name: name.name,
      nameKind: name.kind,
      surname: name.surname,
      nameKey: name.key,
      birthday,
      gender,
      phone,
      phoneVerified: phone !== null && phoneVerified,
      email,
      province: address.province,
      city: address.city,
      district: address.district,
      storeCode: cleanText(raw.storeCode),
      lastActive,
      identifiers,
      flags,
    },
  };
}
