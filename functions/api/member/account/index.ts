import { ClosurePreviewResponse } from '../../../../shared/contracts/onboarding.js';
import { previewClosure } from '../../../app/members/close-account.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/** What closing the account would take away (points, coupons) and what stays (purchase records), before confirming. */
export default endpoint(
  { method: 'GET', auth: 'member', action: 'member.closure_preview' },
  async ({ deps, actor }) => {
    if (actor.kind !== 'member') return failure('FORBIDDEN');
    return fromResult(await previewClosure(deps, actor), ClosurePreviewResponse);
  },
);
