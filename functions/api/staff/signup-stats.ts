import { SignupStatsQuery, SignupStatsResponse } from '../../../shared/contracts/onboarding.js';
import { readSignupStats } from '../../app/onboarding/signup-stats.js';
import { storeResource } from '../../app/onboarding/store-resource.js';
import { endpoint, failure, fromResult } from '../../http/endpoint.js';

export default endpoint(
  {
    method: 'GET',
    auth: 'staff',
    action: 'staff.signup_stats_read',
    query: SignupStatsQuery,
    resource: ({ deps, query }) => storeResource(deps, query.storeId),
  },
  async ({ deps, actor, query }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await readSignupStats(deps, actor, query), SignupStatsResponse);
  },
);
