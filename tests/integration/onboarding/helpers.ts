/** Shared steps of the onboarding tests: logging in as a simulated WeChat user, a staff session, a sign-up. */
import { DEMO_APPID } from '../../../dev/system.js';
import { CONSENT_PURPOSES, CONSENT_TEXTS } from '../../../shared/onboarding/consent.js';
import type { TestSystem } from '../../support/system.js';

export async function memberToken(sys: TestSystem, userId: string): Promise<string> {
  const res = await sys.call('/api/auth/wx-login', { body: { code: sys.sim.issueLoginCode(DEMO_APPID, userId) } });
  if (res.status !== 200) throw new Error(`login of ${userId} failed: ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

/** A staff session; the first call binds the invited phone. */
export async function staffToken(sys: TestSystem, userId: string): Promise<string> {
  const login = await sys.call('/api/auth/staff-login', { body: { code: sys.sim.issueLoginCode(DEMO_APPID, userId) } });
  if (login.status === 200) return login.body.accessToken;
  const bind = await sys.call('/api/auth/staff-bind', {
    body: { code: sys.sim.issueLoginCode(DEMO_APPID, userId), phoneCode: sys.sim.issuePhoneCode(DEMO_APPID, userId) },
  });
  if (bind.status !== 200) throw new Error(`staff bind of ${userId} failed: ${JSON.stringify(bind.body)}`);
  return bind.body.accessToken;
}

export const consents = (opts: { service?: boolean; marketing?: boolean; health?: boolean } = {}) =>
  CONSENT_PURPOSES.map((purpose) => ({
    purpose,
    granted:
      purpose === 'service' ? (opts.service ?? true) : purpose === 'marketing' ? !!opts.marketing : !!opts.health,
    version: CONSENT_TEXTS[purpose].version,
  }));

export const phoneCode = (sys: TestSystem, userId: string) => sys.sim.issuePhoneCode(DEMO_APPID, userId);

/** The whole member path: login, phone step, sign-up. */
export async function signUpAs(
  sys: TestSystem,
  userId: string,
  scene: string | null,
  choices = consents({ marketing: true, health: true }),
) {
  const token = await memberToken(sys, userId);
  const code = phoneCode(sys, userId);
  const verify = await sys.call('/api/signup/phone', { token, body: { phoneCode: code } });
  const register = await sys.call('/api/signup/register', {
    token,
    body: { scene, phoneCode: code, consents: choices },
  });
  return { token, code, verify, register };
}

export async function countRows(sys: TestSystem, table: string, where = 'true', params: unknown[] = []) {
  const rows = await sys.database.exec(`select count(*)::int as n from ${table} where ${where}`, params);
  return Number(rows[0].n);
}
