import { QualityRefreshBody, QualityRefreshResponse } from '../../../../../shared/contracts/identity.js';
import { refreshQuality } from '../../../../app/identity/quality.js';
import { endpoint, failure, json } from '../../../../http/endpoint.js';

/** Computes a new data-quality report, or returns the one computed in the last minute (HQ). */
export default endpoint(
  { method: 'POST', auth: 'staff', action: 'identity.quality_refresh', body: QualityRefreshBody },
  async ({ deps, actor }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return json(200, QualityRefreshResponse, await refreshQuality(deps, actor.staffId));
  },
);
