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
          senderStoreName: null,
          code: 'line_quantity_invalid',
          explanation: '第1行商品的数量应为非零整数（退货为负数），收到“0”',
          reason: 'line 1: quantity must be a whole number other than 0 (negative on a return), got 0',
        },
        {
          source: 'pos',
          kind: 'record',
          sourceId: 'QA001',
          keyId: 'key_pos_hz001',
          // the clerk or HQ reads which store's till sent it, not the key's id
          senderStoreName: '文三路店',
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

describe('an item leaves the quarantine when its source sends it again and it is taken in', () => {
  const open = async (sourceId: string) =>
    sys.database.exec(
      'select code, resolved_at, resolution, resolved_by, payload from ingest_quarantine where source_id = $1 order by created_at',
      [sourceId],
    );

  it('closes a refused record once the same card arrives right, and deletes the refused payload', async () => {
    // QA001 (unknown field shoeSize) is still open from the tests above
    expect((await open('QA001'))[0]).toMatchObject({ resolved_at: null, payload: { shoeSize: 42 } });
    sys.clock.advance(60_000);
    const res = await ingest(sys, [{ sourceId: 'QA001', name: '张三', phone: '13912345678' }]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 1, quarantineClosed: 1 });
    expect(await open('QA001')).toEqual([
      { code: 'unknown_field', resolved_at: expect.anything(), resolution: 'resent', resolved_by: null, payload: null },
    ]);
    const list = await sys.call('/api/staff/identity/quarantine', { token: hq });
    expect(list.body).toMatchObject({ open: 0, items: [], resentLastWeek: 1 });
    // a replay closes nothing more
    expect((await ingest(sys, [{ sourceId: 'QA001', name: '张三', phone: '13912345678' }])).body).toMatchObject({
      unchanged: 1,
      quarantineClosed: 0,
    });
  });

  it('keeps the item HQ marked handled as handled, by whom, without its payload', async () => {
    expect(await open('TMQ1')).toEqual([
      {
        code: 'line_quantity_invalid',
        resolved_at: expect.anything(),
        resolution: 'handled',
        resolved_by: 'stf_hq01',
        payload: null,
      },
    ]);
  });

  it('closes a refused order once the same order number arrives right, from the same source only', async () => {
    const bad = {
      externalId: 'TMQ2',
      orderedAt: '2026-11-20 10:00',
      lines: [{ sku: 'MD100001', quantity: 0, unitPrice: '1' }],
    };
    expect((await ingestOrders(sys, [bad], 'key_mall')).body).toMatchObject({ rejected: 1, quarantineClosed: 0 });
    // another source's order with the same number is another order: the mall's item stays
    const good = { ...bad, lines: [{ sku: 'MD100001', quantity: 1, unitPrice: '1' }] };
    expect((await ingestOrders(sys, [good])).body).toMatchObject({ created: 1, quarantineClosed: 0 });
    expect((await open('TMQ2'))[0]).toMatchObject({ resolved_at: null });
    sys.clock.advance(60_000);
    expect((await ingestOrders(sys, [good], 'key_mall')).body).toMatchObject({ created: 1, quarantineClosed: 1 });
    expect((await open('TMQ2'))[0]).toMatchObject({ resolution: 'resent', payload: null });
  });

  it('leaves an order sent with other contents open even when the first contents come again', async () => {
    const sale = {
      externalId: 'TMQ3',
      orderedAt: '2026-11-20 11:00',
      lines: [{ sku: 'MD100001', quantity: 1, unitPrice: '5' }],
    };
    expect((await ingestOrders(sys, [sale], 'key_mall')).body).toMatchObject({ created: 1 });
    const changed = { ...sale, lines: [{ sku: 'MD100001', quantity: 2, unitPrice: '5' }] };
    expect((await ingestOrders(sys, [changed], 'key_mall')).body.results[0]).toMatchObject({ code: 'order_changed' });
    sys.clock.advance(60_000);
    expect((await ingestOrders(sys, [sale], 'key_mall')).body).toMatchObject({ unchanged: 1, quarantineClosed: 0 });
    expect(await open('TMQ3')).toEqual([expect.objectContaining({ code: 'order_changed', resolved_at: null })]);
  });

  it('leaves open what the same batch refused: a card repeated in it', async () => {
    const res = await ingest(sys, [
      { sourceId: 'QA002', name: '李四' },
      { sourceId: 'QA002', name: '李四四' },
    ]);
    expect(res.body).toMatchObject({ created: 1, rejected: 1, quarantineClosed: 0 });
    expect(await open('QA002')).toEqual([expect.objectContaining({ code: 'source_id_repeated', resolved_at: null })]);
  });

  it('deletes resolved items after 90 days with the nightly job, and keeps open ones', async () => {
    sys.deps.env.CRON_SECRET = 'test-cron-secret-0123456789';
    const night = () =>
      sys.call('/api/jobs/purge-integration-log', { headers: { authorization: 'Bearer test-cron-secret-0123456789' } });
    const [resolved] = await sys.database.exec(
      'select count(*)::int as n from ingest_quarantine where resolved_at is not null',
    );
    expect(resolved.n).toBe(3);
    expect((await night()).body).toMatchObject({ quarantineDeleted: 0 });
    sys.clock.advance(91 * 86_400_000);
    expect((await night()).body).toMatchObject({ quarantineDeleted: 3 });
    const left = await sys.database.exec('select source_id from ingest_quarantine order by source_id');
    expect(left.map((r) => r.source_id)).toEqual(['QA002', 'TMQ3']);
    hq = await staffToken(sys, 'u_hq01');
    const list = await sys.call('/api/staff/identity/quarantine', { token: hq });
    expect(list.body).toMatchObject({ open: 2, resentLastWeek: 0 });
  });
});

describe('a file HQ imports by hand, on the health page', () => {
  it('is not its source’s sync: refused rows count among the day’s refused records, not as a failing till', async () => {
    const pos = async () =>
      (await sys.call('/api/staff/identity/health', { token: hq })).body.sources.find(
        (s: { source: string }) => s.source === 'pos',
      );
    const before = await pos();
    const up = await sys.call('/api/staff/identity/imports/upload', {
      token: hq,
      body: {
        mapping: 'pos-legacy',
        fileName: '旧系统会员.csv',
        content: ['会员卡号,姓名,手机号,门店编号', '6620000001,沈建明,13957119001,ZZ999'].join('\n'),
      },
    });
    expect(up.body.summary).toMatchObject({ rows: 1, rejected: 1 });
    const after = await pos();
    expect(after.rejectedRecords24h).toBe(before.rejectedRecords24h + 1);
    expect({ failures: after.failures24h, calls: after.calls24h, lastError: after.lastError }).toEqual({
      failures: before.failures24h,
      calls: before.calls24h,
      lastError: before.lastError,
    });
  });
});

describe('the same refusal again', () => {
  it('is one open item: a till re-sending a bad record, or a file uploaded again with other line ends', async () => {
    const openFor = async (sourceId: string) =>
      (
        await sys.database.exec(
          'select count(*)::int as n from ingest_quarantine where source_id = $1 and resolved_at is null',
          [sourceId],
        )
      )[0].n;
    await ingest(sys, [{ sourceId: 'QD-1', name: '蒋文', storeCode: 'ZZ998' }]);
    await ingest(sys, [{ sourceId: 'QD-1', name: '蒋文', storeCode: 'ZZ998' }]);
    expect(await openFor('QD-1')).toBe(1);
    // another wrong payload of the same card is another item to look at
    await ingest(sys, [{ sourceId: 'QD-1', name: '蒋文', storeCode: 'ZZ997' }]);
    expect(await openFor('QD-1')).toBe(2);

    const file = (eol: string) => ['会员卡号,姓名,手机号,门店编号', '6620000101,韩梅,13957119101,ZZ999'].join(eol);
    for (const [name, eol] of [
      ['旧系统会员.csv', '\n'],
      ['旧系统会员（Windows）.csv', '\r\n'],
    ]) {
      const up = await sys.call('/api/staff/identity/imports/upload', {
        token: hq,
        body: { mapping: 'pos-legacy', fileName: name, content: file(eol) },
      });
      expect(up.body.summary, name).toMatchObject({ rejected: 1 });
    }
    expect(await openFor('6620000101')).toBe(1);
  });
});
