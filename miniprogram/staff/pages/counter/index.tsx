/**
 * 扫码核销: the store counter for a till that is not connected to MedLoop. The clerk scans (or types) a member code
 * or a coupon code, sees who it is and which coupons work here, picks one, types the order amount and redeems;
 * below, today's redemptions at the store, where one made by mistake is voided. Where the store's till does not
 * report its sales (the lookup's `tillConnected`), the counter also records the sale, with the redemption or
 * without a coupon, so the member earns its points. The server decides every rule and answers coded errors, shown
 * here in Chinese.
 */
import type {
  CounterCoupon,
  CounterLookupResponse,
  CounterRedeemResponse,
  CounterRedemption,
  CounterRedemptionsResponse,
  CounterSaleLine,
  CounterSaleRecord,
  CounterSaleResponse,
} from '@shared/contracts/counter';
import { Button, Input, Text, View } from '@tarojs/components';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { describeError, type ErrorView } from '../../../components/describe-error';
import { ErrorCard, LoadingCard } from '../../../components/state-view';
import { PlatformError, platform } from '../../../platform';
import { type ApiError, isApiError, isSessionError } from '../../../services/api-error';
import { counterApi, newAttemptKey } from '../../../services/counter';
import { leaveStaffSession, loadForStaff } from '../../staff-load';
import '../../staff.scss';
import { ItemsCard, itemTotals, type PickedItem, SaleItems, saleLines, yuan } from './items';
import {
  isPointsRefused,
  maxPoints,
  NO_POINTS,
  PaidWithPoints,
  type PointsChoice,
  PointsNotSpent,
  PointsPay,
  pointsRefusedWords,
  pointsToSpend,
} from './points';
import './index.scss';

type Today =
  | { kind: 'loading' }
  | { kind: 'error'; error: ErrorView }
  | { kind: 'ready'; data: CounterRedemptionsResponse };
/**
 * The sale recorded with a redemption, for the member's points: under way, recorded, or failed (retry offered;
 * `unsure`: its answer was lost, it may have landed; `pointsRefused`: the points were refused, the sale may go
 * without them).
 */
type SaleState =
  | { kind: 'pending' }
  | { kind: 'ok'; sale: CounterSaleResponse }
  | { kind: 'failed'; error: string; retryable: boolean; unsure: boolean; pointsRefused: boolean };
/** What a sale sends besides the member and the redemption: the amounts, the medicines added, the points paid with. */
interface SaleOrder {
  orderAmountFen: number;
  rxAmountFen: number;
  lines: CounterSaleLine[];
  pointsToSpend: number;
}
/** The sale of a redemption, kept for 重新登记积分 (the same order, so the same key). */
interface LinkedSale extends SaleOrder {
  state: SaleState;
}
type Stage =
  | { kind: 'scan' }
  | { kind: 'member'; lookup: CounterLookupResponse }
  /** `sale`: null when none is recorded with it (the till is connected, or the clerk turned the switch off) */
  | { kind: 'done'; lookup: CounterLookupResponse; result: CounterRedeemResponse; sale: LinkedSale | null }
  /** a sale recorded without a coupon */
  | { kind: 'sold'; lookup: CounterLookupResponse; sale: CounterSaleResponse };

/** A threshold as the coupon says it: 满 100 元, 满 99.5 元. */
const yuanShort = (fen: number) => String(fen / 100);

const MONEY = /^\d+(\.\d{1,2})?$/;
const toFen = (text: string) => Math.round(Number(text) * 100);

/** A day (YYYY-MM-DD) as it is, an instant as its Asia/Shanghai day whatever the phone's zone. */
const shanghaiDay = (value: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : new Date(Date.parse(value) + 8 * 3_600_000).toISOString().slice(0, 10);
const shanghaiTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(11, 16);

const TIER_NAMES: Record<string, string> = { basic: '普通会员', silver: '银卡会员', gold: '金卡会员' };
const CHANNEL_LABELS: Record<CounterRedemption['channel'], string> = { counter: '扫码核销', pos: '收银系统' };

/** Scanners and people add spaces (the wallet prints codes in groups of four); the code is the digits. */
const cleanCode = (raw: string) => raw.replace(/[\s-]/g, '');

/** After no answer, or a server failure, the same attempt may be sent again with the same key: it cannot count twice. */
const mayHaveLanded = (error: unknown) => isApiError(error) && (error.status === 0 || error.status >= 500);

/** Answers to a redemption's sale that the same sale sent again cannot change. */
const SALE_FINAL: ReadonlySet<string> = new Set([
  'COUNTER_TILL_CONNECTED',
  'REDEMPTION_NOT_FOUND',
  'ORDER_AMOUNT_MISMATCH',
  'VALIDATION_FAILED',
  'IDEMPOTENCY_CONFLICT',
  'PRODUCT_NOT_FOUND',
  'INSUFFICIENT_POINTS',
  'POINTS_EXCEED_ORDER',
]);

/** The counter token is over: the member shows the code again. */
const isCounterSessionOver = (error: unknown): error is ApiError =>
  isApiError(error) && (error.code === 'COUNTER_SESSION_EXPIRED' || error.code === 'COUNTER_SESSION_INVALID');

function ScanCard({
  busy,
  error,
  onScan,
  onCode,
}: {
  busy: boolean;
  error: string | null;
  onScan: () => void;
  onCode: (code: string) => void;
}) {
  const [input, setInput] = useState('');
  const [hint, setHint] = useState<string | null>(null);
  const submit = () => {
    const code = cleanCode(input);
    setHint(code ? null : '请输入会员码（88 开头的 18 位数字）或优惠券码（16 位数字）');
    if (code) onCode(code);
  };
  return (
    <View className="ml-card ctr-scan" data-testid="counter-scan">
      <View className="staff-card__title">扫描会员码或优惠券码</View>
      <View className="ctr-scan__hint">请会员打开小程序首页的会员码，或券包里要用的优惠券</View>
      <Button
        className="ml-btn ml-btn--primary"
        disabled={busy}
        onClick={() => {
          setHint(null);
          onScan();
        }}
        data-testid="counter-scan-button"
      >
        {busy ? '正在查询…' : '扫一扫'}
      </Button>
      <View className="ctr-scan__or">
        <Text>摄像头扫不出时，手动输入</Text>
      </View>
      <View className="ctr-scan__row">
        <Input
          className="ctr-input ctr-scan__input"
          type="number"
          maxlength={24}
          placeholder="手动输入会员码或券码"
          value={input}
          onInput={(e) => setInput(e.detail.value)}
          onConfirm={submit}
          data-testid="counter-code-input"
        />
        <Button
          className="ml-btn ml-btn--ghost ctr-scan__go"
          disabled={busy}
          onClick={submit}
          data-testid="counter-code-submit"
        >
          查询
        </Button>
      </View>
      {hint || error ? (
        <View className="staff-alert ctr-alert" data-testid="counter-scan-error">
          {hint ?? error}
        </View>
      ) : null}
    </View>
  );
}

function MemberCard({ lookup, onRescan }: { lookup: CounterLookupResponse; onRescan: () => void }) {
  const m = lookup.member;
  return (
    <View className="ml-card ctr-member" data-testid="counter-member">
      <View className="ctr-member__top">
        <View className="staff-profile__avatar ctr-member__avatar">{m.nameMasked?.slice(0, 1) ?? '会'}</View>
        <View className="ctr-member__who">
          <View className="ctr-member__name" data-testid="counter-member-name">
            {m.nameMasked ?? '未填写姓名'}
            {m.tier ? <Text className="ctr-member__tier">{TIER_NAMES[m.tier] ?? m.tier}</Text> : null}
          </View>
          <View className="ctr-member__phone" data-testid="counter-member-phone">
            {m.phoneMasked ?? '未留手机号'}
          </View>
        </View>
        <View className="ctr-member__rescan" onClick={onRescan} data-testid="counter-rescan">
          换一位
        </View>
      </View>
      <View className="ctr-facts">
        <View className="ctr-facts__item">
          <View className="ctr-facts__value" data-testid="counter-member-points">
            {m.points}
          </View>
          <View className="ctr-facts__label">积分</View>
        </View>
        <View className="ctr-facts__item">
          <View className="ctr-facts__value ctr-facts__value--text">{m.homeStoreName ?? '—'}</View>
          <View className="ctr-facts__label">所属门店</View>
        </View>
        <View className="ctr-facts__item">
          <View className="ctr-facts__value ctr-facts__value--text">
            {m.memberSince ? shanghaiDay(m.memberSince) : '—'}
          </View>
          <View className="ctr-facts__label">入会日期</View>
        </View>
      </View>
      {lookup.cardsToConfirm.length > 0 ? (
        <View className="ctr-cards" data-testid="counter-cards-to-confirm">
          <View className="ctr-cards__title">请会员在小程序首页确认这张会员卡</View>
          {lookup.cardsToConfirm.map((c) => (
            <View key={`${c.storeName}-${c.cardMasked}`} className="ctr-cards__item">
              {c.storeName} · 卡号 {c.cardMasked}
            </View>
          ))}
          <View className="ctr-cards__hint">确认后这张卡的消费记录和积分会归到会员名下</View>
        </View>
      ) : null}
    </View>
  );
}

function CouponOption({
  coupon,
  selected,
  scanned,
  onSelect,
  children,
}: {
  coupon: CounterCoupon;
  selected: boolean;
  scanned: boolean;
  onSelect: () => void;
  /** the amount form, opened under the picked coupon so the clerk need not scroll to it */
  children?: ReactNode;
}) {
  // the headline is also the rules' first line: said once
  const rules = coupon.rules.filter((r) => r !== coupon.headline);
  return (
    <View
      className={`ctr-coupon${selected ? ' ctr-coupon--on' : ''}${coupon.usableHere ? '' : ' ctr-coupon--off'}`}
      data-testid={`counter-coupon-${coupon.couponId}`}
      data-usable={coupon.usableHere ? 'yes' : 'no'}
      data-selected={selected ? 'yes' : 'no'}
    >
      <View onClick={coupon.usableHere ? onSelect : undefined} data-testid="counter-coupon-pick">
        <View className="ctr-coupon__head">
          <Text className="ctr-coupon__headline">{coupon.headline}</Text>
          {coupon.usableHere ? <View className={`ctr-radio${selected ? ' ctr-radio--on' : ''}`} /> : null}
        </View>
        <View className="ctr-coupon__name">
          {coupon.name}
          {scanned ? <Text className="ctr-coupon__scanned">刚扫的券</Text> : null}
        </View>
        <View className="ctr-coupon__rules">{rules.join('；')}</View>
        {!coupon.usableHere && coupon.whyNot ? (
          <View className="ctr-coupon__why" data-testid="counter-coupon-why-not">
            本店不能用：{coupon.whyNot}
          </View>
        ) : null}
      </View>
      {children}
    </View>
  );
}

/**
 * What the clerk typed, kept by the page: picking another coupon for the same order, or none, keeps the amounts.
 */
interface Amounts {
  order: string;
  rx: string;
}
const NO_AMOUNTS: Amounts = { order: '', rx: '' };

/** The order amount typed, in fen, while it is one (the points it can take follow it as it is typed). */
const orderFenOf = (amounts: Amounts) => {
  const a = amounts.order.trim();
  return MONEY.test(a) && toFen(a) > 0 ? toFen(a) : null;
};

/** The amounts in fen, or what is wrong with them in words. */
function checkAmounts(amounts: Amounts): { ok: true; order: number; rx: number } | { ok: false; message: string } {
  const a = amounts.order.trim();
  const r = amounts.rx.trim();
  if (!MONEY.test(a) || toFen(a) <= 0) return { ok: false, message: '请填写订单金额（元），最多两位小数' };
  if (r && !MONEY.test(r)) return { ok: false, message: '处方药金额请填写金额（元），不含处方药可不填' };
  if (r && toFen(r) > toFen(a)) return { ok: false, message: '处方药金额不能大于订单金额' };
  return { ok: true, order: toFen(a), rx: r ? toFen(r) : 0 };
}

/** 订单金额 and its prescription part, the two forms' same fields (`ids`: their test ids). */
function AmountFields({
  amounts,
  onAmounts,
  ids,
  hint,
}: {
  amounts: Amounts;
  onAmounts: (a: Amounts) => void;
  ids: { order: string; rx: string };
  /** under the order amount: the coupon's threshold, or how points are counted */
  hint?: string;
}) {
  return (
    <>
      <View className="ctr-field ctr-field--first">订单金额（元）</View>
      <Input
        className="ctr-input"
        type="digit"
        placeholder="如 128.50"
        value={amounts.order}
        onInput={(e) => onAmounts({ ...amounts, order: e.detail.value })}
        data-testid={ids.order}
      />
      {hint ? <View className="ctr-field-hint">{hint}</View> : null}
      <View className="ctr-field">其中处方药金额（元，选填）</View>
      <Input
        className="ctr-input"
        type="digit"
        placeholder="不含处方药可不填"
        value={amounts.rx}
        onInput={(e) => onAmounts({ ...amounts, rx: e.detail.value })}
        data-testid={ids.rx}
      />
    </>
  );
}

/** The amount form's submit: the amounts checked first (their problem in words), then handed on in fen. */
function useCheckedAmounts(amounts: Amounts, onValid: (orderAmountFen: number, rxAmountFen: number) => void) {
  const [check, setCheck] = useState<string | null>(null);
  const submit = () => {
    const checked = checkAmounts(amounts);
    if (!checked.ok) return setCheck(checked.message);
    setCheck(null);
    onValid(checked.order, checked.rx);
  };
  return { check, submit };
}

/** A tick box drawn by the page (Taro's <Checkbox> looks different in H5 and in WeChat). */
function EarnToggle({ on, onChange }: { on: boolean; onChange: (on: boolean) => void }) {
  return (
    <View
      className="ctr-earn"
      onClick={() => onChange(!on)}
      data-testid="counter-earn-toggle"
      data-checked={on ? 'yes' : 'no'}
    >
      <View className={`ctr-check${on ? ' ctr-check--on' : ''}`}>{on ? '✓' : ''}</View>
      <Text className="ctr-earn__label">同时为会员累计本单积分</Text>
    </View>
  );
}

function RedeemForm({
  coupon,
  amounts,
  onAmounts,
  earn,
  onEarn,
  points,
  busy,
  error,
  onRedeem,
}: {
  coupon: CounterCoupon;
  amounts: Amounts;
  onAmounts: (a: Amounts) => void;
  /** whether the sale is recorded with the redemption; null where the till is connected (no switch) */
  earn: boolean | null;
  onEarn: (on: boolean) => void;
  /** 积分抵现, while the sale is recorded with the redemption */
  points: ReactNode;
  busy: boolean;
  error: string | null;
  onRedeem: (orderAmountFen: number, rxAmountFen: number) => void;
}) {
  const { check, submit } = useCheckedAmounts(amounts, onRedeem);

  return (
    <View className="ctr-form" data-testid="counter-redeem-form">
      <AmountFields
        amounts={amounts}
        onAmounts={onAmounts}
        ids={{ order: 'counter-amount', rx: 'counter-rx-amount' }}
        hint={
          coupon.thresholdFen > 0
            ? `满 ${yuanShort(coupon.thresholdFen)} 元可用（处方药等不参与优惠的不计入）`
            : undefined
        }
      />
      {earn !== null ? <EarnToggle on={earn} onChange={onEarn} /> : null}
      {earn ? points : null}
      {check || error ? (
        <View className="staff-alert ctr-alert" data-testid="counter-redeem-error">
          {check ?? error}
        </View>
      ) : null}
      <Button
        className="ml-btn ml-btn--primary ctr-submit"
        disabled={busy || amounts.order.trim() === ''}
        onClick={submit}
        data-testid="counter-redeem"
      >
        {busy ? '正在核销…' : '确认核销'}
      </Button>
    </View>
  );
}

/**
 * 不用券，只登记消费积分: a sale without a coupon, where the till is not connected. Open while no coupon is picked;
 * folded to its title while one is (one order, one form), and opened again by a tap, which puts the coupon down.
 */
function SaleOnlyCard({
  open,
  onOpen,
  amounts,
  onAmounts,
  points,
  busy,
  error,
  onSale,
}: {
  open: boolean;
  onOpen: () => void;
  amounts: Amounts;
  onAmounts: (a: Amounts) => void;
  /** 积分抵现 */
  points: ReactNode;
  busy: boolean;
  error: string | null;
  onSale: (orderAmountFen: number, rxAmountFen: number) => void;
}) {
  const { check, submit } = useCheckedAmounts(amounts, onSale);
  return (
    <View className="ml-card ctr-sale" data-testid="counter-sale-only" data-open={open ? 'yes' : 'no'}>
      <View className="ctr-sale__head" onClick={open ? undefined : onOpen} data-testid="counter-sale-only-open">
        <View className="ctr-sale__title">不用券，只登记消费积分</View>
        {open ? null : <Text className="ctr-sale__more">填写 ›</Text>}
      </View>
      {open ? (
        <>
          <View className="ctr-sale__hint">会员本单不用优惠券时，在这里登记订单金额，会员即可累计积分</View>
          <AmountFields
            amounts={amounts}
            onAmounts={onAmounts}
            ids={{ order: 'counter-sale-amount', rx: 'counter-sale-rx-amount' }}
            hint="处方药部分不累计积分"
          />
          {points}
          {check || error ? (
            <View className="staff-alert ctr-alert" data-testid="counter-sale-error">
              {check ?? error}
            </View>
          ) : null}
          <Button
            className="ml-btn ml-btn--primary ctr-submit"
            disabled={busy || amounts.order.trim() === ''}
            onClick={submit}
            data-testid="counter-sale-submit"
          >
            {busy ? '正在登记…' : '登记积分'}
          </Button>
        </>
      ) : null}
    </View>
  );
}

/** The amounts the catalogue prices give: what 按目录价填入金额 types for the clerk. */
const catalogueAmounts = (items: PickedItem[]): Amounts => {
  const { totalFen, rxFen } = itemTotals(items);
  return { order: yuan(totalFen), rx: rxFen > 0 ? yuan(rxFen) : '' };
};

/** Why a sale earned no points. */
const noPointsWhy = (sale: CounterSaleResponse) =>
  sale.pointsSpent > 0 ? '积分抵现部分、不足 1 元的部分和处方药不累计积分' : '不足 1 元的部分和处方药不累计积分';

/** 本单积分 +N，当前积分 M, with why an order earned nothing. */
function PointsLine({ sale, testId }: { sale: CounterSaleResponse; testId: string }) {
  return (
    <View className="ctr-points" data-testid={testId}>
      <View>
        本单积分 <Text className="ctr-points__earned">+{sale.pointsEarned}</Text>，当前积分{' '}
        <Text className="ctr-points__balance">{sale.pointsBalance}</Text>
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
interface PointsBack {
  reversed: number;
  returned: number;
}
const pointsBackWords = (back: PointsBack) =>
  `${back.reversed > 0 ? `；已扣回本单积分 ${back.reversed}` : ''}${back.returned > 0 ? `；已退回 ${back.returned} 积分` : ''}`;

function ResultCard({
  result,
  sale,
  voided,
  pointsBack,
  onRetrySale,
  onNext,
}: {
  result: CounterRedeemResponse;
  sale: LinkedSale | null;
  /** set once it was voided from today's list */
  voided: CounterRedemption | null;
  /** the points its void took back and returned, when voided from this page */
  pointsBack: PointsBack | null;
  onRetrySale: (withoutPoints: boolean) => void;
  onNext: () => void;
}) {
  return (
    <View className={`ml-card ctr-result${voided ? ' ctr-result--voided' : ''}`} data-testid="counter-result">
      <View className={`ctr-result__icon${voided ? ' ctr-result__icon--voided' : ''}`}>{voided ? '↺' : '✓'}</View>
      <View className="ctr-result__title">{voided ? '已撤销' : '核销成功'}</View>
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
      <Button className="ml-btn ml-btn--primary ctr-submit" onClick={onNext} data-testid="counter-next">
        核销下一位
      </Button>
    </View>
  );
}

/** What became of taking a coupon-less sale back: in flight, done (the points taken back and returned), or refused. */
interface TakeBack {
  asking: boolean;
  busy: boolean;
  done: PointsBack | null;
  error: string | null;
}
const NO_TAKE_BACK: TakeBack = { asking: false, busy: false, done: null, error: null };

/**
 * The confirmation before a void, drawn by the page rather than NutUI's Dialog: babel-plugin-import puts a NutUI
 * component's CSS at the top of the importing file, ahead of staff.scss, the opposite of 优惠券管理's order, and the
 * subpackage's shared CSS chunk then has no consistent order.
 */
function VoidDialog({
  title,
  text,
  testId = 'counter-void',
  onCancel,
  onConfirm,
}: {
  title: string;
  text: string;
  /** the prefix of its test ids: `<testId>-dialog`, `-confirm`, `-cancel`, `-ok` */
  testId?: string;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  return (
    <View className="staff-mask" data-testid={`${testId}-dialog`}>
      <View className="ctr-dialog">
        <View className="ctr-dialog__title">{title}</View>
        <View className="ctr-dialog__text" data-testid={`${testId}-confirm`}>
          {text}
        </View>
        <View className="ctr-dialog__actions">
          <Button className="ml-btn ml-btn--ghost ctr-dialog__btn" onClick={onCancel} data-testid={`${testId}-cancel`}>
            不撤销
          </Button>
          <Button className="ml-btn ml-btn--danger ctr-dialog__btn" onClick={onConfirm} data-testid={`${testId}-ok`}>
            确认撤销
          </Button>
        </View>
      </View>
    </View>
  );
}

/**
 * What taking a coupon-less sale back does, in the clerk's words: the same from its result card and from the list.
 * The points it was paid with go back to the member with it.
 */
const saleTakeBackText = (
  nameMasked: string | null,
  sale: { orderAmountFen: number; pointsEarned: number; pointsSpent: number },
) =>
  `${nameMasked ? `会员 ${nameMasked}，` : ''}消费 ${yuan(sale.orderAmountFen)} 元，积分 +${sale.pointsEarned}${
    sale.pointsSpent > 0
      ? `，积分抵现 ${sale.pointsSpent}。撤销后${sale.pointsEarned > 0 ? '扣回这笔积分，' : ''}退回抵现的 ${sale.pointsSpent} 积分`
      : '。撤销后扣回这笔积分'
  }，如需重新登记请再扫会员码。`;

/** A sale recorded without a coupon, and taking it back when it was a mistake (a wrong amount, the wrong member). */
function SoldCard({
  sale,
  back,
  onAsk,
  onCancel,
  onTakeBack,
  onNext,
}: {
  sale: CounterSaleResponse;
  back: TakeBack;
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
      {undone ? (
        <View className="ctr-sold" data-testid="counter-sold-undone">
          已撤销这笔 {yuan(sale.orderAmountFen)} 元的消费登记
          {back.done?.reversed ? `，已扣回积分 ${back.done.reversed}` : ''}
          {back.done?.returned ? `，已退回 ${back.done.returned} 积分` : ''}
        </View>
      ) : (
        /* two unbreakable halves: a narrow phone wraps between them, never before the balance alone */
        <View className="ctr-sold" data-testid="counter-sold-text">
          <Text className="ctr-sold__part">
            已登记消费 <Text className="ctr-sold__num">{yuan(sale.orderAmountFen)}</Text> 元，
          </Text>
          <Text className="ctr-sold__part">
            积分 <Text className="ctr-sold__num ctr-sold__num--earned">+{sale.pointsEarned}</Text>，当前积分{' '}
            <Text className="ctr-sold__num">{sale.pointsBalance}</Text>
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
          onCancel={onCancel}
          onConfirm={onTakeBack}
        />
      ) : null}
    </View>
  );
}

/**
 * One row of today's list, a redemption or a coupon-less sale: what, when, who and the amount; its figure on the
 * right; 已撤销 (struck through) or 撤销 where the caller may take it back. Test ids: `<kind>-<id>`, `<kind>-status`,
 * `<kind>-void`.
 */
/**
 * What voiding a redemption from the list does, in the clerk's words: the coupon goes back, and with the sale
 * recorded with it, the points it earned are taken back and those the member paid with are returned.
 */
const redemptionVoidText = (r: CounterRedemption) =>
  `「${r.couponName}」${r.nameMasked ? `，会员 ${r.nameMasked}` : ''}，订单 ${yuan(r.orderAmountFen)} 元，优惠 ${yuan(r.discountFen)} 元。撤销后优惠券退回会员券包${r.pointsEarned > 0 ? `，扣回本单积分 ${r.pointsEarned}` : ''}${r.pointsSpent > 0 ? `，退回抵现的 ${r.pointsSpent} 积分` : ''}。`;

function DayRow({
  kind,
  id,
  title,
  at,
  nameMasked,
  orderAmountFen,
  channel,
  staffName,
  figure,
  undone,
  voidable,
  busy,
  onVoid,
}: {
  kind: 'redemption' | 'sale';
  id: string;
  title: string;
  at: string;
  nameMasked: string | null;
  orderAmountFen: number;
  channel: CounterRedemption['channel'];
  staffName: string | null;
  figure: ReactNode;
  /** the words of a row taken back; null while it stands */
  undone: string | null;
  voidable: boolean;
  busy: boolean;
  onVoid: () => void;
}) {
  return (
    <View className={`ctr-row${undone !== null ? ' ctr-row--voided' : ''}`} data-testid={`${kind}-${id}`}>
      <View className="ctr-row__main">
        <View className="ctr-row__title">{title}</View>
        <View className="ctr-row__meta">
          {shanghaiTime(at)} · {nameMasked ?? '会员'} · 订单 {yuan(orderAmountFen)} 元
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

function TodayList({
  data,
  busyId,
  message,
  onVoid,
  onVoidSale,
}: {
  data: CounterRedemptionsResponse;
  busyId: string | null;
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
        {data.items.length === 0 ? (
          <View className="ctr-empty" data-testid="counter-today-empty">
            今天本店还没有核销记录
          </View>
        ) : null}
        {data.items.map((r) => (
          <DayRow
            key={r.redemptionId}
            kind="redemption"
            id={r.redemptionId}
            title={r.couponName}
            at={r.redeemedAt}
            nameMasked={r.nameMasked}
            orderAmountFen={r.orderAmountFen}
            channel={r.channel}
            staffName={r.staffName}
            figure={
              <>
                <View className="ctr-row__discount">-{yuan(r.discountFen)}</View>
                {r.pointsSpent > 0 ? (
                  <View className="ctr-row__spent" data-testid="redemption-spent">
                    抵现 {r.pointsSpent} 积分
                  </View>
                ) : null}
              </>
            }
            undone={r.status !== 'voided' ? null : r.couponReturned === false ? '已撤销，券已过期未退回' : '已撤销'}
            voidable={r.voidable}
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
                nameMasked={sale.nameMasked}
                orderAmountFen={sale.orderAmountFen}
                channel="counter"
                staffName={sale.staffName}
                figure={
                  <>
                    <View className="ctr-row__points">积分 +{sale.pointsEarned}</View>
                    {sale.pointsSpent > 0 ? (
                      <View className="ctr-row__spent" data-testid="sale-spent">
                        抵现 {sale.pointsSpent} 积分
                      </View>
                    ) : null}
                  </>
                }
                undone={sale.takenBack ? (sale.pointsSpent > 0 ? '已撤销，积分已退回' : '已撤销，积分已扣回') : null}
                voidable={sale.voidable}
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

export default function CounterPage() {
  const [today, setToday] = useState<Today>({ kind: 'loading' });
  const [stage, setStage] = useState<Stage>({ kind: 'scan' });
  const [busy, setBusy] = useState(false);
  const [scanError, setScanError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [redeemError, setRedeemError] = useState<string | null>(null);
  const [amounts, setAmounts] = useState<Amounts>(NO_AMOUNTS);
  /** 同时为会员累计本单积分, on for every member */
  const [earn, setEarn] = useState(true);
  /** 使用积分抵现 and the points picked, kept like the amounts while the clerk moves between the forms */
  const [spend, setSpend] = useState<PointsChoice>(NO_POINTS);
  const [saleError, setSaleError] = useState<string | null>(null);
  /** 本单药品: the medicines added for the sale, sent with it where the counter records it */
  const [items, setItems] = useState<PickedItem[]>([]);
  const [back, setBack] = useState<TakeBack>(NO_TAKE_BACK);
  /** the retry key of taking the shown sale back, kept while its answer may have been lost */
  const backKey = useRef<string | null>(null);
  const [asking, setAsking] = useState<CounterRedemption | null>(null);
  const [askingSale, setAskingSale] = useState<CounterSaleRecord | null>(null);
  const [voidingId, setVoidingId] = useState<string | null>(null);
  const [listMessage, setListMessage] = useState<{ ok: boolean; text: string } | null>(null);
  /** the points each void from this page took back and returned, by redemption */
  const [pointsBack, setPointsBack] = useState<Record<string, PointsBack>>({});
  /** the redemption sent last and its key, kept while its answer is unknown (network error, server failure) */
  const attempt = useRef<{ signature: string; key: string } | null>(null);
  /** the same for the sale, with its own key */
  const saleAttempt = useRef<{ signature: string; key: string } | null>(null);
  /** the same for voids, by redemption */
  const voidKeys = useRef(new Map<string, string>());

  const load = useCallback(() => {
    setToday({ kind: 'loading' });
    loadForStaff(
      () => counterApi.redemptions(),
      (data) => setToday({ kind: 'ready', data }),
      (error) => setToday({ kind: 'error', error }),
    );
  }, []);
  useEffect(load, []);

  /** the list again after a change, without the loading placeholder */
  const refreshToday = () =>
    counterApi
      .redemptions()
      .then((data) => setToday({ kind: 'ready', data }))
      .catch((error: unknown) => {
        if (isSessionError(error)) leaveStaffSession();
        else setListMessage({ ok: false, text: `今日核销未能刷新：${describeError(error).message}` });
      });

  /** an error's words, or the way to the login page when the session is over */
  const words = (error: unknown): string | null => {
    if (isSessionError(error)) {
      leaveStaffSession();
      return null;
    }
    return describeError(error).message;
  };

  const backToScan = (notice: string | null = null) => {
    attempt.current = null;
    saleAttempt.current = null;
    setSelected(null);
    setRedeemError(null);
    setSaleError(null);
    setAmounts(NO_AMOUNTS);
    setItems([]);
    setEarn(true);
    setSpend(NO_POINTS);
    setScanError(notice);
    setStage({ kind: 'scan' });
  };

  const lookup = (raw: string) => {
    const code = cleanCode(raw);
    if (!code) return;
    setBusy(true);
    setScanError(null);
    counterApi
      .lookup(code)
      .then((found) => {
        attempt.current = null;
        saleAttempt.current = null;
        setRedeemError(null);
        setSaleError(null);
        setAmounts(NO_AMOUNTS);
        setItems([]);
        setEarn(true);
        setSpend(NO_POINTS);
        // the note about the last void belongs to the last member
        setListMessage(null);
        const scanned = found.coupons.find((c) => c.couponId === found.scannedCouponId && c.usableHere);
        setSelected(scanned ? scanned.couponId : null);
        setStage({ kind: 'member', lookup: found });
      })
      .catch((error: unknown) => setScanError(words(error)))
      .finally(() => setBusy(false));
  };

  const scan = () => {
    setScanError(null);
    platform.scanCode().then(
      (res) => lookup(res.result),
      (error: unknown) => {
        // the clerk closed the camera: nothing to say
        if (error instanceof PlatformError && error.cancelled) return;
        setScanError(`没有扫到码，请重试或手动输入（${describeError(error).message}）`);
      },
    );
  };

  /**
   * Sends a sale, with the key of the same attempt when that one's answer is unknown (no answer, server failure),
   * a new one otherwise: resent, it cannot earn twice. The signature holds the lines too: other medicines are
   * another attempt.
   */
  const sendSale = (lookupNow: CounterLookupResponse, fields: SaleOrder & { redemptionId?: string }) => {
    const body = { counterToken: lookupNow.counterToken, ...fields };
    const signature = JSON.stringify(body);
    const key = saleAttempt.current?.signature === signature ? saleAttempt.current.key : newAttemptKey('cts');
    saleAttempt.current = { signature, key };
    return counterApi.sale({ idempotencyKey: key, ...body }).then(
      (sale) => {
        saleAttempt.current = null;
        return sale;
      },
      (error: unknown) => {
        if (!mayHaveLanded(error)) saleAttempt.current = null;
        throw error;
      },
    );
  };

  /** The sale of the redemption just made; a failure leaves the redemption as it is, with 重新登记积分. */
  const saleOfRedemption = (lookupNow: CounterLookupResponse, redemptionId: string, order: SaleOrder) => {
    const show = (state: SaleState) =>
      setStage((now) =>
        now.kind === 'done' && now.result.redemptionId === redemptionId ? { ...now, sale: { ...order, state } } : now,
      );
    show({ kind: 'pending' });
    sendSale(lookupNow, { ...order, redemptionId })
      .then((sale) => {
        show({ kind: 'ok', sale });
        // the redemption's row in the day's list now carries the sale's points, for its void to say
        void refreshToday();
      })
      .catch((error: unknown) => {
        const text = words(error);
        if (text === null) return;
        // a new scan needed, the till connected meanwhile, the redemption voided, the points refused: the same
        // sale again cannot help
        const final = isCounterSessionOver(error) || (isApiError(error) && SALE_FINAL.has(error.code));
        show({
          kind: 'failed',
          error: mayHaveLanded(error)
            ? `本单积分可能未登记（${text}）：请点击「重新登记积分」，不会重复累计。`
            : `本单积分未登记：${text}`,
          retryable: !final,
          unsure: mayHaveLanded(error),
          pointsRefused: isPointsRefused(error),
        });
      });
  };

  const redeem = (lookupNow: CounterLookupResponse, couponId: string, orderAmountFen: number, rxAmountFen: number) => {
    const fields = { counterToken: lookupNow.counterToken, couponId, orderAmountFen, rxAmountFen };
    const signature = JSON.stringify(fields);
    const key = attempt.current?.signature === signature ? attempt.current.key : newAttemptKey('ctr');
    attempt.current = { signature, key };
    const withSale = !lookupNow.tillConnected && earn;
    // the medicines and the points go with the sale; without one they are not recorded
    const order: SaleOrder = withSale
      ? {
          orderAmountFen,
          rxAmountFen,
          lines: saleLines(items),
          pointsToSpend: pointsToSpend(spend, lookupNow.member.points, orderAmountFen),
        }
      : { orderAmountFen, rxAmountFen, lines: [], pointsToSpend: 0 };
    setBusy(true);
    setRedeemError(null);
    counterApi
      .redeem({ idempotencyKey: key, ...fields })
      .then((result) => {
        attempt.current = null;
        // the coupon's discount, unknown before, came off first: the points pay at most what is left
        const sold = { ...order, pointsToSpend: maxPoints(order.pointsToSpend, result.payableFen) };
        setStage({
          kind: 'done',
          lookup: lookupNow,
          result,
          sale: withSale ? { ...sold, state: { kind: 'pending' } } : null,
        });
        setItems([]);
        if (withSale) saleOfRedemption(lookupNow, result.redemptionId, sold);
        setListMessage(null);
        void refreshToday();
      })
      .catch((error: unknown) => {
        if (!mayHaveLanded(error)) attempt.current = null;
        if (isCounterSessionOver(error)) {
          backToScan(error.message);
          return;
        }
        const text = words(error);
        if (text === null) return;
        setRedeemError(mayHaveLanded(error) ? `${text}。核销可能未完成：请再次点击「确认核销」，不会重复核销。` : text);
      })
      .finally(() => setBusy(false));
  };

  /** 不用券，只登记消费积分 */
  const saleOnly = (lookupNow: CounterLookupResponse, orderAmountFen: number, rxAmountFen: number) => {
    setBusy(true);
    setSaleError(null);
    sendSale(lookupNow, {
      orderAmountFen,
      rxAmountFen,
      lines: saleLines(items),
      pointsToSpend: pointsToSpend(spend, lookupNow.member.points, orderAmountFen),
    })
      .then((sale) => {
        setAmounts(NO_AMOUNTS);
        setItems([]);
        setSpend(NO_POINTS);
        setBack(NO_TAKE_BACK);
        backKey.current = null;
        setStage({ kind: 'sold', lookup: lookupNow, sale });
        // the day's list shows it among the sales, where it can be taken back later too
        void refreshToday();
      })
      .catch((error: unknown) => {
        if (isCounterSessionOver(error)) {
          backToScan(error.message);
          return;
        }
        const text = words(error);
        if (text === null) return;
        setSaleError(
          mayHaveLanded(error)
            ? `${text}。积分可能未登记：请再次点击「登记积分」，不会重复累计。`
            : pointsRefusedWords(error, text),
        );
      })
      .finally(() => setBusy(false));
  };

  /** 撤销本次登记: the coupon-less sale just recorded, its points taken back */
  const takeBackSale = (sale: CounterSaleResponse) => {
    setBack({ asking: false, busy: true, done: null, error: null });
    backKey.current ??= newAttemptKey('cts');
    counterApi
      .voidSale({ idempotencyKey: backKey.current, orderId: sale.orderId })
      .then((res) => {
        backKey.current = null;
        setBack({
          asking: false,
          busy: false,
          done: { reversed: res.pointsReversed, returned: res.pointsReturned },
          error: null,
        });
        void refreshToday();
      })
      .catch((error: unknown) => {
        const landed = mayHaveLanded(error);
        if (!landed) backKey.current = null;
        const text = words(error);
        setBack({
          asking: false,
          busy: false,
          done: null,
          error: text === null ? null : landed ? `${text}。可能未撤销：请再次点击撤销，不会重复扣回。` : text,
        });
      });
  };

  /** 撤销 on a coupon-less sale of today's list (its clerk's, or any for the store manager): its points go back */
  const takeBackListed = (sale: CounterSaleRecord) => {
    setAskingSale(null);
    const key = voidKeys.current.get(sale.orderId) ?? newAttemptKey('cts');
    voidKeys.current.set(sale.orderId, key);
    setVoidingId(sale.orderId);
    setListMessage(null);
    counterApi
      .voidSale({ idempotencyKey: key, orderId: sale.orderId })
      .then((res) => {
        voidKeys.current.delete(sale.orderId);
        setListMessage({
          ok: true,
          text: `已撤销${sale.nameMasked ? ` ${sale.nameMasked} 的` : ''}消费登记${
            res.pointsReversed > 0 ? `，扣回积分 ${res.pointsReversed}` : ''
          }${res.pointsReturned > 0 ? `，已退回 ${res.pointsReturned} 积分` : ''}`,
        });
        void refreshToday();
      })
      .catch((error: unknown) => {
        if (!mayHaveLanded(error)) voidKeys.current.delete(sale.orderId);
        const text = words(error);
        if (text !== null) setListMessage({ ok: false, text });
      })
      .finally(() => setVoidingId(null));
  };

  const voidRedemption = (r: CounterRedemption) => {
    setAsking(null);
    const key = voidKeys.current.get(r.redemptionId) ?? newAttemptKey('ctv');
    voidKeys.current.set(r.redemptionId, key);
    setVoidingId(r.redemptionId);
    setListMessage(null);
    counterApi
      .voidRedemption({ idempotencyKey: key, redemptionId: r.redemptionId })
      .then((res) => {
        voidKeys.current.delete(r.redemptionId);
        const given = { reversed: res.pointsReversed, returned: res.pointsReturned };
        const points = pointsBackWords(given);
        setListMessage({
          ok: true,
          text: res.couponReturned
            ? `已撤销「${r.couponName}」，优惠券已退回会员券包${points}`
            : `已撤销「${r.couponName}」；这张优惠券已过期，不能退回${points}`,
        });
        setPointsBack((now) => ({ ...now, [r.redemptionId]: given }));
        void refreshToday();
      })
      .catch((error: unknown) => {
        if (!mayHaveLanded(error)) voidKeys.current.delete(r.redemptionId);
        const text = words(error);
        if (text !== null) setListMessage({ ok: false, text });
      })
      .finally(() => setVoidingId(null));
  };

  const store = today.kind === 'ready' ? today.data.store.name : null;
  /** the amounts 按目录价填入金额 types: the added medicines at catalogue price */
  const byCatalogue = catalogueAmounts(items);
  const usable = stage.kind === 'member' ? stage.lookup.coupons.filter((c) => c.usableHere).length : 0;
  /** 积分抵现 in the form open (`afterCoupon`: the redeem form's), where the counter records the sale */
  const pointsPay = (afterCoupon: boolean) =>
    stage.kind === 'member' && !stage.lookup.tillConnected ? (
      <PointsPay
        balance={stage.lookup.member.points}
        orderFen={orderFenOf(amounts)}
        choice={spend}
        onChoice={setSpend}
        afterCoupon={afterCoupon}
      />
    ) : null;
  /** the redemption just made, once it was voided from the list below */
  const doneVoided =
    stage.kind === 'done' && today.kind === 'ready'
      ? (today.data.items.find((r) => r.redemptionId === stage.result.redemptionId && r.status === 'voided') ?? null)
      : null;

  return (
    <View className="ml-page ctr-page" data-testid="counter-page">
      <View className="staff-hero">
        <View className="staff-hero__title">扫码核销</View>
        <View className="staff-hero__sub" data-testid="counter-store">
          {store ? `${store} · ` : ''}扫会员码或券码，为会员核销优惠券
        </View>
      </View>

      {today.kind === 'loading' ? <LoadingCard lines={3} /> : null}
      {today.kind === 'error' ? (
        <ErrorCard message={today.error.message} requestId={today.error.requestId} onRetry={load} />
      ) : null}

      {today.kind === 'ready' && stage.kind === 'scan' ? (
        <ScanCard busy={busy} error={scanError} onScan={scan} onCode={lookup} />
      ) : null}

      {today.kind === 'ready' && stage.kind === 'member' ? (
        <>
          <MemberCard lookup={stage.lookup} onRescan={() => backToScan()} />
          {stage.lookup.tillConnected ? null : (
            <ItemsCard
              key={stage.lookup.counterToken}
              items={items}
              onItems={setItems}
              search={(q) => counterApi.products(q).then((res) => res.items)}
              words={words}
              filled={items.length > 0 && amounts.order === byCatalogue.order && amounts.rx === byCatalogue.rx}
              onFill={() => setAmounts(byCatalogue)}
              unused={selected !== null && !earn}
            />
          )}
          <View className="ml-card" data-testid="counter-coupons">
            <View className="staff-card__title">
              选择优惠券
              <Text className="ctr-count">
                {usable} 张可在本店使用
                {stage.lookup.coupons.length > usable ? `，${stage.lookup.coupons.length - usable} 张不可用` : ''}
              </Text>
            </View>
            {stage.lookup.coupons.length === 0 ? (
              <View className="ctr-empty" data-testid="counter-no-coupons">
                该会员暂无可用的优惠券
              </View>
            ) : null}
            {stage.lookup.coupons.map((c) => (
              <CouponOption
                key={c.couponId}
                coupon={c}
                selected={selected === c.couponId}
                scanned={c.couponId === stage.lookup.scannedCouponId}
                onSelect={() => {
                  if (selected === c.couponId) return;
                  setSelected(c.couponId);
                  setRedeemError(null);
                  setSaleError(null);
                }}
              >
                {selected === c.couponId ? (
                  <RedeemForm
                    coupon={c}
                    amounts={amounts}
                    onAmounts={setAmounts}
                    earn={stage.lookup.tillConnected ? null : earn}
                    onEarn={setEarn}
                    points={pointsPay(true)}
                    busy={busy}
                    error={redeemError}
                    onRedeem={(order, rx) => redeem(stage.lookup, c.couponId, order, rx)}
                  />
                ) : null}
              </CouponOption>
            ))}
          </View>
          {stage.lookup.tillConnected ? (
            <View className="ctr-till-note" data-testid="counter-till-connected">
              本店收银系统已对接，积分自动累计
            </View>
          ) : (
            <SaleOnlyCard
              open={selected === null}
              onOpen={() => {
                setSelected(null);
                setRedeemError(null);
              }}
              amounts={amounts}
              onAmounts={setAmounts}
              points={pointsPay(false)}
              busy={busy}
              error={saleError}
              onSale={(order, rx) => saleOnly(stage.lookup, order, rx)}
            />
          )}
        </>
      ) : null}

      {today.kind === 'ready' && stage.kind === 'done' ? (
        <ResultCard
          result={stage.result}
          sale={stage.sale}
          voided={doneVoided}
          pointsBack={pointsBack[stage.result.redemptionId] ?? null}
          onRetrySale={(withoutPoints) => {
            // the same order, medicines and points: the same attempt, resent with its key; without the points it
            // is another attempt (another key)
            if (stage.sale) {
              const { state: _state, ...order } = stage.sale;
              saleOfRedemption(
                stage.lookup,
                stage.result.redemptionId,
                withoutPoints ? { ...order, pointsToSpend: 0 } : order,
              );
            }
          }}
          onNext={() => backToScan()}
        />
      ) : null}

      {today.kind === 'ready' && stage.kind === 'sold' ? (
        <SoldCard
          sale={stage.sale}
          back={back}
          onAsk={() => setBack({ ...back, asking: true, error: null })}
          onCancel={() => setBack({ ...back, asking: false })}
          onTakeBack={() => takeBackSale(stage.sale)}
          onNext={() => backToScan()}
        />
      ) : null}

      {today.kind === 'ready' ? (
        <TodayList
          data={today.data}
          busyId={voidingId}
          message={listMessage}
          onVoid={setAsking}
          onVoidSale={setAskingSale}
        />
      ) : null}

      {asking ? (
        <VoidDialog
          title="撤销这笔核销？"
          text={redemptionVoidText(asking)}
          onCancel={() => setAsking(null)}
          onConfirm={() => voidRedemption(asking)}
        />
      ) : null}
      {askingSale ? (
        <VoidDialog
          title="撤销这笔消费登记？"
          text={saleTakeBackText(askingSale.nameMasked, askingSale)}
          onCancel={() => setAskingSale(null)}
          onConfirm={() => takeBackListed(askingSale)}
        />
      ) : null}
    </View>
  );
}
