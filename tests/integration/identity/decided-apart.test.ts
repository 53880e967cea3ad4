/**
 * "Not the same person" sticks. A store manager rejected a held card, the member declined a card offered at sign-up,
 * a manager rejected a merge suggestion: before, the next sync of a record could join the two anyway (a dormant
 * card that is used again is no longer held, and a gender then corroborates the phone), so a person's word was
 * undone by a till. Now each such decision keeps the two records apart, as HQ's undo does, for the incremental
 * linker and the bulk job alike, until HQ takes it back (the hold or suggestion is then open again).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkAll } from '../../../functions/app/identity/link-all.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { signUpAs, staffToken } from '../onboarding/helpers.js';
import { customerOf, ingest } from './helpers.js';

let sys: TestSystem;
let manager: string;
let hq: string;
beforeAll(async () => {
  sys = await startTestSystem();
  manager = await staffToken(sys, 'u_sm01');
  hq = await staffToken(sys, 'u_hq01');
});
afterAll(async () => sys?.close());

const step = () => sys.clock.advance(60_000);
const PHONE = '13957150101';
/** 王建国's card, silent since 2021: the number may have gone to someone else since */
const card = (lastActive: string) => ({
  sourceId: '8850000101',
  cardNo: '8850000101',
  name: '王建国',
  gender: '男',
  birthday: '1958-04-02',
  phone: PHONE,
  storeCode: 'HZ001',
  lastActive,
});
const holdsOf = (token: string) => sys.call('/api/staff/identity/holds', { token });
const decideHold = (id: string, decision: 'confirm' | 'reject', token = manager) =>
  sys.call('/api/staff/identity/holds/decide', { token, body: { id, decision } });
const separations = (token = hq) => sys.call('/api/staff/identity/separations', { token });
const lift = (id: string, token = hq) => sys.call('/api/staff/identity/separations/lift', { token, body: { id } });

describe('a store manager’s “not the same person”', () => {
  let holdId: string;

  it('keeps a rejected card apart when it is used again (before: joined on its next sync)', async () => {
    await ingest(sys, [card('2021-03-01')]);
    step();
    // a mall account on the number now, under a nickname, a man: the dormant card is held, not joined
    await ingest(
      sys,
      [{ sourceId: 'mall_pa', mallAccount: 'mall_pa', name: '平安是福', gender: '男', phone: PHONE }],
      'key_mall',
    );
    expect(await customerOf(sys, 'pos', '8850000101')).not.toBe(await customerOf(sys, 'mall', 'mall_pa'));
    const held = (await holdsOf(manager)).body.holds.find(
      (h: { record: { name: string } }) => h.record.name === '王建国',
    );
    expect(held.reason).toBe('dormant_card');
    holdId = held.id;
    // the manager phoned: the account's holder got the number in 2023
    step();
    expect((await decideHold(holdId, 'reject')).body).toMatchObject({ status: 'rejected' });

    // 王建国 comes back to the store with his card: the till syncs it, active again
    step();
    const again = await ingest(sys, [card('2026-11-20')]);
    expect(again.status).toBe(200);
    expect(again.body.results[0].link).not.toBe('linked');
    expect(await customerOf(sys, 'pos', '8850000101')).not.toBe(await customerOf(sys, 'mall', 'mall_pa'));
    // nor is it put to anyone again
    expect(
      (await holdsOf(manager)).body.holds.filter((h: { record: { name: string } }) => h.record.name === '王建国'),
    ).toEqual([]);
    // nor does the bulk job join them
    await linkAll(sys.database, { now: sys.clock.now() });
    expect(await customerOf(sys, 'pos', '8850000101')).not.toBe(await customerOf(sys, 'mall', 'mall_pa'));
  });

  it('is listed for HQ with who decided, and only HQ sees or takes it back', async () => {
    const res = await separations();
    expect(res.status).toBe(200);
    const mine = res.body.separations.find((x: { a: { name: string }; b: { name: string } }) =>
      [x.a.name, x.b.name].includes('王建国'),
    );
    expect(mine).toMatchObject({ reason: 'hold_rejected', decidedByName: '刘洋', storeId: 'sto_001', lifted: null });
    // masked as every review page masks
    expect(JSON.stringify(mine)).not.toContain(PHONE);
    expect((await separations(manager)).status).toBe(403);
    expect((await lift(mine.id, manager)).status).toBe(403);
    const unknown = await lift('sep_nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('SEPARATION_NOT_FOUND');
  });

  it('taken back by HQ: the hold is open again, and the manager’s confirmation merges them', async () => {
    const [mine] = (await separations()).body.separations.filter((x: { a: { name: string }; b: { name: string } }) =>
      [x.a.name, x.b.name].includes('王建国'),
    );
    step();
    const res = await lift(mine.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ reopened: 'hold' });
    expect((await lift(mine.id)).body.error.code).toBe('SEPARATION_NOT_FOUND');
    const [audit] = await sys.database.exec(
      `select actor_id, details from audit_log where action = 'identity.separation_lift'`,
    );
    expect(audit).toMatchObject({ actor_id: 'stf_hq01', details: { separationId: mine.id, heldLinkId: holdId } });
    const listed = (await separations()).body.separations.find((x: { id: string }) => x.id === mine.id);
    expect(listed.lifted).toMatchObject({ byName: '陈敏' });

    const open = (await holdsOf(manager)).body.holds.filter(
      (h: { record: { name: string } }) => h.record.name === '王建国',
    );
    expect(open.map((h: { id: string }) => h.id)).toEqual([holdId]);
    step();
    expect((await decideHold(holdId, 'confirm')).body).toMatchObject({ status: 'confirmed' });
    expect(await customerOf(sys, 'pos', '8850000101')).toBe(await customerOf(sys, 'mall', 'mall_pa'));
  });
});

describe('a member’s “this is not my card”', () => {
  it('keeps the declined card from them, however it syncs later', async () => {
    await ingest(sys, [
      {
        sourceId: '8850000202',
        cardNo: '8850000202',
        name: '吴雅琴',
        gender: '女',
        phone: '18733985202',
        storeCode: 'HZ001',
        lastActive: '2026-10-01',
      },
    ]);
    const user = sys.sim.addUser({ nickname: 'Qin', phone: '18733985202' });
    const { token, register } = await signUpAs(sys, user.id, null);
    expect(register.status).toBe(200);
    const [match] = (await sys.call('/api/identity/held-matches', { token })).body.matches;
    expect(match).toBeDefined();
    step();
    const declined = await sys.call('/api/identity/held-matches/decide', {
      token,
      body: { matchId: match.matchId, decision: 'decline' },
    });
    expect(declined.body).toMatchObject({ status: 'rejected' });
    const [sep] = await sys.database.exec(
      `select s.reason, s.lifted_at from identity_separations s where s.held_link_id = $1`,
      [match.matchId],
    );
    expect(sep).toEqual({ reason: 'match_declined', lifted_at: null });
    // HQ's list says the member decided it, by no staff name
    const listed = (await separations()).body.separations.find(
      (x: { reason: string }) => x.reason === 'match_declined',
    );
    expect(listed).toMatchObject({ decidedByName: null });

    // the card syncs again, now with a birthday and a fresh visit: still not theirs, and not offered again
    step();
    await ingest(sys, [
      {
        sourceId: '8850000202',
        cardNo: '8850000202',
        name: '吴雅琴',
        gender: '女',
        birthday: '1979-06-30',
        phone: '18733985202',
        storeCode: 'HZ001',
        lastActive: '2026-11-26',
      },
    ]);
    expect(await customerOf(sys, 'pos', '8850000202')).not.toBe(register.body.customerId);
    expect((await sys.call('/api/identity/held-matches', { token })).body.matches).toEqual([]);
  });
});

describe('a rejected merge suggestion', () => {
  it('keeps the two records apart when a phone later would join them', async () => {
    // namesakes born the same day in one district, on cards of two stores: a suggestion, never a merge
    const namesake = (sourceId: string, storeCode: string, phone: string) => ({
      sourceId,
      cardNo: sourceId,
      name: '李秀兰',
      gender: '女',
      birthday: '1962-03-08',
      phone,
      address: '浙江省杭州市西湖区文三路8号',
      storeCode,
      lastActive: '2026-11-01',
    });
    await ingest(sys, [namesake('8850000301', 'HZ001', '13957150301')]);
    step();
    await ingest(sys, [namesake('8850000302', 'HZ002', '13957150302')], 'key_pos_hz002');
    const list = await sys.call('/api/staff/identity/suggestions', { token: hq });
    const s = list.body.suggestions.find((x: { a: { name: string } }) => x.a.name === '李秀兰');
    expect(s).toBeDefined();
    step();
    const rejected = await sys.call('/api/staff/identity/suggestions/decide', {
      token: hq,
      body: { id: s.id, decision: 'reject' },
    });
    expect(rejected.body).toMatchObject({ status: 'rejected' });
    // a clerk types the first one's number on the second card: name, birthday and gender agree, so the phone
    // would join them; the manager said they are two women
    step();
    await ingest(sys, [namesake('8850000302', 'HZ002', '13957150301')], 'key_pos_hz002');
    expect(await customerOf(sys, 'pos', '8850000302')).not.toBe(await customerOf(sys, 'pos', '8850000301'));
    const listed = (await separations()).body.separations.find(
      (x: { reason: string }) => x.reason === 'suggestion_rejected',
    );
    expect(listed).toMatchObject({ decidedByName: '陈敏', lifted: null });
    // taken back: the suggestion is open again
    step();
    expect((await lift(listed.id)).body).toEqual({ reopened: 'suggestion' });
    const again = await sys.call('/api/staff/identity/suggestions', { token: hq });
    expect(again.body.suggestions.map((x: { id: string }) => x.id)).toContain(s.id);
  });
});
