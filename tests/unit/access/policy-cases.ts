/**
 * Every action × every kind of caller, joined from one case file per context (cases/<context>.cases.ts).
 * `satisfies Record<Action, …>` makes a new action without cases a type error; the test also checks it.
 */
import type { Action } from '../../../shared/access/policy.js';
import type { PolicyCase } from './cases/helpers.js';
import { IDENTITY_CASES } from './cases/identity.cases.js';
import { LOYALTY_CASES } from './cases/loyalty.cases.js';
import { ONBOARDING_CASES } from './cases/onboarding.cases.js';
import { SYSTEM_CASES } from './cases/system.cases.js';

export * from './cases/helpers.js';

export const POLICY_CASES = {
  ...SYSTEM_CASES,
  ...LOYALTY_CASES,
  ...ONBOARDING_CASES,
  ...IDENTITY_CASES,
} satisfies Record<Action, PolicyCase | PolicyCase[]>;
