import { HeldReviewsResponse, SuggestionsQuery } from '../../../../../shared/contracts/identity.js';
import { listHeldReviews, suggestionScope } from '../../../../app/identity/review.js';
import { storeResource } from '../../../../app/onboarding/store-resource.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/** Open held cards (a shared phone the linker would not decide alone) in the caller's scope, beside their candidate. */
export default endpoint(
  {
    method: 'GET',
    auth: 'staff',
    action: 'identity.holds_list',
    query: SuggestionsQuery,
    resource: ({ deps, query }) => (query.storeId ? storeResource(deps, query.storeId) : { kind: 'none' }),
  },
  async ({ deps, actor, query, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    const scope = await suggestionScope(deps, actor, query.storeId);
    if (!scope.ok) return failure(scope.code, scope.message);
    return fromResult(
      await listHeldReviews(deps, { storeIds: scope.value, query, staffId: actor.staffId, requestId }),
      HeldReviewsResponse,
    );
  },
);
