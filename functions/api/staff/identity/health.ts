import { HealthResponse } from '../../../../shared/contracts/identity.js';
import { integrationHealth } from '../../../app/identity/review.js';
import { endpoint, json } from '../../../http/endpoint.js';

/** Per source: last good sync, failures and rejected records in 24 h, lag; open review queues. */
export default endpoint({ method: 'GET', auth: 'staff', action: 'identity.health_read' }, async ({ deps }) =>
  json(200, HealthResponse, await integrationHealth(deps)),
);
