import { StaffLoginBody, StaffLoginResponse } from '../../../shared/contracts/auth.js';
import { staffLogin } from '../../app/auth/staff-login.js';
import { endpoint, fromResult } from '../../http/endpoint.js';

export default endpoint(
  { method: 'POST', auth: 'none', action: 'auth.staff_login', body: StaffLoginBody },
  async ({ deps, body }) => fromResult(await staffLogin(deps, body.code), StaffLoginResponse),
);
