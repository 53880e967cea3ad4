import { PurgeMemberCodesResponse } from '../../../shared/contracts/onboarding.js';
import { endpoint, json } from '../../http/endpoint.js';
import { purgeExpiredMemberCodes } from '../../jobs/purge-member-codes.js';

/** Vercel cron (vercel.json "crons"): GET with `Authorization: Bearer $CRON_SECRET`. */
export default endpoint({ method: 'GET', auth: 'cron', action: 'jobs.purge_member_codes' }, async ({ deps }) =>
  json(200, PurgeMemberCodesResponse, await purgeExpiredMemberCodes(deps)),
);
