/**
 * 会员注销's lookup says what each person on a phone holds (门店会员卡, 商城账号, 企业微信联系人, 已注册小程序) as
 * counts, never the identifiers, and which stores it looked in: the manager's store, the regional manager's region,
 * or all of them for HQ. Before, a mall account read as "0 张门店会员卡，未注册小程序" and an empty answer always said
 * 本店.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { customerOf, ingest } from '../identity/helpers.js';
import { staffToken } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const PHONE = '13957118531';

type Member = {
  customerId: string;
  nameMasked: string | null;
  registered: boolean;
  posCards: number;
  mallAccounts: number;
  wecomContacts: number;
};

describe('who holds what on a phone, for closing an account at the store', () => {
  it('counts each person’s store cards, mall accounts and WeCom contacts, masked, in the caller’s scope', async () => {
    // a store card at 文三路店 (Hangzhou), another person's store card in Ningbo, and a third person's mall account
    // with the WeCom contact of the same WeChat (one unionid: the linker joins them)
    expect(
      (
        await ingest(sys, [
          { sourceId: '6600009301', cardNo: '6600009301', name: '杨丽华', phone: PHONE, storeCode: 'HZ001' },
        ])
      ).status,
    ).toBe(200);
    expect(
      (
        await ingest(
          sys,
          [{ sourceId: '6600009302', cardNo: '6600009302', name: '王建国', phone: PHONE, storeCode: 'NB001' }],
          'key_pos_nb001',
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await ingest(
          sys,
          [{ sourceId: 'mall_jzq', name: '金志强', phone: PHONE, unionid: 'oUN_jzq_close' }],
          'key_mall',
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await ingest(
          sys,
          [{ sourceId: 'wc_jzq', name: '金志强', phone: PHONE, unionid: 'oUN_jzq_close', wecomId: 'wc_jzq' }],
          'key_wecom',
        )
      ).status,
    ).toBe(200);
    expect(await customerOf(sys, 'wecom', 'wc_jzq')).toBe(await customerOf(sys, 'mall', 'mall_jzq'));

    const lookup = async (userId: string) => {
      const r = await sys.call(`/api/staff/members/closable?phone=${PHONE}`, { token: await staffToken(sys, userId) });
      expect(r.status).toBe(200);
      return r.body as { phoneMasked: string; scope: string; members: Member[] };
    };

    const hq = await lookup('u_hq01');
    expect(hq.scope).toBe('chain');
    const byName = (n: string) => hq.members.find((m) => m.nameMasked === n);
    expect(hq.members).toHaveLength(3);
    expect(byName('金**')).toMatchObject({ registered: false, posCards: 0, mallAccounts: 1, wecomContacts: 1 });
    expect(byName('杨**')).toMatchObject({ registered: false, posCards: 1, mallAccounts: 0, wecomContacts: 0 });
    expect(byName('王**')).toMatchObject({ posCards: 1, mallAccounts: 0, wecomContacts: 0 });
    // what they hold, not the identifiers themselves
    const text = JSON.stringify(hq);
    for (const secret of ['mall_jzq', 'wc_jzq', 'oUN_jzq_close', '6600009301', '金志强', PHONE]) {
      expect(text).not.toContain(secret);
    }

    // the regional manager looks in the region's stores: the Hangzhou card only (the mall account has no store)
    const region = await lookup('u_rm01');
    expect(region.scope).toBe('region');
    expect(region.members.map((m) => m.nameMasked)).toEqual(['杨**']);

    const store = await lookup('u_sm01');
    expect(store.scope).toBe('store');
    expect(store.members.map((m) => m.nameMasked)).toEqual(['杨**']);
  });
});
