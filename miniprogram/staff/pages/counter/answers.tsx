/**
 * Answers the counter page did not get in the usual way. LandedNote: a redemption whose answer was lost, tried again
 * with other contents (the amount corrected) and refused because the coupon is used — the first attempt had made
 * it; the note says so with that redemption's order, and offers to void it (then redeem again) or to keep it.
 * SaleLandedNote: the same for a sale for points without a coupon (登记积分), refused because its key recorded the
 * first. LateNotice: an answer for a member no longer on screen, said above the page instead of replacing the screen.
 */
import type { CounterRedemption, CounterSaleRecord, CounterSaleResponse } from '@shared/contracts/counter';
import { Button, Text, View } from '@tarojs/components';
import { thousands } from '../../../components/format';
import { yuan } from './items';
import { shanghaiTime } from './today';

export function LandedNote({
  redemption: r,
  triedFen,
  canKeep,
  busy,
  onVoid,
  onKeep,
}: {
  /** the redemption the earlier attempt made, as today's list has it now (voided once the clerk voided it) */
  redemption: CounterRedemption;
  /** the order amount of the attempt just refused */
  triedFen: number;
  /** the earlier attempt can be asked again for its answer (the same contents, the same key) */
  canKeep: boolean;
  busy: boolean;
  onVoid: () => void;
  onKeep: () => void;
}) {
  const made = `订单 ${yuan(r.orderAmountFen)} 元，优惠 ${yuan(r.discountFen)} 元`;
  if (r.status === 'voided') {
    return (
      <View className="ctr-landed ctr-landed--done" data-testid="counter-landed">
        {r.couponReturned === false
          ? `已撤销${made}的那笔核销；这张优惠券已过期，没有退回，不能再使用。`
          : `已撤销${made}的那笔核销，优惠券已退回会员券包。请核对订单金额，再点击「确认核销」。`}
      </View>
    );
  }
  const other = triedFen !== r.orderAmountFen;
  const undo = r.voidable ? '请撤销那笔，再按正确的金额重新核销' : '请店长在下方今日核销中撤销那笔后重新核销';
  return (
    <View className="ctr-landed" data-testid="counter-landed">
      <View className="ctr-landed__title">这张券刚才已经核销成功</View>
      <View className="ctr-landed__text">
        {`上次点击「确认核销」时已在本店核销，只是结果没有传回：${made}（${shanghaiTime(r.redeemedAt)} 核销，见下方今日核销）。`}
      </View>
      <View className="ctr-landed__text">
        {other
          ? `这次填的是 ${yuan(triedFen)} 元：如果 ${yuan(r.orderAmountFen)} 元不对，${undo}；如果没错，请保留那笔。`
          : `如果那笔有误，${undo}；如果没错，请保留那笔。`}
      </View>
      <View className="ctr-landed__actions">
        {r.voidable ? (
          <Button
            className="ml-btn ml-btn--danger ctr-landed__btn"
            disabled={busy}
            onClick={onVoid}
            data-testid="counter-landed-void"
          >
            撤销那笔核销
          </Button>
        ) : null}
        {canKeep ? (
          <Button
            className="ml-btn ml-btn--ghost ctr-landed__btn"
            disabled={busy}
            onClick={onKeep}
            data-testid="counter-landed-keep"
          >
            保留那笔（{yuan(r.orderAmountFen)} 元）
          </Button>
        ) : null}
      </View>
    </View>
  );
}

/**
 * A sale for points (登记积分, no coupon) whose answer was lost, then sent with other contents (another amount) under
 * the same key: the server answered that the key had recorded the first. Said with that sale, until the clerk takes
 * it back (then records the right amount) or keeps it; once taken back, the note says so.
 */
export function SaleLandedNote({
  sale,
  row,
  triedFen,
  busy,
  onVoid,
  onKeep,
}: {
  /** the sale the earlier attempt recorded, as its answer said then */
  sale: CounterSaleResponse;
  /** that sale in today's list now (taken back, whether this clerk may take it back); null until the list has it */
  row: CounterSaleRecord | null;
  /** the order amount of the attempt just refused */
  triedFen: number;
  busy: boolean;
  onVoid: () => void;
  onKeep: () => void;
}) {
  const made = `消费 ${yuan(sale.orderAmountFen)} 元，积分 +${thousands(sale.pointsEarned)}${
    sale.pointsSpent > 0 ? `，积分抵现 ${thousands(sale.pointsSpent)}` : ''
  }`;
  if (row?.takenBack) {
    const back = `${sale.pointsEarned > 0 ? '，积分已扣回' : ''}${sale.pointsSpent > 0 ? '，抵现的积分已退回' : ''}`;
    return (
      <View className="ctr-landed ctr-landed--done" data-testid="counter-sale-landed">
        {`已撤销那笔登记（${made}）${back}。请核对金额，再点击「登记积分」。`}
      </View>
    );
  }
  const when = row ? `${shanghaiTime(row.recordedAt)} 登记，` : '';
  const other = triedFen !== sale.orderAmountFen;
  const voidable = row?.voidable === true;
  // one that earned and spent nothing cannot be taken back (nothing to take): the page then holds nothing back
  const undo = voidable
    ? '请撤销那笔，再按正确的金额登记'
    : row
      ? '那笔不能在这里撤销；确需另行登记，请再点击「登记积分」'
      : '请在下方今日核销中撤销那笔，再按正确的金额登记';
  return (
    <View className="ctr-landed" data-testid="counter-sale-landed">
      <View className="ctr-landed__title">这笔消费刚才已经登记成功</View>
      <View className="ctr-landed__text">
        {`上次点击「登记积分」时已登记，只是结果没有传回：${made}（${when}见下方今日核销）。`}
      </View>
      <View className="ctr-landed__text">
        {other
          ? `这次填的是 ${yuan(triedFen)} 元：如果 ${yuan(sale.orderAmountFen)} 元不对，${undo}；如果没错，请保留那笔。`
          : `如果那笔有误，${undo}；如果没错，请保留那笔。`}
      </View>
      <View className="ctr-landed__actions">
        {voidable ? (
          <Button
            className="ml-btn ml-btn--danger ctr-landed__btn"
            disabled={busy}
            onClick={onVoid}
            data-testid="counter-sale-landed-void"
          >
            撤销那笔登记
          </Button>
        ) : null}
        <Button
          className="ml-btn ml-btn--ghost ctr-landed__btn"
          disabled={busy}
          onClick={onKeep}
          data-testid="counter-sale-landed-keep"
        >
          保留那笔（{yuan(sale.orderAmountFen)} 元）
        </Button>
      </View>
    </View>
  );
}

/** What became of the last member's redemption or sale, its answer in after the clerk moved on; until dismissed. */
export function LateNotice({ text, onClose }: { text: string; onClose: () => void }) {
  return (
    <View className="ctr-late" data-testid="counter-late-notice">
      <Text className="ctr-late__text">{text}</Text>
      <Text className="ctr-late__close" onClick={onClose} data-testid="counter-late-close">
        知道了
      </Text>
    </View>
  );
}
