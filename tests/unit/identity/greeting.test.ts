import { describe, expect, it } from 'vitest';
import { greetingName } from '../../../shared/identity/name.js';

describe('how the member home greets the member', () => {
  it.each([
    ['王建国', 'male', '王先生'],
    ['李红', 'female', '李女士'],
    ['欧阳娜娜', 'unknown', '欧阳女士'], // 娜娜 is given to girls: the name says so when the record does not
    ['吴雅琴', null, '吴女士'],
    ['张伟', 'unknown', '张伟'], // neither says: the full name, never a guessed title
    ['王先生', null, '王先生'],
    ['小可爱', null, null], // a nickname: 您好，会员
    ['Lily', 'female', null],
    [null, 'male', null],
  ] as const)('%s (%s) → %s', (name, gender, greeting) => {
    expect(greetingName(name, gender)).toBe(greeting);
  });
});
