/**
 * HQ undoes a merge after the member has used the points the absorbed card brought in. The card gets back what it
 * brought; the member gives back what was transferred, never more than they still have: the part already used is
 * not clawed back (the chain bears it, and the audit entry says how much), so no member is left owing points they
 * did not run up themselves. Points that expired or were refunded meanwhile move neither way. The merge history
 * tells HQ beforehand what the undo gives back and how much of it the member has used. PGlite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityRepo } from '../../../functions/adapters/db/repos/identity.repo.js';
import { loyaltyMergeRepo } from '../../../functions/adapters/db/repos/loyalty-merge.repo.js';
import { pointsStanding } from '../../../functions/app/points/points.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { pointsBalance, posCall, tillSale, uniqueKey } from '../loyalty/loyalty-fixtures.js';
import { signUpAs, staffToken } from '../onboarding/helpers.js';
import { customerOf, ingest, loyaltyRows } from './helpers.js';

let sys: TestSystem;
let hq: string;
beforeAll(async () => {
  sys = await startTestSystem();
  hq = await staffToken(sys, 'u_hq01');
});
afterAll(async () => sys?.close());

const exec = (q: string, p?: unknown[]) => sys.database.exec(q, p);
const UNDO_NOTE = '撤销会员合并，转入的积分退回';
const usedNote = (n: number) => `撤销会员合并，转入的积分退回（其中 ${n} 积分合并后已使用，不再扣回）`;

/** The balance a member sees (expiries settled). */
const balance = async (customerId: string) =>
  (await pointsStanding(sys.database.db, customerId, sys.clock.now())).balance;

/**
 * A POS card at 文三路店 (HZ001) with a till sale of `fen` on it, merged into a WeChat member who signed up on the
 * card's phone and tapped 是我的 on the held card.
 */
async function cardMergedIntoMember(cardNo: string, phone: string, fen: number) {
  await ingest(sys, [{ sourceId: cardNo, cardNo, name: '陈静', phone, storeCode: 'HZ001' }]);
  const card = await customerOf(sys, 'pos', cardNo);
  const sale = await posCall(sys, '/api/pos/orders', tillSale(sys, uniqueKey('HZ001-USP'), fen, { posCardNo: cardNo }));
  expect(sale.body, JSON.stringify(sale.body)).toMatchObject({ customerId: card });
  const earned = Number(sale.body.pointsEarned);

  const user = sys.sim.addUser({ nickname: 'Jing', phone });
  const { token, register } = await signUpAs(sys, user.id, null);
  expect(register.status, JSON.stringify(register.body)).toBe(200);
  const member = String(register.body.customerId);
  expect(member).not.toBe(card);
  const [match] = (await sys.call('/api/identity/held-matches', { token })).body.matches;
  const confirmed = await sys.call('/api/identity/held-matches/decide', {
    token,
    body: { matchId: match.matchId, decision: 'confirm' },
  });
  expect(confirmed.body).toEqual({ status: 'confirmed', customerId: member });
  const [m] = await exec('select id from identity_merges where merged_id = $1 and undone_at is null', [card]);
  expect(await balance(member)).toBe(earned);
  expect(await balance(card)).toBe(0);
  return { card, member, token, earned, mergeId: String(m.id) };
}

async function spendAtTill(token: string, points: number) {
  const code = (await sys.call('/api/member/code', { token })).body.code;
  const spent = await posCall(sys, '/api/pos/points/spend', {
    idempotencyKey: uniqueKey('spd'),
    memberCode: code,
    points,
    orderAmountFen: 50_000,
  });
  expect(spent.status, JSON.stringify(spent.body)).toBe(200);
  return spent.body;
}

/** The merge as the HQ merge history shows it (found by the member's customer id). */
async function listed(customerId: string, mergeId: string) {
  const res = await sys.call(`/api/staff/identity/merges?${new URLSearchParams({ customerId })}`, { token: hq });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const item = res.body.merges.find((x: { id: string }) => x.id === mergeId);
  expect(item, 'the merge is listed').toBeDefined();
  return item;
}

const undo = (mergeId: string) => sys.call('/api/staff/identity/merges/undo', { token: hq, body: { mergeId } });

/** Every ledger line of the two customers, oldest first: equal snapshots mean nothing was written. */
const ledgerOf = (...customers: string[]) =>
  exec(
    `select customer_id, kind, points, earn_year, entry_key, note from points_ledger
     where customer_id = any($1::text[]) order by id`,
    [customers],
  );

const undoAudit = async (mergeId: string) =>
  exec(`select customer_id, details from audit_log where action = 'identity.merge_undo' and details->>'mergeId' = $1`, [
    mergeId,
  ]);

describe('undoing a merge after the member used the card’s points', () => {
  it('gives the card its 600 back and takes from the member only the 100 left, never leaving them at -500', async () => {
    // 300 yuan at 文三路店 on the card: 600 points (double from 200 yuan)
    const { card, member, token, mergeId } = await cardMergedIntoMember('8830500001', '18733985001', 30_000);
    expect(await balance(member)).toBe(600);
    // the member spends 500 of them at the till
    expect((await spendAtTill(token, 500)).balanceAfter).toBe(100);

    // HQ reads beforehand what the undo gives back and how much of it the member used
    const before = await listed(member, mergeId);
    expect(before.undoPoints).toEqual({ back: 600, used: 500 });

    sys.clock.advance(60_000);
    const res = await undo(mergeId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.points).toEqual({ back: 600, used: 500 });
    expect(await balance(card)).toBe(600);
    expect(await balance(member)).toBe(0);
    expect(await pointsBalance(sys, member)).toBe(0);
    expect(await pointsBalance(sys, card)).toBe(600);

    // the ledger says what happened, in plain words
    const undoLines = await exec(
      `select customer_id, kind, points, note from points_ledger where entry_key like $1 order by customer_id, id`,
      [`unmerge:${mergeId}:%`],
    );
    expect(undoLines).toEqual(
      [
        { customer_id: card, kind: 'transfer', points: 600, note: '撤销会员合并，积分退回原会员卡' },
        { customer_id: member, kind: 'transfer', points: -100, note: usedNote(500) },
      ].sort((a, b) => a.customer_id.localeCompare(b.customer_id)),
    );
    // the member's points page shows the line, and no debt
    const page = (await sys.call('/api/loyalty/points', { token })).body;
    expect(page.balance).toBe(0);
    expect(page.ledger[0]).toMatchObject({ kind: 'transfer', points: -100, note: usedNote(500) });

    // the audit entry records what went back and what the chain bore
    const audit = await undoAudit(mergeId);
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({ mergeId, pointsBack: 600, pointsBorne: 500 });

    // once: a second undo is refused and a replay of the loyalty step writes nothing
    const snapshot = await ledgerOf(card, member);
    const again = await undo(mergeId);
    expect(again.body.error.code).toBe('ALREADY_DECIDED');
    await sys.database.db.transaction((tx) =>
      loyaltyMergeRepo.undo(tx, { mergeId, survivorId: member, mergedId: card, now: sys.clock.now() }),
    );
    expect(await ledgerOf(card, member)).toEqual(snapshot);
    expect(await undoAudit(mergeId)).toHaveLength(1);
    expect([await balance(card), await balance(member)]).toEqual([600, 0]);
    // the history no longer offers the undo, so it tells no points for it
    expect((await listed(member, mergeId)).undoPoints).toBeNull();
  });

  it('takes back everything the card brought in when the member used none of it', async () => {
    const { card, member, mergeId } = await cardMergedIntoMember('8830500002', '18733985002', 30_000);
    expect((await listed(member, mergeId)).undoPoints).toEqual({ back: 600, used: 0 });

    sys.clock.advance(60_000);
    const res = await undo(mergeId);
    expect(res.body.points).toEqual({ back: 600, used: 0 });
    expect([await balance(card), await balance(member)]).toEqual([600, 0]);
    const [line] = await exec(`select points, note from points_ledger where customer_id = $1 and entry_key like $2`, [
      member,
      `unmerge:${mergeId}:%`,
    ]);
    expect(line).toEqual({ points: -600, note: UNDO_NOTE });
    expect((await undoAudit(mergeId))[0].details).toMatchObject({ pointsBack: 600, pointsBorne: 0 });
  });

  it('counts the member’s own points first: only what they can no longer pay is borne', async () => {
    const { card, member, token, mergeId } = await cardMergedIntoMember('8830500003', '18733985003', 30_000);
    // 200 yuan of the member's own: 400 points; 1000 in all, 500 spent
    const code = (await sys.call('/api/member/code', { token })).body.code;
    await posCall(sys, '/api/pos/orders', tillSale(sys, uniqueKey('HZ001-USP-OWN'), 20_000, { memberCode: code }));
    expect(await balance(member)).toBe(1000);
    await spendAtTill(token, 500);
    expect((await listed(member, mergeId)).undoPoints).toEqual({ back: 600, used: 100 });

    sys.clock.advance(60_000);
    expect((await undo(mergeId)).body.points).toEqual({ back: 600, used: 100 });
    expect([await balance(card), await balance(member)]).toEqual([600, 0]);
    expect((await undoAudit(mergeId))[0].details).toMatchObject({ pointsBack: 600, pointsBorne: 100 });
  });

  it('a refund of the card’s sale after the merge: nothing goes back, and the member owes nothing', async () => {
    const { card, member, token, mergeId } = await cardMergedIntoMember('8830500004', '18733985004', 30_000);
    await spendAtTill(token, 500);
    const [order] = await exec('select external_id from orders where customer_id = $1', [member]);
    // the card's sale comes back to the till: its 600 points are taken from the person, now the member
    const refund = await posCall(sys, '/api/pos/void', {
      idempotencyKey: uniqueKey('void'),
      externalOrderId: order.external_id,
    });
    expect(refund.body).toMatchObject({ pointsReversed: 600 });
    expect(await balance(member)).toBe(-500);
    // the card gets nothing back (its sale was refunded); the member's debt came with the card and leaves with it
    expect((await listed(member, mergeId)).undoPoints).toEqual({ back: 0, used: 500 });

    sys.clock.advance(60_000);
    expect((await undo(mergeId)).body.points).toEqual({ back: 0, used: 500 });
    expect([await balance(card), await balance(member)]).toEqual([0, 0]);
    expect((await undoAudit(mergeId))[0].details).toMatchObject({ pointsBack: 0, pointsBorne: 500 });
  });

  it('a sale on the card after the merge goes back with its points, never below zero for the member', async () => {
    const CARD = '8830500005';
    const { card, member, token, mergeId } = await cardMergedIntoMember(CARD, '18733985005', 30_000);
    // after the merge the card buys 100 yuan at the till: 100 points, on the member; the member spends all 700
    const later = uniqueKey('HZ001-USP-LATER');
    const bought = await posCall(sys, '/api/pos/orders', tillSale(sys, later, 10_000, { posCardNo: CARD }));
    expect(bought.body).toMatchObject({ customerId: member, pointsEarned: 100 });
    expect((await spendAtTill(token, 700)).balanceAfter).toBe(0);
    expect((await listed(member, mergeId)).undoPoints).toEqual({ back: 700, used: 700 });

    sys.clock.advance(60_000);
    expect((await undo(mergeId)).body.points).toEqual({ back: 700, used: 700 });
    expect([await balance(card), await balance(member)]).toEqual([700, 0]);
    expect((await undoAudit(mergeId))[0].details).toMatchObject({ pointsBack: 700, pointsBorne: 700 });
    // nothing was left to take from the member: no line on them at all
    expect(
      await exec(`select points from points_ledger where customer_id = $1 and entry_key like $2`, [
        member,
        `unmerge:${mergeId}:%`,
      ]),
    ).toEqual([]);
    // a replay once the member has points again (100 yuan of their own) takes nothing either
    const code = (await sys.call('/api/member/code', { token })).body.code;
    await posCall(sys, '/api/pos/orders', tillSale(sys, uniqueKey('HZ001-USP-AGAIN'), 10_000, { memberCode: code }));
    expect(await balance(member)).toBe(100);
    const snapshot = await ledgerOf(card, member);
    const [laterOrder] = await exec('select id from orders where external_id = $1', [later]);
    await sys.database.db.transaction(async (tx) => {
      const m = { mergeId, survivorId: member, mergedId: card, now: sys.clock.now() };
      await loyaltyMergeRepo.undo(tx, m);
      await loyaltyMergeRepo.ordersBack(tx, m, [String(laterOrder.id)]);
    });
    expect(await ledgerOf(card, member)).toEqual(snapshot);
    expect([await balance(card), await balance(member)]).toEqual([700, 100]);
    // a refund of the later sale afterwards takes its points from the card
    const refund = await posCall(sys, '/api/pos/void', { idempotencyKey: uniqueKey('void'), externalOrderId: later });
    expect(refund.body).toMatchObject({ pointsReversed: 100 });
    expect([await balance(card), await balance(member)]).toEqual([600, 100]);
  });

  it('through a chain of merges, undone in either order: each gets back their own, the chain bears what was used', async () => {
    const rows = loyaltyRows(sys);
    for (const order of ['earlier first', 'later first'] as const) {
      const tag = order === 'earlier first' ? 'e' : 'l';
      const cards = ['1', '2', '3'].map((n) => `88305008${tag === 'e' ? '1' : '2'}${n}`);
      await ingest(
        sys,
        cards.map((c, i) => ({ sourceId: c, cardNo: c, name: ['陈静', '周红', '吴敏'][i], storeCode: 'HZ001' })),
      );
      const [b, a, c] = await Promise.all(cards.map((card) => customerOf(sys, 'pos', card)));
      // b: 600 points, a: 200, c: 100; a takes b, then c takes a; c spends 800 (all but its own 100 not its own)
      await rows.earn(b, `earn:t_usp_${tag}_b`, 600, 2026, '2026-06-01T02:00:00Z');
      await rows.earn(a, `earn:t_usp_${tag}_a`, 200, 2026, '2026-06-02T02:00:00Z');
      await rows.earn(c, `earn:t_usp_${tag}_c`, 100, 2026, '2026-06-03T02:00:00Z');
      const merge = async (survivorId: string, mergedId: string) => {
        const id = `mrg_usp_chain_${tag}_${mergedId}`;
        await sys.database.db.transaction((tx) =>
          createIdentityRepo(tx).merge({
            id,
            survivorId,
            mergedId,
            rule: 'manual',
            evidence: {},
            actorKind: 'staff',
            actorId: 'stf_hq01',
            now: sys.clock.now(),
          }),
        );
        return id;
      };
      const first = await merge(a, b);
      sys.clock.advance(60_000);
      const second = await merge(c, a);
      await rows.spend(c, `spend:t_usp_${tag}_c`, 800, sys.clock.now().toISOString());
      expect(await balance(c)).toBe(100);
      const all = async () => [await balance(b), await balance(a), await balance(c)];

      sys.clock.advance(60_000);
      if (order === 'earlier first') {
        expect((await listed(b, first)).undoPoints).toEqual({ back: 600, used: 500 });
        expect((await undo(first)).body.points).toEqual({ back: 600, used: 500 });
        expect(await all(), order).toEqual([600, 0, 0]);
        // a's own 200 are all c's undo of the second merge can give back: c has nothing left, it is borne
        expect((await listed(c, second)).undoPoints).toEqual({ back: 200, used: 200 });
        expect((await undo(second)).body.points).toEqual({ back: 200, used: 200 });
      } else {
        expect((await listed(c, second)).undoPoints).toEqual({ back: 800, used: 700 });
        expect((await undo(second)).body.points).toEqual({ back: 800, used: 700 });
        expect(await all(), order).toEqual([0, 800, 0]);
        expect((await listed(a, first)).undoPoints).toEqual({ back: 600, used: 0 });
        expect((await undo(first)).body.points).toEqual({ back: 600, used: 0 });
      }
      // each their own (b 600, a 200), c nothing; 700 of the 800 c spent were not c's: the chain bore them
      expect(await all(), order).toEqual([600, 200, 0]);
      const borne = await exec(
        `select coalesce(sum((details->>'pointsBorne')::int), 0)::int as n from audit_log
         where action = 'identity.merge_undo' and details->>'mergeId' in ($1, $2)`,
        [first, second],
      );
      expect(borne[0].n, order).toBe(700);
      const negative = await exec(
        `select customer_id, sum(points)::int as n from points_ledger where customer_id in ($1, $2, $3)
         group by 1 having sum(points) < 0`,
        [a, b, c],
      );
      expect(negative).toEqual([]);
    }
  });

  it('points of a year that expired while merged move neither way; the live ones go back', async () => {
    // last: the clock moves past the end of 2026
    const rows = loyaltyRows(sys);
    await ingest(sys, [{ sourceId: '8830500006', cardNo: '8830500006', name: '陈静', storeCode: 'HZ001' }]);
    await ingest(sys, [{ sourceId: '8830500007', cardNo: '8830500007', name: '周红', storeCode: 'HZ001' }]);
    const card = await customerOf(sys, 'pos', '8830500006');
    const member = await customerOf(sys, 'pos', '8830500007');
    // the card: 300 points of 2025 (they expire at the end of 2026) and 100 of 2026; the member: 200 of 2026
    await rows.earn(card, 'earn:t_usp_c1', 300, 2025, '2025-06-01T02:00:00Z');
    await rows.earn(card, 'earn:t_usp_c2', 100, 2026, '2026-06-01T02:00:00Z');
    await rows.earn(member, 'earn:t_usp_m1', 200, 2026, '2026-07-01T02:00:00Z');
    const mergeId = `mrg_usp_expired_${Date.now().toString(36)}`;
    await sys.database.db.transaction((tx) =>
      createIdentityRepo(tx).merge({
        id: mergeId,
        survivorId: member,
        mergedId: card,
        rule: 'manual',
        evidence: {},
        actorKind: 'staff',
        actorId: 'stf_hq01',
        now: sys.clock.now(),
      }),
    );
    expect(await balance(member)).toBe(600);
    expect((await listed(member, mergeId)).undoPoints).toEqual({ back: 400, used: 0 });

    // 2027: the 300 of 2025 expired on the member; they are not taken out of the member's own 2026 points
    sys.clock.set(new Date('2027-01-05T02:00:00Z'));
    hq = await staffToken(sys, 'u_hq01');
    expect(await balance(member)).toBe(300);
    expect((await listed(member, mergeId)).undoPoints).toEqual({ back: 100, used: 0 });
    const res = await undo(mergeId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.points).toEqual({ back: 100, used: 0 });
    expect([await balance(card), await balance(member)]).toEqual([100, 200]);
    expect(await pointsBalance(sys, card)).toBe(100);
    expect((await undoAudit(mergeId))[0].details).toMatchObject({ pointsBack: 100, pointsBorne: 0 });
  });
});
