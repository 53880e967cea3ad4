import { NewMemberOfferResponse } from '../../../shared/contracts/loyalty.js';
import { newMemberOffer } from '../../app/coupons/new-member-offer.js';
import { endpoint, json } from '../../http/endpoint.js';

/**
 * The new-member coupon sign-up gives this caller right now, or null (paused, ended, sold out, or had already under
 * an account closed on this WeChat): what the pages may promise.
 */
export default endpoint(
  { method: 'GET', auth: 'member', action: 'loyalty.new_member_offer' },
  async ({ deps, actor }) =>
    json(
      200,
      NewMemberOfferResponse,
      await newMemberOffer(
        deps.database.db,
        deps.clock.now(),
        actor.kind === 'member' ? { openid: actor.openid, secret: deps.env.JWT_SECRET } : null,
      ),
    ),
);
