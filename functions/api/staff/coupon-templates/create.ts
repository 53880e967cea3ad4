import { CouponTemplateView, CreateCouponTemplateBody } from '../../../../shared/contracts/loyalty.js';
import { createTemplate } from '../../../app/coupons/staff-coupons.js';
import { posStoreResource } from '../../../app/pos/pos-caller.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/** Creates a coupon template: store-scoped (ownerStoreId, store manager and up, in scope) or chain-wide (HQ). */
export default endpoint(
  {
    method: 'POST',
    auth: 'staff',
    action: 'coupon.template_create',
    body: CreateCouponTemplateBody,
    // an unknown owner store is STORE_NOT_FOUND before the policy is asked
    resource: ({ deps, body }) => posStoreResource(deps, body.ownerStoreId),
  },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(
      await createTemplate(deps.database.db, actor, body, { requestId, now: deps.clock.now() }),
      CouponTemplateView,
      201,
    );
  },
);
