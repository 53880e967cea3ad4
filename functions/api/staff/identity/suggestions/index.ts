import { SuggestionsQuery, SuggestionsResponse } from '../../../../../shared/contracts/identity.js';
import { listSuggestions, suggestionScope } from '../../../../app/identity/review.js';
import { storeResource } from '../../../../app/onboarding/store-resource.js';
import { endpoint, failure, json } from '../../../../http/endpoint.js';

/** Open merge suggestions (same name, birthday and district) with both records side by side, in the caller's scope. */
export default endpoint(
  {
    method: 'GET',
    auth: 'staff',
    action: 'identity.suggestions_list',
    query: SuggestionsQuery,
    resource: ({ deps, query }) => (query.storeId ? storeResource(deps, query.storeId) : { kind: 'none' }),
  },
  async ({ deps, actor, query }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return json(
      200,
      SuggestionsResponse,
      await listSuggestions(deps, await suggestionScope(deps, actor, query.storeId)),
    );
  },
);
