/**
 * A WeChat id is what a member's login finds their account by, so only a system that got it from WeChat may give
 * one: a store's till sending its own WeChat's openid on someone else's card must not make that WeChat sign in as
 * the card's holder (a security walk did exactly that: 200 "linked", then the attacker's sign-up landed on the
 * victim's account, coupons and all).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPID } from '../../../dev/system.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { memberToken, signUpAs } from '../onboarding/helpers.js';
import { customerOf, ingest } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

describe('WeChat ids from partners', () => {
  it('a till cannot attach a WeChat to another person’s card', async () => {
    await ingest(sys, [
      { sourceId: '8850000001', cardNo: '8850000001', name: '李娜', phone: '13857100601', storeCode: 'HZ001' },
    ]);
    const victim = await customerOf(sys, 'pos', '8850000001');

    const attacker = sys.sim.addUser({ nickname: '路人', phone: '13857100699' });
    await memberToken(sys, attacker.id);
    const openid = sys.sim.openid(DEMO_APPID, attacker.id);
    const unionid = sys.sim.unionid(attacker.id);
    // another store's till sends a record naming the victim's card with the attacker's WeChat ids
    const sent = await ingest(
      sys,
      [{ sourceId: 'X-TAKEOVER-1', cardNo: '8850000001', openid, unionid, storeCode: 'HZ002' }],
      'key_pos_hz002',
    );
    expect(sent.status).toBe(200);
    // the card number still joins the record to its card's customer (the survivor of that merge is the linker's
    // pick); the WeChat ids are not taken
    const card = await customerOf(sys, 'pos', '8850000001');
    expect(await customerOf(sys, 'pos', 'X-TAKEOVER-1')).toBe(card);
    const taken = await sys.database.exec(`select kind from identities where value in ($1, $2) and source = 'pos'`, [
      openid,
      unionid,
    ]);
    expect(taken).toEqual([]);

    const { register } = await signUpAs(sys, attacker.id, 's1.HZ002');
    expect(register.status).toBe(200);
    expect(register.body).toMatchObject({ alreadyMember: false, newCustomer: true });
    expect([victim, card]).not.toContain(register.body.customerId);
  });

  it('the mall’s unionid of a member still links the mall account to the member', async () => {
    const member = sys.sim.addUser({ nickname: '老会员', phone: '13857100602' });
    const { register } = await signUpAs(sys, member.id, null);
    await ingest(sys, [{ sourceId: 'MALL-U-1', unionid: sys.sim.unionid(member.id), name: '王芳' }], 'key_mall');
    expect(await customerOf(sys, 'mall', 'MALL-U-1')).toBe(register.body.customerId);
  });
});
