import { IssueCouponsBody, IssueCouponsResponse } from '../../../../shared/contracts/loyalty.js';
import { issueToCustomers } from '../../../app/coupons/staff-coupons.js';
import { endpoint, fromResult } from '../../../http/endpoint.js';

/**
 * Issues a template to one member or a list: a template the caller may issue by hand (manualIssueRefusal), each
 * recipient checked against the caller's scope.
 */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'coupon.issue', body: IssueCouponsBody },
  async ({ deps, actor, body, requestId }) =>
    fromResult(
      await issueToCustomers(deps.database.db, actor, body, { requestId, now: deps.clock.now() }),
      IssueCouponsResponse,
    ),
);
