/**
 * Held cards are held "for review": a store manager reads the held card beside the member it may belong to, with
 * why it was held, and decides. Before, only the member could confirm one at sign-up, so a card held against a
 * customer who never opens the mini-program waited for ever.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';
import { customerOf, ingest } from './helpers.js';

let sys: TestSystem;
let manager: string;
let regional: string;
let clerk: string;
beforeAll(async () => {
  sys = await startTestSystem();
  manager = await staffToken(sys, 'u_sm01');
  regional = await staffToken(sys, 'u_rm01');
  clerk = await staffToken(sys, 'u_ck01');
});
afterAll(async () => sys?.close());

const list = (token: string) => sys.call('/api/staff/identity/holds', { token });
const decide = (token: string, id: string, decision: 'confirm' | 'reject') =>
  sys.call('/api/staff/identity/holds/decide', { token, body: { id, decision } });

describe('held cards for a store manager', () => {
  it('lists a dormant card beside the mall account on its phone, and merges it when the manager confirms', async () => {
    // a card silent since 2021 (the number may have been recycled since) and an active mall account on that phone
    // under a nickname, with no birthday to tell whether it is the card's holder
    await ingest(sys, [
      {
        sourceId: '8830000101',
        cardNo: '8830000101',
        name: '王建国',
        gender: '男',
        birthday: '1958-04-02',
        phone: '13957130101',
        storeCode: 'HZ001',
        lastActive: '2021-03-01',
      },
    ]);
    sys.clock.advance(60_000);
    const mall = await ingest(
      sys,
      [{ sourceId: 'mall_wjg', mallAccount: 'mall_wjg', name: '平安是福', phone: '13957130101' }],
      'key_mall',
    );
    expect(mall.body.results[0].link).not.toBe('linked');
    const card = await customerOf(sys, 'pos', '8830000101');
    const account = await customerOf(sys, 'mall', 'mall_wjg');
    expect(card).not.toBe(account);

    const res = await list(manager);
    expect(res.status).toBe(200);
    const mine = res.body.holds.filter((h: { record: { name: string } }) => h.record.name === '王建国');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      reason: 'dormant_card',
      storeId: 'sto_001',
      record: { source: 'pos', sourceIdMasked: '88****0101', phoneMasked: '139****0101', lastActive: '2021-03-01' },
      candidate: { source: 'mall', customerId: account, phoneMasked: '139****0101', name: '平安是福' },
      candidateRecords: 1,
    });
    // names are shown as the suggestions show them; phones and card numbers masked
    expect(JSON.stringify(res.body)).not.toContain('13957130101');
    expect(JSON.stringify(res.body)).not.toContain('8830000101');

    // a clerk may neither list nor decide
    expect((await list(clerk)).status).toBe(403);
    expect((await decide(clerk, mine[0].id, 'confirm')).status).toBe(403);

    sys.clock.advance(60_000);
    const ok = await decide(manager, mine[0].id, 'confirm');
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ status: 'confirmed', mergeId: expect.stringMatching(/^mrg_/) });
    expect(await customerOf(sys, 'pos', '8830000101')).toBe(await customerOf(sys, 'mall', 'mall_wjg'));
    const [m] = await sys.database.exec('select rule, actor_kind, actor_id from identity_merges where id = $1', [
      ok.body.mergeId,
    ]);
    expect(m).toEqual({ rule: 'reviewed_hold', actor_kind: 'staff', actor_id: 'stf_sm01' });
    // a staff decision is not WeChat's phone check: the card's phone stays unverified
    const [phone] = await sys.database.exec(
      "select verified from identities where source = 'pos' and source_id = '8830000101' and kind = 'phone'",
    );
    expect(phone.verified).toBe(false);
    const audit = await sys.database.exec(
      "select actor_id, details ->> 'rule' as rule from audit_log where action = 'identity.merge' order by id desc limit 1",
    );
    expect(audit).toEqual([{ actor_id: 'stf_sm01', rule: 'reviewed_hold' }]);
    // the health page's count is the cards the list shows: a hold the merge made moot counts no more
    const hq = await staffToken(sys, 'u_hq01');
    const health = await sys.call('/api/staff/identity/health', { token: hq });
    expect(health.body).toMatchObject({ openHolds: (await list(hq)).body.holds.length, openHoldsCapped: false });
    // decided once: gone from the list; the same decision again (a retry) gets the first outcome, the other refused
    expect((await list(manager)).body.holds.map((h: { id: string }) => h.id)).not.toContain(mine[0].id);
    const retry = await decide(manager, mine[0].id, 'confirm');
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(ok.body);
    const again = await decide(manager, mine[0].id, 'reject');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_DECIDED');
  });

  it('closes a card the manager says is someone else’s, and scopes the list by the card’s store', async () => {
    // a card at another store of the region, held against a mall account on its phone (a family phone)
    await ingest(
      sys,
      [
        {
          sourceId: '8830000201',
          cardNo: '8830000201',
          name: '赵丽',
          gender: '女',
          phone: '13957130202',
          storeCode: 'HZ002',
        },
        {
          sourceId: '8830000202',
          cardNo: '8830000202',
          name: '钱峰',
          gender: '男',
          phone: '13957130202',
          storeCode: 'HZ002',
        },
      ],
      'key_pos_hz002',
    );
    sys.clock.advance(60_000);
    await ingest(
      sys,
      [{ sourceId: 'mall_zl', mallAccount: 'mall_zl', name: '小丽', phone: '13957130202' }],
      'key_mall',
    );
    const regionalList = (await list(regional)).body.holds.filter(
      (h: { record: { phoneMasked: string } }) => h.record.phoneMasked === '139****0202',
    );
    expect(regionalList.length).toBeGreaterThan(0);
    expect(regionalList.every((h: { reason: string }) => h.reason === 'family_phone')).toBe(true);
    // the store manager of HZ001 sees none of HZ002's cards, and may not decide them
    const managerList = (await list(manager)).body.holds;
    expect(managerList.filter((h: { storeId: string }) => h.storeId !== 'sto_001')).toEqual([]);
    const posHold = regionalList.find((h: { record: { source: string } }) => h.record.source === 'pos');
    if (!posHold) throw new Error('no held POS card on the family phone');
    expect((await decide(manager, posHold.id, 'reject')).status).toBe(403);

    const customerNow = async (recordId: string) =>
      (await sys.database.exec('select customer_id from source_records where id = $1', [recordId]))[0].customer_id;
    const before = await customerNow(posHold.record.recordId);
    const res = await decide(regional, posHold.id, 'reject');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ status: 'rejected', mergeId: null });
    const [h] = await sys.database.exec('select status, decided_by from held_links where id = $1', [posHold.id]);
    expect(h).toEqual({ status: 'rejected', decided_by: 'stf_rm01' });
    expect(await customerNow(posHold.record.recordId)).toBe(before);
  });

  it('a mall account held on a phone is HQ’s to decide, asked once per pair, and HQ’s undo keeps it off the list', async () => {
    const hq = await staffToken(sys, 'u_hq01');
    // the family card not decided above and the account are held against each other: one question, asked as the
    // card's (its store's manager can answer it), so the account's own hold is not listed beside it
    const all = (await list(hq)).body.holds;
    type Listed = {
      id: string;
      record: { source: string; name: string; recordId: string };
      candidate: { name: string };
    };
    const cardHold = all.find((h: Listed) => h.record.source === 'pos' && h.candidate.name === '小丽');
    expect(cardHold).toMatchObject({ storeId: 'sto_002' });
    const [mallHold] = await sys.database.exec(
      `select h.id from held_links h join source_records r on r.id = h.record_id
       where r.source_id = 'mall_zl' and h.status = 'open'
         and h.candidate_customer_id = (select customer_id from source_records where id = $1)`,
      [cardHold.record.recordId],
    );
    if (!mallHold) throw new Error('no held mall account');
    expect(all.map((h: Listed) => h.id)).not.toContain(mallHold.id);
    expect(all.filter((h: Listed) => [h.record.name, h.candidate.name].includes(cardHold.record.name))).toHaveLength(1);
    // the account's hold has no store: only HQ decides it
    expect((await decide(regional, String(mallHold.id), 'confirm')).status).toBe(403);
    // HQ merged the dormant card above by mistake: undoing it keeps the card off the list and out of any decision
    const [merge] = await sys.database.exec("select id from identity_merges where rule = 'reviewed_hold'");
    sys.clock.advance(60_000);
    expect((await sys.call('/api/staff/identity/merges/undo', { token: hq, body: { mergeId: merge.id } })).status).toBe(
      200,
    );
    const [{ id: holdId }] = await sys.database.exec(
      `update held_links h set status = 'open', decided_by = null, decided_at = null, merge_id = null
         from source_records r where r.id = h.record_id and r.source_id = '8830000101' returning h.id`,
    );
    expect((await list(hq)).body.holds.map((h: { id: string }) => h.id)).not.toContain(holdId);
    const refused = await decide(hq, String(holdId), 'confirm');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('IDENTITY_KEPT_APART');
  });
});
