/**
 * 隔离的异常数据: HQ reads what partners sent that could not be taken in, with the reason, a page at a time, and
 * marks each item handled; nobody below HQ reads it, and every read is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';
import { ingest, ingestOrders } from './helpers.js';

let sys: TestSystem;
let hq: string;
beforeAll(async () => {
  sys = await startTestSystem();
  hq = await staffToken(sys, 'u_hq01');
});
afterAll(async () => sys?.close());

describe('the quarantine for HQ', () => {
  it('lists the records and orders that could not be taken in, newest first, with the reason', async () => {
    await ingest(sys, [{ sourceId: 'QA001', shoeSize: 42 }]);
    sys.clock.advance(1000);
    await ingestOrders(
      sys,
      [
        {
          externalId: 'TMQ1',
          orderedAt: '2026-11-20 10:00',
          lines: [{ sku: 'MD100001', quantity: 0, unitPrice: '1' }],
        },
      ],
      'key_mall',
    );
    const res = await sys.call('/api/staff/identity/quarantine', { token: hq });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      open: 2,
      nextCursor: null,
      items: [
        {
          source: 'mall',
          kind: 'order',
          sourceId: 'TMQ1',
          keyId: 'key_mall',
          code: 'line_quantity_invalid',
          explanation: '第1行商品的数量应为非零整数（退货为负数），收到“0”',
          reason: 'line 1: quantity must be a whole number other than 0 (negative on a return), got 0',
        },
        {
          source: 'pos',
          kind: 'record',
          sourceId: 'QA001',
          keyId: 'key_pos_hz001',
          code: 'unknown_field',
          explanation: '含有本系统不认识的字段 shoeSize',
          reason: 'unknown field shoeSize',
        },
      ],
    });
    const mall = await sys.call('/api/staff/identity/quarantine?source=mall', { token: hq });
    expect(mall.body.items.map((i: { sourceId: string }) => i.sourceId)).toEqual(['TMQ1']);
    expect(mall.body.open).toBe(1);
  });

  it('pages with the cursor it gives, and audits each page', async () => {
    const first = await sys.call('/api/staff/identity/quarantine?limit=1', { token: hq });
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await sys.call(
      `/api/staff/identity/quarantine?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      { token: hq },
    );
    expect(second.body.items[0].sourceId).toBe('QA001');
    expect(second.body.nextCursor).toBeNull();
    const audits = await sys.database.exec(
      "select actor_id, details from audit_log where action = 'identity.quarantine_read' order by id",
    );
    expect(audits.length).toBeGreaterThanOrEqual(4);
    expect(audits.at(-1)).toMatchObject({ actor_id: 'stf_hq01', details: { items: [second.body.items[0].id] } });
    const bad = await sys.call('/api/staff/identity/quarantine?cursor=nonsense', { token: hq });
    expect(bad.status).toBe(400);
  });

  it('marks an item handled: it leaves the list and the health page count', async () => {
    const list = await sys.call('/api/staff/identity/quarantine', { token: hq });
    const id = list.body.items[0].id;
    const done = await sys.call('/api/staff/identity/quarantine/resolve', { token: hq, body: { id } });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ id, resolvedAt: sys.clock.now().toISOString() });
    const after = await sys.call('/api/staff/identity/quarantine', { token: hq });
    expect(after.body.open).toBe(1);
    expect(after.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    const health = await sys.call('/api/staff/identity/health', { token: hq });
    expect(health.body.quarantined).toBe(1);
    const missing = await sys.call('/api/staff/identity/quarantine/resolve', { token: hq, body: { id: 'qua_nope' } });
    expect(missing.status).toBe(404);
  });

  it('is HQ only', async () => {
    for (const staff of ['u_sm01', 'u_rm01', 'u_ck01']) {
      const token = await staffToken(sys, staff);
      expect((await sys.call('/api/staff/identity/quarantine', { token })).status).toBe(403);
      const resolve = await sys.call('/api/staff/identity/quarantine/resolve', { token, body: { id: 'x' } });
      expect(resolve.status).toBe(403);
    }
  });
});
