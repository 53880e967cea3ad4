import { VerifyPhoneBody, VerifyPhoneResponse } from '../../../shared/contracts/onboarding.js';
import { verifySignupPhone } from '../../app/onboarding/sign-up.js';
import { endpoint, failure, fromResult } from '../../http/endpoint.js';

/** The phone button's code → the verified phone (traded once; a retry with the same code is answered from the first). */
export default endpoint(
  { method: 'POST', auth: 'member', action: 'signup.verify_phone', body: VerifyPhoneBody },
  async ({ deps, actor, body }) => {
    if (actor.kind !== 'member') return failure('FORBIDDEN');
    return fromResult(await verifySignupPhone(deps, actor, body.phoneCode), VerifyPhoneResponse);
  },
);
