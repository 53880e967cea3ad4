/**
 * Every endpoint the router knows, fed the classic bad inputs: malformed JSON, wrong shapes, unknown
 * fields, a wrong method, hostile query strings. Each must answer a 4xx with an error code, never a 500,
 * whatever the endpoint and whoever wrote it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRouteFiles } from '../../../dev/routes.js';
import { loadHandlers } from '../../../dev/server.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const routes = listRouteFiles();
const handlers = await loadHandlers(routes);
const definitionOf = (file: string) =>
  (handlers.get(file) as unknown as { definition: { method: string; auth: string } }).definition;

const BODIES = [
  '{',
  '[]',
  'null',
  '"text"',
  '{"unexpected_field_x":1}',
  '{"a":{"b":{"c":[1,2,{"d":null}]}}}',
  '\u0000',
];

describe.each(routes.map((r) => [r.pattern, r.file] as const))('%s', (pattern, file) => {
  const def = definitionOf(file);
  const path = pattern.replace(/\[\.\.\.\w+\]/g, 'x/y').replace(/\[\w+\]/g, 'bad-id');

  it('answers bad bodies with a coded 4xx, never a 500', async () => {
    for (const raw of BODIES) {
      const res = await sys.call(path, { method: def.method === 'GET' ? 'POST' : def.method, raw });
      expect(res.status, `${def.method} ${path} body ${JSON.stringify(raw)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${def.method} ${path} body ${JSON.stringify(raw)}`).toBeLessThan(500);
      expect(typeof res.body?.error?.code).toBe('string');
    }
  });

  it('answers a wrong method with 405 and hostile queries with a 4xx or success, never a 500', async () => {
    const wrong = def.method === 'DELETE' ? 'PATCH' : 'DELETE';
    expect((await sys.call(path, { method: wrong })).status).toBe(405);
    const res = await sys.call(`${path}?limit=-1&limit=99999999999&x=%00&__proto__=1&constructor=2`, {
      method: def.method,
      ...(def.method === 'GET' ? {} : { body: {} }),
    });
    expect(res.status, `${def.method} ${path} with a hostile query`).toBeLessThan(500);
  });
});
