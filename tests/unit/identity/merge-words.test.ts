import { describe, expect, it } from 'vitest';
import {
  describeActor,
  describeEvidence,
  maskIdentifier,
  mergeKind,
} from '../../../functions/app/identity/merge-words.js';

describe('a merge in words', () => {
  it.each([
    ['unionid', { via: 'unionid', value: 'oUN_abcdefgh12', records: ['a', 'b'] }, '同一微信用户 oUN_****12'],
    ['pos_card', { via: 'pos_card', value: '8810000123', records: ['a', 'b'] }, '同一会员卡号 88****0123'],
    ['verified_phone', { via: 'verified_phone', value: '138****8000' }, '同一已验证手机号 138****8000'],
    ['phone', { via: 'phone', value: '138****8000', group: 2 }, '同一手机号 138****8000，姓名、生日或性别相符'],
    [
      'phone',
      { via: 'phone', value: '138****8000', group: 4 },
      '同一手机号 138****8000，姓名、生日或性别相符（该号码共 4 条记录）',
    ],
    ['bulk', { job: 'j1', via: ['unionid', 'phone'] }, '批量关联：这组记录之间有同一微信用户、同一手机号'],
    [
      'suggestion',
      { suggestion: 'sug_1', records: ['a', 'b'], confirmedBy: 'stf_1' },
      '员工核对后确认：姓名、生日、所在区县相同',
    ],
    [
      'confirmed_match',
      { heldLink: 'hld_1', record: 'r', confirmedBy: 'member' },
      '会员本人在小程序中确认这张会员卡是自己的',
    ],
    ['transitive', {}, '与同一次关联的其他记录相连（间接关联）'],
  ])('%s: %j', (rule, evidence, text) => {
    expect(describeEvidence(rule, evidence).text).toBe(text);
  });

  it('never passes a raw identifier on, even one stored unmasked', () => {
    expect(describeEvidence('verified_phone', { via: 'verified_phone', value: '13800138000' }).valueMasked).toBe(
      '138****8000',
    );
    expect(maskIdentifier('openid', 'o_abc')).toBe('o****');
    expect(maskIdentifier('mall_account', 'mall_zgp')).toBe('ma****gp');
    expect(maskIdentifier('mall_account', 'mall_account_778899')).toBe('mall****99');
    expect(maskIdentifier('pos_card', '8810000123')).toBe('88****0123');
  });

  it('names the kind and the actor', () => {
    expect(['bulk', 'phone', 'suggestion', 'confirmed_match'].map(mergeKind)).toEqual([
      'bulk',
      'incremental',
      'staff_confirmed',
      'member_confirmed',
    ]);
    expect(describeActor('system', 'bulk', null)).toBe('系统批量关联');
    expect(describeActor('system', 'phone', null)).toBe('系统实时关联');
    expect(describeActor('staff', 'suggestion', '刘洋')).toBe('刘洋');
    expect(describeActor('member', 'confirmed_match', null)).toBe('会员本人');
  });
});
