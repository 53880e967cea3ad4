/**
 * Every action × every kind of caller, joined from one case file per context (cases/<context>.cases.ts).
 * `satisfies Record<Action, …>` makes a new action without cases a type error; the test also checks it.
 */
import type { Action } from '../../../shared/access/policy.js';
import type { PolicyCase } from './cases/helpers.js';
import { SYSTEM_CASES } from './cases/system.cases.js';

export * from './cases/helpers.js';

export const POLICY_CASES = {
  ...SYSTEM_CASES,
} satisfies Record<Action, PolicyCase | PolicyCase[]>;
