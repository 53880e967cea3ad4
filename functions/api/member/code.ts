import { MemberCodeResponse } from '../../../shared/contracts/onboarding.js';
import { memberCodeForCaller } from '../../app/members/member-code-issue.js';
import { endpoint, failure, fromResult } from '../../http/endpoint.js';

/** A fresh short-lived member code (QR + Code128 as PNG data URLs); the page asks again every refreshAfterSeconds. */
export default endpoint({ method: 'GET', auth: 'member', action: 'member.code_issue' }, async ({ deps, actor }) => {
  if (actor.kind !== 'member') return failure('FORBIDDEN');
  return fromResult(await memberCodeForCaller(deps, actor), MemberCodeResponse);
});
