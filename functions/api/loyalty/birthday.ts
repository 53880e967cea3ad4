import { SetBirthdayBody, SetBirthdayResponse } from '../../../shared/contracts/loyalty.js';
import { setBirthday } from '../../app/loyalty/wallet.js';
import { endpoint, failure, fromResult } from '../../http/endpoint.js';

/** Sets the member's birthday (optional; for the birthday coupon, issued once a year in the birthday month). */
export default endpoint(
  { method: 'POST', auth: 'member', action: 'loyalty.birthday_update', body: SetBirthdayBody },
  async ({ deps, actor, body }) => {
    if (actor.kind !== 'member') return failure('FORBIDDEN');
    return fromResult(
      await setBirthday(deps.database.db, actor.customerId, body.birthday, deps.clock.now()),
      SetBirthdayResponse,
    );
  },
);
