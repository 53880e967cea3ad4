/**
 * How every staff page loads: to the login page without a session, or when the server says the session is over
 * (the stored tokens are dropped first); else the page's data, or the error in words for the page's error card.
 */
import Taro from '@tarojs/taro';
import { describeError, type ErrorView } from '../components/describe-error';
import { type ApiErrorCode, isApiError, isSessionError } from '../services/api-error';
import { hasStaffSession, staffLogout } from '../services/staff';

export const STAFF_LOGIN = '/staff/pages/login/index';
export const STAFF_HOME = '/staff/pages/home/index';

/** A staff page's load failure: the words for its error card, and the API's code (null when none answered). */
export interface StaffLoadError extends ErrorView {
  code: ApiErrorCode | null;
}

export const staffLoadError = (error: unknown): StaffLoadError => ({
  ...describeError(error),
  code: isApiError(error) ? error.code : null,
});

/**
 * The session is over: forget it and go to the login page, which says so and, once logged in again, comes back to
 * this page (its path only: a page's query may carry what should not outlive the session).
 */
export function leaveStaffSession(): void {
  staffLogout();
  const here = (Taro.getCurrentInstance().router?.path ?? '').split('?')[0];
  const back = here.startsWith('/staff/pages/') && here !== STAFF_LOGIN ? `&back=${encodeURIComponent(here)}` : '';
  Taro.redirectTo({ url: `${STAFF_LOGIN}?expired=1${back}` });
}

/** Where the login page goes once logged in: the page a lapsed session left (a staff page), else the home. */
export function afterStaffLogin(back: string | undefined): string {
  const path = back ? decodeURIComponent(back) : '';
  return /^\/staff\/pages\/[a-z-]+\/index$/.test(path) && path !== STAFF_LOGIN ? path : STAFF_HOME;
}

export function loadForStaff<T>(
  fetch: () => Promise<T>,
  ready: (value: T) => void,
  failed: (error: StaffLoadError) => void,
) {
  if (!hasStaffSession()) {
    Taro.redirectTo({ url: STAFF_LOGIN });
    return;
  }
  fetch()
    .then(ready)
    .catch((error: unknown) => {
      if (isSessionError(error)) leaveStaffSession();
      else failed(staffLoadError(error));
    });
}
