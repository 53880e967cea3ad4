/**
 * A QA walk found family phones merged because the names on them read as nicknames: a surname outside the old short
 * list (肖, 白, 付), a minority name with its middle dot, a Latin full name. A nickname contradicts nothing, so a
 * father's and a son's cards on one phone became one customer, and the son, signing up with that phone, saw his
 * father's points. 王强/王磊 was held all along: every case below must be held the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { posCall, uniqueKey } from '../loyalty/loyalty-fixtures.js';
import { signUpAs } from '../onboarding/helpers.js';
import { customerOf, ingest } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const card = (id: string, name: string, phone: string, extra: Record<string, string> = {}) => ({
  sourceId: id,
  cardNo: id,
  name,
  phone,
  storeCode: 'HZ001',
  lastActive: '2026-10-01',
  ...extra,
});

let seq = 0;
const next = () => {
  seq += 1;
  return seq;
};
const phoneOf = (n: number) => `1395714${String(n).padStart(4, '0')}`;

async function bothIn(cards: ReturnType<typeof card>[]) {
  for (const c of cards) {
    const r = await ingest(sys, [c]);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    sys.clock.advance(60_000);
  }
  return (await customerOf(sys, 'pos', cards[0].sourceId)) === (await customerOf(sys, 'pos', cards[1].sourceId));
}

describe('names outside the old surname list on a family phone', () => {
  it.each([
    ['王强 / 王磊 (the control)', '王强', '王磊', { gender: '男' }],
    ['肖强 / 肖磊', '肖强', '肖磊', { gender: '男' }],
    ['白丽 / 白芳', '白丽', '白芳', {}],
    ['付伟 / 付娟', '付伟', '付娟', {}],
    ['王芳 / 肖丽', '王芳', '肖丽', { gender: '女' }],
    ['John Smith / Mary Jones', 'John Smith', 'Mary Jones', {}],
    ['买买提·艾力 / 阿依古丽·吐尔逊', '买买提·艾力', '阿依古丽·吐尔逊', {}],
  ] as const)('%s: two people, kept apart', async (_label, a, b, extra) => {
    const n = next();
    expect(await bothIn([card(`C${n}a`, a, phoneOf(n), extra), card(`C${n}b`, b, phoneOf(n), extra)])).toBe(false);
  });

  it.each([
    ['肖强 typed twice', '肖强', '肖强'],
    ['John Smith / SMITH John', 'John Smith', 'SMITH John'],
  ])('%s: one person, joined', async (_label, a, b) => {
    const n = next();
    expect(await bothIn([card(`D${n}a`, a, phoneOf(n)), card(`D${n}b`, b, phoneOf(n))])).toBe(true);
  });

  it("does not show a father's points to his son who signs up with the family phone", async () => {
    const phone = '13957150002';
    await ingest(sys, [card('XF-1', '肖强', phone, { gender: '男' })]);
    sys.clock.advance(60_000);
    const sale = await posCall(sys, '/api/pos/orders', {
      idempotencyKey: uniqueKey('ord'),
      externalId: 'XF-ORD-1',
      posCardNo: 'XF-1',
      orderedAt: sys.clock.now().toISOString(),
      totalFen: 25000,
      discountFen: 0,
      paidFen: 25000,
      lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 25000, amountFen: 25000 }],
    });
    expect(sale.status, JSON.stringify(sale.body)).toBe(200);
    expect(sale.body.pointsEarned).toBeGreaterThan(0);
    sys.clock.advance(60_000);
    await ingest(sys, [card('XS-1', '肖磊', phone, { gender: '男' })]);
    sys.clock.advance(60_000);
    expect(await customerOf(sys, 'pos', 'XF-1')).not.toBe(await customerOf(sys, 'pos', 'XS-1'));

    const son = sys.sim.addUser({ nickname: 'son-xiao', phone });
    const s = await signUpAs(sys, son.id, 's1.HZ001');
    expect(s.register.status, JSON.stringify(s.register.body)).toBe(200);
    const points = await sys.call('/api/loyalty/points', { token: s.token });
    expect(points.body.balance).toBe(0);
    const account = await sys.call('/api/member/account', { token: s.token });
    expect(account.body).toMatchObject({ points: 0, orders: 0, posCards: 0 });
  });
});
