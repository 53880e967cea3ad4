import { CouponTemplateList } from '../../../../shared/contracts/loyalty.js';
import { listTemplates } from '../../../app/coupons/staff-coupons.js';
import { endpoint, failure, json } from '../../../http/endpoint.js';

/** Coupon templates the caller may see (chain-wide ones and those of the stores in their scope), and what the
 * create form may offer them. */
export default endpoint({ method: 'GET', auth: 'staff', action: 'coupon.template_list' }, async ({ deps, actor }) => {
  if (actor.kind !== 'staff') return failure('FORBIDDEN');
  return json(200, CouponTemplateList, await listTemplates(deps.database.db, actor, deps.clock.now()));
});
