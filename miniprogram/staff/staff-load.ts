/**
 * How every staff page loads: to the login page without a session, or when the server says the session is over
 * (the stored tokens are dropped first); else the page's data, or the error in words for the page's error card.
 */
import Taro from '@tarojs/taro';
import { describeError, type ErrorView } from '../components/describe-error';
import { isSessionError } from '../services/api-error';
import { hasStaffSession, staffLogout } from '../services/staff';

export const STAFF_LOGIN = '/staff/pages/login/index';

/** The session is over: forget it and go to the login page. */
export function leaveStaffSession(): void {
  staffLogout();
  Taro.redirectTo({ url: STAFF_LOGIN });
}

export function loadForStaff<T>(
  fetch: () => Promise<T>,
  ready: (value: T) => void,
  failed: (error: ErrorView) => void,
) {
  if (!hasStaffSession()) {
    Taro.redirectTo({ url: STAFF_LOGIN });
    return;
  }
  fetch()
    .then(ready)
    .catch((error: unknown) => {
      if (isSessionError(error)) leaveStaffSession();
      else failed(describeError(error));
    });
}
