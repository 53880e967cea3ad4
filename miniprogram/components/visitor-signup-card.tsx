import { useEffect, useState } from 'react';
import { loyaltyApi } from '../services/loyalty';
import { SignupCard } from './state-view';

/**
 * The headline of the coupon sign-up gives this visitor right now (无门槛减10元), or null: none while the campaign is
 * paused or ended, nor after a closed account on this WeChat or phone had its coupon. Unknown counts as none.
 */
export const newMemberOffer = (): Promise<string | null> =>
  loyaltyApi
    .newMemberOffer()
    .then((r) => r.offer?.headline ?? null)
    .catch(() => null);

/**
 * A member page opened by a visitor: what signing up gives, and the way there. `hint` words it with the new-member
 * coupon's headline, or without it (null) when sign-up gives none, so that no page promises one the home does not.
 */
export function VisitorSignupCard({
  title,
  hint,
  testid,
}: {
  title: string;
  hint: (offer: string | null) => string;
  testid: string;
}) {
  // undefined while asking: the hint waits rather than promising a coupon and then taking it back
  const [offer, setOffer] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    newMemberOffer().then((o) => live && setOffer(o));
    return () => {
      live = false;
    };
  }, []);
  return <SignupCard title={title} hint={offer === undefined ? undefined : hint(offer)} testid={testid} />;
}
