import { CouponTemplateStatusBody, CouponTemplateView } from '../../../../shared/contracts/loyalty.js';
import { changeTemplateStatus, templateResourceByCode } from '../../../app/coupons/manage-templates.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

/**
 * 暂停发放 / 恢复发放 / 结束活动 (`pause`, `resume`, `end`): a paused or ended template issues nothing (sign-up's
 * new-member coupon included); coupons already issued stay valid. Ended is final; a repeat changes nothing.
 */
export default endpoint(
  {
    method: 'POST',
    auth: 'staff',
    action: 'coupon.template_status',
    body: CouponTemplateStatusBody,
    resource: ({ deps, body }) => templateResourceByCode(deps, body.templateCode),
  },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(
      await changeTemplateStatus(deps.database.db, actor, body, { requestId, now: deps.clock.now() }),
      CouponTemplateView,
    );
  },
);
