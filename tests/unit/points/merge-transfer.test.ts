/** A merge's points transfers keep earn years, and a voided coupon is never redeemable. */
import { describe, expect, it } from 'vitest';
import { evaluateRedemption } from '../../../shared/coupons/coupon.rules.js';
import { type LedgerLine, pointsState } from '../../../shared/points/points.rules.js';

const line = (kind: LedgerLine['kind'], points: number, earnYear: number | null, iso: string): LedgerLine => ({
  kind,
  points,
  earnYear,
  occurredAt: new Date(iso),
});

describe('transfer lines (merge and undo)', () => {
  it('credit the bucket of their earn year, so transferred points expire when they would have', () => {
    const ledger = [line('earn', 50, 2026, '2026-03-01T00:00:00Z'), line('transfer', 70, 2025, '2026-11-01T00:00:00Z')];
    const s = pointsState(ledger, new Date('2026-11-02T00:00:00Z'));
    expect(s.buckets).toEqual([
      { earnYear: 2025, points: 70 },
      { earnYear: 2026, points: 50 },
    ]);
    expect(s.nextExpiry?.points).toBe(70);
    // the 2025 points expire at the end of 2026 even though they arrived in November 2026
    expect(pointsState(ledger, new Date('2027-01-01T00:00:00Z')).balance).toBe(50);
  });

  it('debit their own earn year first, not the oldest', () => {
    const ledger = [
      line('earn', 40, 2025, '2025-06-01T00:00:00Z'),
      line('earn', 60, 2026, '2026-03-01T00:00:00Z'),
      line('transfer', -60, 2026, '2026-11-01T00:00:00Z'),
    ];
    expect(pointsState(ledger, new Date('2026-11-02T00:00:00Z')).buckets).toEqual([{ earnYear: 2025, points: 40 }]);
  });

  it('report a debt separately from the buckets', () => {
    const ledger = [line('spend', -30, null, '2026-03-01T00:00:00Z'), line('earn', 10, 2026, '2026-04-01T00:00:00Z')];
    const s = pointsState(ledger, new Date('2026-05-01T00:00:00Z'));
    expect(s).toMatchObject({ balance: -20, debt: 20, buckets: [] });
  });
});

describe('a voided coupon', () => {
  it('cannot be redeemed', () => {
    const result = evaluateRedemption(
      {
        id: 'cpn_v',
        status: 'voided',
        validFrom: new Date('2026-01-01T00:00:00Z'),
        validUntil: new Date('2027-01-01T00:00:00Z'),
      },
      {
        kind: 'amount_off',
        amountOffFen: 1000,
        percentOff: null,
        maxDiscountFen: null,
        thresholdFen: 0,
        storeIds: [],
        categories: [],
        includeRx: false,
      },
      { storeId: 'sto_001', amountFen: 5000 },
      new Date('2026-06-01T00:00:00Z'),
    );
    expect(result.ok ? null : result.code).toBe('COUPON_VOIDED');
  });
});
