import type { StaffProfile } from '@shared/contracts/auth';
import { platform } from '../platform';
import { authApi } from './auth.api';
import { clearSession, getSession, saveSession } from './session';

export const hasStaffSession = (): boolean => getSession('staff') !== null;

/** Logs in with WeChat; rejects with ApiError STAFF_NOT_BOUND when this WeChat user has no staff record yet. */
export async function staffLogin(): Promise<StaffProfile> {
  const { code } = await platform.login();
  const res = await authApi.staffLogin(code);
  saveSession('staff', res);
  return res.staff;
}

/** First login: proves the invited phone. A fresh login code is needed because the first one was consumed. */
export async function staffBind(phoneCode: string): Promise<StaffProfile> {
  const { code } = await platform.login();
  const res = await authApi.staffBind(code, phoneCode);
  saveSession('staff', res);
  return res.staff;
}

export const loadStaffProfile = (): Promise<StaffProfile> => authApi.staffMe();

export function staffLogout(): void {
  clearSession('staff');
}
