import { StaffBindBody, StaffLoginResponse } from '../../../shared/contracts/auth.js';
import { staffBind } from '../../app/auth/staff-login.js';
import { endpoint, fromResult } from '../../http/endpoint.js';

export default endpoint(
  { method: 'POST', auth: 'none', action: 'auth.staff_login', body: StaffBindBody },
  async ({ deps, body, requestId }) => fromResult(await staffBind(deps, { ...body, requestId }), StaffLoginResponse),
);
