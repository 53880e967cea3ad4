/**
 * The one access policy: `(actor, action, resource) → allow | mask | deny`.
 * Every endpoint declares its action; the endpoint wrapper asks `decide` before the handler runs, so no
 * handler decides on its own. Each context keeps its rules in rules/<context>.rules.ts; this file joins
 * them. Pure: no I/O, so the whole matrix is tested as a table (tests/unit/access).
 */
import type { Actor, Decision, Resource, Rule } from './actor.js';
import { IDENTITY_RULES } from './rules/identity.rules.js';
import { LOYALTY_RULES } from './rules/loyalty.rules.js';
import { ONBOARDING_RULES } from './rules/onboarding.rules.js';
import { SYSTEM_RULES } from './rules/system.rules.js';

export * from './actor.js';

export const POLICY = {
  ...SYSTEM_RULES,
  ...LOYALTY_RULES,
  ...ONBOARDING_RULES,
  ...IDENTITY_RULES,
} as const satisfies Record<string, Rule>;

export type Action = keyof typeof POLICY;
export const ACTIONS = Object.keys(POLICY) as Action[];

export function decide(actor: Actor, action: Action, resource: Resource = { kind: 'none' }): Decision {
  const rule: Rule | undefined = (POLICY as Record<string, Rule>)[action];
  // an action missing from the table is denied, never allowed by accident
  return rule ? rule(actor, resource) : 'deny';
}
