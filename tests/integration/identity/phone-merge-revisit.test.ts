/**
 * Arrival order must not decide a merge. A card named 王波 and a WeCom nickname of the same gender on one phone link
 * (one name on the phone); when 徐月娥's card arrives on that phone it is a family phone, where a nickname joins a
 * named person only by their exact birthday: the incremental linker undoes its earlier merge (the existing undo, so
 * every row is back with its own customer) and holds the nickname, as it would have had 徐月娥's card come first.
 * A merge a member confirmed is never touched.
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

const wangBo = (card: string, phone: string) => ({
  sourceId: card,
  name: '王波',
  gender: '男',
  phone,
  storeCode: 'HZ001',
});
const xuYuee = (card: string, phone: string) => ({
  sourceId: card,
  name: '徐月娥',
  gender: '女',
  phone,
  storeCode: 'HZ001',
});
const nickname = (id: string, phone: string) => ({ sourceId: id, wecomId: id, name: 'Bobo', gender: '男', phone });

type Arrival = { source: 'pos' | 'wecom'; record: { sourceId: string } & Record<string, unknown> };
async function arrive(list: readonly Arrival[]) {
  for (const a of list) {
    sys.clock.advance(60_000);
    const res = await ingest(sys, [a.record], a.source === 'pos' ? 'key_pos_hz001' : 'key_wecom');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

/** The three records' customers as a partition of their labels. */
async function partition(records: Record<string, [string, string]>) {
  const byCustomer = new Map<string, string[]>();
  for (const [label, [source, sourceId]] of Object.entries(records)) {
    const c = await customerOf(sys, source, sourceId);
    byCustomer.set(c, [...(byCustomer.get(c) ?? []), label]);
  }
  return [...byCustomer.values()].map((l) => l.sort().join(' ')).sort();
}

async function openHolds(source: string, sourceId: string) {
  return sys.database.exec(
    `select h.candidate_customer_id, h.reason from held_links h join source_records r on r.id = h.record_id
     where r.source = $1 and r.source_id = $2 and h.status = 'open' order by h.candidate_customer_id`,
    [source, sourceId],
  );
}

describe('a phone merge revisited when the phone becomes a family phone', () => {
  it('undoes the nickname merge when 徐月娥 arrives after it, and ends as if she had come first', async () => {
    const phone = '13377770001';
    await arrive([
      { source: 'pos', record: wangBo('8877000011', phone) },
      { source: 'wecom', record: nickname('wm_rv_bobo1', phone) },
    ]);
    const card = await customerOf(sys, 'pos', '8877000011');
    expect(await customerOf(sys, 'wecom', 'wm_rv_bobo1')).toBe(card);
    const [merge] = await sys.database.exec(
      "select id, merged_id, survivor_id from identity_merges where rule = 'phone' and evidence ->> 'value' like '133****0001' and undone_at is null",
    );
    expect(merge).toBeDefined();
    const [origin] = await sys.database.exec(
      "select origin_customer_id from source_records where source = 'wecom' and source_id = 'wm_rv_bobo1'",
    );

    await arrive([{ source: 'pos', record: xuYuee('8877000012', phone) }]);
    const late = await partition({
      wangBo: ['pos', '8877000011'],
      nick: ['wecom', 'wm_rv_bobo1'],
      xu: ['pos', '8877000012'],
    });
    expect(late).toEqual(['nick', 'wangBo', 'xu']);
    // the merge is undone, why is said, and the rows are back where they were: the nickname on its own customer,
    // which is active again
    const [after] = await sys.database.exec(
      'select undone_at is not null as undone, undone_by from identity_merges where id = $1',
      [merge.id],
    );
    expect(after).toEqual({ undone: true, undone_by: 'linker:family-phone' });
    expect(await customerOf(sys, 'wecom', 'wm_rv_bobo1')).toBe(origin.origin_customer_id);
    expect(await customerOf(sys, 'pos', '8877000011')).toBe(card);
    const [restored] = await sys.database.exec('select status, merged_into from customers where id = $1', [
      merge.merged_id,
    ]);
    expect(restored).toEqual({ status: 'active', merged_into: null });
    const identities = await sys.database.exec(
      "select distinct customer_id from identities where source = 'wecom' and source_id = 'wm_rv_bobo1'",
    );
    expect(identities.map((r) => r.customer_id)).toEqual([origin.origin_customer_id]);
    // held for the member to say which card is theirs: offered to 王波's customer, and the rules' reason
    const held = await openHolds('wecom', 'wm_rv_bobo1');
    expect(held.map((h) => h.candidate_customer_id)).toContain(card);
    expect(new Set(held.map((h) => h.reason))).toEqual(new Set(['family_phone']));

    // the other arrival order on another phone: 徐月娥 first, nothing is ever merged, the same customers and holds
    const other = '13377770002';
    await arrive([
      { source: 'pos', record: xuYuee('8877000022', other) },
      { source: 'pos', record: wangBo('8877000021', other) },
      { source: 'wecom', record: nickname('wm_rv_bobo2', other) },
    ]);
    const early = await partition({
      wangBo: ['pos', '8877000021'],
      nick: ['wecom', 'wm_rv_bobo2'],
      xu: ['pos', '8877000022'],
    });
    expect(early).toEqual(late);
    const merges = await sys.database.exec(
      "select count(*)::int as n from identity_merges where evidence ->> 'value' like '133****0002'",
    );
    expect(merges[0].n).toBe(0);
    const heldEarly = await openHolds('wecom', 'wm_rv_bobo2');
    expect(heldEarly.length).toBe(held.length);
    expect(heldEarly.map((h) => h.candidate_customer_id)).toContain(await customerOf(sys, 'pos', '8877000021'));
  });

  it('keeps a second name joined to its own cards and leaves a nickname born on their day with them', async () => {
    const phone = '13377770003';
    const born = { birthday: '1981-03-04' };
    await arrive([
      { source: 'pos', record: { ...wangBo('8877000031', phone), ...born } },
      { source: 'pos', record: wangBo('8877000032', phone) },
      { source: 'wecom', record: { ...nickname('wm_rv_bobo3', phone), ...born } },
      { source: 'pos', record: xuYuee('8877000033', phone) },
    ]);
    // the nickname shares 王波's exact birthday: the family phone's rules still join it, so nothing is undone
    const parts = await partition({
      wangBo1: ['pos', '8877000031'],
      wangBo2: ['pos', '8877000032'],
      nick: ['wecom', 'wm_rv_bobo3'],
      xu: ['pos', '8877000033'],
    });
    expect(parts).toEqual(['nick wangBo1 wangBo2', 'xu']);
    const undone = await sys.database.exec(
      "select count(*)::int as n from identity_merges where evidence ->> 'value' like '133****0003' and undone_at is not null",
    );
    expect(undone[0].n).toBe(0);
  });

  it("takes along a record that joined the wrongly merged customer later on the undone side's unionid", async () => {
    // Bobo's WeCom contact carries a unionid; 王波's card and Bobo merge on the phone, then a second WeCom contact
    // ("Jason", no phone) joins by that unionid, into 王波's customer, the merge's survivor. When 徐月娥's card makes it
    // a family phone the phone merge is undone and Jason follows Bobo: his only evidence is Bobo's unionid.
    const phone = '13377770005';
    const unionid = 'oU_rv_bobo5';
    await arrive([
      { source: 'pos', record: wangBo('8877000051', phone) },
      { source: 'wecom', record: { ...nickname('wm_rv_bobo5', phone), unionid } },
      { source: 'wecom', record: { sourceId: 'wm_rv_jason5', wecomId: 'wm_rv_jason5', name: 'Jason', unionid } },
    ]);
    const card = await customerOf(sys, 'pos', '8877000051');
    expect(await customerOf(sys, 'wecom', 'wm_rv_jason5')).toBe(card);
    await arrive([{ source: 'pos', record: xuYuee('8877000052', phone) }]);
    const parts = await partition({
      wangBo: ['pos', '8877000051'],
      nick: ['wecom', 'wm_rv_bobo5'],
      jason: ['wecom', 'wm_rv_jason5'],
      xu: ['pos', '8877000052'],
    });
    expect(parts).toEqual(['jason nick', 'wangBo', 'xu']);
    expect(await customerOf(sys, 'pos', '8877000051')).toBe(card);
    const identities = await sys.database.exec(
      "select distinct i.customer_id from identities i where i.source = 'wecom' and i.source_id in ('wm_rv_bobo5', 'wm_rv_jason5')",
    );
    expect(identities.map((r) => r.customer_id)).toEqual([await customerOf(sys, 'wecom', 'wm_rv_bobo5')]);
    // Jason's merge into 王波's customer is undone, and a live unionid merge joins him to Bobo
    const live = await sys.database.exec(
      "select rule from identity_merges where evidence ->> 'value' = $1 and undone_at is null",
      [unionid],
    );
    expect(live.map((r) => r.rule)).toEqual(['unionid']);

    // the other order on another phone: Jason first; Bobo joins 王波 (phone) and Jason (unionid) in one arrival
    const other = '13377770006';
    const u2 = 'oU_rv_bobo6';
    await arrive([
      { source: 'wecom', record: { sourceId: 'wm_rv_jason6', wecomId: 'wm_rv_jason6', name: 'Jason', unionid: u2 } },
      { source: 'pos', record: wangBo('8877000061', other) },
      { source: 'wecom', record: { ...nickname('wm_rv_bobo6', other), unionid: u2 } },
    ]);
    expect(await customerOf(sys, 'wecom', 'wm_rv_jason6')).toBe(await customerOf(sys, 'pos', '8877000061'));
    await arrive([{ source: 'pos', record: xuYuee('8877000062', other) }]);
    expect(
      await partition({
        wangBo: ['pos', '8877000061'],
        nick: ['wecom', 'wm_rv_bobo6'],
        jason: ['wecom', 'wm_rv_jason6'],
        xu: ['pos', '8877000062'],
      }),
    ).toEqual(['jason nick', 'wangBo', 'xu']);
  });

  it('never undoes a merge the member confirmed', async () => {
    const phone = '13377770004';
    await arrive([
      { source: 'pos', record: wangBo('8877000041', phone) },
      { source: 'pos', record: xuYuee('8877000042', phone) },
    ]);
    // the member signs up with the family phone: which card is theirs is theirs to say
    const user = sys.sim.addUser({ nickname: 'Bobo', phone });
    const { token, register } = await signUpAs(sys, user.id, null);
    expect(register.status, JSON.stringify(register.body)).toBe(200);
    const member = register.body.customerId as string;
    const list = await sys.call('/api/identity/held-matches', { token });
    const match = list.body.matches.find((m: { cardMasked: string }) => m.cardMasked === '88****0041');
    expect(match, JSON.stringify(list.body)).toBeDefined();
    const res = await sys.call('/api/identity/held-matches/decide', {
      token,
      body: { matchId: match.matchId, decision: 'confirm' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await customerOf(sys, 'pos', '8877000041')).toBe(member);

    // more of the family arrives on the phone: a nickname, and 王波's second card
    await arrive([
      { source: 'wecom', record: nickname('wm_rv_bobo4', phone) },
      { source: 'pos', record: wangBo('8877000043', phone) },
    ]);
    expect(await customerOf(sys, 'pos', '8877000041')).toBe(member);
    const confirmed = await sys.database.exec(
      "select undone_at from identity_merges where rule = 'confirmed_match' and survivor_id = $1",
      [member],
    );
    expect(confirmed.length).toBe(1);
    expect(confirmed[0].undone_at).toBeNull();
    expect(await customerOf(sys, 'pos', '8877000042')).not.toBe(member);
  });
});
