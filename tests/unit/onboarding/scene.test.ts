import { describe, expect, it } from 'vitest';
import { isMemberCodeFormat, memberCodeFromBytes } from '../../../shared/onboarding/member-code.js';
import {
  formatSignupScene,
  inviteFromBytes,
  parseSignupScene,
  SCENE_MAX_LENGTH,
} from '../../../shared/onboarding/scene.js';

describe('sign-up scene', () => {
  it.each([
    ['s1.HZ001', { storeCode: 'HZ001', invite: null }],
    ['s1.HZ001.k7q2m9xp', { storeCode: 'HZ001', invite: 'k7q2m9xp' }],
    ['s1.NB004', { storeCode: 'NB004', invite: null }],
    // WeChat hands the scene URL-encoded; a page that did not decode still parses
    ['s1.HZ001%2Ek7q2m9xp', { storeCode: 'HZ001', invite: 'k7q2m9xp' }],
    ['  s1.HZ001  ', { storeCode: 'HZ001', invite: null }],
  ])('parses %j', (raw, expected) => {
    expect(parseSignupScene(raw)).toEqual(expected);
  });

  it.each([
    '',
    'HZ001',
    's2.HZ001',
    's1.hz001',
    's1.H',
    's1.HZ001.',
    's1.HZ001.k7q2m9x',
    's1.HZ001.k7q2m9xpp',
    // i, l, o, u are not Crockford base32
    's1.HZ001.k7q2m9xi',
    's1.HZ001.k7q2m9xp.extra',
    's1.HZ001;drop table',
    `s1.${'A'.repeat(40)}`,
    '%E0%A4%A',
  ])('refuses %j', (raw) => {
    expect(parseSignupScene(raw)).toBeNull();
  });

  it('formats within WeChat’s 32 characters and round-trips', () => {
    const invite = inviteFromBytes(new Uint8Array([0, 31, 32, 255, 7, 8, 9, 10]));
    expect(invite).toMatch(/^[0-9a-hjkmnp-tv-z]{8}$/);
    const longest = formatSignupScene({ storeCode: 'ABCDEFGHIJ12', invite });
    expect(longest.length).toBeLessThanOrEqual(SCENE_MAX_LENGTH);
    expect(parseSignupScene(longest)).toEqual({ storeCode: 'ABCDEFGHIJ12', invite });
    expect(formatSignupScene({ storeCode: 'HZ001', invite: null })).toBe('s1.HZ001');
  });

  it('refuses to format what it could not parse', () => {
    expect(() => formatSignupScene({ storeCode: 'hz 001', invite: null })).toThrow();
    expect(() => formatSignupScene({ storeCode: 'HZ001', invite: 'short' })).toThrow();
  });
});

describe('member code format', () => {
  it('draws 18 digits starting with 88 and skips biased bytes', () => {
    const bytes = new Uint8Array(32).map((_, i) => (i % 3 === 0 ? 255 : i * 7));
    const code = memberCodeFromBytes(bytes);
    expect(code).toMatch(/^88\d{16}$/);
    expect(isMemberCodeFormat(code as string)).toBe(true);
    expect(memberCodeFromBytes(new Uint8Array(32).fill(252))).toBeNull();
  });

  it.each(['', '88123', '991234567890123456', '88123456789012345a', '8812345678901234567'])('refuses %j', (c) => {
    expect(isMemberCodeFormat(c)).toBe(false);
  });
});
