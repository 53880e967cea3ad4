import { describe, expect, it } from 'vitest';
import { outlookWords } from '../../../miniprogram/staff/pages/counter/void-words.js';
import { voidPointsOutlook } from '../../../shared/contracts/counter.js';

describe('what a void does to the balance', () => {
  it.each([
    // balance now, taken back, given back → after, shortfall
    { now: 500, reverse: 150, returned: 0, after: 350, shortfall: 0, why: 'the points are still there' },
    { now: 150, reverse: 150, returned: 0, after: 0, shortfall: 0, why: 'exactly what was earned' },
    { now: 50, reverse: 150, returned: 0, after: -100, shortfall: 100, why: '100 of them spent' },
    { now: 267, reverse: 47, returned: 300, after: 520, shortfall: 0, why: 'paid with points: they come back' },
    { now: 50, reverse: 150, returned: 30, after: -70, shortfall: 70, why: 'some come back, not enough' },
    { now: -20, reverse: 150, returned: 0, after: -170, shortfall: 150, why: 'a debt already: all of it is new debt' },
    { now: -20, reverse: 0, returned: 100, after: 80, shortfall: 0, why: 'points given back pay a debt' },
  ])('$why: $now − $reverse + $returned = $after, short $shortfall', ({ now, reverse, returned, after, shortfall }) => {
    expect(voidPointsOutlook(now, reverse, returned)).toEqual({ balanceAfter: after, shortfall });
  });
});

describe('the confirmation’s words on the member’s points', () => {
  const preview = { pointsToReverse: 150, pointsToReturn: 0, balanceNow: 50, balanceAfter: -100, shortfall: 100 };

  it('a shortfall: what was spent, the balance after, and what it means, as a warning', () => {
    expect(outlookWords(preview)).toEqual({
      warn: true,
      text: '会员已用掉这笔积分中的 100 分（当前积分 50，要扣回 150）：撤销后会员积分为 -100。货款照退，撤销照常进行；之后消费所得积分先补足欠分，积分为负时不能抵现。请先告知会员。',
    });
  });

  it('thousands as the member’s home writes them', () => {
    const big = {
      pointsToReverse: 5_400,
      pointsToReturn: 0,
      balanceNow: 1_200,
      balanceAfter: -4_200,
      shortfall: 4_200,
    };
    expect(outlookWords(big)?.text).toContain('已用掉这笔积分中的 4,200 分（当前积分 1,200，要扣回 5,400）');
    expect(outlookWords(big)?.text).toContain('撤销后会员积分为 -4,200');
  });

  it('no shortfall: the balance before and after, plainly', () => {
    expect(outlookWords({ ...preview, balanceNow: 500, balanceAfter: 350, shortfall: 0 })).toEqual({
      warn: false,
      text: '会员当前积分 500，撤销后为 350。',
    });
  });

  it('nothing to say where no points move, or the account is closed', () => {
    expect(outlookWords({ ...preview, pointsToReverse: 0, balanceAfter: 50, shortfall: 0 })).toBeNull();
    expect(outlookWords({ ...preview, balanceNow: null, balanceAfter: null, shortfall: 0 })).toBeNull();
  });
});
