import {
  HealthResponse,
  HeldDecideBody,
  HeldDecideResponse,
  HeldMatchesResponse,
  SuggestionDecideBody,
  SuggestionDecideResponse,
  SuggestionsResponse,
} from '@shared/contracts/identity';
import { apiRequest } from './http';

/** Held POS-card matches (member) merge suggestions (store manager and up) and integration health (HQ). Typed by the shared contracts. */
export const identityApi = {
  heldMatches: () =>
    apiRequest({ method: 'GET', path: '/api/identity/held-matches', auth: 'member', schema: HeldMatchesResponse }),
  decideHeld: (matchId: string, decision: 'confirm' | 'decline') =>
    apiRequest({
      method: 'POST',
      path: '/api/identity/held-matches/decide',
      body: HeldDecideBody.parse({ matchId, decision }),
      auth: 'member',
      schema: HeldDecideResponse,
    }),
  suggestions: () =>
    apiRequest({
      method: 'GET',
      path: '/api/staff/identity/suggestions',
      auth: 'staff',
      schema: SuggestionsResponse,
    }),
  decideSuggestion: (id: string, decision: 'confirm' | 'reject') =>
    apiRequest({
      method: 'POST',
      path: '/api/staff/identity/suggestions/decide',
      body: SuggestionDecideBody.parse({ id, decision }),
      auth: 'staff',
      schema: SuggestionDecideResponse,
    }),
  health: () =>
    apiRequest({ method: 'GET', path: '/api/staff/identity/health', auth: 'staff', schema: HealthResponse }),
};
