/**
 * The member home greets by the name on a card the member confirmed, with the card's gender when WeChat says none:
 * 王先生, not 王建国 (a walk found the name taken from the card and the gender from the WeChat customer).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { ingest } from '../identity/helpers.js';
import { signUpAs } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

describe('the greeting after a card is confirmed', () => {
  it.each([
    ['male', '王建国', '13857100551', '8840000001', '王先生'],
    ['female', '李春华', '13857100552', '8840000002', '李女士'],
    ['unknown', '陈静', '13857100553', '8840000003', '陈静'],
  ] as const)('a card of gender %s named %s', async (gender, name, phone, card, greeting) => {
    await ingest(sys, [
      { sourceId: card, cardNo: card, name, gender, phone, storeCode: 'HZ001', lastActive: '2026-11-20' },
    ]);
    const user = sys.sim.addUser({ nickname: `微信${card.slice(-1)}`, phone });
    const { token, register } = await signUpAs(sys, user.id, 's1.HZ001');
    expect(register.status, JSON.stringify(register.body)).toBe(200);
    const before = (await sys.call('/api/me', { token })).body;
    const [match] = (await sys.call('/api/identity/held-matches', { token })).body.matches;
    const confirmed = await sys.call('/api/identity/held-matches/decide', {
      token,
      body: { matchId: match.matchId, decision: 'confirm' },
    });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    const after = (await sys.call('/api/me', { token })).body;
    expect([before.displayName, after.displayName]).toEqual([null, greeting]);
  });
});
