import type { MeResponse } from '@shared/contracts/auth';
import { platform } from '../platform';
import { isSessionError } from './api-error';
import { authApi } from './auth.api';
import { clearSession, getSession, saveSession } from './session';

/** WeChat login → session → profile. A stored session is reused; a dead one is replaced by a fresh login. */
export async function loadMember(): Promise<MeResponse> {
  if (getSession('member')) {
    try {
      return await authApi.me();
    } catch (error) {
      if (!isSessionError(error)) throw error;
      clearSession('member');
    }
  }
  const { code } = await platform.login();
  saveSession('member', await authApi.wxLogin(code));
  return authApi.me();
}

/** After switching the simulated WeChat user (H5), nobody's session may survive. */
export function forgetAllSessions(): void {
  clearSession('member');
  clearSession('staff');
}
