/**
 * What a member's "这是我的卡" may take: only a card that still carries the number the member proved, and that is not
 * in another member's account. A security walk took a member's whole account by asking a till to re-sync her
 * confirmed card with the attacker's number and confirming it; and an old hold, confirmed after the card's number
 * changed, marked the new number verified and joined two members.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { signUpAs } from '../onboarding/helpers.js';
import { customerOf, ingest } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const card = (sourceId: string, phone: string) => ({
  sourceId,
  cardNo: sourceId,
  name: '王强',
  gender: '男',
  phone,
  storeCode: 'HZ001',
  lastActive: '2026-11-01',
});
const matches = async (token: string) => (await sys.call('/api/identity/held-matches', { token })).body.matches;
const decide = (token: string, matchId: string) =>
  sys.call('/api/identity/held-matches/decide', { token, body: { matchId, decision: 'confirm' } });
const memberOfPhone = async (phone: string) =>
  (
    await sys.database.exec(`select customer_id from source_records where source = 'miniprogram' and phone = $1`, [
      phone,
    ])
  )[0].customer_id;

describe('confirming a held card', () => {
  it('cannot take a card that sits in another member’s account', async () => {
    const P = '13957200001';
    const Q = '13957200002';
    await ingest(sys, [card('CV-1', P)]);
    const victim = sys.sim.addUser({ nickname: 'Victim', phone: P });
    const v = await signUpAs(sys, victim.id, 's1.HZ001');
    const [own] = await matches(v.token);
    expect((await decide(v.token, own.matchId)).status).toBe(200);
    expect(await customerOf(sys, 'pos', 'CV-1')).toBe(v.register.body.customerId);

    // the till re-syncs her card with another number (a typo, or someone asking the clerk to "update my number")
    await ingest(sys, [card('CV-1', Q)]);
    const attacker = sys.sim.addUser({ nickname: 'Attacker', phone: Q });
    const a = await signUpAs(sys, attacker.id, 's1.HZ002');
    expect(a.register.body.heldMatches ?? []).toEqual([]);
    expect(await matches(a.token)).toEqual([]);
    // a hold the attacker learnt the id of is not confirmable either
    const [hold] = await sys.database.exec(
      `select h.id from held_links h join source_records r on r.id = h.record_id
        where r.source_id = 'CV-1' and h.candidate_customer_id = $1`,
      [a.register.body.customerId],
    );
    if (hold) expect((await decide(a.token, String(hold.id))).body.error.code).toBe('HELD_MATCH_NEEDS_STORE');
    expect(await memberOfPhone(P)).not.toBe(await memberOfPhone(Q));
    expect(await customerOf(sys, 'pos', 'CV-1')).toBe(v.register.body.customerId);
  });

  it('cannot confirm a hold made on a number the card no longer carries', async () => {
    const P = '13957180001';
    const Q = '13957180002';
    await ingest(sys, [card('CS-1', P)]);
    const m = sys.sim.addUser({ nickname: 'M', phone: P });
    const sm = await signUpAs(sys, m.id, 's1.HZ001');
    const [offered] = await matches(sm.token);
    expect(offered).toBeDefined();
    // the till corrects the card's number before M answers; N, who owns that number, signs up
    await ingest(sys, [card('CS-1', Q)]);
    const n = sys.sim.addUser({ nickname: 'N', phone: Q });
    await signUpAs(sys, n.id, 's1.HZ002');

    expect(await matches(sm.token)).toEqual([]);
    expect((await decide(sm.token, offered.matchId)).body.error.code).toBe('HELD_MATCH_NEEDS_STORE');
    const [rec] = await sys.database.exec(`select phone_verified from source_records where source_id = 'CS-1'`);
    expect(rec.phone_verified).toBe(false);
    // N signing up again does not join M through a number M never proved
    await signUpAs(sys, n.id, 's1.HZ001');
    expect(await memberOfPhone(P)).not.toBe(await memberOfPhone(Q));
  });
});
