/**
 * What a void does to the member's points, in the clerk's words (the confirmation's line under its text), from the
 * server's preview. Pure, so the words are tested without a page.
 */
import type { CounterVoidPreviewResponse } from '@shared/contracts/counter';
import { thousands } from '../../../components/format';

/**
 * The member's points after it, in the clerk's words: below 0 spelt out (what was spent, what is owed, what it
 * means for the member); otherwise the balance before and after, for the clerk to tell the member.
 */
export function outlookWords(p: CounterVoidPreviewResponse): { warn: boolean; text: string } | null {
  if (p.balanceNow === null || p.balanceAfter === null || (p.pointsToReverse === 0 && p.pointsToReturn === 0)) {
    return null;
  }
  if (p.shortfall > 0) {
    return {
      warn: true,
      text: `会员已用掉这笔积分中的 ${thousands(p.shortfall)} 分（当前积分 ${thousands(p.balanceNow)}，要扣回 ${thousands(
        p.pointsToReverse,
      )}）：撤销后会员积分为 ${thousands(p.balanceAfter)}。货款照退，撤销照常进行；之后消费所得积分先补足欠分，积分为负时不能抵现。请先告知会员。`,
    };
  }
  return { warn: false, text: `会员当前积分 ${thousands(p.balanceNow)}，撤销后为 ${thousands(p.balanceAfter)}。` };
}
