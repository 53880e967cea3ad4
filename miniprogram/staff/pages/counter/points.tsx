/**
 * 积分抵现 on the counter page: the member pays part of a sale the counter records with points, 100 points for
 * 1 yuan in whole hundreds. The clerk turns it on and picks how many (PointsPay); the answer says what the points
 * paid and what to collect in money (PaidWithPoints), and, while the sale is not recorded, that no points were
 * spent (PointsNotSpent).
 */
import type { CounterSaleResponse } from '@shared/contracts/counter';
import { FEN_PER_POINT, POINTS_SPEND_STEP as STEP } from '@shared/points/points.rules';
import { Text, View } from '@tarojs/components';
import { thousands } from '../../../components/format';
import { isApiError } from '../../../services/api-error';
import { Stepper, yuan } from './items';

/** What the clerk chose: off, or on with the points picked (null: as many as the sale can take). */
export interface PointsChoice {
  on: boolean;
  points: number | null;
}
/** Off for every member: points are spent only when the member asks. */
export const NO_POINTS: PointsChoice = { on: false, points: null };

/** The most points a sale can take: what the member has, and no more than `leftFen` pays for, in whole hundreds. */
export const maxPoints = (balance: number, leftFen: number) =>
  Math.max(0, Math.floor(Math.min(balance, Math.floor(leftFen / FEN_PER_POINT)) / STEP) * STEP);

/** The points the choice spends with `leftFen` left to pay: those picked, brought down to the most it can take. */
export const pointsToSpend = (choice: PointsChoice, balance: number, leftFen: number) => {
  if (!choice.on) return 0;
  const most = maxPoints(balance, leftFen);
  return Math.min(choice.points ?? most, most);
};

/** The server's refusals of the points: the whole sale was refused, nothing written. */
const POINTS_REFUSED: ReadonlySet<string> = new Set(['INSUFFICIENT_POINTS', 'POINTS_EXCEED_ORDER']);
export const isPointsRefused = (error: unknown) => isApiError(error) && POINTS_REFUSED.has(error.code);

/** A refusal of the points in the clerk's words (`text`: the error's own words), what to do next included. */
export function pointsRefusedWords(error: unknown, text: string): string {
  if (!isApiError(error)) return text;
  if (error.code === 'INSUFFICIENT_POINTS') {
    // the balance shown came with the scan: the member spent or lost points since
    return `${text}：会员积分已有变动，本单未登记，积分未扣减。请重新扫会员码查看最新积分`;
  }
  if (error.code === 'POINTS_EXCEED_ORDER') return `${text}：本单未登记，积分未扣减。请减少抵扣积分`;
  return text;
}

/**
 * 使用积分抵现, in a form that records a sale: the member's points, a switch, and when on the points to use (steps of
 * 100, the most the sale can take at first), with the yuan they take off and what is left to collect. What the
 * sale can take follows the order amount as it is typed. Nothing for a member with no points; a quiet line for
 * fewer than 100.
 */
export function PointsPay({
  balance,
  orderFen,
  choice,
  onChoice,
  afterCoupon,
}: {
  balance: number;
  /** the order amount typed, in fen; null while it is not an amount */
  orderFen: number | null;
  choice: PointsChoice;
  onChoice: (choice: PointsChoice) => void;
  /** in the redeem form: the coupon's discount is known once redeemed, and comes off before the points */
  afterCoupon: boolean;
}) {
  if (balance < STEP) {
    return balance > 0 ? (
      <View className="ctr-pay-short" data-testid="counter-points-short">
        积分 {thousands(balance)}，不足 100，暂不可抵现
      </View>
    ) : null;
  }
  const most = orderFen === null ? 0 : maxPoints(balance, orderFen);
  const points = pointsToSpend(choice, balance, orderFen ?? 0);
  const step = (by: 1 | -1) => onChoice({ on: true, points: Math.min(most, Math.max(STEP, points + by * STEP)) });
  return (
    <View className={`ctr-pay${choice.on ? ' ctr-pay--on' : ''}`} data-testid="counter-points">
      <View
        className="ctr-pay__head"
        onClick={() => onChoice({ on: !choice.on, points: null })}
        data-testid="counter-points-toggle"
        data-checked={choice.on ? 'yes' : 'no'}
      >
        <View className="ctr-pay__main">
          <View className="ctr-pay__title">使用积分抵现</View>
          <View className="ctr-pay__have" data-testid="counter-points-balance">
            可用积分 <Text className="ctr-pay__have-num">{thousands(balance)}</Text>，每 100 积分抵 1 元
          </View>
        </View>
        <View className={`ctr-switch${choice.on ? ' ctr-switch--on' : ''}`}>
          <View className="ctr-switch__knob" />
        </View>
      </View>
      {choice.on && orderFen === null ? (
        <View className="ctr-pay__hint" data-testid="counter-points-hint">
          填写订单金额后，按金额计算可抵扣的积分
        </View>
      ) : null}
      {choice.on && orderFen !== null && most === 0 ? (
        <View className="ctr-pay__hint" data-testid="counter-points-hint">
          订单金额不足 1 元，不能用积分抵现
        </View>
      ) : null}
      {choice.on && most > 0 ? (
        <>
          <View className="ctr-pay__row">
            <Text className="ctr-pay__label">抵扣积分</Text>
            <Stepper
              value={thousands(points)}
              less={points > STEP}
              more={points < most}
              onStep={step}
              testId="counter-points"
            />
          </View>
          <View className="ctr-pay__sum" data-testid="counter-points-sum">
            抵 <Text className="ctr-pay__num">{yuan(points * FEN_PER_POINT)}</Text> 元，
            {afterCoupon ? (
              <Text>从券后应付中抵扣</Text>
            ) : (
              <Text>
                应收{' '}
                <Text className="ctr-pay__num ctr-pay__num--due">{yuan((orderFen ?? 0) - points * FEN_PER_POINT)}</Text>{' '}
                元
              </Text>
            )}
          </View>
          <View className="ctr-pay__hint">
            {afterCoupon
              ? '核销后才知道券后应付，超出的积分不使用；抵现部分不累计积分'
              : '抵现部分不累计积分；撤销登记时积分退回'}
          </View>
        </>
      ) : null}
    </View>
  );
}

/** 积分抵扣 −N（X 元） and 实收: once points paid part of a sale, the money the clerk collects, written large. */
export function PaidWithPoints({ sale, testId }: { sale: CounterSaleResponse; testId: string }) {
  if (sale.pointsSpent === 0) return null;
  return (
    <View className="ctr-paid" data-testid={testId}>
      <View className="ctr-paid__row" data-testid={`${testId}-spent`}>
        <Text className="ctr-paid__label">积分抵扣</Text>
        <Text className="ctr-paid__spent">
          −{thousands(sale.pointsSpent)}（{yuan(sale.pointsDiscountFen)} 元）
        </Text>
      </View>
      <View className="ctr-paid__row ctr-paid__row--due" data-testid={`${testId}-due`}>
        <Text className="ctr-paid__label">实收</Text>
        <Text className="ctr-paid__due">
          <Text className="ctr-paid__num">{yuan(sale.paidFen)}</Text> 元
        </Text>
      </View>
      <View className="ctr-paid__note">请按实收金额向会员收款</View>
    </View>
  );
}

/**
 * The points a redemption's sale is to spend, while that sale is under way or failed: not spent (or, its answer
 * lost, not known to be), so the clerk does not collect the smaller sum yet.
 */
export function PointsNotSpent({
  points,
  state,
  payableFen,
}: {
  points: number;
  /** pending: under way; unsure: its answer lost (resent, it cannot spend twice); open: refused, may be resent; final */
  state: 'pending' | 'unsure' | 'open' | 'final';
  /** what is left to pay after the coupon: collected in money when no points are spent */
  payableFen: number;
}) {
  const n = thousands(points);
  const words = {
    pending: `正在抵扣 ${n} 积分，请稍候再收款`,
    unsure: `抵现 ${n} 积分未确认：请先点击「重新登记积分」，成功后按实收收款`,
    open: `抵现 ${n} 积分未完成，会员积分未扣减：重新登记成功后按实收收款`,
    final: `未使用积分抵现，会员积分未扣减：请按应付 ${yuan(payableFen)} 元收款`,
  }[state];
  return (
    <View className="ctr-unspent" data-testid="counter-points-unspent">
      {words}
    </View>
  );
}
