/**
 * 今日核销 on the counter page: the store's redemptions and coupon-less sales of the day (TodayList), each a row
 * (DayRow) with 撤销 where the clerk may take it back, and what voiding a redemption does, in words.
 */
import type { CounterRedemption, CounterRedemptionsResponse, CounterSaleRecord } from '@shared/contracts/counter';
import { Button, Text, View } from '@tarojs/components';
import type { ReactNode } from 'react';
import { thousands } from '../../../components/format';
import { yuan } from './items';
import { memberWho } from './who';

/** 14:05, the time of day in Asia/Shanghai */
export const shanghaiTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(11, 16);

const CHANNEL_LABELS: Record<CounterRedemption['channel'], string> = { counter: '扫码核销', pos: '收银系统' };

/**
 * What voiding a redemption from the list does, in the clerk's words: the coupon goes back, and with the sale
 * recorded with it, the points it earned are taken back and those the member paid with are returned.
 */
export const redemptionVoidText = (r: CounterRedemption) => {
  const who = memberWho(r);
  return `「${r.couponName}」${who ? `，会员 ${who}` : ''}，订单 ${yuan(r.orderAmountFen)} 元，优惠 ${yuan(r.discountFen)} 元。${
    r.memberClosed
      ? '该会员已注销：撤销后优惠券不退回，积分也不再变动。'
      : `撤销后优惠券退回会员券包${r.pointsEarned > 0 ? `，扣回本单积分 ${thousands(r.pointsEarned)}` : ''}${r.pointsSpent > 0 ? `，退回抵现的 ${thousands(r.pointsSpent)} 积分` : ''}。`
  }`;
};

/**
 * One row of today's list, a redemption or a coupon-less sale: what, when, who (the masked name, else the masked
 * phone) and the amount; its figure on the right; 已撤销 (struck through) or 撤销 where the caller may take it back.
 * `marked`: the row the page points the clerk to (made by an attempt whose answer was lost). Test ids:
 * `<kind>-<id>`, `<kind>-status`, `<kind>-void`.
 */
function DayRow({
  kind,
  id,
  title,
  at,
  who,
  orderAmountFen,
  channel,
  staffName,
  figure,
  undone,
  voidable,
  marked = false,
  busy,
  onVoid,
}: {
  kind: 'redemption' | 'sale';
  id: string;
  title: string;
  at: string;
  who: string | null;
  orderAmountFen: number;
  channel: CounterRedemption['channel'];
  staffName: string | null;
  figure: ReactNode;
  /** the words of a row taken back; null while it stands */
  undone: string | null;
  voidable: boolean;
  marked?: boolean;
  busy: boolean;
  onVoid: () => void;
}) {
  return (
    <View
      className={`ctr-row${undone !== null ? ' ctr-row--voided' : ''}${marked ? ' ctr-row--marked' : ''}`}
      data-testid={`${kind}-${id}`}
      data-marked={marked ? 'yes' : 'no'}
    >
      <View className="ctr-row__main">
        <View className="ctr-row__title">{title}</View>
        <View className="ctr-row__meta">
          {shanghaiTime(at)} · {who ?? '会员'} · 订单 {yuan(orderAmountFen)} 元
        </View>
        <View className="ctr-row__meta">
          {CHANNEL_LABELS[channel]}
          {staffName ? ` · ${staffName}` : ''}
        </View>
      </View>
      <View className="ctr-row__side">
        {figure}
        {undone !== null ? (
          <View className="ctr-row__status" data-testid={`${kind}-status`}>
            {undone}
          </View>
        ) : voidable ? (
          <Button
            className="ml-btn ml-btn--danger ctr-row__void"
            disabled={busy}
            onClick={onVoid}
            data-testid={`${kind}-void`}
          >
            撤销
          </Button>
        ) : null}
      </View>
    </View>
  );
}

export function TodayList({
  data,
  busyId,
  markedId,
  message,
  onVoid,
  onVoidSale,
}: {
  data: CounterRedemptionsResponse;
  busyId: string | null;
  /** the redemption or sale the page points the clerk to, marked in the list */
  markedId: string | null;
  message: { ok: boolean; text: string } | null;
  onVoid: (r: CounterRedemption) => void;
  onVoidSale: (sale: CounterSaleRecord) => void;
}) {
  return (
    <>
      <View className="ml-section-title ctr-today-title">
        <Text>今日核销</Text>
        <Text className="ctr-today-title__day">{data.day}</Text>
      </View>
      <View className="ml-card ctr-today" data-testid="counter-today">
        <View className="ctr-totals" data-testid="counter-totals">
          <View className="ctr-totals__item">
            <Text className="ctr-totals__value">{data.totals.redemptions}</Text> 笔
          </View>
          <View className="ctr-totals__item">
            优惠合计 <Text className="ctr-totals__value">{yuan(data.totals.discountFen)}</Text> 元
          </View>
        </View>
        <View className="ctr-totals__note">收银系统和扫码核销合计，不含已撤销</View>
        {message ? (
          <View className={`ctr-list-msg${message.ok ? '' : ' ctr-list-msg--bad'}`} data-testid="counter-list-message">
            {message.text}
          </View>
        ) : null}
        {data.items.length === 0 && data.sales.length === 0 ? (
          <View className="ctr-empty" data-testid="counter-today-empty">
            今天本店还没有核销或登记消费
          </View>
        ) : null}
        {data.items.map((r) => (
          <DayRow
            key={r.redemptionId}
            kind="redemption"
            id={r.redemptionId}
            title={r.couponName}
            at={r.redeemedAt}
            who={memberWho(r)}
            orderAmountFen={r.orderAmountFen}
            channel={r.channel}
            staffName={r.staffName}
            figure={
              <>
                <View className="ctr-row__discount">-{yuan(r.discountFen)}</View>
                {r.pointsSpent > 0 ? (
                  <View className="ctr-row__spent" data-testid="redemption-spent">
                    抵现 {thousands(r.pointsSpent)} 积分
                  </View>
                ) : null}
              </>
            }
            undone={r.status !== 'voided' ? null : r.couponReturned === false ? '已撤销，券已过期未退回' : '已撤销'}
            voidable={r.voidable}
            marked={markedId === r.redemptionId}
            busy={busyId === r.redemptionId}
            onVoid={() => onVoid(r)}
          />
        ))}
        {data.sales.length > 0 ? (
          <View className="ctr-today-sales" data-testid="counter-today-sales">
            <View className="ctr-today-sales__title">不用券登记消费 {data.sales.length} 笔</View>
            {data.sales.map((sale) => (
              <DayRow
                key={sale.orderId}
                kind="sale"
                id={sale.orderId}
                title="登记消费（不用券）"
                at={sale.recordedAt}
                who={memberWho(sale)}
                orderAmountFen={sale.orderAmountFen}
                channel="counter"
                staffName={sale.staffName}
                figure={
                  <>
                    <View className="ctr-row__points">积分 +{thousands(sale.pointsEarned)}</View>
                    {sale.pointsSpent > 0 ? (
                      <View className="ctr-row__spent" data-testid="sale-spent">
                        抵现 {thousands(sale.pointsSpent)} 积分
                      </View>
                    ) : null}
                  </>
                }
                undone={sale.takenBack ? (sale.pointsSpent > 0 ? '已撤销，积分已退回' : '已撤销，积分已扣回') : null}
                voidable={sale.voidable}
                marked={markedId === sale.orderId}
                busy={busyId === sale.orderId}
                onVoid={() => onVoidSale(sale)}
              />
            ))}
          </View>
        ) : null}
      </View>
    </>
  );
}
