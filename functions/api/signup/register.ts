import { SignupBody, SignupResponse } from '../../../shared/contracts/onboarding.js';
import { signUp } from '../../app/onboarding/sign-up.js';
import { endpoint, failure, fromResult } from '../../http/endpoint.js';

export default endpoint(
  { method: 'POST', auth: 'member', action: 'signup.register', body: SignupBody },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'member') return failure('FORBIDDEN');
    return fromResult(await signUp(deps, actor, body, requestId), SignupResponse);
  },
);
