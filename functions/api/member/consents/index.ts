import { ConsentsResponse } from '../../../../shared/contracts/onboarding.js';
import { readConsents } from '../../../app/members/consents.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

export default endpoint({ method: 'GET', auth: 'member', action: 'member.consents_read' }, async ({ deps, actor }) => {
  if (actor.kind !== 'member') return failure('FORBIDDEN');
  return fromResult(await readConsents(deps, actor), ConsentsResponse);
});
