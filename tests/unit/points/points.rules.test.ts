import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EARN_CONFIG,
  type LedgerLine,
  planSpend,
  pointsExpiryAt,
  pointsForOrder,
  pointsState,
  spendableFen,
} from '../../../shared/points/points.rules.js';
import { birthdayBenefitDue, firstBirthdayMonth, tierFor, tierWindowStart } from '../../../shared/points/tier.rules.js';

describe('pointsForOrder', () => {
  it.each([
    ['1 point per whole yuan', { paidFen: 19999 }, 199],
    ['double at 200 yuan', { paidFen: 20000 }, 400],
    ['nothing below 1 yuan', { paidFen: 99 }, 0],
    [
      'Rx lines earn nothing (paid amount shared pro rata)',
      {
        paidFen: 9000,
        lines: [
          { amountFen: 5000, rx: true },
          { amountFen: 5000, rx: false },
        ],
      },
      45,
    ],
    ['all Rx → 0', { paidFen: 30000, lines: [{ amountFen: 30000, rx: true }] }, 0],
  ])('%s', (_n, order, points) => expect(pointsForOrder(order).points).toBe(points));

  it('prescription drugs never lift the rest of the basket over the doubling threshold', () => {
    // 100 yuan of non-Rx alone earns 100; 100 yuan of Rx beside it must not double that
    const alone = pointsForOrder({ paidFen: 10_000, lines: [{ amountFen: 10_000 }] });
    const withRx = pointsForOrder({
      paidFen: 20_000,
      lines: [{ amountFen: 10_000 }, { amountFen: 10_000, rx: true }],
    });
    expect([alone.points, withRx.points, withRx.bonus]).toEqual([100, 100, false]);
    // 200 yuan of non-Rx with Rx beside it still doubles
    const big = pointsForOrder({
      paidFen: 30_000,
      lines: [{ amountFen: 20_000 }, { amountFen: 10_000, rx: true }],
    });
    expect([big.points, big.bonus]).toEqual([400, true]);
  });

  it('Rx earns when configured', () => {
    expect(
      pointsForOrder(
        { paidFen: 30000, lines: [{ amountFen: 30000, rx: true }] },
        { ...DEFAULT_EARN_CONFIG, rxEarns: true },
      ).points,
    ).toBe(600);
  });
});

const at = (iso: string) => new Date(iso);
const earn = (points: number, iso: string): LedgerLine => ({
  kind: 'earn',
  points,
  earnYear: Number(iso.slice(0, 4)),
  occurredAt: at(iso),
});

describe('pointsState (expiry at the end of the year after earning, Asia/Shanghai)', () => {
  it('expiry instant is 00:00 Shanghai on 1 January two years on', () => {
    expect(pointsExpiryAt(2025).toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });

  it('keeps 2025 points through 2026 and expires them after, with the spend taken from the oldest first', () => {
    const ledger = [
      earn(100, '2025-05-01T02:00:00Z'),
      earn(50, '2026-05-01T02:00:00Z'),
      { kind: 'spend', points: -30, earnYear: null, occurredAt: at('2026-06-01T02:00:00Z') } as LedgerLine,
    ];
    const before = pointsState(ledger, at('2026-12-31T15:59:59Z'));
    expect(before.balance).toBe(120);
    expect(before.nextExpiry).toEqual({ points: 70, at: at('2026-12-31T16:00:00Z') });
    const after = pointsState(ledger, at('2026-12-31T16:00:00Z'));
    expect(after.balance).toBe(50);
    expect(after.pendingExpiries).toEqual([{ earnYear: 2025, points: 70, at: at('2026-12-31T16:00:00Z') }]);
  });

  it('a recorded expiry line is not expired twice; the balance is the ledger sum', () => {
    const ledger: LedgerLine[] = [
      earn(100, '2025-05-01T02:00:00Z'),
      { kind: 'expire', points: -100, earnYear: 2025, occurredAt: at('2026-12-31T16:00:00Z') },
      earn(10, '2027-01-05T02:00:00Z'),
    ];
    const s = pointsState(ledger, at('2027-02-01T00:00:00Z'));
    expect(s.balance).toBe(10);
    expect(s.pendingExpiries).toEqual([]);
  });

  it('a reversal takes back the points of the earn it reverses', () => {
    const ledger: LedgerLine[] = [
      earn(100, '2025-05-01T02:00:00Z'),
      earn(40, '2026-02-01T02:00:00Z'),
      { kind: 'reverse', points: -40, earnYear: 2026, occurredAt: at('2026-02-02T02:00:00Z') },
    ];
    const s = pointsState(ledger, at('2026-03-01T00:00:00Z'));
    expect(s.balance).toBe(100);
    expect(s.nextExpiry).toEqual({ points: 100, at: pointsExpiryAt(2025) });
  });

  it('spending more than the balance is refused', () => {
    const s = pointsState([earn(10, '2026-01-02T00:00:00Z')], at('2026-02-01T00:00:00Z'));
    expect(planSpend(s, 11)).toMatchObject({ ok: false, code: 'INSUFFICIENT_POINTS' });
    expect(planSpend(s, 10)).toEqual({ ok: true, value: { points: 10 } });
  });

  it('a balance pays its whole hundreds: 100 points a yuan, nothing below 100 or for a debt', () => {
    expect([0, 99, 100, 506, 1299, -50].map(spendableFen)).toEqual([0, 0, 100, 500, 1200, 0]);
  });
});

describe('tiers and birthday', () => {
  it.each([
    [0, 'basic', 100000],
    [99999, 'basic', 1],
    [100000, 'silver', 200000],
    [300000, 'gold', null],
  ])('spend %i → %s', (spend, code, missing) => {
    const s = tierFor(spend);
    expect(s.tier.code).toBe(code);
    expect(s.next?.missingFen ?? null).toBe(missing);
  });

  it('the window starts 12 months before today, 00:00 Shanghai', () => {
    expect(tierWindowStart(at('2026-03-01T17:00:00Z')).toISOString()).toBe('2025-03-01T16:00:00.000Z');
  });

  it('birthday benefit is due in the birthday month in Shanghai', () => {
    expect(birthdayBenefitDue('1960-03-15', at('2026-02-28T16:30:00Z'))).toEqual({ year: 2026 }); // 1 Mar in Shanghai
    expect(birthdayBenefitDue('1960-03-15', at('2026-02-28T15:30:00Z'))).toBeNull();
    expect(birthdayBenefitDue(null, at('2026-03-01T00:00:00Z'))).toBeNull();
  });

  it('a birthday typed in its own month earns from the next year; one typed before, this year', () => {
    const march = at('2026-03-10T02:00:00Z');
    // typed on 1 Mar (Shanghai) for a March birthday: not this March
    expect(birthdayBenefitDue('1960-03-15', march, at('2026-02-28T16:30:00Z'))).toBeNull();
    // typed on 28 Feb (Shanghai): this March
    expect(birthdayBenefitDue('1960-03-15', march, at('2026-02-28T15:30:00Z'))).toEqual({ year: 2026 });
    // typed last March: this March
    expect(birthdayBenefitDue('1960-03-15', march, at('2025-03-20T02:00:00Z'))).toEqual({ year: 2026 });
    expect(firstBirthdayMonth('1960-03-15', at('2026-03-01T02:00:00Z'))).toBe('2027-03');
    expect(firstBirthdayMonth('1960-04-15', at('2026-03-31T15:59:00Z'))).toBe('2026-04');
    expect(firstBirthdayMonth('1960-02-15', at('2026-03-01T02:00:00Z'))).toBe('2027-02');
    expect(firstBirthdayMonth('1960-12-01', at('2026-11-30T16:00:00Z'))).toBe('2027-12'); // 1 Dec in Shanghai
  });
});
