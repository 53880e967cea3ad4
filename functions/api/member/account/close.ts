import { CloseAccountBody, CloseAccountResponse } from '../../../../shared/contracts/onboarding.js';
import { closeAccount } from '../../../app/members/close-account.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/** 注销会员: erases the member's personal data and ends their sessions (functions/app/members/close-account.ts). */
export default endpoint(
  { method: 'POST', auth: 'member', action: 'member.account_close', body: CloseAccountBody },
  async ({ deps, actor, requestId }) => {
    if (actor.kind !== 'member') return failure('FORBIDDEN');
    return fromResult(await closeAccount(deps, actor, requestId), CloseAccountResponse);
  },
);
