/**
 * Text PostgreSQL cannot keep (a NUL, an unpaired UTF-16 surrogate) is refused where it arrives: every endpoint
 * answers 400 VALIDATION_FAILED naming the field, before anything is written; a partner's batch refuses only the
 * record or order holding it, quarantined with the text replaced, while the rest lands.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRouteFiles } from '../../../dev/routes.js';
import { loadHandlers } from '../../../dev/server.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { ingest, ingestOrders, signedPost } from '../identity/helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const routes = listRouteFiles();
const handlers = await loadHandlers(routes);
const definitionOf = (file: string) =>
  (
    handlers.get(file) as unknown as {
      definition: { method: string; auth: string; query?: unknown; itemsJudgedAlone?: string };
    }
  ).definition;

describe('every endpoint', () => {
  it.each(routes.map((r) => [r.pattern, r.file] as const))(
    '%s refuses a NUL or a broken character',
    async (pattern, file) => {
      const def = definitionOf(file);
      const path = pattern.replace(/\[\.\.\.\w+\]/g, 'x/y').replace(/\[\w+\]/g, 'bad-id');
      if (def.method === 'GET') {
        const res = await sys.call(`${path}?cursor=a%00b&storeId=sto_001`, { method: 'GET' });
        // an endpoint without query parameters reads none: it answers as it would without them
        if (!def.query) return void expect(res.status, `GET ${path}`).toBeLessThan(500);
        expect(res.status, `GET ${path}`).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
        expect(res.body.error.details.issues[0].path).toBe('query.cursor');
        return;
      }
      for (const [value, what] of [
        ['a\u0000b', 'NUL'],
        ['a\ud800b', 'lone surrogate'],
      ]) {
        const payload = def.itemsJudgedAlone
          ? { [def.itemsJudgedAlone]: [{}], note: value }
          : { idempotencyKey: 'k-unstorable-1', name: value };
        const res =
          def.auth === 'partner'
            ? await signedPost(sys, path, payload, 'key_pos_hz001')
            : await sys.call(path, { method: def.method, body: payload });
        expect(res.status, `${def.method} ${path} ${what}`).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.details.issues[0].path).toBe(def.itemsJudgedAlone ? 'body.note' : 'body.name');
      }
    },
  );
});

describe('a partner batch', () => {
  it('refuses only the record holding such text, quarantined with it replaced; the rest lands', async () => {
    const res = await ingest(sys, [
      { sourceId: '7790000001', name: '钱\u0000多多', phone: '13957117001', storeCode: 'HZ001' },
      { sourceId: '7790\ud800002', name: '孙多多', phone: '13957117002', storeCode: 'HZ001' },
      { sourceId: '7790000003', name: '李多多', phone: '13957117003', storeCode: 'HZ001' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['rejected', 'rejected', 'created']);
    expect(res.body.results[0]).toMatchObject({ code: 'invalid_field' });
    expect(res.body.results[0]).toMatchObject({ params: { field: 'name', issue: 'unstorable_text' } });
    expect(res.body.results[0].reason).toBe('name: holds a NUL character or a broken Unicode character');
    const kept = await sys.database.exec(
      `select source_id, payload->>'name' as name from ingest_quarantine where kind = 'record' order by source_id`,
    );
    expect(kept).toEqual([
      { source_id: '7790000001', name: '钱\uFFFD多多' },
      { source_id: '7790\uFFFD002', name: '孙多多' },
    ]);
    expect(await sys.database.exec(`select source_id from source_records where source_id like '7790%'`)).toEqual([
      { source_id: '7790000003' },
    ]);
  });

  it('refuses only the order holding such text', async () => {
    const order = (externalId: string, sku: string) => ({
      externalId,
      orderedAt: sys.clock.now().toISOString(),
      totalFen: 1700,
      discountFen: 0,
      paidFen: 1700,
      lines: [{ sku, quantity: 1, unitPriceFen: 1700, amountFen: 1700 }],
    });
    const res = await ingestOrders(sys, [order('UT-0001', 'MD10\u00000001'), order('UT-0002', 'MD100001')]);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['rejected', 'created']);
    expect(
      await sys.database.exec(`select source_id, payload->'lines'->0->>'sku' as sku from ingest_quarantine
        where kind = 'order'`),
    ).toEqual([{ source_id: 'UT-0001', sku: 'MD10\uFFFD0001' }]);
  });
});

describe('a body nested too deep', () => {
  const nested = (depth: number): unknown => {
    let v: unknown = 'x';
    for (let i = 0; i < depth; i++) v = [v];
    return v;
  };
  it.each(routes.filter((r) => definitionOf(r.file).method !== 'GET').map((r) => [r.pattern, r.file] as const))(
    '%s refuses it before walking it',
    async (pattern, file) => {
      const def = definitionOf(file);
      const path = pattern.replace(/\[\.\.\.\w+\]/g, 'x/y').replace(/\[\w+\]/g, 'bad-id');
      const payload = { idempotencyKey: 'k-deep-1', name: nested(40) };
      const res =
        def.auth === 'partner'
          ? await signedPost(sys, path, payload, 'key_pos_hz001')
          : await sys.call(path, { method: def.method, body: payload });
      expect(res.status, `${def.method} ${path}`).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    },
  );
  it('a 250 KB body of brackets is a 400, not a stack overflow', async () => {
    const depth = 120_000;
    const res = await sys.call('/api/auth/wx-login', { raw: `${'['.repeat(depth)}${']'.repeat(depth)}` });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });
});
