import { SuggestionDecideBody, SuggestionDecideResponse } from '../../../../../shared/contracts/identity.js';
import { decideSuggestion, suggestionResource } from '../../../../app/identity/review.js';
import { endpoint, failure, fromResult } from '../../../../http/endpoint.js';

export default endpoint(
  {
    method: 'POST',
    auth: 'staff',
    action: 'identity.suggestion_decide',
    body: SuggestionDecideBody,
    resource: ({ deps, body }) => suggestionResource(deps, body.id),
  },
  async ({ deps, actor, body, requestId }) => {
    if (actor.kind !== 'staff') return failure('FORBIDDEN');
    return fromResult(
      await decideSuggestion(deps, { id: body.id, decision: body.decision, staffId: actor.staffId, requestId }),
      SuggestionDecideResponse,
    );
  },
);
