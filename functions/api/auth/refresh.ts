import { RefreshBody, SessionTokens } from '../../../shared/contracts/auth.js';
import { refreshSession } from '../../app/auth/refresh.js';
import { endpoint, fromResult } from '../../http/endpoint.js';

export default endpoint(
  { method: 'POST', auth: 'none', action: 'auth.refresh', body: RefreshBody },
  async ({ deps, body }) => fromResult(await refreshSession(deps, body.refreshToken), SessionTokens),
);
