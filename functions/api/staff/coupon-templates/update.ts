import { CouponTemplateView, UpdateCouponTemplateBody } from '../../../../shared/contracts/loyalty.js';
import { templateResourceByCode, updateTemplate } from '../../../app/coupons/manage-templates.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/**
 * Edits a template: name, description, stock, per-member limit, end of validity any time before it ends; the
 * discount rule only until the first coupon is issued. Only the fields sent change; a repeat changes nothing.
 */
export default endpoint(
  {
    method: 'POST',
    auth: 'staff',
    action: 'coupon.template_update',
    body: UpdateCouponTemplateBody,
    resource: ({ deps, body }) => templateResourceByCode(deps, body.templateCode),
  },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(
      await updateTemplate(deps.database.db, actor, body, { requestId, now: deps.clock.now() }),
      CouponTemplateView,
    );
  },
);
