/**
 * 扫码核销: the store counter for a till that is not connected to MedLoop. The clerk scans (or types) a member code
 * or a coupon code, sees who it is and which coupons work here, picks one, types the order amount and redeems;
 * below, today's redemptions at the store, where one made by mistake is voided. The server decides every rule and
 * answers coded errors, shown here in Chinese.
 */
import type {
  CounterCoupon,
  CounterLookupResponse,
  CounterRedeemResponse,
  CounterRedemption,
  CounterRedemptionsResponse,
} from '@shared/contracts/counter';
import { Button, Input, Text, View } from '@tarojs/components';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { describeError, type ErrorView } from '../../../components/describe-error';
import { ErrorCard, LoadingCard } from '../../../components/state-view';
import { PlatformError, platform } from '../../../platform';
import { isApiError, isSessionError } from '../../../services/api-error';
import { counterApi, newAttemptKey } from '../../../services/counter';
import { leaveStaffSession, loadForStaff } from '../../staff-load';
import '../../staff.scss';
import './index.scss';

type Today =
  | { kind: 'loading' }
  | { kind: 'error'; error: ErrorView }
  | { kind: 'ready'; data: CounterRedemptionsResponse };
type Stage =
  | { kind: 'scan' }
  | { kind: 'member'; lookup: CounterLookupResponse }
  | { kind: 'done'; lookup: CounterLookupResponse; result: CounterRedeemResponse };

/** Money at the till is read to the fen: 12.50, not 12.5. */
const yuan = (fen: number) => (fen / 100).toFixed(2);
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

/** What the clerk typed, kept by the page: picking another coupon for the same order keeps the amounts. */
interface Amounts {
  order: string;
  rx: string;
}
const NO_AMOUNTS: Amounts = { order: '', rx: '' };

function RedeemForm({
  coupon,
  amounts,
  onAmounts,
  busy,
  error,
  onRedeem,
}: {
  coupon: CounterCoupon;
  amounts: Amounts;
  onAmounts: (a: Amounts) => void;
  busy: boolean;
  error: string | null;
  onRedeem: (orderAmountFen: number, rxAmountFen: number) => void;
}) {
  const { order: amount, rx } = amounts;
  const setAmount = (order: string) => onAmounts({ ...amounts, order });
  const setRx = (next: string) => onAmounts({ ...amounts, rx: next });
  const [check, setCheck] = useState<string | null>(null);

  const submit = () => {
    const a = amount.trim();
    const r = rx.trim();
    if (!MONEY.test(a) || toFen(a) <= 0) return setCheck('请填写订单金额（元），最多两位小数');
    if (r && !MONEY.test(r)) return setCheck('处方药金额请填写金额（元），不含处方药可不填');
    if (r && toFen(r) > toFen(a)) return setCheck('处方药金额不能大于订单金额');
    setCheck(null);
    onRedeem(toFen(a), r ? toFen(r) : 0);
  };

  return (
    <View className="ctr-form" data-testid="counter-redeem-form">
      <View className="ctr-field ctr-field--first">订单金额（元）</View>
      <Input
        className="ctr-input"
        type="digit"
        placeholder="如 128.50"
        value={amount}
        onInput={(e) => setAmount(e.detail.value)}
        data-testid="counter-amount"
      />
      {coupon.thresholdFen > 0 ? (
        <View className="ctr-field-hint">满 {yuanShort(coupon.thresholdFen)} 元可用（处方药等不参与优惠的不计入）</View>
      ) : null}
      <View className="ctr-field">其中处方药金额（元，选填）</View>
      <Input
        className="ctr-input"
        type="digit"
        placeholder="不含处方药可不填"
        value={rx}
        onInput={(e) => setRx(e.detail.value)}
        data-testid="counter-rx-amount"
      />
      {check || error ? (
        <View className="staff-alert ctr-alert" data-testid="counter-redeem-error">
          {check ?? error}
        </View>
      ) : null}
      <Button
        className="ml-btn ml-btn--primary ctr-submit"
        disabled={busy || amount.trim() === ''}
        onClick={submit}
        data-testid="counter-redeem"
      >
        {busy ? '正在核销…' : '确认核销'}
      </Button>
    </View>
  );
}

function ResultCard({
  result,
  voided,
  onNext,
}: {
  result: CounterRedeemResponse;
  /** set once it was voided from today's list */
  voided: CounterRedemption | null;
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
      {voided ? (
        <View className="ctr-result__voided" data-testid="counter-result-voided">
          {voided.couponReturned === false
            ? '这笔核销已撤销；优惠券已过期，未退回会员券包'
            : '这笔核销已撤销，优惠券已退回会员券包'}
        </View>
      ) : null}
      <Button className="ml-btn ml-btn--primary ctr-submit" onClick={onNext} data-testid="counter-next">
        核销下一位
      </Button>
    </View>
  );
}

function RedemptionRow({ r, busy, onVoid }: { r: CounterRedemption; busy: boolean; onVoid: () => void }) {
  const voided = r.status === 'voided';
  return (
    <View className={`ctr-row${voided ? ' ctr-row--voided' : ''}`} data-testid={`redemption-${r.redemptionId}`}>
      <View className="ctr-row__main">
        <View className="ctr-row__title">{r.couponName}</View>
        <View className="ctr-row__meta">
          {shanghaiTime(r.redeemedAt)} · {r.nameMasked ?? '会员'} · 订单 {yuan(r.orderAmountFen)} 元
        </View>
        <View className="ctr-row__meta">
          {CHANNEL_LABELS[r.channel]}
          {r.staffName ? ` · ${r.staffName}` : ''}
        </View>
      </View>
      <View className="ctr-row__side">
        <View className="ctr-row__discount">-{yuan(r.discountFen)}</View>
        {voided ? (
          <View className="ctr-row__status" data-testid="redemption-status">
            {r.couponReturned === false ? '已撤销，券已过期未退回' : '已撤销'}
          </View>
        ) : r.voidable ? (
          <Button
            className="ml-btn ml-btn--danger ctr-row__void"
            disabled={busy}
            onClick={onVoid}
            data-testid="redemption-void"
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
}: {
  data: CounterRedemptionsResponse;
  busyId: string | null;
  message: { ok: boolean; text: string } | null;
  onVoid: (r: CounterRedemption) => void;
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
          <RedemptionRow key={r.redemptionId} r={r} busy={busyId === r.redemptionId} onVoid={() => onVoid(r)} />
        ))}
      </View>
    </>
  );
}

/**
 * The confirmation before a void, drawn by the page rather than NutUI's Dialog: babel-plugin-import puts a NutUI
 * component's CSS at the top of the importing file, ahead of staff.scss, the opposite of 优惠券管理's order, and the
 * subpackage's shared CSS chunk then has no consistent order.
 */
function VoidDialog({ r, onCancel, onConfirm }: { r: CounterRedemption; onCancel: () => void; onConfirm: () => void }) {
  return (
    <View className="staff-mask" data-testid="counter-void-dialog">
      <View className="ctr-dialog">
        <View className="ctr-dialog__title">撤销这笔核销？</View>
        <View className="ctr-dialog__text" data-testid="counter-void-confirm">
          「{r.couponName}」{r.nameMasked ? `，会员 ${r.nameMasked}` : ''}，订单 {yuan(r.orderAmountFen)} 元，优惠{' '}
          {yuan(r.discountFen)} 元。撤销后优惠券退回会员券包。
        </View>
        <View className="ctr-dialog__actions">
          <Button className="ml-btn ml-btn--ghost ctr-dialog__btn" onClick={onCancel} data-testid="counter-void-cancel">
            不撤销
          </Button>
          <Button className="ml-btn ml-btn--danger ctr-dialog__btn" onClick={onConfirm} data-testid="counter-void-ok">
            确认撤销
          </Button>
        </View>
      </View>
    </View>
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
  const [asking, setAsking] = useState<CounterRedemption | null>(null);
  const [voidingId, setVoidingId] = useState<string | null>(null);
  const [listMessage, setListMessage] = useState<{ ok: boolean; text: string } | null>(null);
  /** the redemption sent last and its key, kept while its answer is unknown (network error, server failure) */
  const attempt = useRef<{ signature: string; key: string } | null>(null);
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
    setSelected(null);
    setRedeemError(null);
    setAmounts(NO_AMOUNTS);
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
        setRedeemError(null);
        setAmounts(NO_AMOUNTS);
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

  const redeem = (lookupNow: CounterLookupResponse, couponId: string, orderAmountFen: number, rxAmountFen: number) => {
    const fields = { counterToken: lookupNow.counterToken, couponId, orderAmountFen, rxAmountFen };
    const signature = JSON.stringify(fields);
    const key = attempt.current?.signature === signature ? attempt.current.key : newAttemptKey('ctr');
    attempt.current = { signature, key };
    setBusy(true);
    setRedeemError(null);
    counterApi
      .redeem({ idempotencyKey: key, ...fields })
      .then((result) => {
        attempt.current = null;
        setStage({ kind: 'done', lookup: lookupNow, result });
        setListMessage(null);
        void refreshToday();
      })
      .catch((error: unknown) => {
        if (!mayHaveLanded(error)) attempt.current = null;
        if (
          isApiError(error) &&
          (error.code === 'COUNTER_SESSION_EXPIRED' || error.code === 'COUNTER_SESSION_INVALID')
        ) {
          backToScan(error.message);
          return;
        }
        const text = words(error);
        if (text === null) return;
        setRedeemError(mayHaveLanded(error) ? `${text}。核销可能未完成：请再次点击「确认核销」，不会重复核销。` : text);
      })
      .finally(() => setBusy(false));
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
        setListMessage({
          ok: true,
          text: res.couponReturned
            ? `已撤销「${r.couponName}」，优惠券已退回会员券包`
            : `已撤销「${r.couponName}」；这张优惠券已过期，不能退回`,
        });
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
  const usable = stage.kind === 'member' ? stage.lookup.coupons.filter((c) => c.usableHere).length : 0;
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
                }}
              >
                {selected === c.couponId ? (
                  <RedeemForm
                    coupon={c}
                    amounts={amounts}
                    onAmounts={setAmounts}
                    busy={busy}
                    error={redeemError}
                    onRedeem={(order, rx) => redeem(stage.lookup, c.couponId, order, rx)}
                  />
                ) : null}
              </CouponOption>
            ))}
          </View>
        </>
      ) : null}

      {today.kind === 'ready' && stage.kind === 'done' ? (
        <ResultCard result={stage.result} voided={doneVoided} onNext={() => backToScan()} />
      ) : null}

      {today.kind === 'ready' ? (
        <TodayList data={today.data} busyId={voidingId} message={listMessage} onVoid={setAsking} />
      ) : null}

      {asking ? (
        <VoidDialog r={asking} onCancel={() => setAsking(null)} onConfirm={() => voidRedemption(asking)} />
      ) : null}
    </View>
  );
}
