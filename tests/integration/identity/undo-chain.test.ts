/**
 * A phone merge undone when the phone turns out to be a family's must not leave its nickname with the family member
 * a later merge carried it to. 岁月静好 (a member's nickname, the survivor of every merge: a registered member comes
 * first) and 张雅琴's first card merge on the phone; her second card then joins her first, and the nickname's customer
 * takes it in. 刘鹏's card makes it a family phone: the undo of the first merge sends her first card back, and until
 * the linker untangled what the second merge carried, the nickname stayed in one customer with her second card, two
 * people, which is what arrival order and the survivor left. Now: the nickname alone (held), 张雅琴's two cards one
 * customer again, 刘鹏 alone; and undoing in either order leaves the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityRepo } from '../../../functions/adapters/db/repos/identity.repo.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { customerOf, ingest } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const PHONE = '13957118800';
const card = (sourceId: string, name: string, gender: string, phone: string | null) => ({
  sourceId,
  cardNo: sourceId,
  name,
  gender,
  phone,
  storeCode: 'HZ001',
  lastActive: '2026-11-01',
});
const step = () => sys.clock.advance(60_000);

describe('undoing a phone merge on a family phone', () => {
  it('leaves no one with a family member a later merge carried them to', async () => {
    // 张雅琴's two cards, first without a phone
    await ingest(sys, [card('ZYQ-2', '张雅琴', '女', null)]);
    step();
    await ingest(sys, [card('ZYQ-1', '张雅琴', '女', null)]);
    step();
    // a member's mall account with a nickname on the phone: a registered member survives every merge
    await ingest(
      sys,
      [{ sourceId: 'M-SYJH', mallAccount: 'M-SYJH', name: '岁月静好', gender: '女', phone: PHONE }],
      'key_mall',
    );
    await sys.database.exec('update customers set registered_at = $1 where id = $2', [
      sys.clock.now().toISOString(),
      await customerOf(sys, 'mall', 'M-SYJH'),
    ]);
    step();
    // her first card gets the phone: one name and one gender on it, so it joins the nickname
    expect((await ingest(sys, [card('ZYQ-1', '张雅琴', '女', PHONE)])).body.results[0].link).toBe('linked');
    step();
    // her second card too: the evidence is her first card, the nickname comes along
    expect((await ingest(sys, [card('ZYQ-2', '张雅琴', '女', PHONE)])).body.results[0].link).toBe('linked');
    const nick = await customerOf(sys, 'mall', 'M-SYJH');
    expect(await customerOf(sys, 'pos', 'ZYQ-2')).toBe(nick);
    step();
    // 刘鹏's card on the same phone: a family phone, the nickname may be anyone's
    await ingest(sys, [card('LP-1', '刘鹏', '男', PHONE)]);

    const zyq1 = await customerOf(sys, 'pos', 'ZYQ-1');
    const zyq2 = await customerOf(sys, 'pos', 'ZYQ-2');
    const syjh = await customerOf(sys, 'mall', 'M-SYJH');
    const lp = await customerOf(sys, 'pos', 'LP-1');
    expect(zyq1).toBe(zyq2);
    expect(syjh).not.toBe(zyq1);
    expect(lp).not.toBe(zyq1);
    expect(lp).not.toBe(syjh);
    // the nickname waits for the member's own word, against each of the family's customers
    const holds = await sys.database.exec(
      `select h.candidate_customer_id from held_links h join source_records r on r.id = h.record_id
        where r.source_id = 'M-SYJH' and h.status = 'open'`,
    );
    expect(holds.map((h) => h.candidate_customer_id).sort()).toEqual([lp, zyq1].sort());
    // every merge that joined the nickname to a card is undone, with the family phone as the reason
    const live = await sys.database.exec(
      `select m.rule, m.evidence -> 'records' as records from identity_merges m where m.undone_at is null`,
    );
    const recordOf = async (source: string, id: string) =>
      String(
        (await sys.database.exec('select id from source_records where source = $1 and source_id = $2', [source, id]))[0]
          .id,
      );
    const nickRecord = await recordOf('mall', 'M-SYJH');
    expect(live.some((m) => JSON.stringify(m.records).includes(nickRecord))).toBe(false);
    const undone = await sys.database.exec(`select undone_by from identity_merges where undone_at is not null`);
    expect(undone.map((u) => u.undone_by)).toEqual(expect.arrayContaining(['linker:family-phone']));
  });
});

describe('undoing merges made at one instant', () => {
  // a batch's merges share its one `now`: which came later is their order (seq), not their time
  for (const order of ['later first', 'earlier first'] as const) {
    it(`puts every card back with its own customer, undoing the ${order}`, async () => {
      const ids = [`U-${order}-1`, `U-${order}-2`, `U-${order}-3`];
      await ingest(
        sys,
        ids.map((id, i) => card(id, ['王芳', '李强', '赵敏'][i], '女', null)),
      );
      const [c1, c2, c3] = await Promise.all(ids.map((id) => customerOf(sys, 'pos', id)));
      const now = sys.clock.now();
      const merge = (id: string, survivorId: string, mergedId: string) =>
        createIdentityRepo(sys.database.db).merge({
          id,
          survivorId,
          mergedId,
          rule: 'phone',
          evidence: {},
          actorKind: 'system',
          actorId: 'linker',
          now,
        });
      const a = `mrg_${order.replace(' ', '_')}_a`;
      const b = `mrg_${order.replace(' ', '_')}_b`;
      // the second card joins the first's customer, then that customer joins the third's, at the same instant
      await merge(a, c1, c2);
      await merge(b, c3, c1);
      expect(new Set(await Promise.all(ids.map((id) => customerOf(sys, 'pos', id))))).toEqual(new Set([c3]));
      const undo = (m: string) => createIdentityRepo(sys.database.db).undoMerge(m, 'test', now);
      for (const m of order === 'later first' ? [b, a] : [a, b]) await undo(m);
      expect(await Promise.all(ids.map((id) => customerOf(sys, 'pos', id)))).toEqual([c1, c2, c3]);
    });
  }
});
