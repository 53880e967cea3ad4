/**
 * The store's sign-up figures tell 新顾客 from 老顾客转会员 by where the member's records are now: a card holder who
 * signs up and then confirms the held card (这是您在××店的会员卡吗? → 是我的) is an existing customer, though the
 * sign-up itself made a new customer (a QA walk found three such sign-ups counted as 新顾客 3, 老顾客转会员 0). A card
 * taken in after the sign-up does not make it an existing customer's; an undone merge takes the card back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityRepo } from '../../../functions/adapters/db/repos/identity.repo.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { customerOf, ingest } from '../identity/helpers.js';
import { memberToken, signUpAs, staffToken } from './helpers.js';

let sys: TestSystem;
let manager: string;
beforeAll(async () => {
  sys = await startTestSystem();
  manager = await staffToken(sys, 'u_sm01');
});
afterAll(async () => sys?.close());

const MINUTE = 60_000;
const card = (cardNo: string, name: string, phone: string) => ({
  sourceId: cardNo,
  cardNo,
  name,
  gender: 'female',
  phone,
  storeCode: 'HZ001',
  lastActive: '2026-11-20',
});

async function stats() {
  const res = await sys.call('/api/staff/signup-stats', { token: manager });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** A customer signs up at the store's code and answers 是我的 to every card offered; the member's customer id. */
async function signUpConfirming(nickname: string, phone: string): Promise<string> {
  const user = sys.sim.addUser({ id: `u_stats_${phone}`, nickname, phone });
  const { token, register } = await signUpAs(sys, user.id, 's1.HZ001');
  expect(register.status, JSON.stringify(register.body)).toBe(200);
  await confirmHeldCards(token);
  return register.body.customerId;
}

async function confirmHeldCards(token: string) {
  const { matches } = (await sys.call('/api/identity/held-matches', { token })).body;
  for (const match of matches) {
    const res = await sys.call('/api/identity/held-matches/decide', {
      token,
      body: { matchId: match.matchId, decision: 'confirm' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

describe('新顾客 and 老顾客转会员 in the sign-up figures', () => {
  const members: string[] = [];

  it('counts card holders who confirm their card after signing up as existing customers', async () => {
    await ingest(sys, [
      card('8841000001', '王秀英', '13857200001'),
      card('8841000002', '李桂兰', '13857200002'),
      card('8841000003', '张玉梅', '13857200003'),
    ]);
    sys.clock.advance(MINUTE);
    for (const [i, phone] of ['13857200001', '13857200002', '13857200003'].entries()) {
      const member = await signUpConfirming(`老顾客${i + 1}`, phone);
      // the card joined the member: the sign-up's own record made a new customer, the confirmation brought the card
      expect(await customerOf(sys, 'pos', `884100000${i + 1}`)).toBe(member);
      members.push(member);
    }
    // and one person the chain has never seen
    members.push(await signUpConfirming('新顾客', '13857200009'));

    expect(await stats()).toMatchObject({ total: 4, newCustomers: 1, linkedCustomers: 3 });
    expect((await stats()).byClerk).toEqual([{ staffId: null, name: '门店二维码', signups: 4, newCustomers: 1 }]);
  });

  it('keeps a sign-up new when its card is taken in only after it', async () => {
    sys.clock.advance(MINUTE);
    // the new member's card, opened at the till after the sign-up, reaches MedLoop and joins them
    const ingested = await ingest(sys, [card('8841000009', '赵丽', '13857200009')]);
    expect(ingested.status, JSON.stringify(ingested.body)).toBe(200);
    // linked on the verified phone, or held for the member to confirm: then they do, as at the counter
    await confirmHeldCards(await memberToken(sys, 'u_stats_13857200009'));
    expect(await customerOf(sys, 'pos', '8841000009')).toBe(members[3]);
    expect(await stats()).toMatchObject({ total: 4, newCustomers: 1, linkedCustomers: 3 });
  });

  it('counts a sign-up as new again once the merge that brought its card is undone', async () => {
    const hq = await staffToken(sys, 'u_hq01');
    const [merge] = await sys.database.exec(
      'select id from identity_merges where survivor_id = $1 and undone_at is null order by seq desc limit 1',
      [members[0]],
    );
    const undo = await sys.call('/api/staff/identity/merges/undo', { token: hq, body: { mergeId: merge.id } });
    expect(undo.status, JSON.stringify(undo.body)).toBe(200);
    expect(await customerOf(sys, 'pos', '8841000001')).not.toBe(members[0]);
    expect(await stats()).toMatchObject({ total: 4, newCustomers: 2, linkedCustomers: 2 });
  });

  it('follows a member merged into another: the survivor’s card counts for both sign-ups', async () => {
    sys.clock.advance(MINUTE);
    // 李桂兰 signs up again with a second WeChat account on another phone: a new customer, credited to the store
    const second = await signUpConfirming('李桂兰的另一个微信', '13857200012');
    expect(second).not.toBe(members[1]);
    expect(await stats()).toMatchObject({ total: 5, newCustomers: 3, linkedCustomers: 2 });
    // a manager merges the two accounts: the later one is absorbed, its sign-up now a card holder's
    await createIdentityRepo(sys.database.db).merge({
      id: 'mrg_stats_second_account',
      survivorId: members[1],
      mergedId: second,
      rule: 'suggestion',
      evidence: {},
      actorKind: 'staff',
      actorId: 'stf_sm01',
      now: sys.clock.now(),
    });
    expect(await stats()).toMatchObject({ total: 5, newCustomers: 2, linkedCustomers: 3 });
  });
});
