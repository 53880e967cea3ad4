import { QualityRefreshResponse } from '../../../shared/contracts/identity.js';
import { scheduledQuality } from '../../app/identity/quality.js';
import { endpoint, json } from '../../http/endpoint.js';

/**
 * Vercel cron (vercel.json "crons", 03:47 Beijing time): the day's data-quality report, so store and regional
 * managers open 会员资料质量 with last night's figures. GET with `Authorization: Bearer $CRON_SECRET`.
 */
export default endpoint({ method: 'GET', auth: 'cron', action: 'jobs.data_quality' }, async ({ deps }) =>
  json(200, QualityRefreshResponse, await scheduledQuality(deps)),
);
