/**
 * A refund, or a return of points spent, after the customer who earned or spent them was merged into another: the
 * points come from (or go to) the person as they are now, the merge's survivor, never to the absorbed customer no
 * one sees any more; and HQ's undo of the merge gives each customer back their own history, refund included.
 * PGlite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityRepo } from '../../../functions/adapters/db/repos/identity.repo.js';
import { issueMemberCode } from '../../../functions/app/members/member-code.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { customerOf, ingest } from '../identity/helpers.js';
import { signUpAs, staffToken } from '../onboarding/helpers.js';
import { createMember, memberSession, pointsBalance, posCall, uniqueKey } from './loyalty-fixtures.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

/** A till sale of `paidFen` of non-prescription goods (1 point per yuan, double from 200 yuan). */
const sale = (externalId: string, member: { memberCode: string } | { posCardNo: string }, paidFen: number) => ({
  idempotencyKey: uniqueKey('ord'),
  externalId,
  ...member,
  orderedAt: sys.clock.now().toISOString(),
  totalFen: paidFen,
  discountFen: 0,
  paidFen,
  lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: paidFen, amountFen: paidFen }],
});

async function codeOf(customerId: string) {
  const { code } = await issueMemberCode(sys.database.db, {
    customerId,
    identityId: `idn_${customerId}`,
    now: sys.clock.now(),
  });
  return code;
}

let mergeSeq = 0;
/** A merge as the linker or HQ makes it (the row moves and the loyalty hook), returning its id. */
async function merge(survivorId: string, mergedId: string): Promise<string> {
  const id = `mrg_refund_${++mergeSeq}_${Date.now().toString(36)}`;
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
}
const undo = (mergeId: string) =>
  sys.database.db.transaction((tx) => createIdentityRepo(tx).undoMerge(mergeId, 'stf_hq01', sys.clock.now()));

describe('a refund after a merge', () => {
  it('a till refund of a sale the card earned before the member confirmed it takes the points from the member; HQ’s undo gives each their own', async () => {
    const CARD = '8820000101';
    await ingest(sys, [{ sourceId: CARD, cardNo: CARD, name: '吴雅琴', phone: '18733981101', storeCode: 'HZ001' }]);
    const card = await customerOf(sys, 'pos', CARD);
    // 500 yuan on the card: 1000 points
    const cardSale = await posCall(sys, '/api/pos/orders', sale('HZ001-MRG-1', { posCardNo: CARD }, 50_000));
    expect(cardSale.body).toMatchObject({ customerId: card, pointsEarned: 1000 });

    // the card holder signs up with the card's phone: the card is held for her to confirm
    const user = sys.sim.addUser({ nickname: 'Yaqin', phone: '18733981101' });
    const { token, register } = await signUpAs(sys, user.id, null);
    expect(register.status, JSON.stringify(register.body)).toBe(200);
    const member = String(register.body.customerId);
    expect(member).not.toBe(card);
    // 300 yuan of her own: 600 points
    const code = (await sys.call('/api/member/code', { token })).body.code;
    expect(
      (await posCall(sys, '/api/pos/orders', sale('HZ001-MRG-2', { memberCode: code }, 30_000))).body,
    ).toMatchObject({ customerId: member, pointsEarned: 600 });
    const [match] = (await sys.call('/api/identity/held-matches', { token })).body.matches;
    const confirmed = await sys.call('/api/identity/held-matches/decide', {
      token,
      body: { matchId: match.matchId, decision: 'confirm' },
    });
    expect(confirmed.body).toEqual({ status: 'confirmed', customerId: member });
    const page = async () => (await sys.call('/api/loyalty/points', { token })).body;
    expect((await page()).balance).toBe(1600);

    // she brings the card's purchase back: the till refunds it
    const refund = await posCall(sys, '/api/pos/void', {
      idempotencyKey: uniqueKey('void'),
      externalOrderId: 'HZ001-MRG-1',
    });
    expect(refund.status).toBe(200);
    expect(refund.body).toEqual({ voided: [], pointsReversed: 1000, pointsReturned: 0 });
    const after = await page();
    expect(after.balance).toBe(600);
    // her points page says why: the card's refund, carried over by the merge
    expect(after.ledger[0]).toMatchObject({
      kind: 'transfer',
      points: -1000,
      note: '订单退款，扣回积分（合并前的消费）',
    });
    expect(await pointsBalance(sys, member)).toBe(600);
    // the absorbed card owes nothing: no negative balance hidden where no one looks
    expect(await pointsBalance(sys, card)).toBe(0);
    // the refund again, under another key: nothing more
    const again = await posCall(sys, '/api/pos/void', {
      idempotencyKey: uniqueKey('void'),
      externalOrderId: 'HZ001-MRG-1',
    });
    expect(again.body).toEqual({ voided: [], pointsReversed: 0, pointsReturned: 0 });
    expect(await pointsBalance(sys, member)).toBe(600);

    // HQ undoes the merge: the refunded sale goes back with the card, and each keeps only their own points
    const [m] = await sys.database.exec('select id from identity_merges where merged_id = $1 and undone_at is null', [
      card,
    ]);
    const hq = await staffToken(sys, 'u_hq01');
    const undone = await sys.call('/api/staff/identity/merges/undo', { token: hq, body: { mergeId: m.id } });
    expect(undone.status, JSON.stringify(undone.body)).toBe(200);
    expect(await pointsBalance(sys, card)).toBe(0);
    expect(await pointsBalance(sys, member)).toBe(600);
    const [order] = await sys.database.exec("select customer_id from orders where external_id = 'HZ001-MRG-1'");
    expect(order.customer_id).toBe(card);
  });

  it('a till’s points returned and a counter sale taken back after the spender was merged: the survivor gets them; undo restores both', async () => {
    const a = (await createMember(sys.database)).customerId;
    const b = (await createMember(sys.database)).customerId;
    const codeA = await codeOf(a);
    // a: 1000 points, 500 of them spent at a till, 300 at 北仑新碶店's counter (no till there) on a 100-yuan sale
    await posCall(sys, '/api/pos/orders', sale(uniqueKey('HZ001-MRG-A'), { memberCode: codeA }, 50_000));
    const spent = await posCall(sys, '/api/pos/points/spend', {
      idempotencyKey: uniqueKey('spd'),
      memberCode: codeA,
      points: 500,
      orderAmountFen: 10_000,
    });
    expect(spent.body.balanceAfter).toBe(500);
    const clerk = await staffToken(sys, 'u_ck03');
    const lookup = await sys.call('/api/staff/counter/lookup', { token: clerk, body: { code: codeA } });
    const counterSale = await sys.call('/api/staff/counter/sale', {
      token: clerk,
      body: {
        idempotencyKey: uniqueKey('sale'),
        counterToken: lookup.body.counterToken,
        orderAmountFen: 10_000,
        pointsToSpend: 300,
      },
    });
    // 97 yuan paid in money: 97 points
    expect(counterSale.body).toMatchObject({ pointsSpent: 300, pointsEarned: 97, pointsBalance: 297 });
    // b: 100 points of its own
    await posCall(sys, '/api/pos/orders', sale(uniqueKey('HZ001-MRG-B'), { memberCode: await codeOf(b) }, 10_000));
    expect(await pointsBalance(sys, b)).toBe(100);

    const mergeId = await merge(b, a);
    expect([await pointsBalance(sys, a), await pointsBalance(sys, b)]).toEqual([0, 397]);

    // the till refunds the spend: the 500 points go to the person, now b
    const returned = await posCall(sys, '/api/pos/points/return', {
      idempotencyKey: uniqueKey('ret'),
      spendId: spent.body.spendId,
    });
    expect(returned.body).toEqual({ spendId: spent.body.spendId, pointsReturned: 500, balanceAfter: 897 });
    // the clerk takes the counter sale back: its 97 points go and its 300 come back, on b
    const takenBack = await sys.call('/api/staff/counter/sale-void', {
      token: clerk,
      body: { idempotencyKey: uniqueKey('sv'), orderId: counterSale.body.orderId },
    });
    expect(takenBack.body).toEqual({ orderId: counterSale.body.orderId, pointsReversed: 97, pointsReturned: 300 });
    expect([await pointsBalance(sys, a), await pointsBalance(sys, b)]).toEqual([0, 1100]);
    const bPage = await sys.call('/api/loyalty/points', { token: await memberSession(sys, b) });
    expect(bPage.body.balance).toBe(1100);

    // undone: a gets back its 1000 (both spends returned, the counter sale's points taken back), b its 100
    await undo(mergeId);
    expect([await pointsBalance(sys, a), await pointsBalance(sys, b)]).toEqual([1000, 100]);
  });

  it('follows a chain of merges to the last survivor, and undoing them in either order leaves each their own', async () => {
    for (const order of ['earlier first', 'later first'] as const) {
      const a = (await createMember(sys.database)).customerId;
      const b = (await createMember(sys.database)).customerId;
      const z = (await createMember(sys.database)).customerId;
      const externalId = uniqueKey('HZ001-CHAIN');
      // a: 1000 points on the sale to be refunded; b: 600; z: 100
      await posCall(sys, '/api/pos/orders', sale(externalId, { memberCode: await codeOf(a) }, 50_000));
      await posCall(sys, '/api/pos/orders', sale(uniqueKey('HZ001-CHAIN-B'), { memberCode: await codeOf(b) }, 30_000));
      await posCall(sys, '/api/pos/orders', sale(uniqueKey('HZ001-CHAIN-Z'), { memberCode: await codeOf(z) }, 10_000));
      const first = await merge(b, a);
      sys.clock.advance(60_000);
      const second = await merge(z, b);
      expect(await pointsBalance(sys, z)).toBe(1700);

      const refund = await posCall(sys, '/api/pos/void', {
        idempotencyKey: uniqueKey('void'),
        externalOrderId: externalId,
      });
      expect(refund.body.pointsReversed).toBe(1000);
      expect([await pointsBalance(sys, a), await pointsBalance(sys, b), await pointsBalance(sys, z)]).toEqual([
        0, 0, 700,
      ]);

      sys.clock.advance(60_000);
      if (order === 'earlier first') {
        await undo(first);
        // a is itself again, with its refunded sale; b is still z's
        expect([await pointsBalance(sys, a), await pointsBalance(sys, b), await pointsBalance(sys, z)]).toEqual([
          0, 0, 700,
        ]);
        await undo(second);
      } else {
        await undo(second);
        // b is apart again with a still in it: its own 600, a's refunded sale taken back; z is itself
        expect([await pointsBalance(sys, a), await pointsBalance(sys, b), await pointsBalance(sys, z)]).toEqual([
          0, 600, 100,
        ]);
        await undo(first);
      }
      expect([await pointsBalance(sys, a), await pointsBalance(sys, b), await pointsBalance(sys, z)], order).toEqual([
        0, 600, 100,
      ]);
    }
  });
});

describe('an order through the absorbed card after the merge', () => {
  /** A card of its own customer, with a 100-yuan till sale on it (100 points). */
  async function cardWithSale(card: string) {
    await ingest(sys, [{ sourceId: card, cardNo: card, name: '沈丽华', storeCode: 'HZ001' }]);
    const customer = await customerOf(sys, 'pos', card);
    await posCall(sys, '/api/pos/orders', sale(uniqueKey('HZ001-BACK-K'), { posCardNo: card }, 10_000));
    return customer;
  }
  const orderCustomer = async (externalId: string) =>
    (await sys.database.exec('select customer_id from orders where external_id = $1', [externalId]))[0].customer_id;

  it('goes back to the card on undo with the points it earned, and a refund afterwards takes them from the card', async () => {
    const CARD = '8820000201';
    const card = await cardWithSale(CARD);
    const member = (await createMember(sys.database)).customerId;
    // 200 yuan of the member's own: 400 points (double from 200 yuan)
    await posCall(
      sys,
      '/api/pos/orders',
      sale(uniqueKey('HZ001-BACK-M'), { memberCode: await codeOf(member) }, 20_000),
    );
    const mergeId = await merge(member, card);
    expect([await pointsBalance(sys, card), await pointsBalance(sys, member)]).toEqual([0, 500]);

    // the card buys after the merge: 150 yuan, 150 points, on the member
    const after = uniqueKey('HZ001-BACK-1');
    const bought = await posCall(sys, '/api/pos/orders', sale(after, { posCardNo: CARD }, 15_000));
    expect(bought.body).toMatchObject({ customerId: member, pointsEarned: 150 });
    expect(await pointsBalance(sys, member)).toBe(650);

    // HQ undoes the merge: the card's sales, the later one too, go back with their points
    sys.clock.advance(60_000);
    await undo(mergeId);
    expect(await orderCustomer(after)).toBe(card);
    expect([await pointsBalance(sys, card), await pointsBalance(sys, member)]).toEqual([250, 400]);
    // the card's ledger says why the 150 came back, and the line names the order (a refund finds it there)
    const [line] = await sys.database.exec(
      'select l.points, l.note, o.external_id from points_ledger l join orders o on o.id = l.order_id where l.customer_id = $1 order by l.id desc limit 1',
      [card],
    );
    expect(line).toEqual({ points: 150, note: '撤销会员合并，这张会员卡的消费积分退回', external_id: after });

    // the till refunds the later sale: the points come off the card, not the member who no longer has them
    const refund = await posCall(sys, '/api/pos/void', { idempotencyKey: uniqueKey('void'), externalOrderId: after });
    expect(refund.body).toMatchObject({ pointsReversed: 150 });
    expect([await pointsBalance(sys, card), await pointsBalance(sys, member)]).toEqual([100, 400]);
  });

  it('through a chain of merges, undone in either order, each keeps their own and the card its sales', async () => {
    for (const order of ['earlier first', 'later first'] as const) {
      const CARD = `88200003${order === 'earlier first' ? '01' : '02'}`;
      const card = await cardWithSale(CARD);
      const m = (await createMember(sys.database)).customerId;
      const z = (await createMember(sys.database)).customerId;
      await posCall(sys, '/api/pos/orders', sale(uniqueKey('HZ001-CH-M'), { memberCode: await codeOf(m) }, 20_000));
      await posCall(sys, '/api/pos/orders', sale(uniqueKey('HZ001-CH-Z'), { memberCode: await codeOf(z) }, 5_000));
      const first = await merge(m, card);
      // between the merges the card buys 30 yuan (on m), after both 70 yuan (on z)
      const between = uniqueKey('HZ001-CH-1');
      expect((await posCall(sys, '/api/pos/orders', sale(between, { posCardNo: CARD }, 3_000))).body).toMatchObject({
        customerId: m,
        pointsEarned: 30,
      });
      sys.clock.advance(60_000);
      const second = await merge(z, m);
      const last = uniqueKey('HZ001-CH-2');
      expect((await posCall(sys, '/api/pos/orders', sale(last, { posCardNo: CARD }, 7_000))).body).toMatchObject({
        customerId: z,
        pointsEarned: 70,
      });
      expect([await pointsBalance(sys, card), await pointsBalance(sys, m), await pointsBalance(sys, z)]).toEqual([
        0, 0, 650,
      ]);

      sys.clock.advance(60_000);
      if (order === 'earlier first') {
        await undo(first);
        expect(
          [await pointsBalance(sys, card), await pointsBalance(sys, m), await pointsBalance(sys, z)],
          order,
        ).toEqual([200, 0, 450]);
        await undo(second);
      } else {
        await undo(second);
        // m is apart again with the card still in it: its own 400 and the card's 200
        expect(
          [await pointsBalance(sys, card), await pointsBalance(sys, m), await pointsBalance(sys, z)],
          order,
        ).toEqual([0, 600, 50]);
        sys.clock.advance(60_000);
        await undo(first);
      }
      expect([await pointsBalance(sys, card), await pointsBalance(sys, m), await pointsBalance(sys, z)], order).toEqual(
        [200, 400, 50],
      );
      expect([await orderCustomer(between), await orderCustomer(last)], order).toEqual([card, card]);
      // undoing the later merge did not bring the card's sale back to m
      const refund = await posCall(sys, '/api/pos/void', {
        idempotencyKey: uniqueKey('void'),
        externalOrderId: between,
      });
      expect(refund.body, order).toMatchObject({ pointsReversed: 30 });
      expect([await pointsBalance(sys, card), await pointsBalance(sys, m), await pointsBalance(sys, z)], order).toEqual(
        [170, 400, 50],
      );
    }
  });
});
