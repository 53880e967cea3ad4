/**
 * HQ's undo is a person's word that two records are two people, and it sticks. Before, the next sync of either
 * record joined them again on the same phone, and a third card on that phone joined whichever synced first. Now the
 * undo leaves a separation: the incremental linker, the bulk job and every confirmation keep the two apart until HQ
 * restores the merge (恢复合并).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestAndLog } from '../../../functions/app/identity/ingest.js';
import { linkAll } from '../../../functions/app/identity/link-all.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { signUpAs, staffToken } from '../onboarding/helpers.js';
import { customerOf, ingest } from './helpers.js';

let sys: TestSystem;
let hq: string;
beforeAll(async () => {
  sys = await startTestSystem();
  hq = await staffToken(sys, 'u_hq01');
});
afterAll(async () => sys?.close());

const step = () => sys.clock.advance(60_000);
const card = (sourceId: string, name: string, phone: string, lastActive = '2026-11-01') => ({
  sourceId,
  cardNo: sourceId,
  name,
  gender: '男',
  phone,
  storeCode: 'HZ001',
  lastActive,
});
const undo = (mergeId: string) => sys.call('/api/staff/identity/merges/undo', { token: hq, body: { mergeId } });
const restore = (mergeId: string, token = hq) =>
  sys.call('/api/staff/identity/merges/restore', { token, body: { mergeId } });
/** The latest live merge that moved the record. */
async function mergeOf(source: string, sourceId: string) {
  const [m] = await sys.database.exec(
    `select m.id, m.rule from identity_merges m join identity_merge_moves mv on mv.merge_id = m.id
       join source_records r on r.id = mv.row_id and mv.table_name = 'source_records'
      where r.source = $1 and r.source_id = $2 and m.undone_at is null order by m.seq desc limit 1`,
    [source, sourceId],
  );
  return m as { id: string; rule: string } | undefined;
}
const holdsOf = (source: string, sourceId: string) =>
  sys.database.exec(
    `select h.candidate_customer_id as candidate, h.reason from held_links h join source_records r on r.id = h.record_id
      where r.source = $1 and r.source_id = $2 and h.status = 'open' order by 1`,
    [source, sourceId],
  );

describe('a merge HQ undid stays undone', () => {
  const PHONE = '13957110001';
  let mergeId: string;
  let wangCard: string;
  let wangMall: string;

  it('keeps the two apart when either record syncs again', async () => {
    await ingest(sys, [card('KA-C1', '王波', PHONE)]);
    step();
    const mall = await ingest(
      sys,
      [{ sourceId: 'KA-M1', mallAccount: 'KA-M1', name: '王波', gender: '男', phone: PHONE }],
      'key_mall',
    );
    expect(mall.body.results[0].link).toBe('linked');
    expect(await customerOf(sys, 'pos', 'KA-C1')).toBe(await customerOf(sys, 'mall', 'KA-M1'));
    const merge = (await mergeOf('pos', 'KA-C1')) ?? (await mergeOf('mall', 'KA-M1'));
    expect(merge?.rule).toBe('phone');
    mergeId = merge?.id as string;
    step();
    const res = await undo(mergeId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.keptApart).toBe(true);
    wangCard = await customerOf(sys, 'pos', 'KA-C1');
    wangMall = await customerOf(sys, 'mall', 'KA-M1');
    expect(wangCard).not.toBe(wangMall);
    const [sep] = await sys.database.exec(
      `select s.created_by, s.lifted_at, a.source_id as a, b.source_id as b from identity_separations s
         join source_records a on a.id = s.record_a join source_records b on b.id = s.record_b where s.merge_id = $1`,
      [mergeId],
    );
    expect(sep).toMatchObject({ created_by: 'stf_hq01', lifted_at: null });
    expect([sep.a, sep.b].sort()).toEqual(['KA-C1', 'KA-M1']);

    // the POS sends the card again (a later visit), then the mall its account: nothing joins them
    step();
    const again = await ingest(sys, [card('KA-C1', '王波', PHONE, '2026-11-20')]);
    expect(again.body.results[0]).toMatchObject({ status: 'updated', link: 'own' });
    step();
    await ingest(
      sys,
      [{ sourceId: 'KA-M1', mallAccount: 'KA-M1', name: '王波', gender: '男', phone: PHONE, email: 'wb@example.com' }],
      'key_mall',
    );
    expect(await customerOf(sys, 'pos', 'KA-C1')).toBe(wangCard);
    expect(await customerOf(sys, 'mall', 'KA-M1')).toBe(wangMall);
    // and neither is offered to the other as a held match
    expect(await holdsOf('pos', 'KA-C1')).toEqual([]);
    expect(await holdsOf('mall', 'KA-M1')).toEqual([]);
  });

  it('holds a third card on the phone against both sides, whichever syncs first afterwards', async () => {
    step();
    const third = await ingest(sys, [card('KA-C2', '王波', PHONE)]);
    expect(third.body.results[0].link).toBe('held');
    const c2 = await customerOf(sys, 'pos', 'KA-C2');
    expect([wangCard, wangMall]).not.toContain(c2);
    expect(await holdsOf('pos', 'KA-C2')).toEqual(
      [
        { candidate: wangCard, reason: 'kept_apart' },
        { candidate: wangMall, reason: 'kept_apart' },
      ].sort((a, b) => a.candidate.localeCompare(b.candidate)),
    );
    // the first card syncs again: it does not take the third card along (the phone's class is broken)
    step();
    expect((await ingest(sys, [card('KA-C1', '王波', PHONE, '2026-11-24')])).body.results[0].link).not.toBe('linked');
    step();
    await ingest(
      sys,
      [{ sourceId: 'KA-M1', mallAccount: 'KA-M1', name: '王波', gender: '男', phone: PHONE }],
      'key_mall',
    );
    const now = [
      await customerOf(sys, 'pos', 'KA-C1'),
      await customerOf(sys, 'mall', 'KA-M1'),
      await customerOf(sys, 'pos', 'KA-C2'),
    ];
    expect(new Set(now).size).toBe(3);
  });

  it('the bulk re-link keeps them apart too', async () => {
    step();
    const job = await linkAll(sys.database, { now: sys.clock.now() });
    expect(job.apart.sort()).toEqual(
      (
        await sys.database.exec(
          "select id from source_records where source_id in ('KA-C1', 'KA-C2', 'KA-M1') order by id",
        )
      ).map((r) => r.id),
    );
    expect(await customerOf(sys, 'pos', 'KA-C1')).toBe(wangCard);
    expect(await customerOf(sys, 'mall', 'KA-M1')).toBe(wangMall);
    expect([wangCard, wangMall]).not.toContain(await customerOf(sys, 'pos', 'KA-C2'));
  });

  it('shows HQ the undo keeps them apart, and HQ alone restores the merge', async () => {
    const list = await sys.call(`/api/staff/identity/merges?phone=${PHONE}`, { token: hq });
    expect(list.status).toBe(200);
    const item = list.body.merges.find((m: { id: string }) => m.id === mergeId);
    expect(item.undone).toMatchObject({ byName: '陈敏', keptApart: true, restored: null });

    const manager = await staffToken(sys, 'u_sm01');
    expect((await restore(mergeId, manager)).status).toBe(403);
    step();
    const res = await restore(mergeId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.restoreMergeId).toMatch(/^mrg_/);
    expect(await customerOf(sys, 'pos', 'KA-C1')).toBe(await customerOf(sys, 'mall', 'KA-M1'));
    expect(await customerOf(sys, 'pos', 'KA-C1')).toBe(res.body.customerId);
    const again = await restore(mergeId);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('MERGE_NOT_SEPARATED');
    const after = (await sys.call(`/api/staff/identity/merges?phone=${PHONE}`, { token: hq })).body.merges;
    expect(after.find((m: { id: string }) => m.id === mergeId).undone).toMatchObject({
      keptApart: false,
      restored: { byName: '陈敏' },
    });
    const restored = after.find((m: { id: string }) => m.id === res.body.restoreMergeId);
    expect(restored).toMatchObject({ kind: 'staff_confirmed', actor: { kind: 'staff', name: '陈敏' } });
    expect(restored.evidence.text).toBe('总部恢复了此前撤销的合并');
    const audit = await sys.database.exec(
      "select details from audit_log where action = 'identity.merge' and details ->> 'rule' = 'restored'",
    );
    expect(audit).toHaveLength(1);

    // with HQ's word taken back, the third card joins them on its next sync, as the rules say
    step();
    expect((await ingest(sys, [card('KA-C2', '王波', PHONE, '2026-11-25')])).body.results[0].link).toBe('linked');
    expect(await customerOf(sys, 'pos', 'KA-C2')).toBe(res.body.customerId);
  });

  it('cannot restore a live merge, or an unknown one', async () => {
    const live = (await mergeOf('pos', 'KA-C2')) ?? (await mergeOf('pos', 'KA-C1'));
    expect(live).toBeDefined();
    expect((await restore(String(live?.id))).body.error.code).toBe('MERGE_NOT_SEPARATED');
    const unknown = await restore('mrg_nope');
    expect(unknown.status).toBe(404);
  });
});

describe('decisions across HQ’s word', () => {
  // the clock moved on through the steps above: a new session
  beforeAll(async () => {
    hq = await staffToken(sys, 'u_hq01');
  });

  it('a member’s confirmed card that HQ split off is not offered or joined again', async () => {
    await ingest(sys, [card('KA-WYQ', '吴雅琴', '18733984555')]);
    const user = sys.sim.addUser({ nickname: 'Yaqin', phone: '18733984555' });
    const { token, register } = await signUpAs(sys, user.id, null);
    expect(register.status).toBe(200);
    const [match] = (await sys.call('/api/identity/held-matches', { token })).body.matches;
    expect(match).toBeDefined();
    step();
    const confirm = await sys.call('/api/identity/held-matches/decide', {
      token,
      body: { matchId: match.matchId, decision: 'confirm' },
    });
    expect(confirm.status).toBe(200);
    const merge = await mergeOf('pos', 'KA-WYQ');
    expect(merge?.rule).toBe('confirmed_match');
    step();
    expect((await undo(String(merge?.id))).body.keptApart).toBe(true);
    step();
    await ingest(sys, [card('KA-WYQ', '吴雅琴', '18733984555', '2026-11-22')]);
    expect(await customerOf(sys, 'pos', 'KA-WYQ')).not.toBe(register.body.customerId);
    expect((await sys.call('/api/identity/held-matches', { token })).body.matches).toEqual([]);
    // the member's own confirmation, were it open again (a hold left from before the undo), is neither offered
    // nor taken
    const [{ id: holdId }] = await sys.database.exec(
      `update held_links h set status = 'open', decided_by = null, decided_at = null, merge_id = null
         from source_records r where r.id = h.record_id and r.source = 'pos' and r.source_id = 'KA-WYQ' returning h.id`,
    );
    expect((await sys.call('/api/identity/held-matches', { token })).body.matches).toEqual([]);
    const before = await customerOf(sys, 'pos', 'KA-WYQ');
    const refused = await sys.call('/api/identity/held-matches/decide', {
      token,
      body: { matchId: holdId, decision: 'confirm' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('IDENTITY_KEPT_APART');
    expect(await customerOf(sys, 'pos', 'KA-WYQ')).toBe(before);
    const [held] = await sys.database.exec('select status from held_links where id = $1', [holdId]);
    expect(held.status).toBe('open');
  });

  it('a suggestion across the undo is neither listed nor confirmed', async () => {
    const person = { name: '杨帆', birthday: '1990-03-12', address: '浙江省杭州市西湖区文三路1号' };
    await ingest(sys, [{ sourceId: 'KA-YF1', cardNo: 'KA-YF1', ...person, phone: '15611110001', storeCode: 'HZ001' }]);
    step();
    await ingest(sys, [{ sourceId: 'KA-YF-M', ...person, phone: '15611110002' }], 'key_mall');
    const manager = await staffToken(sys, 'u_sm01');
    const first = (await sys.call('/api/staff/identity/suggestions', { token: manager })).body.suggestions.find(
      (s: { a: { name: string } }) => s.a.name === '杨帆',
    );
    const ok = await sys.call('/api/staff/identity/suggestions/decide', {
      token: manager,
      body: { id: first.id, decision: 'confirm' },
    });
    expect(ok.status).toBe(200);
    step();
    const undone = await undo(ok.body.mergeId);
    expect(undone.body, JSON.stringify(undone.body)).toMatchObject({ keptApart: true });
    // a third record of the same name, birthday and district: suggested against each side
    step();
    await ingest(sys, [{ sourceId: 'KA-YF2', cardNo: 'KA-YF2', ...person, phone: '15611110003', storeCode: 'HZ001' }]);
    const listed = (await sys.call('/api/staff/identity/suggestions', { token: manager })).body.suggestions.filter(
      (s: { a: { name: string } }) => s.a.name === '杨帆',
    );
    expect(listed).toHaveLength(2);
    const withCard = listed.find((s: { a: { source: string }; b: { source: string } }) =>
      [s.a, s.b].every((r) => r.source === 'pos'),
    );
    const other = listed.find((s: { id: string }) => s.id !== withCard.id);
    expect(
      (
        await sys.call('/api/staff/identity/suggestions/decide', {
          token: manager,
          body: { id: withCard.id, decision: 'confirm' },
        })
      ).status,
    ).toBe(200);
    // the other one now joins a customer HQ keeps apart from the mall account: gone from the list, refused
    const after = (await sys.call('/api/staff/identity/suggestions', { token: manager })).body.suggestions;
    expect(after.map((s: { id: string }) => s.id)).not.toContain(other.id);
    const refused = await sys.call('/api/staff/identity/suggestions/decide', {
      token: manager,
      body: { id: other.id, decision: 'confirm' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('IDENTITY_KEPT_APART');
    expect(await customerOf(sys, 'mall', 'KA-YF-M')).not.toBe(await customerOf(sys, 'pos', 'KA-YF1'));
  });
});

describe('the separation an undo leaves stands for the two people, not for a record another merge brought', () => {
  it('restoring the undone merge joins its own two members, after another merge into the same member was undone too', async () => {
    const PHONE = '13957110077';
    const person = { name: '简宁', gender: '女', birthday: '1986-04-09', address: '浙江省杭州市西湖区文三路8号' };
    // J: a store card, dormant for years (so sign-up holds it). S: a WeChat member; the store confirms the card is
    // theirs (they showed it at the counter: a dormant card is not the member's own to confirm) and the card joins S;
    // its record is older than S's own
    await ingest(sys, [{ ...card('KB-J', person.name, PHONE, '2023-05-01'), ...person }]);
    step();
    const user = sys.sim.addUser({ nickname: '小简', phone: PHONE });
    const { token, register } = await signUpAs(sys, user.id, null);
    expect(register.status).toBe(200);
    const member = register.body.customerId as string;
    expect((await sys.call('/api/identity/held-matches', { token })).body.matches).toEqual([]);
    const manager = await staffToken(sys, 'u_sm01');
    const [hold] = (await sys.call('/api/staff/identity/holds', { token: manager })).body.holds.filter(
      (h: { reason: string; candidate: { customerId: string } }) =>
        h.candidate.customerId === member && h.reason === 'dormant_card',
    );
    step();
    const confirmed = await sys.call('/api/staff/identity/holds/decide', {
      token: manager,
      body: { id: hold.id, decision: 'confirm' },
    });
    expect(confirmed.status).toBe(200);
    const cardMerge = (await mergeOf('pos', 'KB-J'))?.id as string;
    expect(cardMerge).toBeDefined();
    expect(await customerOf(sys, 'pos', 'KB-J')).toBe(member);
    // E: a mall account on the same phone, of the card's name, that arrives in a migration file: the bulk job joins
    // it (a bulk merge names no records, so the separation picks the member's by itself)
    step();
    await ingestAndLog(sys.database, {
      source: 'mall',
      records: [{ sourceId: 'KB-E', mallAccount: 'KB-E', ...person, phone: PHONE }],
      linking: 'deferred',
      keyId: null,
      requestId: null,
      storeId: null,
      operation: 'test.migration',
      now: sys.clock.now(),
    });
    await linkAll(sys.database, { now: sys.clock.now() });
    expect(await customerOf(sys, 'mall', 'KB-E')).toBe(member);
    const mallMerge = (await mergeOf('mall', 'KB-E'))?.id as string;
    expect((await sys.database.exec('select rule from identity_merges where id = $1', [mallMerge]))[0].rule).toBe(
      'bulk',
    );

    // HQ: the mall account is not this member. Its separation stands for the member by the member's own record, not
    // by the card another merge brought (which HQ may send away next)
    step();
    expect((await undo(mallMerge)).body.keptApart).toBe(true);
    const [sep] = await sys.database.exec(
      `select a.source as a_source, b.source as b_source from identity_separations s
         join source_records a on a.id = s.record_a join source_records b on b.id = s.record_b where s.merge_id = $1`,
      [mallMerge],
    );
    expect([sep.a_source, sep.b_source].sort()).toEqual(['mall', 'miniprogram']);
    // ...and the card is not the member's either
    step();
    expect((await undo(cardMerge)).status).toBe(200);
    const cardOwner = await customerOf(sys, 'pos', 'KB-J');
    expect(cardOwner).not.toBe(member);

    // HQ takes back the first undo: the mall account goes back to the member it was taken from, not to the card's
    step();
    const res = await restore(mallMerge);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.customerId).toBe(member);
    expect(await customerOf(sys, 'mall', 'KB-E')).toBe(member);
    expect(await customerOf(sys, 'pos', 'KB-J')).toBe(cardOwner);
  });
});

describe('an undo after the kept member was merged on', () => {
  it('keeps the two apart, though the kept side now sits in a later survivor', async () => {
    const PHONE = '13957110111';
    await ingest(sys, [card('KB-C1', '赵磊', PHONE)]);
    step();
    await ingest(
      sys,
      [{ sourceId: 'KB-M1', mallAccount: 'KB-M1', name: '赵磊', gender: '男', phone: PHONE }],
      'key_mall',
    );
    expect(await customerOf(sys, 'pos', 'KB-C1')).toBe(await customerOf(sys, 'mall', 'KB-M1'));
    const first = (await mergeOf('pos', 'KB-C1')) ?? (await mergeOf('mall', 'KB-M1'));
    expect(first).toBeDefined();
    step();
    // the card's owner signs up and confirms the card: the pair is merged on into the member
    const user = sys.sim.addUser({ nickname: '磊', phone: PHONE });
    const s = await signUpAs(sys, user.id, 's1.HZ001');
    const { matches } = (await sys.call('/api/identity/held-matches', { token: s.token })).body;
    for (const m of matches) {
      await sys.call('/api/identity/held-matches/decide', {
        token: s.token,
        body: { matchId: m.matchId, decision: 'confirm' },
      });
    }
    const member = s.register.body.customerId as string;
    expect(await customerOf(sys, 'pos', 'KB-C1')).toBe(member);
    expect(await customerOf(sys, 'mall', 'KB-M1')).toBe(member);
    const [{ n: later }] = await sys.database.exec(
      `select count(*)::int as n from identity_merges where survivor_id = $1 and undone_at is null`,
      [member],
    );
    expect(later).toBeGreaterThan(0);
    step();

    const token = await staffToken(sys, 'u_hq01');
    const res = await sys.call('/api/staff/identity/merges/undo', { token, body: { mergeId: String(first?.id) } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.keptApart).toBe(true);
    const apart = [await customerOf(sys, 'pos', 'KB-C1'), await customerOf(sys, 'mall', 'KB-M1')];
    expect(apart[0]).not.toBe(apart[1]);
    const [sep] = await sys.database.exec(
      `select a.source_id as a, b.source_id as b from identity_separations s
         join source_records a on a.id = s.record_a join source_records b on b.id = s.record_b
        where s.merge_id = $1 and s.lifted_at is null`,
      [first?.id],
    );
    expect([sep?.a, sep?.b].sort()).toEqual(['KB-C1', 'KB-M1']);
    // and they stay apart when either syncs again
    step();
    await ingest(sys, [card('KB-C1', '赵磊', PHONE, '2026-11-20')]);
    expect(await customerOf(sys, 'pos', 'KB-C1')).not.toBe(await customerOf(sys, 'mall', 'KB-M1'));
  });
});
