import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { customerOf, ingest, snapshot } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const card = (n: string, over: Record<string, unknown> = {}) => ({
  sourceId: n,
  cardNo: n,
  name: '张伟',
  birthday: '1975-03-07',
  gender: '男',
  phone: '+86 131 2345 6701',
  storeCode: 'HZ001',
  lastActive: '2026-11-01',
  ...over,
});

describe('POST /api/ingest/records', () => {
  it('lands good records and rejects malformed ones with a reason each, quarantining them', async () => {
    const res = await ingest(sys, [
      card('8810000001'),
      { name: '没有卡号' },
      card('8810000002', { phone: '131-2345-6701', birthday: null }),
      { sourceId: '8810000003', shoeSize: 42 },
      'not an object',
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 5, created: 2, rejected: 3, linked: 1 });
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual([
      'created',
      'rejected',
      'created',
      'rejected',
      'rejected',
    ]);
    // each rejection with a machine code and its sentence
    expect(res.body.results[1]).toMatchObject({ code: 'source_id_missing', reason: 'sourceId is missing' });
    expect(res.body.results[3]).toMatchObject({ code: 'unknown_field', reason: 'unknown field shoeSize' });
    expect(res.body.results[4]).toMatchObject({ code: 'source_id_missing' });
    // the two cards of one person (same phone, same name) are one customer
    expect(await customerOf(sys, 'pos', '8810000001')).toBe(await customerOf(sys, 'pos', '8810000002'));
    const quarantined = await sys.database.exec(
      'select code, params, reason, source, key_id from ingest_quarantine order by created_at, id',
    );
    expect(quarantined).toHaveLength(3);
    // one call: one time, so sorted by code
    expect(quarantined.map((q) => [q.code, q.params]).sort()).toEqual([
      ['source_id_missing', null],
      ['source_id_missing', null],
      ['unknown_field', { fields: 'shoeSize' }],
    ]);
    expect(quarantined[0]).toMatchObject({ source: 'pos', key_id: 'key_pos_hz001' });
    const [log] = await sys.database.exec(
      "select status, records, accepted, rejected, latency_ms, error from integration_log where operation = 'ingest.records'",
    );
    // the first refusal, its code first: HQ's health page tells it from a failed call and points to the quarantine
    expect(log).toMatchObject({
      status: 'partial',
      records: 5,
      accepted: 2,
      rejected: 3,
      error: 'source_id_missing: sourceId is missing',
    });
  });

  it('changes nothing when the same records are sent again', async () => {
    const before = await snapshot(sys);
    sys.clock.advance(60_000);
    const res = await ingest(sys, [card('8810000001'), card('8810000002', { phone: '131-2345-6701', birthday: null })]);
    expect(res.body).toMatchObject({ created: 0, updated: 0, unchanged: 2, rejected: 0 });
    expect(await snapshot(sys)).toEqual(before);
  });

  it('keeps the replaced payload when a record changes', async () => {
    const res = await ingest(sys, [card('8810000001', { name: '张 伟' })]);
    expect(res.body).toMatchObject({ updated: 1 });
    const revisions = await sys.database.exec('select payload from source_record_revisions');
    expect(revisions).toHaveLength(1);
    expect((revisions[0].payload as { name: string }).name).toBe('张伟');
  });

  it('links a mall account through the phone, in the same call', async () => {
    const res = await ingest(
      sys,
      [{ sourceId: 'mall_zw', mallAccount: 'mall_zw', name: '张伟', phone: '0086-13123456701', email: 'ZW@QQ.COM' }],
      'key_mall',
    );
    expect(res.body.results[0]).toMatchObject({ status: 'created', link: 'linked' });
    expect(await customerOf(sys, 'mall', 'mall_zw')).toBe(await customerOf(sys, 'pos', '8810000001'));
  });

  it('never links on a placeholder phone or a store counter phone', async () => {
    const res = await ingest(sys, [
      card('8810000011', { name: '陈静', phone: '13800000000', birthday: null }),
      card('8810000012', { name: '陈静', phone: '138 0000 0000', birthday: null }),
      card('8810000013', { name: '冯军', phone: '0571-87101013', birthday: null }),
      card('8810000014', { name: '冯军', phone: '0571-87101013', birthday: null }),
    ]);
    expect(res.body).toMatchObject({ created: 4, linked: 0 });
    expect(await customerOf(sys, 'pos', '8810000011')).not.toBe(await customerOf(sys, 'pos', '8810000012'));
    expect(await customerOf(sys, 'pos', '8810000013')).not.toBe(await customerOf(sys, 'pos', '8810000014'));
  });

  it('holds a family phone instead of merging the family', async () => {
    const res = await ingest(sys, [
      card('8820000001', { name: '王建国', birthday: '1960-01-15', phone: '13155550001' }),
      card('8820000002', { name: '刘芳', birthday: '1962-08-20', phone: '13155550001', gender: '女' }),
      card('8820000003', { name: '平安是福', birthday: null, phone: '131 5555 0001' }),
    ]);
    // nothing merges; every card waits for a decision, but two named people are two people: neither card is
    // offered to the other, while the nickname card could be either of them (and either could be its owner)
    expect(res.body.results.map((r: { link: string }) => r.link)).toEqual(['held', 'held', 'held']);
    const [wang, liu, nick] = await Promise.all(
      ['8820000001', '8820000002', '8820000003'].map((id) => customerOf(sys, 'pos', id)),
    );
    expect(new Set([wang, liu, nick]).size).toBe(3);
    const holds = await sys.database.exec(
      "select r.source_id, h.candidate_customer_id as candidate, h.reason from held_links h join source_records r on r.id = h.record_id where h.phone = '13155550001' order by 1, 2",
    );
    expect(holds.map((h) => h.reason)).toEqual(holds.map(() => 'family_phone'));
    const offered = (sourceId: string) => holds.filter((h) => h.source_id === sourceId).map((h) => h.candidate);
    expect(offered('8820000003').sort()).toEqual([wang, liu].sort());
    expect(offered('8820000001')).toEqual([nick]);
    expect(offered('8820000002')).toEqual([nick]);
  });

  it("refuses records of another store from a store's POS key, per record", async () => {
    const res = await ingest(sys, [
      card('8830000001', { storeCode: 'HZ002' }),
      card('8830000002', { storeCode: null }),
    ]);
    expect(res.body.results[0]).toMatchObject({
      status: 'rejected',
      reason: expect.stringMatching(/not this key's store/),
    });
    expect(res.body.results[1]).toMatchObject({ status: 'created' });
  });

  it('refuses unsigned calls and an empty batch', async () => {
    expect((await sys.call('/api/ingest/records', { body: { records: [card('1')] } })).status).toBe(401);
    const res = await ingest(sys, []);
    expect(res.status).toBe(400);
  });
});
