/**
 * The counter page's confirmation before something is taken back: a redemption voided or a coupon-less sale taken
 * back, from its result card or from today's list. Where it takes points back, the server's preview says what the
 * member's balance becomes: a member who already spent them goes below 0, and the clerk says so before confirming.
 */
import type { CounterVoidPreviewBody, CounterVoidPreviewResponse } from '@shared/contracts/counter';
import { Button, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { counterApi } from '../../../services/counter';
import { outlookWords } from './void-words';

/** What taking it back does to the member's points: not asked (no points move), being asked, known, or not known. */
export type PointsOutlook =
  | { kind: 'none' }
  | { kind: 'loading' }
  | { kind: 'ready'; preview: CounterVoidPreviewResponse }
  | { kind: 'failed' };
const NO_OUTLOOK: PointsOutlook = { kind: 'none' };

/**
 * The preview of taking `target` back, asked when its confirmation opens (null: none open, or no points move). A
 * late answer for a confirmation closed since is dropped.
 */
export function usePointsOutlook(target: CounterVoidPreviewBody | null): PointsOutlook {
  // asked once per thing taken back, whatever object names it
  const redemptionId = target?.redemptionId ?? null;
  const orderId = target?.orderId ?? null;
  const asked = redemptionId ?? orderId;
  /** the answer and what it was asked for: another's (the one before) is not this one's */
  const [answer, setAnswer] = useState<{ for: string; outlook: PointsOutlook } | null>(null);
  useEffect(() => {
    if (!redemptionId && !orderId) {
      // closed: asked afresh when it opens again (the member may have spent meanwhile)
      setAnswer(null);
      return;
    }
    let current = true;
    const done = (outlook: PointsOutlook) => {
      if (current) setAnswer({ for: redemptionId ?? orderId ?? '', outlook });
    };
    counterApi.voidPreview(redemptionId ? { redemptionId } : { orderId: orderId ?? undefined }).then(
      (preview) => done({ kind: 'ready', preview }),
      () => done({ kind: 'failed' }),
    );
    return () => {
      current = false;
    };
  }, [redemptionId, orderId]);
  if (asked === null) return NO_OUTLOOK;
  return answer?.for === asked ? answer.outlook : { kind: 'loading' };
}

/**
 * The confirmation before a void, drawn by the page rather than NutUI's Dialog: babel-plugin-import puts a NutUI
 * component's CSS at the top of the importing file, ahead of staff.scss, the opposite of 优惠券管理's order, and the
 * subpackage's shared CSS chunk then has no consistent order.
 */
export function VoidDialog({
  title,
  text,
  testId = 'counter-void',
  outlook = NO_OUTLOOK,
  onCancel,
  onConfirm,
}: {
  title: string;
  text: string;
  /** the prefix of its test ids: `<testId>-dialog`, `-confirm`, `-points`, `-cancel`, `-ok` */
  testId?: string;
  /** what it does to the member's points (usePointsOutlook); confirming waits for it while it is asked */
  outlook?: PointsOutlook;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const words = outlook.kind === 'ready' ? outlookWords(outlook.preview) : null;
  return (
    <View className="staff-mask" data-testid={`${testId}-dialog`}>
      <View className="ctr-dialog">
        <View className="ctr-dialog__title">{title}</View>
        <View className="ctr-dialog__text" data-testid={`${testId}-confirm`}>
          {text}
        </View>
        {outlook.kind === 'loading' ? (
          <View className="ctr-dialog__points" data-testid={`${testId}-points`}>
            正在核对会员积分…
          </View>
        ) : null}
        {outlook.kind === 'failed' ? (
          <View className="ctr-dialog__points" data-testid={`${testId}-points`}>
            未能核对会员当前积分：如果会员已用掉这笔积分，撤销后积分会变为负数。
          </View>
        ) : null}
        {words ? (
          <View
            className={`ctr-dialog__points${words.warn ? ' ctr-dialog__points--short' : ''}`}
            data-testid={`${testId}-points`}
            data-short={words.warn ? 'yes' : 'no'}
          >
            {words.warn ? <View className="ctr-dialog__points-title">会员积分不够扣回</View> : null}
            {words.text}
          </View>
        ) : null}
        <View className="ctr-dialog__actions">
          <Button className="ml-btn ml-btn--ghost ctr-dialog__btn" onClick={onCancel} data-testid={`${testId}-cancel`}>
            不撤销
          </Button>
          <Button
            className="ml-btn ml-btn--danger ctr-dialog__btn"
            disabled={outlook.kind === 'loading'}
            onClick={outlook.kind === 'loading' ? undefined : onConfirm}
            data-testid={`${testId}-ok`}
          >
            {words?.warn ? '仍然撤销' : '确认撤销'}
          </Button>
        </View>
      </View>
    </View>
  );
}
