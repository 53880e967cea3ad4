/**
 * What the linker will not decide alone: a POS card that shares only the phone with a new member is offered to the
 * member ("这是您在××店的会员卡吗?"); same name + birthday + district is a suggestion a store manager decides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNER_KEYS } from '../../../dev/demo/fixtures.js';
import { partnerHeaders } from '../../../functions/adapters/auth/partner-signature.js';
import { maskName } from '../../../shared/identity/name.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { signUpAs, staffToken } from '../onboarding/helpers.js';
import { customerOf, ingest } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

/** The member shows their code at 文三路店's till: what the cashier sees. */
async function posLookup(token: string) {
  const code = await sys.call('/api/member/code', { token });
  const lookup = JSON.stringify({ memberCode: code.body.code });
  const key = DEMO_PARTNER_KEYS.find((k) => k.id === 'key_pos_hz001');
  if (!key) throw new Error('no demo POS key');
  return sys.call('/api/pos/member', {
    raw: lookup,
    headers: partnerHeaders({
      keyId: key.id,
      secret: key.secret,
      method: 'POST',
      path: '/api/pos/member',
      body: lookup,
      now: sys.clock.now(),
    }),
  });
}

describe('held matches at sign-up', () => {
  it('offers an unconfirmed POS card to the member, who confirms it', async () => {
    await ingest(sys, [{ sourceId: '8810000101', name: '吴雅琴', phone: '187 3398 4112', storeCode: 'HZ001' }]);
    const user = sys.sim.addUser({ nickname: 'Jason', phone: '18733984112' });
    const { token, register } = await signUpAs(sys, user.id, null);
    expect(register.status, JSON.stringify(register.body)).toBe(200);
    const card = await customerOf(sys, 'pos', '8810000101');
    expect(card).not.toBe(register.body.customerId);

    const list = await sys.call('/api/identity/held-matches', { token });
    expect(list.status).toBe(200);
    expect(list.body.matches).toEqual([
      {
        matchId: expect.any(String),
        storeName: '文三路店',
        cardMasked: '88****0101',
        holderMasked: '吴**',
        // not on the card: the record's reading of the given name (雅琴)
        gender: 'female',
        lastVisit: null,
      },
    ]);

    // the member at the counter shows their code: the cashier is told to ask them about the card (masked)
    const atCounter = await posLookup(token);
    expect(atCounter.status).toBe(200);
    expect(atCounter.body.cardsToConfirm).toEqual([{ storeName: '文三路店', cardMasked: '88****0101' }]);

    // someone else's token cannot see or decide it
    const other = sys.sim.addUser({ nickname: '别人', phone: '18733980000' });
    const otherSignup = await signUpAs(sys, other.id, null);
    const stolen = await sys.call('/api/identity/held-matches/decide', {
      token: otherSignup.token,
      body: { matchId: list.body.matches[0].matchId, decision: 'confirm' },
    });
    expect(stolen.status).toBe(404);

    const res = await sys.call('/api/identity/held-matches/decide', {
      token,
      body: { matchId: list.body.matches[0].matchId, decision: 'confirm' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ status: 'confirmed', customerId: register.body.customerId });
    expect(await customerOf(sys, 'pos', '8810000101')).toBe(register.body.customerId);
    const [phone] = await sys.database.exec(
      "select verified from identities where source = 'pos' and source_id = '8810000101' and kind = 'phone'",
    );
    expect(phone.verified).toBe(true);
    // the clerk scanning the member's code now greets 吴**, the card's name, not the WeChat nickname, and has no
    // card left to ask about
    const clerk = await posLookup(token);
    expect(clerk.status).toBe(200);
    expect(clerk.body.nameMasked).toBe(maskName('吴雅琴'));
    expect(clerk.body.nameMasked).not.toBe(maskName('Jason'));
    expect(clerk.body.cardsToConfirm).toEqual([]);
    expect((await sys.call('/api/identity/held-matches', { token })).body.matches).toEqual([]);
    // the same answer again (a retry after a lost response) gets the first outcome; the other is refused
    const retry = await sys.call('/api/identity/held-matches/decide', {
      token,
      body: { matchId: list.body.matches[0].matchId, decision: 'confirm' },
    });
    expect(retry.body).toEqual(res.body);
    const again = await sys.call('/api/identity/held-matches/decide', {
      token,
      body: { matchId: list.body.matches[0].matchId, decision: 'decline' },
    });
    expect(again.body.error.code).toBe('ALREADY_DECIDED');
  });

  it('holds a POS card at sign-up when nothing beyond the phone corroborates it', async () => {
    await ingest(sys, [
      { sourceId: '8810000102', name: '马芳', gender: '女', phone: '19134756448', storeCode: 'HZ001' },
    ]);
    const user = sys.sim.addUser({ nickname: '马芳', phone: '19134756448' });
    const { register } = await signUpAs(sys, user.id, null);
    expect(register.status).toBe(200);
    // WeChat gives no name: the mini-program record is a nickname; the card's gender is known, the sign-up's not,
    // so nothing corroborates and the card is held, not merged
    expect(register.body.newCustomer).toBe(true);
    expect(await customerOf(sys, 'pos', '8810000102')).not.toBe(register.body.customerId);
  });
});

describe('what a member may confirm themselves', () => {
  const decide = (token: string, matchId: string, decision = 'confirm') =>
    sys.call('/api/identity/held-matches/decide', { token, body: { matchId, decision } });

  it('not a card dormant for years: its number may have been recycled to the very person asking', async () => {
    // 王雨桐's card, last used in 2022: the number now belongs to a stranger, who signs up with it
    await ingest(sys, [
      { sourceId: '8810000301', name: '王雨桐', phone: '17823675078', storeCode: 'HZ001', lastActive: '2022-03-01' },
    ]);
    const stranger = sys.sim.addUser({ nickname: '小俞', phone: '17823675078' });
    const { token, register } = await signUpAs(sys, stranger.id, null);
    expect(register.status).toBe(200);
    // neither the welcome nor the confirmation page offers it; the store's review has it, as a dormant card
    expect(register.body.heldMatches).toEqual([]);
    expect((await sys.call('/api/identity/held-matches', { token })).body.matches).toEqual([]);
    const [hold] = await sys.database.exec(
      `select h.id, h.reason from held_links h join source_records r on r.id = h.record_id
        where r.source_id = '8810000301' and h.candidate_customer_id = $1`,
      [register.body.customerId],
    );
    expect(hold.reason).toBe('dormant_card');
    // a hold id learnt some other way is refused too, and nothing merges
    const res = await decide(token, String(hold.id));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('HELD_MATCH_NEEDS_STORE');
    expect(await customerOf(sys, 'pos', '8810000301')).not.toBe(register.body.customerId);
    // "not mine" is always the member's to say
    expect((await decide(token, String(hold.id), 'decline')).status).toBe(200);
  });

  it('a family phone: having confirmed one name’s card, not the card of another name or surname', async () => {
    await ingest(sys, [
      { sourceId: '8810000311', name: '俞磊', gender: '男', phone: '18919299929', storeCode: 'HZ001' },
      { sourceId: '8810000312', name: '王丽', gender: '女', phone: '18919299929', storeCode: 'HZ001' },
      { sourceId: '8810000313', name: '王先生', phone: '18919299929', storeCode: 'HZ001' },
    ]);
    const user = sys.sim.addUser({ nickname: 'Lei', phone: '18919299929' });
    const { token, register } = await signUpAs(sys, user.id, null);
    expect(register.status).toBe(200);
    type Match = { matchId: string; cardMasked: string };
    const offered: Match[] = (await sys.call('/api/identity/held-matches', { token })).body.matches;
    // each card once, each with what tells them apart (masked): the holder and their gender (王先生: male)
    expect(
      offered
        .map((m) => [
          m.cardMasked,
          (m as Match & { holderMasked: string }).holderMasked,
          (m as Match & { gender: string | null }).gender,
        ])
        .sort(),
    ).toEqual([
      ['88****0311', '俞*', 'male'],
      ['88****0312', '王*', 'female'],
      ['88****0313', '王**', 'male'],
    ]);
    expect(register.body.heldMatches.map((m: Match) => m.matchId)).toEqual(offered.map((m) => m.matchId));
    const mine = offered.find((m) => m.cardMasked === '88****0311') as Match;
    expect((await decide(token, mine.matchId)).status).toBe(200);
    // 俞磊's now: 王丽's card and 王先生's are not theirs to take
    expect((await sys.call('/api/identity/held-matches', { token })).body.matches).toEqual([]);
    for (const m of offered.filter((o) => o !== mine)) {
      const res = await decide(token, m.matchId);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('HELD_MATCH_NEEDS_STORE');
    }
    expect(await customerOf(sys, 'pos', '8810000311')).toBe(register.body.customerId);
    expect(await customerOf(sys, 'pos', '8810000312')).not.toBe(register.body.customerId);
    expect(await customerOf(sys, 'pos', '8810000313')).not.toBe(register.body.customerId);
  });
});

describe('merge suggestions', () => {
  it('suggests same name + birthday + district to the store manager, who confirms with the evidence side by side', async () => {
    await ingest(sys, [
      { sourceId: '8810000201', name: '杨斌', birthday: '1992-09-30', phone: '15632439440', storeCode: 'HZ001' },
    ]);
    await ingest(
      sys,
      [
        {
          sourceId: 'mall_yb',
          name: '杨斌',
          birthday: '1992-09-30',
          phone: '17533597944',
          address: '浙江省杭州市西湖区文一路8号',
        },
      ],
      'key_mall',
    );
    const manager = await staffToken(sys, 'u_sm01');
    const list = await sys.call('/api/staff/identity/suggestions', { token: manager });
    expect(list.status).toBe(200);
    expect(list.body.suggestions).toHaveLength(1);
    const s = list.body.suggestions[0];
    expect([s.a.name, s.b.name]).toEqual(['杨斌', '杨斌']);
    expect([s.a.phoneMasked, s.b.phoneMasked].sort()).toEqual(['156****9440', '175****7944']);
    // a merge joins the two customers whole: each has only this record here
    expect([s.aRecords, s.bRecords]).toEqual([1, 1]);

    // another store's manager neither sees nor decides it
    const clerk = await staffToken(sys, 'u_ck01');
    expect((await sys.call('/api/staff/identity/suggestions', { token: clerk })).status).toBe(403);
    const res = await sys.call('/api/staff/identity/suggestions/decide', {
      token: manager,
      body: { id: s.id, decision: 'confirm' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.mergeId).toMatch(/^mrg_/);
    expect(await customerOf(sys, 'pos', '8810000201')).toBe(await customerOf(sys, 'mall', 'mall_yb'));
    const audit = await sys.database.exec("select actor_id, details from audit_log where action = 'identity.merge'");
    expect(audit.at(-1)).toMatchObject({ actor_id: 'stf_sm01' });
  });

  it('counts every record of each side, and a confirmation joins them all', async () => {
    // 邓洁 has two cards at the store, on one phone and with one birthday: one customer of two records
    await ingest(sys, [
      { sourceId: '8810000211', name: '邓洁', birthday: '1985-04-12', phone: '15632431211', storeCode: 'HZ001' },
      { sourceId: '8810000212', name: '邓洁', birthday: '1985-04-12', phone: '15632431211', storeCode: 'HZ001' },
    ]);
    expect(await customerOf(sys, 'pos', '8810000211')).toBe(await customerOf(sys, 'pos', '8810000212'));
    // and a mall account with her name, birthday and district, on another phone: weak evidence only
    await ingest(
      sys,
      [
        {
          sourceId: 'mall_dj',
          name: '邓洁',
          birthday: '1985-04-12',
          phone: '17533591211',
          address: '浙江省杭州市西湖区文二路18号',
        },
      ],
      'key_mall',
    );
    const manager = await staffToken(sys, 'u_sm01');
    const list = await sys.call('/api/staff/identity/suggestions', { token: manager });
    const s = list.body.suggestions.find((x: { a: { name: string } }) => x.a.name === '邓洁');
    expect(s).toBeDefined();
    // the card names the side with two records: the manager decides about both, not only the one shown
    expect([s.aRecords, s.bRecords].sort()).toEqual([1, 2]);
    const res = await sys.call('/api/staff/identity/suggestions/decide', {
      token: manager,
      body: { id: s.id, decision: 'confirm' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const mall = await customerOf(sys, 'mall', 'mall_dj');
    expect(await customerOf(sys, 'pos', '8810000211')).toBe(mall);
    expect(await customerOf(sys, 'pos', '8810000212')).toBe(mall);
  });

  it('shows HQ the integration health per source', async () => {
    const hq = await staffToken(sys, 'u_hq01');
    const res = await sys.call('/api/staff/identity/health', { token: hq });
    expect(res.status).toBe(200);
    const pos = res.body.sources.find((s: { source: string }) => s.source === 'pos');
    expect(pos).toMatchObject({ calls24h: expect.any(Number), failures24h: 0, lagMinutes: 0 });
    expect(pos.lastOkAt).not.toBeNull();
  });
});

describe('the held card’s last visit', () => {
  it('is the latest of the export’s date and the till’s sales on the card since', async () => {
    await ingest(sys, [
      { sourceId: '8810000901', name: '宋美玲', phone: '18733984901', storeCode: 'HZ001', lastActive: '2026-09-12' },
    ]);
    const user = sys.sim.addUser({ nickname: '宋', phone: '18733984901' });
    const { token } = await signUpAs(sys, user.id, null);
    const lastVisit = async () => (await sys.call('/api/identity/held-matches', { token })).body.matches[0].lastVisit;
    expect(await lastVisit()).toBe('2026-09');

    // the card is used at the till today (the member has not confirmed it yet)
    const body = JSON.stringify({
      idempotencyKey: 'held-last-visit-1',
      externalId: 'HZ001-HELD-LV-1',
      posCardNo: '8810000901',
      orderedAt: sys.clock.now().toISOString(),
      totalFen: 2_000,
      discountFen: 0,
      paidFen: 2_000,
      lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 2_000, amountFen: 2_000 }],
    });
    const key = DEMO_PARTNER_KEYS.find((k) => k.id === 'key_pos_hz001');
    if (!key) throw new Error('no demo POS key');
    const sale = await sys.call('/api/pos/orders', {
      raw: body,
      headers: partnerHeaders({
        keyId: key.id,
        secret: key.secret,
        method: 'POST',
        path: '/api/pos/orders',
        body,
        now: sys.clock.now(),
      }),
    });
    expect(sale.status, JSON.stringify(sale.body)).toBe(200);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(sys.clock.now());
    expect(await lastVisit()).toBe(today.slice(0, 7));
  });
});
