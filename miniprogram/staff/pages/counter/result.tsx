/**
 * What the counter page shows once a redemption or a sale is made: the redemption's result (ResultCard) with the
 * points of the sale recorded with it (LinkedSaleView), the sale recorded without a coupon (SoldCard) and taking it
 * back, and the points a void or a taking-back gave back.
 */
import type {
  CounterRedeemResponse,
  CounterRedemption,
  CounterSaleLine,
  CounterSaleResponse,
} from '@shared/contracts/counter';
import { Button, Text, View } from '@tarojs/components';
import { thousands } from '../../../components/format';
import { SaleItems, yuan } from './items';
import { PaidWithPoints, PointsNotSpent } from './points';
import { type PointsOutlook, VoidDialog } from './void-dialog';

/**
 * The sale recorded with a redemption, for the member's points: under way, recorded, or failed (retry offered;
 * `unsure`: its answer was lost, it may have landed; `pointsRefused`: the points were refused, the sale may go
 * without them).
 */
export type SaleState =
  | { kind: 'pending' }
  | { kind: 'ok'; sale: CounterSaleResponse }
  | { kind: 'failed'; error: string; retryable: boolean; unsure: boolean; pointsRefused: boolean };
/** What a sale sends besides the member and the redemption: the amounts, the medicines added, the points paid with. */
export interface SaleOrder {
  orderAmountFen: number;
  rxAmountFen: number;
  lines: CounterSaleLine[];
  pointsToSpend: number;
}
/** The sale of a redemption, kept for 重新登记积分 (the same order, so the same key). */
export interface LinkedSale extends SaleOrder {
  state: SaleState;
}

/** Why a sale earned no points. */
const noPointsWhy = (sale: CounterSaleResponse) =>
  sale.pointsSpent > 0 ? '积分抵现部分、不足 1 元的部分和处方药不累计积分' : '不足 1 元的部分和处方药不累计积分';

/** 本单积分 +N，当前积分 M, with why an order earned nothing. */
function PointsLine({ sale, testId }: { sale: CounterSaleResponse; testId: string }) {
  return (
    <View className="ctr-points" data-testid={testId}>
      <View>
        本单积分 <Text className="ctr-points__earned">+{thousands(sale.pointsEarned)}</Text>，当前积分{' '}
        <Text className="ctr-points__balance">{thousands(sale.pointsBalance)}</Text>
      </View>
      {sale.pointsEarned === 0 ? <View className="ctr-points__why">{noPointsWhy(sale)}</View> : null}
    </View>
  );
}

/**
 * The points of the sale recorded with a redemption: under way, recorded (with what the points paid and what to
 * collect), or failed with 重新登记积分, and 不用积分 when the points were refused.
 */
function LinkedSaleView({
  sale,
  payableFen,
  voided,
  onRetry,
}: {
  sale: LinkedSale;
  /** the redemption's 应付: what is collected while no points are spent */
  payableFen: number;
  voided: boolean;
  /** `withoutPoints`: the same order without 积分抵现 (a new attempt) */
  onRetry: (withoutPoints: boolean) => void;
}) {
  const { state } = sale;
  if (state.kind === 'ok') {
    return (
      <>
        <PaidWithPoints sale={state.sale} testId="counter-sale-paid" />
        <PointsLine sale={state.sale} testId="counter-sale-points" />
        <SaleItems lines={state.sale.lines} testId="counter-sale-items" />
      </>
    );
  }
  if (state.kind === 'pending') {
    return (
      <>
        <View className="ctr-points ctr-points--pending" data-testid="counter-sale-pending">
          正在登记本单积分…
        </View>
        {sale.pointsToSpend > 0 ? (
          <PointsNotSpent points={sale.pointsToSpend} state="pending" payableFen={payableFen} />
        ) : null}
      </>
    );
  }
  const retry = state.retryable && !voided;
  return (
    <View className="ctr-sale-failed">
      <View className="staff-alert ctr-alert" data-testid="counter-sale-error">
        {state.error}
      </View>
      {sale.pointsToSpend > 0 ? (
        <PointsNotSpent
          points={sale.pointsToSpend}
          state={state.unsure ? 'unsure' : retry ? 'open' : 'final'}
          payableFen={payableFen}
        />
      ) : null}
      {retry ? (
        <Button
          className="ml-btn ml-btn--ghost ctr-submit"
          onClick={() => onRetry(false)}
          data-testid="counter-sale-retry"
        >
          重新登记积分
        </Button>
      ) : null}
      {state.pointsRefused && !voided ? (
        <Button
          className="ml-btn ml-btn--ghost ctr-submit"
          onClick={() => onRetry(true)}
          data-testid="counter-sale-retry-no-points"
        >
          不用积分，重新登记积分
        </Button>
      ) : null}
    </View>
  );
}

/** The points a void or a taking-back gave back: those the sale earned taken back, those it spent returned. */
export interface PointsBack {
  reversed: number;
  returned: number;
}
export const pointsBackWords = (back: PointsBack) =>
  `${back.reversed > 0 ? `；已扣回本单积分 ${thousands(back.reversed)}` : ''}${back.returned > 0 ? `；已退回 ${thousands(back.returned)} 积分` : ''}`;

/** Whose result it is: 会员 张* · 138****5678, so a result is never read as the next member's. */
function MemberLine({ who, testId }: { who: string; testId: string }) {
  return (
    <View className="ctr-result__member" data-testid={testId}>
      {who}
    </View>
  );
}

export function ResultCard({
  who,
  result,
  sale,
  voided,
  pointsBack,
  onRetrySale,
  onNext,
}: {
  /** the member's line (memberLine) */
  who: string;
  result: CounterRedeemResponse;
  sale: LinkedSale | null;
  /** set once it was voided from today's list */
  voided: CounterRedemption | null;
  /** the points its void took back and returned, when voided from this page */
  pointsBack: PointsBack | null;
  onRetrySale: (withoutPoints: boolean) => void;
  onNext: () => void;
}) {
  // the sale's points are under way: they are this member's, and shown here, so the next member waits for them
  const salePending = sale?.state.kind === 'pending';
  return (
    <View className={`ml-card ctr-result${voided ? ' ctr-result--voided' : ''}`} data-testid="counter-result">
      <View className={`ctr-result__icon${voided ? ' ctr-result__icon--voided' : ''}`}>{voided ? '↺' : '✓'}</View>
      <View className="ctr-result__title">{voided ? '已撤销' : '核销成功'}</View>
      <MemberLine who={who} testId="counter-result-member" />
      <View className="ctr-result__coupon">
        {result.couponName}（{result.headline}）
      </View>
      <View className="ctr-result__nums">
        <View className="ctr-result__num">
          <View className="ctr-result__label">优惠</View>
          <View className="ctr-result__value ctr-result__value--discount" data-testid="counter-discount">
            {yuan(result.discountFen)} 元
          </View>
        </View>
        <View className="ctr-result__num">
          <View className="ctr-result__label">应付</View>
          <View className="ctr-result__value" data-testid="counter-payable">
            {yuan(result.payableFen)} 元
          </View>
        </View>
      </View>
      <View className="ctr-result__detail">
        订单金额 {yuan(result.orderAmountFen)} 元
        {result.eligibleFen !== result.orderAmountFen ? `，参与优惠 ${yuan(result.eligibleFen)} 元` : ''}
      </View>
      {/* once its points were taken back, the note below says so: no stale 当前积分 above it */}
      {sale && !(voided && pointsBack && (pointsBack.reversed > 0 || pointsBack.returned > 0)) ? (
        <LinkedSaleView sale={sale} payableFen={result.payableFen} voided={voided !== null} onRetry={onRetrySale} />
      ) : null}
      {voided ? (
        <View className="ctr-result__voided" data-testid="counter-result-voided">
          {voided.couponReturned === false
            ? '这笔核销已撤销；优惠券已过期，未退回会员券包'
            : '这笔核销已撤销，优惠券已退回会员券包'}
          {pointsBack ? pointsBackWords(pointsBack) : ''}
        </View>
      ) : null}
      <Button
        className="ml-btn ml-btn--primary ctr-submit"
        disabled={salePending}
        onClick={salePending ? undefined : onNext}
        data-testid="counter-next"
      >
        核销下一位
      </Button>
    </View>
  );
}

/** What became of taking a coupon-less sale back: in flight, done (the points taken back and returned), or refused. */
export interface TakeBack {
  asking: boolean;
  busy: boolean;
  done: PointsBack | null;
  error: string | null;
}
export const NO_TAKE_BACK: TakeBack = { asking: false, busy: false, done: null, error: null };

/**
 * What taking a coupon-less sale back does, in the clerk's words: the same from its result card and from the list.
 * The points it was paid with go back to the member with it. `then`: what the clerk does next.
 */
export const saleTakeBackText = (
  who: string | null,
  sale: { orderAmountFen: number; pointsEarned: number; pointsSpent: number },
  then = '如需重新登记请再扫会员码',
) =>
  `${who ? `会员 ${who}，` : ''}消费 ${yuan(sale.orderAmountFen)} 元，积分 +${thousands(sale.pointsEarned)}${
    sale.pointsSpent > 0
      ? `，积分抵现 ${thousands(sale.pointsSpent)}。撤销后${sale.pointsEarned > 0 ? '扣回这笔积分，' : ''}退回抵现的 ${thousands(sale.pointsSpent)} 积分`
      : sale.pointsEarned > 0
        ? '。撤销后扣回这笔积分'
        : '。撤销后这笔登记作废'
  }，${then}。`;

/** A sale recorded without a coupon, and taking it back when it was a mistake (a wrong amount, the wrong member). */
export function SoldCard({
  who,
  sale,
  back,
  outlook,
  onAsk,
  onCancel,
  onTakeBack,
  onNext,
}: {
  /** the member's line (memberLine) */
  who: string;
  sale: CounterSaleResponse;
  back: TakeBack;
  /** what taking it back does to the member's points, once asked (usePointsOutlook) */
  outlook: PointsOutlook;
  onAsk: () => void;
  onCancel: () => void;
  onTakeBack: () => void;
  onNext: () => void;
}) {
  const undone = back.done !== null;
  return (
    <View className="ml-card ctr-result" data-testid="counter-sold">
      <View className="ctr-result__icon">{undone ? '↺' : '✓'}</View>
      <View className="ctr-result__title">{undone ? '登记已撤销' : '积分已登记'}</View>
      <MemberLine who={who} testId="counter-sold-member" />
      {undone ? (
        <View className="ctr-sold" data-testid="counter-sold-undone">
          已撤销这笔 {yuan(sale.orderAmountFen)} 元的消费登记
          {back.done?.reversed ? `，已扣回积分 ${thousands(back.done.reversed)}` : ''}
          {back.done?.returned ? `，已退回 ${thousands(back.done.returned)} 积分` : ''}
        </View>
      ) : (
        /* two unbreakable halves: a narrow phone wraps between them, never before the balance alone */
        <View className="ctr-sold" data-testid="counter-sold-text">
          <Text className="ctr-sold__part">
            已登记消费 <Text className="ctr-sold__num">{yuan(sale.orderAmountFen)}</Text> 元，
          </Text>
          <Text className="ctr-sold__part">
            积分 <Text className="ctr-sold__num ctr-sold__num--earned">+{thousands(sale.pointsEarned)}</Text>，当前积分{' '}
            <Text className="ctr-sold__num">{thousands(sale.pointsBalance)}</Text>
          </Text>
        </View>
      )}
      {!undone && sale.pointsEarned === 0 ? <View className="ctr-points__why">{noPointsWhy(sale)}</View> : null}
      {undone ? null : <PaidWithPoints sale={sale} testId="counter-sold-paid" />}
      {undone ? null : <SaleItems lines={sale.lines} testId="counter-sold-items" />}
      {back.error ? (
        <View className="staff-alert ctr-alert" data-testid="counter-sold-error">
          {back.error}
        </View>
      ) : null}
      <Button className="ml-btn ml-btn--primary ctr-submit" onClick={onNext} data-testid="counter-next">
        下一位
      </Button>
      {undone ? null : (
        <Button
          className="ml-btn ml-btn--ghost ctr-submit"
          disabled={back.busy}
          onClick={onAsk}
          data-testid="counter-sold-undo"
        >
          {back.busy ? '正在撤销…' : '登记错了？撤销本次登记'}
        </Button>
      )}
      {back.asking ? (
        <VoidDialog
          title="撤销这笔消费登记？"
          text={saleTakeBackText(null, sale)}
          testId="counter-sold-undo"
          outlook={outlook}
          onCancel={onCancel}
          onConfirm={onTakeBack}
        />
      ) : null}
    </View>
  );
}
