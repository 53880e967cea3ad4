import { describe, expect, it } from 'vitest';
import { ACTIONS, type Action, decide, type Resource } from '../../../shared/access/policy.js';
import { actor, POLICY_CASES, WHO } from './policy-cases.js';

describe('access policy', () => {
  it('has a case for every action and every caller', () => {
    expect(Object.keys(POLICY_CASES).sort()).toEqual([...ACTIONS].sort());
    for (const c of Object.values(POLICY_CASES)) expect(Object.keys(c.expect).sort()).toEqual([...WHO].sort());
  });

  for (const action of ACTIONS) {
    const c = POLICY_CASES[action];
    it.each(WHO)(`${action} for %s`, (who) => {
      expect(decide(actor(who), action, c.resource as Resource)).toBe(c.expect[who]);
    });
  }

  it('denies an action missing from the table', () => {
    expect(
      decide({ kind: 'staff', staffId: 's', role: 'hq_admin', storeId: null, regionId: null }, 'no.such' as Action),
    ).toBe('deny');
  });
});
