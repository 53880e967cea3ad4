import { NewMemberOfferResponse } from '../../../shared/contracts/loyalty.js';
import { newMemberOffer } from '../../app/coupons/new-member-offer.js';
import { endpoint, json } from '../../http/endpoint.js';

/** The new-member coupon sign-up gives right now, or null (paused, ended, sold out): what the pages may promise. */
export default endpoint({ method: 'GET', auth: 'member', action: 'loyalty.new_member_offer' }, async ({ deps }) =>
  json(200, NewMemberOfferResponse, await newMemberOffer(deps.database.db, deps.clock.now())),
);
