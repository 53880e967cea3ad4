/** What issuing to one member and to a pasted list share: the batch key rule and the refusals in words. */
import type { CouponTemplateView } from '@shared/contracts/loyalty';
import { useRef } from 'react';
import { isApiError } from '../../../services/api-error';

/** One refused recipient in the issuer's words. */
export const REFUSED_TEXT: Record<string, string> = {
  COUPON_LIMIT_REACHED: '该会员已达领取上限',
  COUPON_OUT_OF_STOCK: '优惠券已发完',
  FORBIDDEN: '没有权限给这位会员发券',
  MEMBER_NOT_FOUND: '找不到这位会员',
  COUPON_TEMPLATE_INACTIVE: '这张券已暂停发放、结束或过期',
};

/**
 * Who a manager can find: said wherever a member is not found. Members only, those who signed up in the
 * mini-program (a store card or mall account on the phone is not found), and in the manager's stores (a member
 * elsewhere reads as no member).
 */
export const MEMBER_SCOPE_NOTE =
  '只能给已在小程序注册的会员发券，且须是您负责门店的会员（所属门店，或在这些门店消费过）';

/** 「，2026-05-01 起可用」 after an issue of a template whose dates start later. */
export const startsLaterNote = (template: CouponTemplateView | undefined) =>
  template?.startsLater && template.validity.kind === 'fixed' ? `，${template.validity.from} 起可用` : '';

const newBatchKey = () => `iss-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * The batch key of one intended issue (these members, this template). A lost answer (no response, a 5xx) leaves
 * the outcome unknown: the next tap for the same intent sends the same key, so the server answers with what it did
 * the first time and nothing is issued twice. A definite answer (success, a 4xx refusal) ends the intent; issuing
 * again after that is a new intent with a new key.
 */
export function useIssueKey() {
  const pending = useRef<{ intent: string; key: string } | null>(null);
  return {
    keyFor(templateCode: string, customerIds: readonly string[]): { key: string; retry: boolean } {
      const intent = `${templateCode}|${[...customerIds].sort().join(',')}`;
      if (pending.current?.intent === intent) return { key: pending.current.key, retry: true };
      pending.current = { intent, key: newBatchKey() };
      return { key: pending.current.key, retry: false };
    },
    /** the answer was definite: the next tap is a new issue */
    settled() {
      pending.current = null;
    },
  };
}

/** A failure after which the issue may or may not have happened: keep the key for the retry. */
export const outcomeUnknown = (e: unknown) => !isApiError(e) || e.status === 0 || e.status >= 500;
