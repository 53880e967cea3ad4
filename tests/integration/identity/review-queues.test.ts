/**
 * The review queues at a chain's scale. After a migration a store's backlog of held cards runs to hundreds: the
 * page showed the oldest 50 and counted those 50, and a manager with the customer at the counter had no way to find
 * that customer's card. Now every queue (held cards, merge suggestions, HQ's "not the same person" decisions) says
 * how many wait in all, pages on without repeating or skipping one, and finds a customer's by phone (audited).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestAndLog } from '../../../functions/app/identity/ingest.js';
import { listHeldReviews } from '../../../functions/app/identity/review.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';
import { ingest } from './helpers.js';

let sys: TestSystem;
let manager: string;
let hq: string;

/** a phone of its own for each dormant card: 13957160000, 13957160001, … */
const phoneOf = (i: number) => `1395716${String(i).padStart(4, '0')}`;
const HZ001_CARDS = 25;
const HZ002_CARDS = 3;

/** a card silent since 2021 whose number now has a mall account under a nickname: a dormant_card hold */
const dormantCard = (i: number, storeCode: string) => ({
  sourceId: `88510${String(i).padStart(5, '0')}`,
  cardNo: `88510${String(i).padStart(5, '0')}`,
  name: `顾客${i}`,
  gender: '男',
  birthday: '1960-01-01',
  phone: phoneOf(i),
  storeCode,
  lastActive: '2021-03-01',
});
const mallAccount = (i: number) => ({
  sourceId: `mall_q${i}`,
  mallAccount: `mall_q${i}`,
  name: `网友${i}`,
  gender: '男',
  phone: phoneOf(i),
});

beforeAll(async () => {
  sys = await startTestSystem();
  manager = await staffToken(sys, 'u_sm01');
  hq = await staffToken(sys, 'u_hq01');
  const hz001 = Array.from({ length: HZ001_CARDS }, (_, i) => dormantCard(i, 'HZ001'));
  const hz002 = Array.from({ length: HZ002_CARDS }, (_, i) => dormantCard(HZ001_CARDS + i, 'HZ002'));
  expect((await ingest(sys, hz001)).status).toBe(200);
  expect((await ingest(sys, hz002, 'key_pos_hz002')).status).toBe(200);
  sys.clock.advance(60_000);
  const malls = Array.from({ length: HZ001_CARDS + HZ002_CARDS }, (_, i) => mallAccount(i));
  expect((await ingest(sys, malls, 'key_mall')).status).toBe(200);
});
afterAll(async () => sys?.close());

type Hold = { id: string; createdAt: string; record: { name: string; storeName: string | null } };
const holds = (token: string, query = '') => sys.call(`/api/staff/identity/holds${query}`, { token });

/** Every page of a list, following nextCursor. */
async function allPages<T>(path: string, token: string, key: string, limit: number) {
  const items: T[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  do {
    const q: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await sys.call(`${path}${q}`, { token });
    expect(res.status).toBe(200);
    items.push(...res.body[key]);
    totals.push(res.body.total);
    cursor = res.body.nextCursor;
  } while (cursor);
  return { items, totals };
}

describe('the held cards queue', () => {
  it('counts every held card in the manager’s store, not the page, and pages on oldest first', async () => {
    const first = await holds(manager);
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(HZ001_CARDS);
    expect(first.body.holds).toHaveLength(20);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await holds(manager, `?cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.holds).toHaveLength(HZ001_CARDS - 20);
    expect(second.body.nextCursor).toBeNull();
    const ids = [...first.body.holds, ...second.body.holds].map((h: Hold) => h.id);
    expect(new Set(ids).size).toBe(HZ001_CARDS);
    // all of one store (the other store's three are not this manager's)
    expect(new Set([...first.body.holds, ...second.body.holds].map((h: Hold) => h.record.storeName))).toEqual(
      new Set(['文三路店']),
    );
  });

  it('pages of any size cover the queue exactly once, one question per pair, the same total on each page; HQ sees every store', async () => {
    // the 28 holds were written by two calls at two instants: the cursor must order ties by id
    const { items, totals } = await allPages<Hold>('/api/staff/identity/holds', hq, 'holds', 6);
    expect(items).toHaveLength(HZ001_CARDS + HZ002_CARDS);
    expect(new Set(items.map((h) => h.id)).size).toBe(HZ001_CARDS + HZ002_CARDS);
    expect(new Set(totals)).toEqual(new Set([HZ001_CARDS + HZ002_CARDS]));
    // 数据对接状态's 待核实会员卡 counts what the tab lists
    const health = await sys.call('/api/staff/identity/health', { token: hq });
    expect(health.body).toMatchObject({ openHolds: items.length, openHoldsCapped: false });
    // one question per pair: the card (its store's manager decides it), not also the account held against the card
    expect(items.every((h) => h.record.name.startsWith('顾客'))).toBe(true);
    const order = items.map((h) => h.createdAt);
    expect(order).toEqual([...order].sort());
  });

  it('finds the card of the customer at the counter by the phone they say, in any form, and audits the search', async () => {
    const res = await holds(manager, `?phone=${encodeURIComponent('+86 139-5716-0007')}`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(1);
    expect(res.body.holds.map((h: Hold) => h.record.name)).toEqual(['顾客7']);
    expect(res.body.nextCursor).toBeNull();
    const [audit] = await sys.database.exec(
      `select actor_id, details from audit_log where action = 'identity.holds_list' order by at desc limit 1`,
    );
    expect(audit).toMatchObject({
      actor_id: 'stf_sm01',
      details: { filter: { phone: '139****0007' }, shown: [res.body.holds[0].id] },
    });
    // a card of another store is not this manager's to see, by phone either; HQ finds it
    const other = phoneOf(HZ001_CARDS + 1);
    expect((await holds(manager, `?phone=${other}`)).body.total).toBe(0);
    const byHq = await holds(hq, `?phone=${other}`);
    expect(byHq.body.holds.map((h: Hold) => h.record.name)).toEqual([`顾客${HZ001_CARDS + 1}`]);
  });

  it('a decided card leaves the count', async () => {
    const [h] = (await holds(manager, `?phone=${phoneOf(3)}`)).body.holds;
    const res = await sys.call('/api/staff/identity/holds/decide', {
      token: manager,
      body: { id: h.id, decision: 'reject' },
    });
    expect(res.body).toMatchObject({ status: 'rejected' });
    // the mirror (the mall account held against the card's customer) is settled by the same answer, not left open
    const pair = await sys.database.exec(
      `select h.status, r.source from held_links h join source_records r on r.id = h.record_id
        where h.phone = $1 order by r.source`,
      [phoneOf(3)],
    );
    expect(pair).toEqual([
      { status: 'rejected', source: 'mall' },
      { status: 'rejected', source: 'pos' },
    ]);
    expect((await holds(manager)).body.total).toBe(HZ001_CARDS - 1);
    expect((await holds(manager, `?phone=${phoneOf(3)}`)).body).toMatchObject({ total: 0, holds: [] });
  });

  it('counts a backlog past the cap as “cap+” without reading all of it; under the cap, exactly', async () => {
    const list = (countCap: number) =>
      listHeldReviews(
        { database: sys.database, clock: sys.clock },
        { storeIds: null, query: {}, staffId: 'stf_hq01', requestId: 'req_cap', countCap },
      );
    const all = HZ001_CARDS + HZ002_CARDS - 1;
    expect(await list(10)).toMatchObject({ ok: true, value: { total: 10, totalCapped: true } });
    expect(await list(all - 1)).toMatchObject({ ok: true, value: { total: all - 1, totalCapped: true } });
    expect(await list(all)).toMatchObject({ ok: true, value: { total: all, totalCapped: false } });
    // the endpoint's cap (1000) is far above this store's 24
    expect((await holds(manager)).body).toMatchObject({ total: HZ001_CARDS - 1, totalCapped: false });
  });

  it('refuses a phone that is not a mobile number, and a cursor no list handed out, with 400', async () => {
    for (const q of ['?phone=12345', '?cursor=nope', '?limit=0', '?limit=51']) {
      const res = await holds(manager, q);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code, q).toBe('VALIDATION_FAILED');
    }
  });
});

describe('a card that moves to another store', () => {
  it('takes its hold to that store’s queue: HQ’s export moves it (another store’s till may not)', async () => {
    const regional = await staffToken(sys, 'u_rm01');
    const phone = phoneOf(0);
    const before = (await holds(manager)).body.total;
    const [held] = (await holds(manager, `?phone=${phone}`)).body.holds;
    expect(held.record.storeName).toBe('文三路店');
    // 顾客0's card, still silent since 2021: the second store's till may not take it over (record_of_other_store, a
    // store's key changes its own store's records only); HQ's export of the chain's cards moves it there
    const refused = await ingest(sys, [dormantCard(0, 'HZ002')], 'key_pos_hz002');
    expect(refused.body.results[0]).toMatchObject({ status: 'rejected', code: 'record_of_other_store' });
    expect((await holds(manager)).body.total).toBe(before);
    const moved = await ingestAndLog(sys.database, {
      source: 'pos',
      records: [dormantCard(0, 'HZ002')],
      linking: 'incremental',
      keyId: null,
      requestId: null,
      storeId: null,
      operation: 'import.file',
      now: sys.clock.now(),
    });
    expect(moved.updated).toBe(1);
    expect((await holds(manager)).body.total).toBe(before - 1);
    expect((await holds(manager, `?phone=${phone}`)).body.total).toBe(0);
    // the same hold, now in the other store's queue: HQ's and the region's (several stores) lists show it there
    for (const token of [hq, regional]) {
      const moved = await holds(token, `?phone=${phone}`);
      expect(moved.body.holds.map((h: Hold) => [h.id, h.record.storeName])).toEqual([[held.id, '古荡店']]);
    }
    // every hold carries its record's store, whichever path wrote it
    const [drift] = await sys.database.exec(
      `select count(*)::int as n from held_links h join source_records r on r.id = h.record_id
       where h.store_id is distinct from r.store_id`,
    );
    expect(drift.n).toBe(0);
  });
});

describe('HQ’s “not the same person” decisions', () => {
  it('pages newest first, counts the decisions that stand, and finds one by phone', async () => {
    // two more rejections, a minute apart: three decisions in all (the first above)
    for (const i of [5, 9]) {
      sys.clock.advance(60_000);
      const [h] = (await holds(manager, `?phone=${phoneOf(i)}`)).body.holds;
      await sys.call('/api/staff/identity/holds/decide', { token: manager, body: { id: h.id, decision: 'reject' } });
    }
    type Decided = { id: string; decidedAt: string; a: { name: string }; b: { name: string } };
    const { items, totals } = await allPages<Decided>('/api/staff/identity/separations', hq, 'separations', 2);
    expect(items.map((x) => (x.a.name.startsWith('顾客') ? x.a.name : x.b.name))).toEqual(['顾客9', '顾客5', '顾客3']);
    expect(totals).toEqual([3, 3]);

    const found = await sys.call(`/api/staff/identity/separations?phone=${phoneOf(5)}`, { token: hq });
    expect(found.body.total).toBe(1);
    expect(found.body.separations).toHaveLength(1);
    // taken back: still listed (with who took it back), no longer counted as standing
    await sys.call('/api/staff/identity/separations/lift', { token: hq, body: { id: found.body.separations[0].id } });
    const after = await sys.call(`/api/staff/identity/separations?phone=${phoneOf(5)}`, { token: hq });
    expect(after.body.total).toBe(0);
    expect(after.body.separations[0].lifted).toMatchObject({ byName: '陈敏' });
    // and the card is back in the manager's queue
    expect((await holds(manager, `?phone=${phoneOf(5)}`)).body.total).toBe(1);
  });
});

describe('the merge suggestions queue', () => {
  it('counts, pages and finds a suggestion by either record’s phone', async () => {
    const namesake = (sourceId: string, storeCode: string, phone: string) => ({
      sourceId,
      cardNo: sourceId,
      name: '赵桂英',
      gender: '女',
      birthday: '1955-09-09',
      phone,
      address: '浙江省杭州市西湖区文三路9号',
      storeCode,
      lastActive: '2026-11-01',
    });
    await ingest(sys, [namesake('8852000001', 'HZ001', '13957170001')]);
    sys.clock.advance(60_000);
    await ingest(sys, [namesake('8852000002', 'HZ002', '13957170002')], 'key_pos_hz002');
    const all = await sys.call('/api/staff/identity/suggestions', { token: hq });
    expect(all.body).toMatchObject({ total: 1, nextCursor: null });
    for (const phone of ['13957170001', '139 5717 0002']) {
      const res = await sys.call(`/api/staff/identity/suggestions?phone=${encodeURIComponent(phone)}`, { token: hq });
      expect(res.body.total, phone).toBe(1);
      expect(res.body.suggestions[0].id).toBe(all.body.suggestions[0].id);
    }
    expect((await sys.call(`/api/staff/identity/suggestions?phone=${phoneOf(1)}`, { token: hq })).body.total).toBe(0);
  });
});

describe('a cursor for a time that does not exist', () => {
  // the right shape, an impossible time: the database refused it and the lists answered 500
  const impossible = [
    '2026-13-45T99:99:99.000000Z|abc',
    '2026-02-29T10:00:00.000000Z|abc',
    '0000-01-01T00:00:00.000000Z|abc',
    '2026-01-01T24:00:00.000000Z|abc',
  ];
  const lists = [
    '/api/staff/identity/merges',
    '/api/staff/identity/quarantine',
    '/api/staff/identity/separations',
    '/api/staff/identity/suggestions',
    '/api/staff/identity/holds',
  ];

  it('is refused with 400 VALIDATION_FAILED on every identity list, like any cursor no list handed out', async () => {
    for (const path of lists)
      for (const cursor of impossible) {
        const res = await sys.call(`${path}?cursor=${encodeURIComponent(cursor)}`, { token: hq });
        expect(res.status, `${path} ${cursor}`).toBe(400);
        expect(res.body.error.code, `${path} ${cursor}`).toBe('VALIDATION_FAILED');
        expect(res.body.error.message, `${path} ${cursor}`).toMatch(/cursor/);
      }
  });

  it('still pages on from a real time to the microsecond, a leap day included', async () => {
    for (const path of lists)
      for (const cursor of ['2024-02-29T10:00:00.123456Z|abc', '2099-12-31T23:59:59.999999Z|x']) {
        const res = await sys.call(`${path}?cursor=${encodeURIComponent(cursor)}`, { token: hq });
        expect(res.status, `${path} ${cursor}`).toBe(200);
      }
  });
});

describe('a review queue asked for one store', () => {
  const queues = ['/api/staff/identity/suggestions', '/api/staff/identity/holds'];

  it('answers 404 STORE_NOT_FOUND for a store that does not exist, whoever asks', async () => {
    const regional = await staffToken(sys, 'u_rm01');
    for (const path of queues)
      for (const token of [hq, regional, manager]) {
        const res = await sys.call(`${path}?storeId=sto_999`, { token });
        expect(res.status, path).toBe(404);
        expect(res.body.error.code, path).toBe('STORE_NOT_FOUND');
      }
  });

  it('answers 403 for a store outside the caller’s scope, and the list for one inside', async () => {
    const regional = await staffToken(sys, 'u_rm01');
    for (const path of queues) {
      expect((await sys.call(`${path}?storeId=sto_002`, { token: manager })).status, path).toBe(403);
      expect((await sys.call(`${path}?storeId=sto_015`, { token: regional })).status, path).toBe(403);
      for (const token of [hq, regional, manager])
        expect((await sys.call(`${path}?storeId=sto_001`, { token })).status, path).toBe(200);
    }
    const held = await holds(manager, '?storeId=sto_001');
    expect(held.body.total).toBe((await holds(manager)).body.total);
  });
});
