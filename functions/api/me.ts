import { MeResponse } from '../../shared/contracts/auth.js';
import { readMe } from '../app/auth/member-login.js';
import { endpoint, json } from '../http/endpoint.js';

export default endpoint({ method: 'GET', auth: 'member', action: 'member.self_read' }, async ({ deps, actor }) => {
  const customerId = actor.kind === 'member' ? actor.customerId : null;
  return json(200, MeResponse, await readMe(deps, customerId));
});
