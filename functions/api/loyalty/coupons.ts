import { WalletResponse } from '../../../shared/contracts/loyalty.js';
import { walletOf } from '../../app/loyalty/wallet.js';
import { endpoint, failure, fromResult } from '../../http/endpoint.js';

/** The member's coupon wallet: available, used and expired coupons, each with its rules and barcode. */
export default endpoint({ method: 'GET', auth: 'member', action: 'loyalty.wallet_read' }, async ({ deps, actor }) => {
  if (actor.kind !== 'member') return failure('FORBIDDEN');
  return fromResult(await walletOf(deps.database.db, actor.customerId, deps.clock.now()), WalletResponse);
});
