/**
 * HQ marks two records that no proposal ever put together as two people (手动标记不是同一人): two women of one name
 * on cards of two stores, one of whom a clerk will one day type the other's number for. Without the mark the phone
 * joins them (the control pair below shows it); with it, no linker does, incremental or bulk, until HQ takes the mark
 * back. HQ finds the records by phone (a search, audited); a pair already one customer, or already before a
 * reviewer, is refused with what to do instead. PGlite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkAll } from '../../../functions/app/identity/link-all.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';
import { customerOf, ingest } from './helpers.js';

let sys: TestSystem;
let hq: string;
let manager: string;
beforeAll(async () => {
  sys = await startTestSystem();
  hq = await staffToken(sys, 'u_hq01');
  manager = await staffToken(sys, 'u_sm01');
});
afterAll(async () => sys?.close());

const step = () => sys.clock.advance(60_000);
/** A card of 陈静 without a birthday: a namesake elsewhere is no suggestion (nothing but the name to go on). */
const card = (sourceId: string, phone: string, name = '陈静') => ({
  sourceId,
  cardNo: sourceId,
  name,
  gender: '女',
  phone,
  storeCode: sourceId.endsWith('1') ? 'HZ001' : 'HZ002',
  lastActive: '2026-11-01',
});
const keyOf = (c: { storeCode: string }) => (c.storeCode === 'HZ001' ? 'key_pos_hz001' : 'key_pos_hz002');
const sync = (c: ReturnType<typeof card>) => ingest(sys, [c], keyOf(c));
const recordId = async (sourceId: string) =>
  String(
    (await sys.database.exec("select id from source_records where source = 'pos' and source_id = $1", [sourceId]))[0]
      .id,
  );
const records = (phone: string, token = hq) =>
  sys.call(`/api/staff/identity/records?phone=${encodeURIComponent(phone)}`, { token });
const mark = (body: unknown, token = hq) => sys.call('/api/staff/identity/separations/create', { token, body });
const separations = () => sys.call('/api/staff/identity/separations', { token: hq });
const lift = (id: string) => sys.call('/api/staff/identity/separations/lift', { token: hq, body: { id } });

describe('HQ marks two records as two people', () => {
  let separationId: string;

  it('finds the records on a phone, masked; HQ only, and the search is audited', async () => {
    await sync(card('8850000511', '13957150511'));
    step();
    await sync(card('8850000512', '13957150512'));
    step();
    const res = await records('139-5715-0511');
    expect(res.status).toBe(200);
    expect(res.body.truncated).toBe(false);
    expect(res.body.records).toHaveLength(1);
    expect(res.body.records[0]).toMatchObject({
      recordId: await recordId('8850000511'),
      source: 'pos',
      name: '陈静',
      storeName: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toContain('13957150511');
    expect(JSON.stringify(res.body)).not.toContain('8850000511');
    const [audit] = await sys.database.exec(
      "select actor_id, details from audit_log where action = 'identity.records_on_phone' order by at desc limit 1",
    );
    expect(audit).toMatchObject({ actor_id: 'stf_hq01', details: { shown: [await recordId('8850000511')] } });
    expect(JSON.stringify(audit.details)).not.toContain('13957150511');
    expect((await records('13957150511', manager)).status).toBe(403);
    expect((await records('12345')).body.error.code).toBe('VALIDATION_FAILED');
    expect((await records('13900009999')).body).toEqual({ records: [], truncated: false });
  });

  it('marked apart, a phone that would join them does not, for the incremental linker and the bulk job', async () => {
    const a = await recordId('8850000511');
    const b = await recordId('8850000512');
    const res = await mark({ recordA: b, recordB: a, note: '  两位都叫陈静，门店核实过不是同一人  ' });
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(true);
    separationId = res.body.id;
    const [row] = await sys.database.exec(
      'select record_a, record_b, reason, note, created_by from identity_separations where id = $1',
      [separationId],
    );
    expect(row).toEqual({
      record_a: a < b ? a : b,
      record_b: a < b ? b : a,
      reason: 'manual',
      note: '两位都叫陈静，门店核实过不是同一人',
      created_by: 'stf_hq01',
    });
    const [audit] = await sys.database.exec(
      "select actor_id, details from audit_log where action = 'identity.separation_create'",
    );
    expect(audit).toMatchObject({ actor_id: 'stf_hq01', details: { separationId, records: [b, a] } });

    // the control: the same two cards under another name, unmarked: the clerk's typo joins them
    await sync(card('8850000521', '13957150521', '周红'));
    step();
    await sync(card('8850000522', '13957150522', '周红'));
    step();
    await sync(card('8850000522', '13957150521', '周红'));
    expect(await customerOf(sys, 'pos', '8850000522')).toBe(await customerOf(sys, 'pos', '8850000521'));

    // the marked pair: the clerk types the first 陈静's number on the second's card
    step();
    const again = await sync(card('8850000512', '13957150511'));
    expect(again.status).toBe(200);
    expect(again.body.results[0].link).not.toBe('linked');
    expect(await customerOf(sys, 'pos', '8850000512')).not.toBe(await customerOf(sys, 'pos', '8850000511'));
    await linkAll(sys.database, { now: sys.clock.now() });
    expect(await customerOf(sys, 'pos', '8850000512')).not.toBe(await customerOf(sys, 'pos', '8850000511'));
  });

  it('refused with what to do instead: one customer, a pair before a reviewer, no such record, no words; marking again is the same mark', async () => {
    const a = await recordId('8850000511');
    const b = await recordId('8850000512');
    const joined = await recordId('8850000522');
    const control = await recordId('8850000521');
    const code = async (body: unknown, token = hq) => {
      const r = await mark(body, token);
      return { status: r.status, code: r.body?.error?.code };
    };
    const note = '核实为不同的人';
    expect(await code({ recordA: joined, recordB: control, note })).toEqual({
      status: 409,
      code: 'SEPARATION_SAME_CUSTOMER',
    });
    expect(await code({ recordA: a, recordB: 'rec_nope', note })).toEqual({ status: 404, code: 'RECORD_NOT_FOUND' });
    expect(await code({ recordA: a, recordB: a, note })).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await code({ recordA: a, recordB: control, note: ' ' })).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await code({ recordA: a, recordB: control, note }, manager)).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect((await mark({ recordA: a, recordB: b, note })).body).toEqual({ id: separationId, created: false });

    // namesakes born the same day in one district: a suggestion is open for them, so it is decided there
    const namesake = (sourceId: string, storeCode: string, phone: string) => ({
      sourceId,
      cardNo: sourceId,
      name: '吴秀英',
      gender: '女',
      birthday: '1960-02-02',
      phone,
      address: '浙江省杭州市西湖区文三路8号',
      storeCode,
      lastActive: '2026-11-01',
    });
    await ingest(sys, [namesake('8850000531', 'HZ001', '13957150531')]);
    step();
    await ingest(sys, [namesake('8850000532', 'HZ002', '13957150532')], 'key_pos_hz002');
    expect(await code({ recordA: await recordId('8850000531'), recordB: await recordId('8850000532'), note })).toEqual({
      status: 409,
      code: 'SEPARATION_PROPOSAL_OPEN',
    });
    expect(
      await sys.database.exec("select count(*)::int as n from identity_separations where reason = 'manual'"),
    ).toEqual([{ n: 1 }]);
  });

  it('is listed with HQ’s words; taken back, nothing reopens and the card’s next sync joins them', async () => {
    const listed = (await separations()).body.separations.find((x: { id: string }) => x.id === separationId);
    expect(listed).toMatchObject({
      reason: 'manual',
      note: '两位都叫陈静，门店核实过不是同一人',
      decidedByName: '陈敏',
      lifted: null,
    });
    step();
    expect((await lift(separationId)).body).toEqual({ reopened: 'nothing' });
    expect(
      (await separations()).body.separations.find((x: { id: string }) => x.id === separationId).lifted,
    ).toMatchObject({ byName: '陈敏' });
    // the card's next visit (a new last-active day) links it as any other
    step();
    await sync({ ...card('8850000512', '13957150511'), lastActive: '2026-11-20' });
    expect(await customerOf(sys, 'pos', '8850000512')).toBe(await customerOf(sys, 'pos', '8850000511'));
  });
});
