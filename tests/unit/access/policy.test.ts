import { describe, expect, it } from 'vitest';
import { ACTIONS, type Action, decide } from '../../../shared/access/policy.js';
import { actor, POLICY_CASES, type PolicyCase, WHO } from './policy-cases.js';

const casesOf = (action: Action): PolicyCase[] => {
  const c = (POLICY_CASES as Record<string, PolicyCase | PolicyCase[]>)[action];
  return Array.isArray(c) ? c : [c];
};

describe('access policy', () => {
  it('has cases for every action and every caller', () => {
    expect(Object.keys(POLICY_CASES).sort()).toEqual([...ACTIONS].sort());
    for (const action of ACTIONS) {
      for (const c of casesOf(action)) expect(Object.keys(c.expect).sort()).toEqual([...WHO].sort());
    }
  });

  for (const action of ACTIONS) {
    casesOf(action).forEach((c, i) => {
      it.each(WHO)(`${action} #${i + 1} (${c.resource.kind}) for %s`, (who) => {
        expect(decide(actor(who), action, c.resource)).toBe(c.expect[who]);
      });
    });
  }

  it('denies an action missing from the table', () => {
    expect(
      decide({ kind: 'staff', staffId: 's', role: 'hq_admin', storeId: null, regionId: null }, 'no.such' as Action),
    ).toBe('deny');
  });
});
