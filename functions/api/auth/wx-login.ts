import { MemberLoginResponse, WxLoginBody } from '../../../shared/contracts/auth.js';
import { memberLogin } from '../../app/auth/member-login.js';
import { endpoint, json } from '../../http/endpoint.js';

export default endpoint(
  { method: 'POST', auth: 'none', action: 'auth.member_login', body: WxLoginBody },
  async ({ deps, body }) => json(200, MemberLoginResponse, await memberLogin(deps, body.code)),
);
