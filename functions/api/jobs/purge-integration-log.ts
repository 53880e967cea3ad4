import { PurgeIntegrationLogResponse } from '../../../shared/contracts/identity.js';
import { endpoint, json } from '../../http/endpoint.js';
import { purgeIntegrationLog } from '../../jobs/purge-integration-log.js';

/** Vercel cron (vercel.json "crons"): GET with `Authorization: Bearer $CRON_SECRET`, nightly. */
export default endpoint({ method: 'GET', auth: 'cron', action: 'jobs.purge_integration_log' }, async ({ deps }) =>
  json(200, PurgeIntegrationLogResponse, await purgeIntegrationLog(deps)),
);
