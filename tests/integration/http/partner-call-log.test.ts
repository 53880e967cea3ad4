/**
 * Every call of a partner system is in the integration log HQ's health page reads: the tills' live calls as well
 * as the batches, with what failed and why, and never what the call carried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { ingest } from '../identity/helpers.js';
import { createMember, giveCoupon, posCall, uniqueKey } from '../loyalty/loyalty-fixtures.js';
import { staffToken } from '../onboarding/helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

async function logSince(id: number) {
  await sys.deps.callLog.flush();
  return sys.database.exec(
    `select id, source, direction, operation, key_id, store_id, status, records, accepted, rejected, error, summary
       from integration_log where id > $1 order by id`,
    [id],
  );
}

async function lastId(): Promise<number> {
  const [r] = await sys.database.exec('select coalesce(max(id), 0)::int as id from integration_log');
  return Number(r.id);
}

describe('the integration log of partner calls', () => {
  it('logs a redemption as ok, a refusal as ok with its code, a bad signature and a bad body as failures', async () => {
    const before = await lastId();
    const m = await createMember(sys.database);
    const c = await giveCoupon(sys, m.customerId, 'NEW_MEMBER');
    const body = { idempotencyKey: uniqueKey(), couponCode: c.code, orderAmountFen: 5800 };
    expect((await posCall(sys, '/api/pos/redeem', body)).status).toBe(200);
    const again = await posCall(sys, '/api/pos/redeem', { ...body, idempotencyKey: uniqueKey() });
    expect(again.body.error.code).toBe('COUPON_USED');
    const forged = await posCall(
      sys,
      '/api/pos/redeem',
      { ...body, idempotencyKey: uniqueKey() },
      { secret: 'x'.repeat(40) },
    );
    expect(forged.status).toBe(401);
    const malformed = await posCall(sys, '/api/pos/redeem', { idempotencyKey: uniqueKey(), orderAmountFen: -1 });
    expect(malformed.status).toBe(400);

    const rows = await logSince(before);
    expect(rows).toMatchObject([
      {
        source: 'pos',
        direction: 'inbound',
        operation: 'pos.redeem',
        key_id: 'key_pos_hz001',
        store_id: 'sto_001',
        status: 'ok',
        accepted: 1,
        rejected: 0,
        error: null,
        summary: null,
      },
      { status: 'ok', summary: { code: 'COUPON_USED' }, error: null },
      {
        source: 'pos',
        key_id: 'key_pos_hz001',
        status: 'failed',
        rejected: 1,
        error: expect.stringMatching(/^SIGNATURE_INVALID: /),
      },
      {
        source: 'pos',
        key_id: 'key_pos_hz001',
        status: 'failed',
        error: expect.stringMatching(/^VALIDATION_FAILED: /),
      },
    ]);
    // nothing the call carried: no coupon code in the log
    expect(JSON.stringify(rows)).not.toContain(c.code);
  });

  it('names an unknown key as an unknown source', async () => {
    const before = await lastId();
    const res = await sys.call('/api/pos/redeem', {
      body: { idempotencyKey: uniqueKey(), couponCode: '1234567812345670', orderAmountFen: 100 },
      headers: {
        'x-medloop-key': 'key_pos_nowhere',
        'x-medloop-timestamp': String(Math.floor(sys.clock.now().getTime() / 1000)),
        'x-medloop-nonce': 'n0nce-1234567890',
        'x-medloop-signature': 'AAAA',
      },
    });
    expect(res.status).toBe(401);
    expect(await logSince(before)).toMatchObject([
      {
        source: 'unknown',
        key_id: 'key_pos_nowhere',
        status: 'failed',
        error: expect.stringMatching(/unknown or revoked key/),
      },
    ]);
  });

  it('logs a batch once, with its counts, and a batch refused before it ran by the wrapper', async () => {
    const before = await lastId();
    await ingest(sys, [{ sourceId: '8840000001', cardNo: '8840000001', name: '陈静', phone: '13657101234' }]);
    expect(await logSince(before)).toMatchObject([{ operation: 'ingest.records', status: 'ok', records: 1 }]);

    const mid = await lastId();
    const unsigned = await sys.call('/api/ingest/records', { body: { records: [{ sourceId: 'x' }] } });
    expect(unsigned.status).toBe(401);
    expect(await logSince(mid)).toMatchObject([
      {
        source: 'unknown',
        operation: 'identity.ingest',
        status: 'failed',
        error: expect.stringMatching(/^SIGNATURE_INVALID/),
      },
    ]);
  });

  it("shows the tills' calls on HQ's health page: last good sync and the day's failures", async () => {
    await sys.deps.callLog.flush();
    const hq = await staffToken(sys, 'u_hq01');
    const res = await sys.call('/api/staff/identity/health', { token: hq });
    expect(res.status).toBe(200);
    const pos = res.body.sources.find((s: { source: string }) => s.source === 'pos');
    expect(pos.lastOkAt).not.toBeNull();
    expect(pos.failures24h).toBeGreaterThanOrEqual(2);
    expect(pos.lastError).toMatch(/VALIDATION_FAILED|SIGNATURE_INVALID/);
    expect(res.body.sources.map((s: { source: string }) => s.source)).toContain('unknown');
    // the tills one by one: 文三路店's key made every call above; a store whose till never called has no figures
    const hz001 = res.body.tills.find((t: { storeId: string }) => t.storeId === 'sto_001');
    expect(hz001).toMatchObject({ storeName: '文三路店', lagMinutes: 0, failures24h: 2 });
    expect(hz001.calls24h).toBeGreaterThanOrEqual(4);
    expect(hz001.lastError).toMatch(/^(VALIDATION_FAILED|SIGNATURE_INVALID): /);
    const hz002 = res.body.tills.find((t: { storeId: string }) => t.storeId === 'sto_002');
    expect(hz002).toMatchObject({
      connected: true,
      lastOkAt: null,
      lagMinutes: null,
      calls24h: 0,
      failures24h: 0,
      lastError: null,
    });
    expect(hz001.connected).toBe(true);
    // the demo's 北仑新碶店 has no POS key: its clerks serve members at the counter
    expect(res.body.tills.find((t: { storeId: string }) => t.storeId === 'sto_018')).toMatchObject({
      storeName: '北仑新碶店',
      connected: false,
    });
  });
});

describe('GET /api/jobs/purge-integration-log', () => {
  it('deletes the rows older than 90 days, with the cron secret only, and keeps the rest', async () => {
    await sys.deps.callLog.flush();
    const now = sys.clock.now().getTime();
    // a quarter's worth of old rows and one row a day short of the limit
    await sys.database.exec(
      `insert into integration_log (at, source, direction, operation, status, latency_ms, records, accepted, rejected)
       select $1::timestamptz + (g || ' minutes')::interval, 'pos', 'inbound', 'pos.redeem', 'ok', 3, 1, 1, 0
       from generate_series(1, 25) g`,
      [new Date(now - 120 * 86_400_000).toISOString()],
    );
    await sys.database.exec(
      `insert into integration_log (at, source, direction, operation, status, latency_ms, records, accepted, rejected)
       values ($1::timestamptz, 'mall', 'inbound', 'identity.order_ingest', 'ok', 3, 1, 1, 0)`,
      [new Date(now - 89 * 86_400_000).toISOString()],
    );
    const [before] = await sys.database.exec('select count(*)::int as n from integration_log');
    sys.deps.env.CRON_SECRET = 'test-cron-secret-0123456789';
    expect((await sys.call('/api/jobs/purge-integration-log')).status).toBe(401);
    const res = await sys.call('/api/jobs/purge-integration-log', {
      headers: { authorization: 'Bearer test-cron-secret-0123456789' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ deleted: 25, complete: true });
    const [after] = await sys.database.exec(
      'select count(*)::int as n from integration_log where at < $1::timestamptz',
      [res.body.before],
    );
    expect(after.n).toBe(0);
    const [left] = await sys.database.exec('select count(*)::int as n from integration_log');
    expect(left.n).toBe(Number(before.n) - 25);
    // nothing old left: a second night deletes nothing
    const again = await sys.call('/api/jobs/purge-integration-log', {
      headers: { authorization: 'Bearer test-cron-secret-0123456789' },
    });
    expect(again.body).toMatchObject({ deleted: 0, complete: true });
  });
});
