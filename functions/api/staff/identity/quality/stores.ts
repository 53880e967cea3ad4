import { StoreQualityResponse } from '../../../../../shared/contracts/identity.js';
import { storeQuality } from '../../../../app/identity/quality.js';
import { endpoint, failure, json } from '../../../../http/endpoint.js';

/** 会员资料质量: the latest report's POS lines of the caller's store or region (store manager and up). */
export default endpoint(
  { method: 'GET', auth: 'staff', action: 'identity.quality_stores_read' },
  async ({ deps, actor }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return json(200, StoreQualityResponse, await storeQuality(deps, actor));
  },
);
