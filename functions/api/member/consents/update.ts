import { ConsentsResponse, UpdateConsentsBody } from '../../../../shared/contracts/onboarding.js';
import { updateConsents } from '../../../app/members/consents.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

export default endpoint(
  { method: 'POST', auth: 'member', action: 'member.consents_update', body: UpdateConsentsBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'member') return failure('FORBIDDEN');
    return fromResult(await updateConsents(deps, actor, body, requestId), ConsentsResponse);
  },
);
