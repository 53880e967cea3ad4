import { QualityResponse } from '../../../../../shared/contracts/identity.js';
import { latestQuality } from '../../../../app/identity/quality.js';
import { endpoint, json } from '../../../../http/endpoint.js';

/** The latest data-quality report per source and the one before it (HQ). */
export default endpoint({ method: 'GET', auth: 'staff', action: 'identity.health_read' }, async ({ deps }) =>
  json(200, QualityResponse, await latestQuality(deps)),
);
