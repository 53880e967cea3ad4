import { describe, expect, it } from 'vitest';
import {
  decideLink,
  decidePhoneGroup,
  holdCandidates,
  type LinkEvidence,
  type RecordFacts,
} from '../../../shared/identity/link.rules.js';
import { normalizeName } from '../../../shared/identity/name.js';

const TODAY = '2025-06-30';
let seq = 0;
const rec = (over: Partial<RecordFacts> = {}): RecordFacts => {
  const facts = {
    recordId: `r${++seq}`,
    name: '张伟',
    nameKind: 'real' as const,
    surname: '张',
    birthday: null,
    gender: 'unknown' as const,
    lastActive: '2025-06-01',
    phoneVerified: false,
    district: null,
    ...over,
  };
  return { ...facts, nameKey: over.nameKey !== undefined ? over.nameKey : normalizeName(facts.name).key };
};
const nick = (over: Partial<RecordFacts> = {}) =>
  rec({ name: '平安是福', nameKind: 'unknown', surname: null, ...over });
const ev = (over: Partial<LinkEvidence>): LinkEvidence => ({
  via: 'phone',
  blocked: false,
  sharedBy: 2,
  a: rec(),
  b: rec(),
  today: TODAY,
  ...over,
});

describe('decideLink', () => {
  it.each<[string, Partial<LinkEvidence>, string, string]>([
    ['unionid links', { via: 'unionid' }, 'link', 'strong_identifier'],
    ['a POS card links', { via: 'pos_card' }, 'link', 'strong_identifier'],
    ['a verified phone links', { via: 'verified_phone' }, 'link', 'verified_phone'],
    [
      'both sides verified link',
      { a: rec({ phoneVerified: true }), b: rec({ phoneVerified: true }) },
      'link',
      'verified_phone',
    ],
    ['a blocked value never links', { via: 'unionid', blocked: true }, 'reject', 'blocked'],
    ['a blocked phone never links', { blocked: true }, 'reject', 'blocked'],
    ['a key on too many records is held', { via: 'pos_card', sharedBy: 13 }, 'hold', 'cluster_limit'],
    ['a phone on too many records is held', { sharedBy: 9 }, 'hold', 'cluster_limit'],
    ['an unverified phone with the same name links', {}, 'link', 'phone'],
    ['a homophone slip of the name links (张玮 for 张伟)', { b: rec({ name: '张玮' }) }, 'link', 'phone'],
    ['another given name is a conflict', { b: rec({ name: '张强' }) }, 'hold', 'name_conflict'],
    ['a nickname with nothing in common beyond the phone: held', { b: nick() }, 'hold', 'ambiguous'],
    [
      'a nickname with the same birthday links',
      { a: rec({ birthday: '1970-01-01' }), b: nick({ birthday: '1970-01-01' }) },
      'link',
      'phone',
    ],
    [
      'a nickname with the same gender links',
      { a: rec({ gender: 'male' }), b: nick({ gender: 'male' }) },
      'link',
      'phone',
    ],
    ['different names: held', { b: rec({ name: '李娜', surname: '李' }) }, 'hold', 'name_conflict'],
    [
      'different birthdays: held',
      { a: rec({ birthday: '1980-01-01' }), b: rec({ birthday: '1981-01-01' }) },
      'hold',
      'birthday_conflict',
    ],
    ['different genders: held', { a: rec({ gender: 'male' }), b: nick({ gender: 'female' }) }, 'hold', 'ambiguous'],
    [
      'an honorific of another surname: held',
      { b: rec({ name: '李先生', nameKind: 'honorific', surname: '李' }) },
      'hold',
      'name_conflict',
    ],
    [
      'an honorific of the same surname and gender links',
      { a: rec({ gender: 'male' }), b: rec({ name: '张先生', nameKind: 'honorific', surname: '张', gender: 'male' }) },
      'link',
      'phone',
    ],
    [
      'an honorific of the same surname with nothing else in common: held (a father shares the surname)',
      { b: rec({ name: '张先生', nameKind: 'honorific', surname: '张' }) },
      'hold',
      'ambiguous',
    ],
    ['a family phone: another name is held', { namesOnValue: 2, b: nick() }, 'hold', 'family_phone'],
    ['a family phone: the same name links', { namesOnValue: 2 }, 'link', 'phone'],
    [
      'a dormant card with another name: held (recycled number)',
      { a: rec({ lastActive: '2019-01-01' }), b: rec({ name: '李娜', surname: '李' }) },
      'hold',
      'dormant_card',
    ],
    [
      'a dormant card with a nickname: held',
      { a: rec({ lastActive: '2019-01-01' }), b: nick() },
      'hold',
      'dormant_card',
    ],
    ['a dormant card with its own name links', { a: rec({ lastActive: '2019-01-01' }) }, 'link', 'phone'],
    [
      'a dormant card and a nickname born the same day link',
      { a: rec({ lastActive: '2019-01-01', birthday: '1979-07-03' }), b: nick({ birthday: '1979-07-03' }) },
      'link',
      'phone',
    ],
    [
      'a dormant card and a nickname born the same day but of another gender: held',
      {
        a: rec({ lastActive: '2019-01-01', birthday: '1979-07-03', gender: 'male' }),
        b: nick({ birthday: '1979-07-03', gender: 'female' }),
      },
      'hold',
      'dormant_card',
    ],
    [
      'a family phone: a nickname born the day of the named card links',
      { namesOnValue: 2, a: rec({ birthday: '1940-06-11' }), b: nick({ birthday: '1940-06-11' }) },
      'link',
      'phone',
    ],
    [
      'a family phone: another name born the same day is still another person',
      {
        namesOnValue: 2,
        a: rec({ birthday: '1940-06-11' }),
        b: rec({ name: '李娜', surname: '李', birthday: '1940-06-11' }),
      },
      'hold',
      'family_phone',
    ],
  ])('%s', (_, over, decision, reason) => {
    expect(decideLink(ev(over))).toEqual({ decision, reason });
  });

  it('weak evidence (name + birthday + district) only suggests, never links', () => {
    const a = rec({ birthday: '1980-01-01', district: '西湖区' });
    expect(decideLink(ev({ via: 'weak', a, b: { ...a, recordId: 'x' } }))).toEqual({
      decision: 'suggest',
      reason: 'weak_match',
    });
    expect(decideLink(ev({ via: 'weak', a, b: { ...a, district: '滨江区' } })).decision).toBe('reject');
  });
});

const ids = (v: ReturnType<typeof decidePhoneGroup>) => v.classes.map((c) => [...c].sort());

describe('decidePhoneGroup', () => {
  it('joins one person typed on several cards', () => {
    const a = rec({ birthday: '1980-01-01', gender: 'male' });
    const b = rec();
    const c = rec({ name: '张先生', nameKind: 'honorific', gender: 'male' });
    const v = decidePhoneGroup([a, b, c], TODAY);
    expect(ids(v)).toEqual([[a.recordId, b.recordId, c.recordId].sort()]);
    expect(v.holds).toEqual([]);
  });

  it('holds a family phone: each name stays its own person, nicknames are held', () => {
    const head1 = rec({ name: '王波', surname: '王' });
    const head2 = rec({ name: '王波', surname: '王' });
    const spouse = rec({ name: '徐月娥', surname: '徐' });
    const member = nick({ phoneVerified: true });
    const v = decidePhoneGroup([head1, head2, spouse, member], TODAY);
    expect(ids(v)).toEqual([[head1.recordId, head2.recordId].sort()]);
    expect(v.holds.map((h) => h.reason)).toEqual(['family_phone', 'family_phone', 'family_phone', 'family_phone']);
  });

  it('joins a name typed with a homophone slip (王彬 for 王斌): one key, one person', () => {
    const card = rec({ name: '王斌', surname: '王', birthday: '1980-01-01' });
    const slip = rec({ name: '王彬', surname: '王' });
    const v = decidePhoneGroup([card, slip], TODAY);
    expect(ids(v)).toEqual([[card.recordId, slip.recordId].sort()]);
    expect(v.holds).toEqual([]);
  });

  it('joins a name typed with a character dropped or doubled beside the full name', () => {
    const full = rec({ name: '王素芬', surname: '王' });
    const short = rec({ name: '王素', surname: '王' });
    expect(ids(decidePhoneGroup([full, short], TODAY))).toEqual([[full.recordId, short.recordId].sort()]);
    const single = rec({ name: '李伟', surname: '李' });
    const doubled = rec({ name: '李伟伟', surname: '李' });
    expect(ids(decidePhoneGroup([single, doubled], TODAY))).toEqual([[single.recordId, doubled.recordId].sort()]);
  });

  it('does not guess which fuller name a short one belongs to (王素 beside 王素芬 and 王素梅)', () => {
    const a = rec({ name: '王素芬', surname: '王' });
    const b = rec({ name: '王素梅', surname: '王' });
    const short = rec({ name: '王素', surname: '王' });
    const v = decidePhoneGroup([a, b, short], TODAY);
    expect(ids(v)).toEqual([]);
    expect(v.holds.map((h) => h.reason)).toEqual(['family_phone', 'family_phone', 'family_phone']);
  });

  it('keeps a homophone that is also shorter apart (黄宇 is not 黄雨桐)', () => {
    const a = rec({ name: '黄雨桐', surname: '黄' });
    const b = rec({ name: '黄宇', surname: '黄' });
    const v = decidePhoneGroup([a, b], TODAY);
    expect(ids(v)).toEqual([]);
    expect(v.holds.map((h) => h.reason)).toEqual(['family_phone', 'family_phone']);
  });

  it('holds a nickname and a named card that share nothing but the phone', () => {
    const card = rec({ name: '徐月娥', surname: '徐' });
    const mall = nick({ birthday: '1938-04-14' });
    const member = nick({ birthday: '1938-04-14', phoneVerified: true, gender: 'male' });
    const v = decidePhoneGroup([card, mall, member], TODAY);
    expect(ids(v)).toEqual([[mall.recordId, member.recordId].sort()]);
    expect(v.holds.map((h) => h.reason)).toEqual(['ambiguous', 'ambiguous', 'ambiguous']);
  });

  it('joins a nickname and a named card when a birthday agrees', () => {
    const card = rec({ birthday: '1970-05-05' });
    const member = nick({ birthday: '1970-05-05' });
    expect(ids(decidePhoneGroup([card, member], TODAY))).toEqual([[card.recordId, member.recordId].sort()]);
  });

  it('holds a dormant card whose number now belongs to someone else', () => {
    const old = rec({ name: '方伟', surname: '方', lastActive: '2020-03-30' });
    const owner = rec({ name: '李娜', surname: '李' });
    const v = decidePhoneGroup([old, owner], TODAY);
    expect(v.classes).toEqual([]);
    expect(v.holds).toContainEqual({ recordId: old.recordId, reason: 'dormant_card' });
  });

  it('joins a nickname to the one named person on a family phone born on its exact birthday', () => {
    const head = rec({ name: '钱玉兰', surname: '钱', birthday: '1940-06-11', gender: 'female' });
    const headMall = rec({ name: '钱玉兰', surname: '钱' });
    const spouse = rec({ name: '刘磊', surname: '刘', birthday: '1943-04-13' });
    const member = nick({ birthday: '1940-06-11', gender: 'female', phoneVerified: true });
    const sir = rec({ name: '钱先生', nameKind: 'honorific', surname: '钱', gender: 'male' });
    const v = decidePhoneGroup([head, headMall, spouse, member, sir], TODAY);
    expect(ids(v)).toEqual([[head.recordId, headMall.recordId, member.recordId].sort()]);
    // the member's record is the head's now: not offered to anyone; the spouse's card and 钱先生 stay held
    expect(v.holds.map((h) => h.recordId)).not.toContain(member.recordId);
    expect(v.holds).toContainEqual({ recordId: spouse.recordId, reason: 'family_phone' });
    expect(v.holds).toContainEqual({ recordId: sir.recordId, reason: 'family_phone' });
  });

  it('joins 王先生 born on the day of the one 王 on a family phone, never one of another surname', () => {
    const zhu = rec({ name: '朱伟', surname: '朱', birthday: '2000-02-05', gender: 'male' });
    const sir = rec({ name: '朱先生', nameKind: 'honorific', surname: '朱', birthday: '2000-02-05', gender: 'male' });
    const liu = rec({ name: '刘颖', surname: '刘', birthday: '1998-09-01' });
    const other = rec({ name: '刘先生', nameKind: 'honorific', surname: '刘', birthday: '2000-02-05', gender: 'male' });
    const v = decidePhoneGroup([zhu, sir, liu, other], TODAY);
    expect(ids(v)).toEqual([[zhu.recordId, sir.recordId].sort()]);
    expect(v.holds).toContainEqual({ recordId: other.recordId, reason: 'family_phone' });
  });

  it('keeps a family member held: no birthday, another birthday, twins, another gender', () => {
    const head = rec({ name: '李海燕', surname: '李', birthday: '1985-03-02', gender: 'female' });
    const spouse = rec({ name: '王强', surname: '王', birthday: '1983-08-29', gender: 'male' });
    const unknown = nick({ phoneVerified: true, gender: 'female' });
    const elsewhen = nick({ birthday: '1960-01-01' });
    const man = nick({ birthday: '1985-03-02', gender: 'male' });
    const v = decidePhoneGroup([head, spouse, unknown, elsewhen, man], TODAY);
    expect(ids(v)).toEqual([]);
    for (const r of [head, spouse, unknown, elsewhen, man]) {
      expect(v.holds).toContainEqual({ recordId: r.recordId, reason: 'family_phone' });
    }
    // twins on one phone: the nickname born their day could be either
    const twinA = rec({ name: '张一诺', surname: '张', birthday: '2010-05-05' });
    const twinB = rec({ name: '张一帆', surname: '张', birthday: '2010-05-05' });
    const kid = nick({ birthday: '2010-05-05' });
    const t = decidePhoneGroup([twinA, twinB, kid], TODAY);
    expect(ids(t)).toEqual([]);
    expect(t.holds).toContainEqual({ recordId: kid.recordId, reason: 'family_phone' });
    // a name whose cards disagree on the birthday bridges nothing
    const a1 = rec({ name: '陈洁', surname: '陈', birthday: '1990-01-01' });
    const a2 = rec({ name: '陈洁', surname: '陈', birthday: '1991-01-01' });
    const b = rec({ name: '周平', surname: '周' });
    const n = nick({ birthday: '1990-01-01' });
    expect(ids(decidePhoneGroup([a1, a2, b, n], TODAY))).toEqual([]);
  });

  it('joins a dormant card born on the exact day of the phone person, not one of another birthday or gender', () => {
    const old = rec({
      name: '周一诺',
      surname: '周',
      birthday: '1977-06-21',
      gender: 'female',
      lastActive: '2020-01-01',
    });
    const member = nick({ birthday: '1977-06-21', gender: 'female', phoneVerified: true });
    expect(ids(decidePhoneGroup([old, member], TODAY))).toEqual([[old.recordId, member.recordId].sort()]);
    // a recycled number: the stranger's card has its own birthday (or none), it stays held
    for (const stranger of [
      rec({ name: '方伟', surname: '方', birthday: '1962-11-02', lastActive: '2020-01-01' }),
      rec({ name: '方伟', surname: '方', lastActive: '2020-01-01' }),
      rec({ name: '方伟', surname: '方', birthday: '1977-06-21', gender: 'male', lastActive: '2020-01-01' }),
    ]) {
      const v = decidePhoneGroup([stranger, member], TODAY);
      expect(v.classes).toEqual([]);
      expect(v.holds).toContainEqual({ recordId: stranger.recordId, reason: 'dormant_card' });
    }
    // nor does it join a named person born that day under another name
    const owner = rec({ name: '李娜', surname: '李', birthday: '1977-06-21' });
    const v = decidePhoneGroup(
      [owner, rec({ name: '方伟', surname: '方', birthday: '1977-06-21', lastActive: '2020-01-01' })],
      TODAY,
    );
    expect(v.classes).toEqual([]);
  });

  it('joins dormant cards of one name to each other, apart from the phone person, and holds them', () => {
    const owner = rec({ name: '王强', surname: '王', birthday: '1970-09-18' });
    const old1 = rec({ name: '王华', surname: '王', gender: 'male', lastActive: '2020-01-01' });
    const old2 = rec({ name: '王华', surname: '王', lastActive: '2019-05-01' });
    const v = decidePhoneGroup([owner, old1, old2], TODAY);
    expect(ids(v)).toEqual([[old1.recordId, old2.recordId].sort()]);
    expect(v.holds).toContainEqual({ recordId: old1.recordId, reason: 'dormant_card' });
    expect(v.holds).toContainEqual({ recordId: old2.recordId, reason: 'dormant_card' });
    // only dormant cards on the phone: one name is one person
    const a = rec({ name: '王海燕', surname: '王', lastActive: '2020-01-01' });
    const b = rec({ name: '王海艳', surname: '王', lastActive: '2020-01-01' });
    expect(ids(decidePhoneGroup([a, b], TODAY))).toEqual([[a.recordId, b.recordId].sort()]);
    // two birthdays under one name: two people
    const c = rec({ name: '李雅琴', surname: '李', birthday: '1980-05-26', lastActive: '2020-01-01' });
    const d = rec({ name: '李雅琴', surname: '李', birthday: '1981-05-26', lastActive: '2020-01-01' });
    expect(ids(decidePhoneGroup([c, d], TODAY))).toEqual([]);
  });

  it('holds everything when the phone is on too many records', () => {
    const many = Array.from({ length: 9 }, () => rec());
    const v = decidePhoneGroup(many, TODAY);
    expect(v.classes).toEqual([]);
    expect(v.holds.every((h) => h.reason === 'cluster_limit')).toBe(true);
  });

  it('does not depend on the order records arrive in', () => {
    const group = [
      rec({ birthday: '1980-01-01' }),
      nick({ birthday: '1980-01-01' }),
      rec({ name: '李娜', surname: '李' }),
      nick(),
    ];
    const a = decidePhoneGroup(group, TODAY);
    const b = decidePhoneGroup([...group].reverse(), TODAY);
    expect(ids(b).sort()).toEqual(ids(a).sort());
  });
});

describe('holdCandidates', () => {
  const on = (customerId: string, facts: RecordFacts) => ({ ...facts, customerId });
  it('offers a held card only to customers whose records on the phone do not name someone else', () => {
    const card = on('c_card', rec({ name: '王波', surname: '王' }));
    const spouse = on('c_spouse', rec({ name: '徐月娥', surname: '徐' }));
    const slip = on('c_slip', rec({ name: '王啵', surname: '王' })); // a pinyin slip of 王波: the same name
    const member = on('c_member', nick({ phoneVerified: true }));
    const madam = on('c_madam', rec({ name: '徐女士', nameKind: 'honorific', surname: '徐' }));
    const sir = on('c_sir', rec({ name: '王先生', nameKind: 'honorific', surname: '王' }));
    const offered = holdCandidates([card, spouse, slip, member, madam, sir], card.recordId);
    expect(offered.has('c_spouse')).toBe(false);
    expect(offered.has('c_madam')).toBe(false);
    expect(offered.has('c_member')).toBe(true);
    expect(offered.has('c_sir')).toBe(true);
    expect(offered.has('c_slip')).toBe(true);
    expect(offered.has('c_card')).toBe(false);
  });

  it("never offers the spouse's card to a customer that also has a record naming someone else on the phone", () => {
    // the head's WeChat nickname joined the head's card by its birthday: the head's customer now has both
    const head = on('c_head', rec({ name: '钱玉兰', surname: '钱', birthday: '1940-06-11' }));
    const member = on('c_head', nick({ birthday: '1940-06-11', phoneVerified: true }));
    const spouse = on('c_spouse', rec({ name: '刘磊', surname: '刘' }));
    const other = on('c_other', nick());
    expect([...holdCandidates([head, member, spouse, other], spouse.recordId)]).toEqual(['c_other']);
  });

  it('offers a nickname record to every other customer on the phone', () => {
    const member = on('c_member', nick({ phoneVerified: true }));
    const a = on('c_a', rec({ name: '王波', surname: '王' }));
    const b = on('c_b', rec({ name: '徐月娥', surname: '徐' }));
    expect([...holdCandidates([member, a, b], member.recordId)].sort()).toEqual(['c_a', 'c_b']);
  });
});
