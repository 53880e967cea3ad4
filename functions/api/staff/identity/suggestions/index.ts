import { SuggestionsQuery, SuggestionsResponse } from '../../../../../shared/contracts/identity.js';
import { listSuggestions, suggestionScope } from '../../../../app/identity/review.js';
import { storeResource } from '../../../../app/onboarding/store-resource.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

/** Open merge suggestions (same name, birthday and district) with both records side by side, in the caller's scope. */
export default endpoint(
  {
    method: 'GET',
    auth: 'staff',
    action: 'identity.suggestions_list',
    query: SuggestionsQuery,
    resource: ({ deps, query }) => (query.storeId ? storeResource(deps, query.storeId) : { kind: 'none' }),
  },
  async ({ deps, actor, query, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    const scope = await suggestionScope(deps, actor, query.storeId);
    if (!scope.ok) return failure(scope.code, scope.message);
    return fromResult(
      await listSuggestions(deps, { storeIds: scope.value, query, staffId: actor.staffId, requestId }),
      SuggestionsResponse,
    );
  },
);
