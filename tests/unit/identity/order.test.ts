import { describe, expect, it } from 'vitest';
import { groupOrderRows, moneyFen, normalizeOrder, parseOrderTime } from '../../../shared/identity/order.js';
import { isRefusal, refusalText } from '../../../shared/identity/refusal.js';

const NOW = new Date('2026-11-26T08:00:00Z');

const AMOUNT = { field: 'amount' } as const;

describe('moneyFen', () => {
  it.each([
    ['12.50', 1250],
    ['12.5', 1250],
    ['12', 1200],
    ['¥1,234.05', 123405],
    ['￥ 0.99', 99],
    ['３４．００', 3400],
    ['17元', 1700],
    [0, 0],
  ])('reads %s yuan as %i fen exactly', (yuan, fen) => {
    expect(moneyFen(null, yuan, AMOUNT)).toBe(fen);
  });

  it('reads fen as a whole number and agrees when both are given', () => {
    expect(moneyFen('1250', null, AMOUNT)).toBe(1250);
    expect(moneyFen(1250, '12.50', AMOUNT)).toBe(1250);
    expect(moneyFen(null, '', AMOUNT)).toBeNull();
  });

  it.each([
    [null, '12.345', /two decimals/],
    [null, '-3.00', /≥ 0/],
    [null, 'abc', /yuan/],
    ['12.5', null, /whole number/],
    [1250, '12.60', /disagrees/],
  ])('refuses fen %s / yuan %s', (fen, yuan, reason) => {
    const r = moneyFen(fen, yuan, AMOUNT);
    if (!isRefusal(r)) throw new Error(`accepted ${String(r)}`);
    expect(refusalText(r, 'en')).toMatch(reason);
  });
});

describe('parseOrderTime', () => {
  it('reads local times as Beijing time', () => {
    expect(parseOrderTime('2026-11-01 09:15:22')?.toISOString()).toBe('2026-11-01T01:15:22.000Z');
    expect(parseOrderTime('2026/11/1 10:02')?.toISOString()).toBe('2026-11-01T02:02:00.000Z');
    // a bare date is that day's Beijing midnight, the day before in UTC
    expect(parseOrderTime('2026-03-07')?.toISOString()).toBe('2026-03-06T16:00:00.000Z');
    expect(parseOrderTime('２０２６年３月７日')?.toISOString()).toBe('2026-03-06T16:00:00.000Z');
  });

  it('keeps a time that names its zone', () => {
    expect(parseOrderTime('2026-11-01T01:15:22Z')?.toISOString()).toBe('2026-11-01T01:15:22.000Z');
    expect(parseOrderTime('2026-11-01T09:15:22+08:00')?.toISOString()).toBe('2026-11-01T01:15:22.000Z');
    expect(parseOrderTime('2026-11-01 09:15:22+08:00')?.toISOString()).toBe('2026-11-01T01:15:22.000Z');
  });

  it.each(['2026-02-30 10:00', '2026-11-01 24:00', 'yesterday', '', null])('refuses %s', (s) => {
    expect(parseOrderTime(s)).toBeNull();
  });
});

describe('normalizeOrder', () => {
  const order = (over: Record<string, unknown> = {}) => ({
    externalId: ' XS001 ',
    memberId: '８８２０００１',
    orderedAt: '2026-11-01 09:15',
    lines: [
      { sku: 'MD100003', quantity: '1', unitPrice: '62.60' },
      { sku: 'MD100001', quantity: 2, unitPriceFen: 1700, amount: '30.00' },
    ],
    ...over,
  });

  it('cleans the order and adds up its lines', () => {
    const r = normalizeOrder(order({ discount: '2.60' }), NOW);
    expect(r).toMatchObject({
      ok: true,
      order: { externalId: 'XS001', memberId: '8820001', totalFen: 9260, discountFen: 260, paidFen: 9000 },
    });
    // a line discount: the amount (30.00) wins over quantity × unit price (34.00)
    if (r.ok) expect(r.order.lines[1]).toMatchObject({ quantity: 2, unitPriceFen: 1700, amountFen: 3000 });
  });

  it('takes a line costing less than quantity × unit price, or more by the rounding of the unit price only', () => {
    const r = normalizeOrder(
      order({
        lines: [
          // 3 for 10 yuan, the unit price printed 3.33
          { sku: 'A', quantity: 3, unitPrice: '3.33', amount: '10.00' },
          // a free item
          { sku: 'B', quantity: 1, unitPrice: '15.00', amount: '0' },
        ],
      }),
      NOW,
    );
    expect(r).toMatchObject({ ok: true, order: { totalFen: 1000 } });
    const over = normalizeOrder(order({ lines: [{ sku: 'A', quantity: 3, unitPrice: '3.33', amount: '10.01' }] }), NOW);
    expect(over).toMatchObject({
      ok: false,
      refusal: { code: 'line_amount_exceeds', params: { line: 1, amount: 1001, quantity: 3, unitPrice: 333 } },
    });
  });

  it('derives the discount from what was paid', () => {
    const r = normalizeOrder(order({ paid: '90.00' }), NOW);
    expect(r).toMatchObject({ ok: true, order: { discountFen: 260, paidFen: 9000 } });
  });

  it.each([
    [{ externalId: '' }, /order number/],
    [{ orderedAt: '2026-13-01' }, /not a time/],
    [{ orderedAt: '2026-11-26 18:00' }, /future/],
    [{ lines: [] }, /at least one line/],
    [{ lines: [{ sku: 'A', quantity: '0', unitPrice: '1' }] }, /line 1: quantity/],
    [{ lines: [{ sku: 'A', quantity: '1.5', unitPrice: '1' }] }, /line 1: quantity/],
    [{ lines: [{ quantity: '1', unitPrice: '1' }] }, /line 1: sku/],
    [{ lines: [{ sku: 'A', quantity: '1' }] }, /unit price or an amount/],
    [{ total: '100.00' }, /not the sum of the lines, 9260/],
    [{ paid: '95.00' }, /more than the lines/],
    [{ discount: '1.00', paid: '90.00' }, /not the total 9260 fen less the discount 100/],
    [
      { lines: [{ sku: 'A', quantity: 2, unitPriceFen: 1700, amount: '34.02' }] },
      /line 1: amount 3402 fen is more than quantity 2 × unit price 1700 fen/,
    ],
    [{ orderedAt: '0000-01-01T00:00:00Z' }, /before 2000/],
    [{ orderedAt: '9999-06-01T00:00:00Z' }, /future/],
  ])('refuses %o', (over, reason) => {
    const r = normalizeOrder(order(over), NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(refusalText(r.refusal, 'en')).toMatch(reason);
  });
});

describe('returns', () => {
  const ret = (over: Record<string, unknown> = {}) => ({
    externalId: 'TH001',
    originalExternalId: 'XS001',
    orderedAt: '2026-11-03 15:00',
    lines: [
      { sku: 'MD100001', quantity: '-2', unitPrice: '17.00', amount: '-34.00' },
      { sku: 'MD100002', quantity: '－1', unitPrice: '¥-29.50' },
    ],
    paid: '-63.50',
    ...over,
  });

  it('takes an order whose every line is negative as a return, its amounts kept positive', () => {
    const r = normalizeOrder(ret(), NOW);
    expect(r).toMatchObject({
      ok: true,
      order: { kind: 'return', originalExternalId: 'XS001', totalFen: 6350, discountFen: 0, paidFen: 6350 },
    });
    if (r.ok)
      expect(r.order.lines.map((l) => [l.quantity, l.amountFen])).toEqual([
        [2, 3400],
        [1, 2950],
      ]);
    // amounts printed positive on a return are the same return
    const positive = normalizeOrder(
      ret({
        paid: '63.50',
        lines: [
          { sku: 'MD100001', quantity: '-2', unitPrice: '17.00', amount: '34.00' },
          { sku: 'MD100002', quantity: '-1', unitPrice: '29.50' },
        ],
      }),
      NOW,
    );
    expect(positive).toMatchObject({ ok: true, order: { kind: 'return', paidFen: 6350 } });
  });

  it('keeps a sale a sale, ignores a 原单号 on it, and refuses negative money on it', () => {
    const withOriginal = normalizeOrder(
      ret({ lines: [{ sku: 'A', quantity: '1', unitPrice: '5' }], paid: '5.00' }),
      NOW,
    );
    expect(withOriginal).toMatchObject({ ok: true, order: { kind: 'sale', originalExternalId: null } });
    const sale = normalizeOrder(
      { externalId: 'XS9', orderedAt: '2026-11-03 15:00', lines: [{ sku: 'A', quantity: 1, unitPrice: '5' }] },
      NOW,
    );
    expect(sale).toMatchObject({ ok: true, order: { kind: 'sale', originalExternalId: null } });
    const negative = normalizeOrder(
      { externalId: 'XS9', orderedAt: '2026-11-03 15:00', lines: [{ sku: 'A', quantity: 1, unitPrice: '-5' }] },
      NOW,
    );
    expect(negative).toMatchObject({ ok: false, refusal: { code: 'money_not_yuan' } });
  });

  it.each([
    [
      {
        lines: [
          { sku: 'A', quantity: '-1', unitPrice: '5' },
          { sku: 'B', quantity: '1', unitPrice: '5' },
        ],
      },
      'order_mixes_return',
    ],
    [{ lines: [{ sku: 'A', quantity: '-0', unitPrice: '5' }] }, 'line_quantity_invalid'],
  ])('refuses %o (%s)', (over, code) => {
    expect(normalizeOrder(ret(over), NOW)).toMatchObject({ ok: false, refusal: { code } });
  });
});

describe('groupOrderRows', () => {
  it('makes one order of the rows of one number, its own fields given once or repeated', () => {
    const { orders, orphans } = groupOrderRows([
      { externalId: 'A', memberId: 'm1', orderedAt: '2026-11-01 09:00', discount: '1.00', sku: 'X', quantity: '1' },
      { externalId: 'B', orderedAt: '2026-11-01 10:00', sku: 'Y', quantity: '2' },
      { externalId: 'A', memberId: 'm1', sku: 'Z', quantity: '3', discount: '' },
      { externalId: '', sku: 'W', quantity: '1' },
    ]);
    expect(orphans).toEqual([3]);
    expect(orders).toHaveLength(2);
    expect(orders[0]).toMatchObject({
      firstRow: 0,
      rows: 2,
      order: {
        externalId: 'A',
        memberId: 'm1',
        discount: '1.00',
        lines: [
          { sku: 'X', quantity: '1' },
          { sku: 'Z', quantity: '3' },
        ],
      },
    });
    expect(orders[0].conflict).toBeUndefined();
    expect(orders[1].order.lines).toEqual([{ sku: 'Y', quantity: '2' }]);
  });

  it('marks an order whose rows contradict each other', () => {
    const { orders } = groupOrderRows([
      { externalId: 'A', memberId: 'm1', sku: 'X', quantity: '1' },
      { externalId: 'A', memberId: 'm2', sku: 'Y', quantity: '1' },
    ]);
    const conflict = orders[0].conflict;
    expect(conflict?.code).toBe('order_rows_disagree');
    expect(conflict && refusalText(conflict, 'en')).toMatch(/disagree on memberId: m1 and m2/);
  });
});
