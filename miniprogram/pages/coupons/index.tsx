import type { CouponView, WalletResponse } from '@shared/contracts/loyalty';
import { Image, Text, View } from '@tarojs/components';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type ErrorView } from '../../components/describe-error';
import { ErrorCard, LoadingCard } from '../../components/state-view';
import { useReshow } from '../../components/use-reshow';
import { VisitorSignupCard } from '../../components/visitor-signup-card';
import { isApiError } from '../../services/api-error';
import { loyaltyApi } from '../../services/loyalty';
import { loadMember } from '../../services/member';
import './index.scss';

type Tab = 'available' | 'used' | 'expired';
type State =
  | { kind: 'loading' }
  | { kind: 'unregistered' }
  | { kind: 'error'; error: ErrorView }
  | { kind: 'ready'; wallet: WalletResponse };

const TABS: { key: Tab; label: string; empty: string }[] = [
  { key: 'available', label: '可使用', empty: '暂无可用的优惠券' },
  { key: 'used', label: '已使用', empty: '还没有使用过优惠券' },
  { key: 'expired', label: '已失效', empty: '没有过期或作废的优惠券' },
];

/** A business date (YYYY-MM-DD) in words. */
const zhDay = (date: string) => {
  const [y, m, d] = date.slice(0, 10).split('-').map(Number);
  return `${y}年${m}月${d}日`;
};

/** An instant as its Asia/Shanghai day, whatever the phone's zone: the day the receipt says. */
const shanghaiDay = (iso: string) => {
  const d = new Date(new Date(iso).getTime() + 8 * 3_600_000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
};

/** 16 digits in groups of four, as printed on a card: easier to read out or type at the till. */
const grouped = (code: string) => code.replace(/(\d{4})(?=\d)/g, '$1 ');

function CouponCard({ coupon, tab }: { coupon: CouponView; tab: Tab }) {
  const [open, setOpen] = useState(false);
  return (
    <View className={`ml-card coupon coupon--${tab}`} data-testid={`coupon-${coupon.id}`}>
      <View className="coupon__head" onClick={() => setOpen(!open)}>
        <View className="coupon__headline">{coupon.headline}</View>
        <View className="coupon__name">{coupon.name}</View>
        {coupon.description ? <View className="coupon__desc">{coupon.description}</View> : null}
        <View className="coupon__meta">
          {tab === 'used' && coupon.redeemedAt
            ? `已于${shanghaiDay(coupon.redeemedAt)}在${coupon.redeemedStoreName ?? '门店'}使用`
            : coupon.state === 'voided'
              ? `已作废：${coupon.voidReason ?? '已停止使用'}`
              : coupon.state === 'expired' && coupon.voidReason
                ? // used on an order since refunded, expired by then: the refund did not give it back
                  `${coupon.voidReason}（有效期至${zhDay(coupon.lastValidDay)}）`
                : tab === 'expired'
                  ? `已于${zhDay(coupon.lastValidDay)}过期`
                  : coupon.state === 'not_yet_valid'
                    ? `${zhDay(coupon.firstValidDay)}起可用，有效期至${zhDay(coupon.lastValidDay)}`
                    : `有效期至${zhDay(coupon.lastValidDay)}`}
        </View>
      </View>
      {tab === 'available' && coupon.barcodePng ? (
        <View className="coupon__code" data-testid="coupon-barcode">
          <View className="coupon__hint" data-testid="coupon-hint">
            {coupon.state === 'not_yet_valid'
              ? `${zhDay(coupon.firstValidDay)}起，结账时出示此条码即可使用`
              : '结账时请出示此条码给收银员扫描'}
          </View>
          <Image className="coupon__barcode" src={coupon.barcodePng} mode="widthFix" />
          <Text className="coupon__digits" data-testid="coupon-code">
            {grouped(coupon.code)}
          </Text>
        </View>
      ) : null}
      <View className="coupon__toggle" onClick={() => setOpen(!open)} data-testid="coupon-rules-toggle">
        {open ? '收起使用规则 ▲' : '查看使用规则 ▼'}
      </View>
      {open ? (
        <View className="coupon__rules" data-testid="coupon-rules">
          {coupon.rules.map((rule) => (
            <View key={rule} className="coupon__rule">
              · {rule}
            </View>
          ))}
        </View>
      ) : null}
    </View>
  );
}

export default function CouponsPage() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [tab, setTab] = useState<Tab>('available');

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    loadMember()
      .then(() => loyaltyApi.wallet())
      .then((wallet) => setState({ kind: 'ready', wallet }))
      .catch((error: unknown) =>
        setState(
          isApiError(error) && error.code === 'NOT_REGISTERED'
            ? { kind: 'unregistered' }
            : { kind: 'error', error: describeError(error) },
        ),
      );
  }, []);
  useEffect(load, []);
  // a coupon the clerk has just redeemed moves to 已使用 when the member comes back to the page
  useReshow(() => {
    loyaltyApi
      .wallet()
      .then((wallet) => setState({ kind: 'ready', wallet }))
      .catch(() => undefined);
  });

  return (
    <View className="ml-page coupons-page" data-testid="coupons-page">
      <View className="coupons-tabs">
        {TABS.map((t) => (
          <View
            key={t.key}
            className={`coupons-tabs__tab${tab === t.key ? ' coupons-tabs__tab--on' : ''}`}
            onClick={() => setTab(t.key)}
            data-testid={`coupons-tab-${t.key}`}
          >
            {t.label}
            {state.kind === 'ready' ? `（${state.wallet[t.key].length}）` : ''}
          </View>
        ))}
      </View>
      {state.kind === 'loading' ? <LoadingCard /> : null}
      {state.kind === 'unregistered' ? (
        <VisitorSignupCard
          title="注册会员后即可领取和使用优惠券"
          hint={(offer) =>
            `${offer ? `注册即送新人券（${offer}），以后的活动券也会放进这里` : '以后的活动券会放进这里'}。授权手机号即可一键注册。`
          }
          testid="coupons-unregistered"
        />
      ) : null}
      {state.kind === 'error' ? (
        <ErrorCard message={state.error.message} requestId={state.error.requestId} onRetry={load} />
      ) : null}
      {state.kind === 'ready' && state.wallet[tab].length === 0 ? (
        <View className="ml-card coupons-empty" data-testid="coupons-empty">
          {TABS.find((t) => t.key === tab)?.empty}
        </View>
      ) : null}
      {state.kind === 'ready'
        ? state.wallet[tab].map((coupon) => <CouponCard key={coupon.id} coupon={coupon} tab={tab} />)
        : null}
    </View>
  );
}
