import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../../shared/identity/address.js';
import { blockReason, isPlaceholderPhone, storePhoneKey } from '../../../shared/identity/blocked.js';
import { normalizeDate } from '../../../shared/identity/date.js';
import { normalizeEmail } from '../../../shared/identity/email.js';
import { normalizeName } from '../../../shared/identity/name.js';
import { maskPhone, normalizePhone } from '../../../shared/identity/phone.js';
import { normalizeRecord } from '../../../shared/identity/record.js';

describe('normalizePhone: every common form of a mainland mobile', () => {
  it.each([
    ['13812345678'],
    ['+86 138 1234 5678'],
    ['+8613812345678'],
    ['+86-138-1234-5678'],
    ['0086 138 1234 5678'],
    ['0086-13812345678'],
    ['008613812345678'],
    ['8613812345678'],
    ['138-1234-5678'],
    ['138 1234 5678'],
    ['(138) 1234 5678'],
    ['138.1234.5678'],
    [' 13812345678 '],
    ['１３８１２３４５６７８'],
    ['＋８６ １３８ １２３４ ５６７８'],
    ['138\u30001234\u30005678'],
    ['138—1234—5678'],
  ])('%j → 13812345678', (raw) => {
    expect(normalizePhone(raw)).toEqual({ ok: true, canonical: '13812345678' });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['1381234567', 'bad_length'],
    ['138123456789', 'bad_length'],
    ['12812345678', 'not_mobile'],
    ['0571-87101013', 'bad_length'],
    ['138abc45678', 'not_mobile'],
  ])('flags %j as %s (kept, not dropped)', (raw, reason) => {
    expect(normalizePhone(raw)).toMatchObject({ ok: false, reason });
  });

  it('masks a canonical phone', () => expect(maskPhone('13812345678')).toBe('138****5678'));
});

describe('blocked values', () => {
  it.each([
    ['13800000000', true],
    ['13888888888', true],
    ['11111111111', true],
    ['00000000000', true],
    ['13900000000', true],
    ['12345678901', true],
    ['13800138000', true],
    ['13800138001', false],
    ['13812345678', false],
    ['13712345678', false],
    ['13900000001', false],
  ])('placeholder %s: %s', (v, expected) => expect(isPlaceholderPhone(v)).toBe(expected));

  it('blocks a store counter phone, placeholder and all-zero cards', () => {
    const stores = new Set([storePhoneKey('0571-87101013'), storePhoneKey('+86 139 1111 2222')]);
    expect(blockReason('phone', '057187101013', stores)).toBe('store_phone');
    expect(blockReason('phone', '13911112222', stores)).toBe('store_phone');
    expect(blockReason('phone', '13800000000', stores)).toBe('placeholder');
    expect(blockReason('pos_card', '0000000000', stores)).toBe('placeholder');
    expect(blockReason('pos_card', '880000000001', stores)).toBeNull();
    expect(blockReason('unionid', 'oUnN0000', stores)).toBeNull();
  });
});

describe('normalizeEmail', () => {
  it.each([
    ['Zhang.Wei@QQ.com', 'zhang.wei@qq.com'],
    [' 12345678@qq.com ', '12345678@qq.com'],
    ['ＡＢＣ＠１６３．ｃｏｍ', 'abc@163.com'],
    ['li。na@163.com', 'li.na@163.com'],
  ])('%j → %s', (raw, canonical) => expect(normalizeEmail(raw)).toEqual({ ok: true, canonical }));
  it.each([['zhang@'], ['@qq.com'], ['zhang wei@qq'], ['a@b']])('%j is bad syntax', (raw) =>
    expect(normalizeEmail(raw)).toMatchObject({ ok: false, reason: 'bad_syntax' }),
  );
});

describe('normalizeName', () => {
  it.each([
    ['张伟', '张伟', 'real', '张'],
    [' 张 伟 ', '张伟', 'real', '张'],
    ['张·伟', '张伟', 'real', '张'],
    ['欧阳娜娜', '欧阳娜娜', 'real', '欧阳'],
    ['王先生', '王先生', 'honorific', '王'],
    ['李女士', '李女士', 'honorific', '李'],
    ['平安是福', '平安是福', 'unknown', null],
    ['向日葵', '向日葵', 'unknown', null],
    ['Ｌｕｃｋｙ', 'Lucky', 'unknown', null],
    ['', null, 'unknown', null],
  ])('%j → %j (%s, %s)', (raw, name, kind, surname) => {
    expect(normalizeName(raw)).toMatchObject({ name, kind, surname });
  });
  it('reads the gender of an honorific', () => expect(normalizeName('张女士').gender).toBe('female'));
  it.each([
    ['李红', '李|hong'],
    ['李虹', '李|hong'],
    ['欧阳娜娜', '欧阳|na na'],
    ['王女士', null],
    ['平安是福', null],
  ])('keys %s by surname and toneless pinyin: %s', (raw, key) => expect(normalizeName(raw).key).toBe(key));
  it.each([
    ['李凤霞', 'female'],
    ['张志强', 'male'],
    ['王华', null],
    ['刘丽强', null],
  ])('reads the sex a given name implies: %s → %s', (raw, gender) => expect(normalizeName(raw).gender).toBe(gender));
});

describe('parseAddress', () => {
  it.each([
    ['浙江省杭州市西湖区文三路259号', '浙江省', '杭州市', '西湖区', '文三路259号'],
    ['杭州市滨江区江南大道1号', '浙江省', '杭州市', '滨江区', '江南大道1号'],
    ['上海市浦东新区世纪大道100号', '上海市', '上海市', '浦东新区', '世纪大道100号'],
    ['北京市朝阳区建国路1号', '北京市', '北京市', '朝阳区', '建国路1号'],
    ['江苏省苏州市昆山市前进路', '江苏省', '苏州市', '昆山市', '前进路'],
    ['宁波市 鄞州区 四明中路8号', '浙江省', '宁波市', '鄞州区', '四明中路8号'],
  ])('%s', (raw, province, city, district, rest) => {
    expect(parseAddress(raw)).toEqual({ province, city, district, rest });
  });
  it('keeps what it cannot split', () => {
    expect(parseAddress('文三路259号')).toEqual({ province: null, city: null, district: null, rest: '文三路259号' });
  });
});

describe('normalizeDate', () => {
  it.each([
    ['1985-03-07', '1985-03-07'],
    ['1985/3/7', '1985-03-07'],
    ['19850307', '1985-03-07'],
    ['1985年3月7日', '1985-03-07'],
    ['1985-02-30', null],
    ['07/03/1985', null],
  ])('%j → %j', (raw, iso) => expect(normalizeDate(raw)).toBe(iso));
});

describe('normalizeRecord', () => {
  const stores = new Set<string>();
  it('rejects a record without a source id', () => {
    expect(normalizeRecord('pos', { sourceId: '  ' }, stores)).toEqual({
      ok: false,
      refusal: { code: 'source_id_missing' },
    });
  });
  it('keeps an invalid phone as an invalid identity, and never trusts "verified" from a POS', () => {
    const r = normalizeRecord('pos', { sourceId: '8801', phone: '1381234', phoneVerified: 'true' }, stores);
    if (!r.ok) throw new Error('expected ok');
    expect(r.record.phone).toBeNull();
    expect(r.record.phoneVerified).toBe(false);
    expect(r.record.identifiers).toContainEqual(expect.objectContaining({ kind: 'phone', quality: 'invalid' }));
    expect(r.record.identifiers).toContainEqual(expect.objectContaining({ kind: 'pos_card', value: '8801' }));
    expect(r.record.flags).toEqual(expect.arrayContaining(['phone_bad_length', 'phone_verified_ignored']));
  });
  it('takes a WeChat id only from a source that got it from WeChat', () => {
    const ids = { openid: 'oMdLabc', unionid: 'oUnNabc', wecomId: 'wmMdLabc' };
    const kinds = (source: 'pos' | 'mall' | 'wecom' | 'miniprogram') => {
      const r = normalizeRecord(source, { sourceId: `${source}-1`, ...ids }, stores);
      if (!r.ok) throw new Error('expected ok');
      const wechat = r.record.identifiers.filter((i) => ['openid', 'unionid', 'wecom_id'].includes(i.kind));
      return {
        ids: wechat.map((i) => `${i.kind}:${i.value}`).sort(),
        flags: r.record.flags.filter((f) => f.endsWith('_ignored')),
      };
    };
    // a till typing them in proves nothing
    expect(kinds('pos')).toEqual({ ids: [], flags: ['openid_ignored', 'unionid_ignored', 'wecom_id_ignored'] });
    // a WeChat mall knows the unionid, not our openid; WeCom its own ids and the unionid
    expect(kinds('mall')).toEqual({ ids: ['unionid:oUnNabc'], flags: ['openid_ignored', 'wecom_id_ignored'] });
    expect(kinds('wecom')).toEqual({ ids: ['unionid:oUnNabc', 'wecom_id:wmMdLabc'], flags: ['openid_ignored'] });
    expect(kinds('miniprogram')).toEqual({ ids: ['openid:oMdLabc', 'unionid:oUnNabc'], flags: ['wecom_id_ignored'] });
  });
  it('marks a placeholder phone blocked and does not link on it', () => {
    const r = normalizeRecord('pos', { sourceId: '8802', phone: '138 0000 0000' }, stores);
    if (!r.ok) throw new Error('expected ok');
    expect(r.record.phone).toBeNull();
    expect(r.record.identifiers).toContainEqual(
      expect.objectContaining({ kind: 'phone', value: '13800000000', quality: 'blocked' }),
    );
  });
  it('takes a verified phone from the mini-program', () => {
    const r = normalizeRecord(
      'miniprogram',
      { sourceId: 'oABC', phone: '+86 138 1234 5678', phoneVerified: true },
      stores,
    );
    if (!r.ok) throw new Error('expected ok');
    expect(r.record).toMatchObject({ phone: '13812345678', phoneVerified: true });
    expect(r.record.identifiers).toContainEqual(
      expect.objectContaining({ kind: 'openid', value: 'oABC', verified: true }),
    );
  });
});
