/**
 * The linking rules, pure. Precision beats recall: a wrong merge shows one person's medicines to another, so an
 * identifier only links when it is strong (unionid, openid, POS card, mall account, WeCom id, a phone WeChat
 * verified) or when an unverified phone meets nothing that contradicts it. Everything else is held for a member or
 * reviewer, or at most suggested.
 *
 * The bulk linker (functions/adapters/db/repos/identity-link.sql.ts) implements `decidePhoneGroup` in SQL; the
 * incremental linker calls it directly. Both are checked against each other in tests.
 */
import { daysBetween } from './date.js';
import { extendsName, type NameKind } from './name.js';

export interface RecordFacts {
  recordId: string;
  name: string | null;
  /** real names: surname|toneless pinyin (see normalizeName); two real names are one when their keys are */
  nameKey: string | null;
  nameKind: NameKind;
  surname: string | null;
  birthday: string | null;
  gender: 'male' | 'female' | 'unknown';
  /**
   * last activity on the record (YYYY-MM-DD): the later of the date its source sent and its last sale on record, as
   * the database reads it for every linker and review (lastActiveSql in functions/adapters/db/repos/identity.repo.ts);
   * null = unknown, treated as active
   */
  lastActive: string | null;
  phoneVerified: boolean;
  district: string | null;
}

export const LINK_LIMITS = {
  /**
   * Chinese carriers recycle a number after a few months of suspension; a card silent for three years may carry a
   * number that now belongs to someone else, so its phone alone never links it.
   */
  dormantDays: 1095,
  /** a phone on more records than this is not one household's: it links nothing (a shop's number, a placeholder) */
  phoneRecords: 8,
  /** one person rarely holds more records under one strong key; more means a bad value (a test card, a bug) */
  keyRecords: 12,
} as const;

export type StrongVia = 'unionid' | 'openid' | 'pos_card' | 'mall_account' | 'wecom_id' | 'verified_phone';
export type LinkVia = StrongVia | 'phone' | 'weak';
export type LinkDecision = 'link' | 'hold' | 'suggest' | 'reject';
export type LinkReason =
  | 'blocked'
  | 'cluster_limit'
  | 'strong_identifier'
  | 'verified_phone'
  | 'phone'
  | 'dormant_card'
  | 'family_phone'
  | 'name_conflict'
  | 'birthday_conflict'
  | 'ambiguous'
  | 'weak_match'
  | 'no_evidence';

export interface LinkEvidence {
  via: LinkVia;
  /** the shared value is on the blocked list (placeholder, a store's own phone) */
  blocked: boolean;
  /** records carrying the shared value, both sides included */
  sharedBy: number;
  a: RecordFacts;
  b: RecordFacts;
  /** phone only: distinct real names among the active records carrying the phone (a family phone has ≥ 2) */
  namesOnValue?: number;
  /** today, YYYY-MM-DD (business day) */
  today: string;
}

export interface LinkVerdict {
  decision: LinkDecision;
  reason: LinkReason;
}

const STRONG: ReadonlySet<LinkVia> = new Set(['unionid', 'openid', 'pos_card', 'mall_account', 'wecom_id']);

export function isDormant(r: Pick<RecordFacts, 'lastActive'>, today: string): boolean {
  return r.lastActive !== null && daysBetween(r.lastActive, today) > LINK_LIMITS.dormantDays;
}

/** Are two real names one: the same key (a homophone slip included), or one with a character dropped? */
export function sameName(a: RecordFacts, b: RecordFacts): boolean {
  if (a.nameKind !== 'real' || b.nameKind !== 'real' || a.name === null || b.name === null) return false;
  const key = (r: RecordFacts) => r.nameKey ?? r.name;
  return key(a) === key(b) || extendsName(a.name, b.name) || extendsName(b.name, a.name);
}

/** Do two records' names contradict? Unknown names (nicknames, nothing) never do. */
export function namesConflict(a: RecordFacts, b: RecordFacts): boolean {
  if (a.nameKind === 'unknown' || b.nameKind === 'unknown') return false;
  if (a.nameKind === 'real' && b.nameKind === 'real') return !sameName(a, b);
  return a.surname !== b.surname;
}

/**
 * One group's records with `name` replaced by what the group compares: for a real name its key, and for a name
 * typed with a character dropped (王素) beside exactly one fuller name in the group (王素芬, under one key) that
 * name's key. With two fuller candidates (王素芬, 王素梅) it keeps its own, and the group has several names. The bulk
 * SQL does the same with a self-join.
 */
export function comparableNames<T extends RecordFacts>(records: readonly T[]): T[] {
  const real = records.filter((r) => r.nameKind === 'real' && r.name !== null);
  const key = (r: RecordFacts) => r.nameKey ?? r.name;
  const maximal = real.filter((r) => !real.some((o) => extendsName(o.name as string, r.name as string)));
  return records.map((r) => {
    if (r.nameKind !== 'real' || r.name === null) return r;
    const fuller = new Set(maximal.filter((m) => extendsName(m.name as string, r.name as string)).map(key));
    return { ...r, name: fuller.size === 1 ? [...fuller][0] : key(r) };
  });
}

export function birthdaysConflict(a: RecordFacts, b: RecordFacts): boolean {
  return a.birthday !== null && b.birthday !== null && a.birthday !== b.birthday;
}

export function gendersConflict(a: RecordFacts, b: RecordFacts): boolean {
  return a.gender !== 'unknown' && b.gender !== 'unknown' && a.gender !== b.gender;
}

/** One pair of records sharing one value: link, hold for review, suggest to a manager, or reject. */
export function decideLink(e: LinkEvidence): LinkVerdict {
  if (e.via === 'weak') {
    const { a, b } = e;
    const same =
      a.nameKind === 'real' &&
      a.name === b.name &&
      a.birthday !== null &&
      a.birthday === b.birthday &&
      a.district !== null &&
      a.district === b.district;
    return same ? { decision: 'suggest', reason: 'weak_match' } : { decision: 'reject', reason: 'no_evidence' };
  }
  if (e.blocked) return { decision: 'reject', reason: 'blocked' };
  // a phone WeChat verified is proven per account; one person may hold several accounts, so the key limit applies
  const limit = e.via === 'phone' ? LINK_LIMITS.phoneRecords : LINK_LIMITS.keyRecords;
  if (e.sharedBy > limit) return { decision: 'hold', reason: 'cluster_limit' };
  if (STRONG.has(e.via)) return { decision: 'link', reason: 'strong_identifier' };
  if (e.via === 'verified_phone' || (e.a.phoneVerified && e.b.phoneVerified)) {
    return { decision: 'link', reason: 'verified_phone' };
  }
  // an unverified phone: it links only when nothing contradicts it and something beyond the phone agrees
  const sameRealName = sameName(e.a, e.b);
  // born on the same day, no name or gender against it: one person even on a family phone or a recycled number (the
  // pairwise view; decidePhoneGroup also asks that no one else on the phone was born that day)
  const sameDay =
    e.a.birthday !== null && e.a.birthday === e.b.birthday && !namesConflict(e.a, e.b) && !gendersConflict(e.a, e.b);
  if (isDormant(e.a, e.today) || isDormant(e.b, e.today)) {
    // a recycled number reaches a stranger, not someone with the card holder's own name or birthday
    return (sameRealName && !birthdaysConflict(e.a, e.b)) || sameDay
      ? { decision: 'link', reason: 'phone' }
      : { decision: 'hold', reason: 'dormant_card' };
  }
  if ((e.namesOnValue ?? 0) >= 2) {
    return (sameRealName && !birthdaysConflict(e.a, e.b)) || sameDay
      ? { decision: 'link', reason: 'phone' }
      : { decision: 'hold', reason: 'family_phone' };
  }
  if (namesConflict(e.a, e.b)) return { decision: 'hold', reason: 'name_conflict' };
  if (birthdaysConflict(e.a, e.b)) return { decision: 'hold', reason: 'birthday_conflict' };
  // a spouse's card typed with the family phone: the other side's gender gives it away
  if (gendersConflict(e.a, e.b)) return { decision: 'hold', reason: 'ambiguous' };
  // a nickname and a named card may be two people of one household: a birthday or a gender must agree, else the
  // member confirms it at sign-up
  const oneNick = (e.a.nameKind === 'real') !== (e.b.nameKind === 'real');
  const sameBirthday = e.a.birthday !== null && e.a.birthday === e.b.birthday;
  const sameGender = e.a.gender !== 'unknown' && e.a.gender === e.b.gender;
  return !oneNick || sameBirthday || sameGender
    ? { decision: 'link', reason: 'phone' }
    : { decision: 'hold', reason: 'ambiguous' };
}

/**
 * The customers a held record may be offered to (the member asked "这是您在××店的会员卡吗?", a reviewer shown the
 * pair): those whose records on the phone all have names that do not contradict the held one. A card named 王波 is never
 * offered to the customer of 徐月娥's card on the same family phone: they are two people, and offering it would let
 * one confirm the other's card.
 */
export function holdCandidates<T extends RecordFacts & { customerId: string }>(
  group: readonly T[],
  heldRecordId: string,
): Set<string> {
  const comparable = comparableNames(group);
  const held = comparable.find((r) => r.recordId === heldRecordId);
  const out = new Set<string>();
  if (!held) return out;
  const contradicts = (b: RecordFacts) => {
    if (held.nameKind === 'unknown' || b.nameKind === 'unknown') return false;
    if (held.nameKind === 'real' && b.nameKind === 'real') return held.name !== b.name;
    return held.surname !== b.surname;
  };
  // a customer some of whose records on the phone name someone else is not offered it either: the spouse's customer
  // stays out even when a nickname of theirs on the phone was joined to them by its birthday
  const against = new Set(comparable.filter(contradicts).map((r) => r.customerId));
  for (const r of comparable) if (r.customerId !== held.customerId && !against.has(r.customerId)) out.add(r.customerId);
  return out;
}

export type HoldReason =
  | 'family_phone'
  | 'name_conflict'
  | 'birthday_conflict'
  | 'dormant_card'
  | 'ambiguous'
  | 'cluster_limit';

export interface PhoneGroupVerdict {
  /** sets of records the phone joins (each set becomes one customer) */
  classes: string[][];
  /** records the phone does not join to the rest of the group, and why */
  holds: { recordId: string; reason: HoldReason }[];
}

/**
 * All records carrying one (valid, unblocked) phone, verified or not, decided together so that the order records
 * arrive in does not matter and the bulk SQL can compute the same thing with GROUP BYs:
 * - one real name, at most one birthday and at most one gender among the active records ("single"): one person;
 *   every active record joins, except an honorific (王先生) whose surname differs;
 * - several real names (a family phone), or one name with two birthdays or two genders: only records with the same
 *   real name join, and only if their birthdays agree; a record without a real name (a nickname, 王先生 of the same
 *   surname) joins the one named person born on its exact birthday, when no other name on the phone was born that day
 *   and no gender contradicts; everything else is held for the member (at sign-up) or a reviewer;
 * - a dormant card (the number may have been recycled) joins only records with its own real name or, when nothing
 *   contradicts, its own exact birthday: a stranger who got the number is neither; dormant cards of one real name
 *   whose birthdays agree are one person's even when no one active on the phone carries that name.
 */
export function decidePhoneGroup(input: readonly RecordFacts[], today: string): PhoneGroupVerdict {
  const classes: string[][] = [];
  const holds: PhoneGroupVerdict['holds'] = [];
  if (input.length < 2) return { classes, holds };
  const records = comparableNames(input);
  if (records.length > LINK_LIMITS.phoneRecords) {
    return { classes, holds: records.map((r) => ({ recordId: r.recordId, reason: 'cluster_limit' as const })) };
  }
  const dormant = new Set(records.filter((r) => isDormant(r, today)).map((r) => r.recordId));
  const active = records.filter((r) => !dormant.has(r.recordId));
  const names = new Set(active.filter((r) => r.nameKind === 'real').map((r) => r.name));
  const birthdays = new Set(active.filter((r) => r.birthday !== null).map((r) => r.birthday));
  const genders = new Set(active.filter((r) => r.gender !== 'unknown').map((r) => r.gender));
  const birthdaysOf = (group: readonly RecordFacts[]) =>
    new Set(group.filter((r) => r.birthday !== null).map((r) => r.birthday));
  const linked = new Set<string>();
  const push = (ids: string[]) => {
    if (ids.length < 2) return;
    classes.push(ids);
    for (const id of ids) linked.add(id);
  };

  if (names.size <= 1 && birthdays.size <= 1 && genders.size <= 1) {
    const realName = [...names][0] ?? null;
    const realSurname = active.find((r) => r.nameKind === 'real')?.surname ?? null;
    const honorificSurnames = new Set(active.filter((r) => r.nameKind === 'honorific').map((r) => r.surname));
    const birthday = [...birthdays][0] ?? null;
    // beside a real name a 王先生 fits only that name's surname (a minority or Latin full name has none it could fit)
    const fits = (r: RecordFacts) =>
      r.nameKind !== 'honorific' || (names.size === 1 ? r.surname === realSurname : honorificSurnames.size === 1);
    const gender = [...genders][0] ?? null;
    // a dormant card (the number may have been recycled) joins its own real name, or the exact birthday of the
    // phone's person: a stranger who got the number is not born on the same day
    const joins = (r: RecordFacts) =>
      fits(r) &&
      (!dormant.has(r.recordId) ||
        (r.nameKind === 'real' &&
          r.name === realName &&
          (r.birthday === null || birthday === null || r.birthday === birthday)) ||
        (r.birthday !== null &&
          r.birthday === birthday &&
          (r.gender === 'unknown' || gender === null || r.gender === gender) &&
          (r.nameKind !== 'real' || realName === null || r.name === realName)));
    // a nickname (or 王先生) side and a real-name side are one person only if they share a birthday or a (known)
    // gender: else the nickname may be the phone's owner and the named card a spouse's or parent's typed with the
    // family phone
    const fitting = active.filter(fits);
    const named = fitting.filter((r) => r.nameKind === 'real');
    const nick = fitting.filter((r) => r.nameKind !== 'real');
    const corroborated =
      named.length === 0 ||
      nick.length === 0 ||
      (named.some((r) => r.birthday !== null) && nick.some((r) => r.birthday !== null)) ||
      (named.some((r) => r.gender !== 'unknown') && nick.some((r) => r.gender !== 'unknown'));
    const joining = records.filter(joins);
    if (corroborated) push(joining.map((r) => r.recordId));
    else {
      push(joining.filter((r) => r.nameKind === 'real').map((r) => r.recordId));
      push(joining.filter((r) => r.nameKind !== 'real').map((r) => r.recordId));
    }
    const joined = new Set(linked);
    // dormant cards left out (another name than the phone's person, or no one active on it) are still one person's
    // when they carry one real name and agree on the birthday, as cards of one name on a family phone are
    const apart = new Map<string, RecordFacts[]>();
    for (const r of records) {
      if (dormant.has(r.recordId) && !joins(r) && r.nameKind === 'real' && r.name !== null) {
        apart.set(r.name, [...(apart.get(r.name) ?? []), r]);
      }
    }
    for (const group of apart.values()) if (birthdaysOf(group).size <= 1) push(group.map((r) => r.recordId));
    for (const r of records) {
      if (joined.has(r.recordId) && corroborated) continue;
      const reason =
        dormant.has(r.recordId) && !joined.has(r.recordId) ? 'dormant_card' : !fits(r) ? 'name_conflict' : 'ambiguous';
      holds.push({ recordId: r.recordId, reason });
    }
    return { classes, holds };
  }

  const reason = names.size >= 2 ? 'family_phone' : birthdays.size > 1 ? 'birthday_conflict' : 'ambiguous';
  const byName = new Map<string, RecordFacts[]>();
  for (const r of records) {
    if (r.nameKind === 'real' && r.name !== null) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  }
  const conflicted = new Set<string>();
  for (const group of byName.values())
    if (birthdaysOf(group).size > 1) for (const r of group) conflicted.add(r.recordId);
  // a record without a real name (a nickname, 王先生) born on the very day one named person on the phone was born,
  // and no one else named there: that person's, on a family phone or on a dormant card alike
  const bridged = new Map<string, RecordFacts[]>();
  for (const r of records) {
    if (r.nameKind === 'real' || r.birthday === null) continue;
    const born = [...byName.values()].filter((g) => birthdaysOf(g).has(r.birthday));
    if (born.length !== 1 || birthdaysOf(born[0]).size !== 1) continue;
    const group = born[0];
    if (r.gender !== 'unknown' && group.some((g) => g.gender !== 'unknown' && g.gender !== r.gender)) continue;
    if (r.nameKind === 'honorific' && group[0].surname !== r.surname) continue;
    bridged.set(r.recordId, group);
  }
  for (const r of records) bridged.get(r.recordId)?.push(r);
  for (const group of byName.values()) if (birthdaysOf(group).size <= 1) push(group.map((r) => r.recordId));
  for (const r of records) {
    if (bridged.has(r.recordId) && linked.has(r.recordId)) continue;
    if (dormant.has(r.recordId) && !linked.has(r.recordId))
      holds.push({ recordId: r.recordId, reason: 'dormant_card' });
    else holds.push({ recordId: r.recordId, reason: conflicted.has(r.recordId) ? 'birthday_conflict' : reason });
  }
  return { classes, holds };
}

/** A customer a record's evidence would join it to, and whether that evidence is strong (else its phone). */
export interface JoinTarget {
  customerId: string;
  strong: boolean;
}

export interface ApartVerdict {
  /** customers the record joins */
  join: string[];
  /** customers it may be, but the evidence cannot say once HQ's word is taken into account: held for a reviewer */
  hold: string[];
  /** customers it cannot join: HQ keeps them apart from its own customer or from one it joins on strong evidence */
  refuse: string[];
}

/**
 * Which of a record's targets it may join when HQ keeps some customers apart (an undone merge: a person's word that
 * two records are two people).
 * - A target kept apart from the record's own customer is refused, however strong.
 * - Strong evidence is direct (this record shares that unionid, that card): two strong targets kept apart from each
 *   other are both held, since the record cannot be both people; the other strong targets are joined.
 * - A phone links by class (everyone on the phone whose names and birthdays agree is one person), so HQ's word
 *   against any member of the class breaks the whole class: a phone target kept apart from the own customer or a
 *   joined strong target is refused, and then, as when two phone targets are kept apart from each other, every
 *   other phone target is held, not joined. Otherwise arrival order would decide: of two cards HQ split, the first
 *   to sync again would take a third card on the phone that is as much the other's.
 * Order-independent: the verdict depends on the sets, not on the order the targets come in.
 */
export function keepApart(
  own: string,
  targets: readonly JoinTarget[],
  apart: readonly (readonly [string, string])[],
): ApartVerdict {
  const pairs = new Set(apart.flatMap(([a, b]) => [`${a} ${b}`, `${b} ${a}`]));
  const isApart = (a: string, b: string) => pairs.has(`${a} ${b}`);
  const seen = new Set<string>([own]);
  const unique = targets.filter((t) => !seen.has(t.customerId) && seen.add(t.customerId));
  if (pairs.size === 0) return { join: unique.map((t) => t.customerId), hold: [], refuse: [] };
  const refuse = unique.filter((t) => isApart(own, t.customerId)).map((t) => t.customerId);
  const left = unique.filter((t) => !refuse.includes(t.customerId));
  const strong = left.filter((t) => t.strong).map((t) => t.customerId);
  const strongHeld = strong.filter((c) => strong.some((d) => d !== c && isApart(c, d)));
  const join = [own, ...strong.filter((c) => !strongHeld.includes(c))];
  const phone = left.filter((t) => !t.strong).map((t) => t.customerId);
  const phoneRefused = phone.filter((c) => join.some((j) => isApart(j, c)));
  const phoneLeft = phone.filter((c) => !phoneRefused.includes(c));
  const broken =
    unique.some((t) => !t.strong && refuse.includes(t.customerId)) ||
    phoneRefused.length > 0 ||
    phoneLeft.some((c) => phoneLeft.some((d) => isApart(c, d)));
  return {
    join: [...join.slice(1), ...(broken ? [] : phoneLeft)],
    hold: [...strongHeld, ...(broken ? phoneLeft : [])],
    refuse: [...refuse, ...phoneRefused],
  };
}
