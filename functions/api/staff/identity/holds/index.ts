import { HeldReviewsResponse, SuggestionsQuery } from '../../../../../shared/contracts/identity.js';
import { listHeldReviews, suggestionScope } from '../../../../app/identity/review.js';
import { storeResource } from '../../../../app/onboarding/store-resource.js';
import { endpoint, failure, json } from '../../../../http/endpoint.js';

/** Open held cards (a shared phone the linker would not decide alone) in the caller's scope, beside their candidate. */
export default endpoint(
  {
    method: 'GET',
    auth: 'staff',
    action: 'identity.holds_list',
    query: SuggestionsQuery,
    resource: ({ deps, query }) => (query.storeId ? storeResource(deps, query.storeId) : { kind: 'none' }),
  },
  async ({ deps, actor, query }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return json(
      200,
      HeldReviewsResponse,
      await listHeldReviews(deps, await suggestionScope(deps, actor, query.storeId)),
    );
  },
);
