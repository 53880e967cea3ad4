import { describe, expect, it } from 'vitest';
import { listRouteFiles } from '../../../dev/routes.js';
import { loadHandlers } from '../../../dev/server.js';
import { ACTIONS, POLICY } from '../../../shared/access/policy.js';
import { POLICY_CASES } from './policy-cases.js';

describe('every endpoint the router knows', async () => {
  const routes = listRouteFiles();
  const handlers = await loadHandlers(routes);

  it('finds the endpoints', () => {
    expect(routes.map((r) => r.pattern)).toContain('/api/health');
    expect(routes.length).toBe(handlers.size);
  });

  it.each(routes.map((r) => [r.pattern, r.file] as const))(
    '%s declares a policy action with test cases',
    (_p, file) => {
      const handler = handlers.get(file) as { definition?: { action: string; method: string; auth: string } };
      expect(handler.definition, `${file} must be built with endpoint()`).toBeDefined();
      const action = handler.definition!.action;
      expect(ACTIONS).toContain(action);
      expect(POLICY).toHaveProperty(action);
      expect(POLICY_CASES).toHaveProperty(action);
    },
  );
});
