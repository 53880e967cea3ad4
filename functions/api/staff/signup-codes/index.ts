import { SignupCodesQuery, SignupCodesResponse } from '../../../../shared/contracts/onboarding.js';
import { listSignupCodes } from '../../../app/onboarding/signup-codes.js';
import { storeResource } from '../../../app/onboarding/store-resource.js';
import { endpoint, failure, fromResult } from '../../../http/endpoint.js';

export default endpoint(
  {
    method: 'GET',
    auth: 'staff',
    action: 'staff.signup_codes_read',
    query: SignupCodesQuery,
    resource: ({ deps, query }) => storeResource(deps, query.storeId),
  },
  async ({ deps, actor, query }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(await listSignupCodes(deps, actor, query.storeId), SignupCodesResponse);
  },
);
