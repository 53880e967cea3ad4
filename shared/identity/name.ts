import { cleanText } from './text.js';

export type NameKind = 'real' | 'honorific' | 'unknown';

export interface NormalizedName {
  /** cleaned name (width-folded, spaces between Chinese characters removed), null when empty */
  name: string | null;
  /** real: a plausible Chinese full name; honorific: 王先生 (surname only); unknown: a nickname, Latin, nothing */
  kind: NameKind;
  surname: string | null;
  /** from the honorific (先生 → male, 女士/小姐 → female) */
  gender: 'male' | 'female' | null;
}

/**
 * The common surnames (well over 90 % of the population). A nickname that happens to start with a rarer surname
 * character (向日葵) is then 'unknown' rather than a name: unknown names never contradict, names do.
 */
const SINGLE_SURNAMES = new Set(
  [
    '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文俞倪严施牛洪鲁庞章',
  ].join(''),
);
const COMPOUND_SURNAMES = new Set([
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '令狐',
  '司徒',
]);
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

function surnameOf(name: string): string | null {
  if (COMPOUND_SURNAMES.has(name.slice(0, 2))) return name.slice(0, 2);
  return SINGLE_SURNAMES.has(name[0]) ? name[0] : null;
}

export function normalizeName(input: string | null | undefined): NormalizedName {
  let name = cleanText(input);
  if (name === null) return { name: null, kind: 'unknown', surname: null, gender: null };
  // 张 伟 / 张·伟 typed with a separator: Chinese names have none
  if (/^[\u4e00-\u9fff][\u4e00-\u9fff ·•]*$/.test(name)) name = name.replace(/[ ·•]/g, '');
  if (!HAN.test(name)) return { name, kind: 'unknown', surname: null, gender: null };
  for (const [title, gender] of HONORIFICS) {
    if (name.endsWith(title) && name.length > title.length) {
      const surname = surnameOf(name.slice(0, -title.length));
      if (surname && surname.length === name.length - title.length) return { name, kind: 'honorific', surname, gender };
    }
  }
  const surname = surnameOf(name);
  const givenLength = surname ? name.length - surname.length : 0;
  if (surname && givenLength >= 1 && givenLength <= 2) return { name, kind: 'real', surname, gender: null };
  return { name, kind: 'unknown', surname: null, gender: null };
}
