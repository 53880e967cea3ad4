/**
 * Found by a QA walk: real names with a surname outside the old short list (肖, 付, 白…), minority names with their
 * middle dot and Latin full names read as nicknames, which contradict nothing, so two people's cards on one family
 * phone merged; and junk written where an export had no value ('null', 'N/A', '无') linked strangers as a strong
 * identifier.
 */
import { describe, expect, it } from 'vitest';
import { blockReason, type IdentifierKind, isJunkValue } from '../../../shared/identity/blocked.js';
import { decidePhoneGroup, namesConflict, type RecordFacts } from '../../../shared/identity/link.rules.js';
import { greetingName, normalizeName } from '../../../shared/identity/name.js';
import { SINGLE_SURNAMES } from '../../../shared/identity/surnames.js';

const TODAY = '2025-06-30';
const card = (recordId: string, rawName: string | null, over: Partial<RecordFacts> = {}): RecordFacts => {
  const n = normalizeName(rawName);
  return {
    recordId,
    name: n.name,
    nameKey: n.key,
    nameKind: n.kind,
    surname: n.surname,
    birthday: null,
    gender: 'unknown',
    lastActive: '2025-06-01',
    phoneVerified: false,
    district: null,
    ...over,
  };
};

describe('names', () => {
  it('keeps every surname of the old list', () => {
    const old =
      '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文俞倪严施牛洪鲁庞章';
    expect([...old].filter((c) => !SINGLE_SURNAMES.has(c))).toEqual([]);
    expect(SINGLE_SURNAMES.size).toBeGreaterThan(300);
  });

  it.each([
    ['肖强', '肖'],
    ['付娟', '付'],
    ['白丽', '白'],
    ['闫磊', '闫'],
    ['陶红', '陶'],
    ['韦小宝', '韦'],
    ['温静', '温'],
    ['樊伟', '樊'],
    ['颜芳', '颜'],
    ['葛优', '葛'],
    ['聂磊', '聂'],
    ['向华', '向'],
    ['岳飞', '岳'],
    ['齐白石', '齐'],
    ['莫言', '莫'],
    ['庄红', '庄'],
    ['关羽', '关'],
    ['覃丽', '覃'],
    ['欧伟', '欧'],
    ['欧阳娜娜', '欧阳'],
    ['宇文化及', '宇文'],
  ])('%s is a real name of surname %s', (raw, surname) =>
    expect(normalizeName(raw)).toMatchObject({ kind: 'real', surname }),
  );

  it.each([
    ['买买提·艾力', '买买提·艾力'],
    ['阿依古丽•吐尔逊', '阿依古丽·吐尔逊'],
    ['买买提 · 艾力', '买买提·艾力'],
    ['John Smith', 'John Smith'],
    ['MARY JONES', 'MARY JONES'],
  ])('%s is a real full name without a Chinese surname', (raw, name) => {
    expect(normalizeName(raw)).toMatchObject({ name, kind: 'real', surname: null });
    expect(normalizeName(raw).key).not.toBeNull();
  });

  it('compares Latin names case-insensitively and in either word order, minority names by sound', () => {
    expect(normalizeName('John Smith').key).toBe(normalizeName('SMITH JOHN').key);
    expect(normalizeName('买买提·艾力').key).toBe(normalizeName('买买提·爱力').key);
    expect(normalizeName('John Smith').key).not.toBe(normalizeName('Mary Jones').key);
  });

  it.each([
    ['happybuyer88'],
    ['小王'],
    ['😀'],
    ['Lucky'],
    ['lucky star'],
    ['向日葵'],
    ['阳光'],
    ['平安是福'],
    ['小鱼儿'],
    ['开心果'],
  ])('%s stays a nickname', (raw) => expect(normalizeName(raw).kind).toBe('unknown'));

  it.each([
    ['王先生', '王'],
    ['肖女士', '肖'],
  ])('%s stays an honorific', (raw, surname) =>
    expect(normalizeName(raw)).toMatchObject({ kind: 'honorific', surname }),
  );

  it('greets a full name without a Chinese surname by the name', () => {
    expect(greetingName('买买提·艾力', 'male')).toBe('买买提·艾力');
    expect(greetingName('肖强', 'male')).toBe('肖先生');
  });

  it.each([
    ['肖强', '肖磊'],
    ['白丽', '白芳'],
    ['付伟', '付娟'],
    ['王芳', '肖丽'],
    ['John Smith', 'Mary Jones'],
    ['买买提·艾力', '阿依古丽·吐尔逊'],
  ])('%s and %s on one phone are two people: held, not joined', (a, b) => {
    const x = card('a', a);
    const y = card('b', b);
    expect(namesConflict(x, y)).toBe(true);
    const verdict = decidePhoneGroup([x, y], TODAY);
    expect(verdict.classes).toEqual([]);
    expect(verdict.holds.map((h) => h.reason)).toEqual(['family_phone', 'family_phone']);
  });

  it('still joins one full name typed twice, and a nickname that agrees with it', () => {
    expect(decidePhoneGroup([card('a', 'John Smith'), card('b', 'SMITH John')], TODAY).classes).toEqual([['a', 'b']]);
    const named = card('a', '肖强', { gender: 'male' });
    const nick = card('b', 'happybuyer88', { gender: 'male' });
    expect(decidePhoneGroup([named, nick], TODAY).classes).toEqual([['a', 'b']]);
  });

  it('does not take 王先生 for a Latin or minority full name beside it', () => {
    const verdict = decidePhoneGroup([card('a', 'John Smith'), card('b', '王先生')], TODAY);
    expect(verdict.classes).toEqual([]);
    expect(verdict.holds.find((h) => h.recordId === 'b')?.reason).toBe('name_conflict');
  });
});

describe('junk identifiers', () => {
  const KINDS: IdentifierKind[] = ['unionid', 'openid', 'wecom_id', 'pos_card', 'mall_account', 'email', 'phone'];
  const JUNK = [
    'null',
    'NULL',
    ' Null ',
    'undefined',
    'none',
    'None',
    'N/A',
    '#N/A',
    'nil',
    'NaN',
    '-',
    '--',
    '0',
    '/',
    'unknown',
    'UNKNOWN',
    '"null"',
    '无',
    '空',
    '暂无',
    '不详',
    'xxxx',
  ];
  it.each(KINDS)('blocks the junk values as a %s', (kind) => {
    for (const v of JUNK) expect(blockReason(kind, v, new Set()), `${kind} ${v}`).toBe('placeholder');
  });
  it.each([
    ['unionid', 'o6_bad_union'],
    ['unionid', 'oUnN0000'],
    ['openid', 'oMP_f1c'],
    ['wecom_id', 'wm-1'],
    ['pos_card', '880000000001'],
    ['mall_account', 'nullable_joe'],
    ['pos_card', '-1024'],
  ] as const)('lets a real %s through: %s', (kind, value) => {
    expect(isJunkValue(value)).toBe(false);
    expect(blockReason(kind, value, new Set())).toBeNull();
  });
});
