import { pinyin } from 'pinyin-pro';
import { COMPOUND_SURNAMES, NICKNAME_WORDS, SINGLE_SURNAMES } from './surnames.js';
import { cleanText } from './text.js';

export type NameKind = 'real' | 'honorific' | 'unknown';

export interface NormalizedName {
  /** cleaned name (width-folded, spaces between Chinese characters removed), null when empty */
  name: string | null;
  /**
   * real: a plausible full name (a Chinese one, an ethnic-minority one with its middle dot, a Latin "First Last");
   * honorific: 王先生 (surname only); unknown: a nickname (happybuyer88, 小王, 向日葵, Lucky), nothing
   */
  kind: NameKind;
  /** Chinese names and honorifics; null for a minority or Latin full name (no surname the chain's clerks would use) */
  surname: string | null;
  /**
   * real names only: the surname and the given name's toneless pinyin (王|su fen), what linking compares. Clerks type
   * names with a pinyin input method, so a homophone slip (李虹 for 李红, 王斌 for 王彬) keeps the key; a dropped or
   * doubled character is a syllable prefix of the full name's key (see `extendsNameKey`).
   */
  key: string | null;
  /** from the honorific (先生 → male, 女士/小姐 → female), else from a given name only one sex is given (秀英, 志强) */
  gender: 'male' | 'female' | null;
}

const HONORIFICS: readonly (readonly [string, 'male' | 'female' | null])[] = [
  ['先生', 'male'],
  ['女士', 'female'],
  ['小姐', 'female'],
  ['太太', 'female'],
  ['阿姨', 'female'],
  ['大爷', 'male'],
  ['老师', null],
];
const HAN = /^[\u4e00-\u9fff]+$/;

/**
 * Given-name characters chosen for one sex only, in practice (霞 in a man's name, 强 in a woman's, are rare). A name
 * with characters of both lists, or of neither, implies nothing. Conservative on purpose: an implied sex only ever
 * fills in a record that has none, and only ever serves to tell two people apart or to corroborate a phone match.
 */
const FEMALE_CHARS = new Set([...'娟婷娜娇媛嫣妍姗婉婧娴妮娅霞芳艳丽燕萍梅兰菊莲桂翠凤娥玲琴淑莉倩蓉薇瑶黛姣妹嫂']);
const MALE_CHARS = new Set([...'强刚勇峰磊鹏虎雄涛浩豪杰斌彬波健超毅俊锋亮辉栋彪猛武龙']);

function impliedGender(given: string): 'male' | 'female' | null {
  const chars = [...given];
  const female = chars.some((c) => FEMALE_CHARS.has(c));
  const male = chars.some((c) => MALE_CHARS.has(c));
  return female === male ? null : female ? 'female' : 'male';
}

function keyOf(surname: string, given: string): string {
  return `${surname}|${pinyin(given, { toneType: 'none', type: 'array' }).join(' ')}`;
}

/** Is `longer` a fuller form of the name `shorter`, one typed with a character dropped (王素 of 王素芬, 王伟 of 王伟伟)? */
export function extendsName(longer: string, shorter: string): boolean {
  return longer.length > shorter.length && longer.startsWith(shorter);
}

function surnameOf(name: string): string | null {
  if (COMPOUND_SURNAMES.has(name.slice(0, 2))) return name.slice(0, 2);
  return SINGLE_SURNAMES.has(name[0]) ? name[0] : null;
}

/** The separators of a minority name's parts (买买提·艾力), as clerks type them. */
const DOTS = /[·•・‧.．]/;
const DOTTED = /^[\u4e00-\u9fff]+(?: ?[·•・‧.．] ?[\u4e00-\u9fff]+)+$/;
/** A Latin full name: two to four words of letters, each capitalised (John Smith, ZHANG Wei, Mary-Jane O'Neil). */
const LATIN_WORD = /^[A-Z](?:[a-z]+|[A-Z]+)(?:[-'’][A-Za-z]+)*$/;

/**
 * A full name that is not a Chinese one of a listed surname: a minority name with its middle dot (买买提·艾力: its parts
 * are transliterations, compared by pinyin so a variant character typed for the same sound keeps the key), or a
 * Latin "First Last" (compared case-insensitively, in either word order: Zhang Wei is Wei Zhang). Such names carry no
 * surname to greet with or compare with 王先生, but two different ones on one phone are two people.
 */
function otherFullName(name: string): NormalizedName | null {
  if (DOTTED.test(name)) {
    const parts = name.split(DOTS).map((p) => p.trim());
    if (parts.length > 4 || parts.join('').length < 3) return null;
    const key = parts.map((p) => pinyin(p, { toneType: 'none', type: 'array' }).join(' ')).join('·');
    return { name: parts.join('·'), kind: 'real', surname: null, key: `·${key}`, gender: null };
  }
  const words = name.split(' ');
  if (words.length >= 2 && words.length <= 4 && words.every((w) => LATIN_WORD.test(w))) {
    const key = words
      .map((w) => w.toLowerCase().replaceAll('’', "'"))
      .sort()
      .join(' ');
    return { name, kind: 'real', surname: null, key: `~${key}`, gender: null };
  }
  return null;
}

export function normalizeName(input: string | null | undefined): NormalizedName {
  let name = cleanText(input);
  if (name === null) return { name: null, kind: 'unknown', surname: null, key: null, gender: null };
  // 张 伟 / 张·伟 typed with a separator: Chinese names have none (a minority name's parts keep theirs, below)
  const typed = name;
  if (/^[\u4e00-\u9fff][\u4e00-\u9fff ·•]*$/.test(name)) name = name.replace(/[ ·•]/g, '');
  if (!HAN.test(name)) return otherFullName(typed) ?? { name, kind: 'unknown', surname: null, key: null, gender: null };
  for (const [title, gender] of HONORIFICS) {
    if (name.endsWith(title) && name.length > title.length) {
      const surname = surnameOf(name.slice(0, -title.length));
      if (surname && surname.length === name.length - title.length) {
        return { name, kind: 'honorific', surname, key: null, gender };
      }
    }
  }
  const surname = NICKNAME_WORDS.has(name) ? null : surnameOf(name);
  const givenLength = surname ? name.length - surname.length : 0;
  if (surname && givenLength >= 1 && givenLength <= 2) {
    const given = name.slice(surname.length);
    return { name, kind: 'real', surname, key: keyOf(surname, given), gender: impliedGender(given) };
  }
  if (typed !== name) {
    const other = otherFullName(typed);
    if (other) return other;
  }
  return { name, kind: 'unknown', surname: null, key: null, gender: null };
}

/** 张伟 → 张*, 欧阳娜娜 → 欧阳**, 王先生 → 王**: the surname stays, the given name is hidden. */
export function maskName(name: string | null): string | null {
  const trimmed = name?.trim();
  if (!trimmed) return null;
  const chars = Array.from(trimmed);
  const surnameLength = chars.length > 2 && COMPOUND_SURNAMES.has(chars.slice(0, 2).join('')) ? 2 : 1;
  return chars.slice(0, surnameLength).join('') + '*'.repeat(Math.max(1, chars.length - surnameLength));
}

/**
 * How the member home greets the member: 张先生 / 李女士 from a real name and a gender (the customer's, else the one
 * the name implies), the polite form a pharmacy's staff would use and all a screen glanced at by others should show;
 * an honorific (王先生) as it is; a full name when the gender is not known or the name has no Chinese surname (买买提·艾力,
 * John Smith); null for a nickname or nothing.
 */
export function greetingName(name: string | null, gender: 'male' | 'female' | 'unknown' | null): string | null {
  const n = normalizeName(name);
  if (n.kind === 'honorific') return n.name;
  if (n.kind !== 'real') return null;
  // a minority or Latin full name: no surname to put a title after
  if (!n.surname) return n.name;
  const g = gender === 'male' || gender === 'female' ? gender : n.gender;
  return g ? `${n.surname}${g === 'male' ? '先生' : '女士'}` : n.name;
}
