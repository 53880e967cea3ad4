import { CreateSignupCodeBody, SignupCode } from '../../../../shared/contracts/onboarding.js';
import { createSignupCode } from '../../../app/onboarding/signup-codes.js';
import { storeResource } from '../../../app/onboarding/store-resource.js';
import { endpoint, failure, json } from '../../../http/endpoint.js';

/** Generates a store's (or a clerk's) sign-up code once; asking again returns the stored one (200 instead of 201). */
export default endpoint(
  {
    method: 'POST',
    auth: 'staff',
    action: 'staff.signup_code_create',
    body: CreateSignupCodeBody,
    resource: ({ deps, body }) => storeResource(deps, body.storeId),
  },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    const result = await createSignupCode(deps, actor, { ...body, requestId });
    if (!result.ok) return failure(result.code, result.message);
    return json(result.value.created ? 201 : 200, SignupCode, result.value.code);
  },
);
