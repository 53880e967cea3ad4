/**
 * Entering a sale on the counter page: the code scanned or typed (ScanCard), the member it found (MemberCard), their
 * coupons (CouponOption), the order amount and its prescription part (AmountFields, checked before they are sent),
 * the redemption under the picked coupon with its 同时为会员累计本单积分 switch (RedeemForm), and the sale recorded
 * without a coupon (SaleOnlyCard).
 */
import {
  COUNTER_ITEMS_MAX_DISCOUNT_PERCENT,
  COUNTER_MAX_ORDER_FEN,
  type CounterCoupon,
  type CounterLookupResponse,
  itemsAmountBounds,
} from '@shared/contracts/counter';
import { Button, Input, Text, View } from '@tarojs/components';
import { type ReactNode, useState } from 'react';
import { shanghaiDay, thousands, YUAN_TEXT, yuanToFen } from '../../../components/format';
import { EMPTY_CODE_HINT } from './code-words';
import { itemTotals, type PickedItem, yuan } from './items';

/** A threshold as the coupon says it: 满 100 元, 满 99.5 元. */
const yuanShort = (fen: number) => String(fen / 100);

const TIER_NAMES: Record<string, string> = { basic: '普通会员', silver: '银卡会员', gold: '金卡会员' };

/** A coupon's categories as the clerk reads them: 「维生素矿物质」、「钙剂」. */
export const categoryWords = (categories: readonly string[]) => categories.map((c) => `「${c}」`).join('、');

/**
 * What the page says when a coupon's own code was scanned: its token redeems that coupon only, so the clerk asks for
 * the member code for anything else.
 */
export const COUPON_ONLY_NOTE = '凭券码核销：仅可使用这张券；累计积分、用积分抵现或使用其他优惠券，请让会员出示会员码';

/** Scanners and people add spaces (the wallet prints codes in groups of four); the code is the digits. */
export const cleanCode = (raw: string) => raw.replace(/[\s-]/g, '');

export function ScanCard({
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
    setHint(code ? null : EMPTY_CODE_HINT);
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

/**
 * The member scanned: who (the masked name, else the masked phone), the points, the home store, and 换一位. While a
 * redemption or a sale of this member is under way (`locked`), 换一位 is greyed and does nothing: its answer is this
 * member's, and lands on this screen.
 */
export function MemberCard({
  lookup,
  locked,
  onRescan,
}: {
  lookup: CounterLookupResponse;
  locked: boolean;
  onRescan: () => void;
}) {
  const m = lookup.member;
  const couponOnly = lookup.scope === 'coupon';
  return (
    <View className="ml-card ctr-member" data-testid="counter-member">
      <View className="ctr-member__top">
        <View className="staff-profile__avatar ctr-member__avatar">{m.nameMasked?.slice(0, 1) ?? '会'}</View>
        <View className="ctr-member__who">
          <View className="ctr-member__name" data-testid="counter-member-name">
            {m.nameMasked ?? m.phoneMasked ?? '未填写姓名'}
            {m.tier ? <Text className="ctr-member__tier">{TIER_NAMES[m.tier] ?? m.tier}</Text> : null}
          </View>
          <View className="ctr-member__phone" data-testid="counter-member-phone">
            {m.nameMasked === null && m.phoneMasked !== null ? '未填写姓名' : (m.phoneMasked ?? '未留手机号')}
          </View>
        </View>
        <View
          className={`ctr-member__rescan${locked ? ' ctr-member__rescan--off' : ''}`}
          onClick={locked ? undefined : onRescan}
          data-testid="counter-rescan"
          data-disabled={locked ? 'yes' : 'no'}
        >
          换一位
        </View>
      </View>
      <View className="ctr-facts">
        <View className="ctr-facts__item">
          <View
            className={`ctr-facts__value${m.points === null ? ' ctr-facts__value--text' : ''}`}
            data-testid="counter-member-points"
          >
            {m.points === null ? '需会员码' : thousands(m.points)}
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
      {couponOnly ? (
        <View className="ctr-coupon-only" data-testid="counter-coupon-only">
          {COUPON_ONLY_NOTE}
        </View>
      ) : null}
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

export function CouponOption({
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
export interface Amounts {
  order: string;
  rx: string;
  /** the part in a category coupon's categories, typed where no items are listed */
  category: string;
}
export const NO_AMOUNTS: Amounts = { order: '', rx: '', category: '' };

/**
 * What the form knows of the sale's items: none listed (null), or their catalogue total and, for the picked coupon,
 * the part in its categories. With items the order amount must be within itemsAmountBounds (the server says so too).
 */
export type ItemsFen = { totalFen: number; categoryFen: number } | null;

/** The order amount against the listed items, in words naming both sums, or null when it fits. */
export function itemsAmountProblem(orderFen: number, items: ItemsFen): string | null {
  if (!items || items.totalFen === 0) return null;
  const { minFen, maxFen } = itemsAmountBounds(items.totalFen);
  const sums = `订单金额 ${yuan(orderFen)} 元，本单药品目录价合计 ${yuan(items.totalFen)} 元`;
  if (orderFen > maxFen) return `${sums}：订单金额不能高于药品合计。请核对金额，或把本单其他商品也添加进来`;
  if (orderFen < minFen) {
    return `${sums}：门店优惠最多${COUNTER_ITEMS_MAX_DISCOUNT_PERCENT === 50 ? '半价' : `减 ${COUNTER_ITEMS_MAX_DISCOUNT_PERCENT}%`}，订单金额不能低于 ${yuan(minFen)} 元。请核对金额和药品数量`;
  }
  return null;
}

/** The order amount typed, in fen, while it is one (the points it can take follow it as it is typed). */
export const orderFenOf = (amounts: Amounts) => {
  const a = amounts.order.trim();
  return YUAN_TEXT.test(a) && yuanToFen(a) > 0 && yuanToFen(a) <= COUNTER_MAX_ORDER_FEN ? yuanToFen(a) : null;
};

/** The amounts checked: in fen, the category part only where the form asks for it. */
export interface CheckedAmounts {
  order: number;
  rx: number;
  /** the part in the coupon's categories, typed (a category coupon, no items listed) */
  category?: number;
}

/**
 * The amounts in fen, or what is wrong with them in words. `categories`: the picked coupon's, when the form asks for
 * the part of the order in them (no items listed); `items`: the listed items, which the amount must fit.
 */
function checkAmounts(
  amounts: Amounts,
  categories: readonly string[] | null,
  items: ItemsFen,
): { ok: true; value: CheckedAmounts } | { ok: false; message: string } {
  const a = amounts.order.trim();
  const r = amounts.rx.trim();
  if (!YUAN_TEXT.test(a) || yuanToFen(a) <= 0) return { ok: false, message: '请填写订单金额（元），最多两位小数' };
  if (yuanToFen(a) > COUNTER_MAX_ORDER_FEN) {
    return { ok: false, message: `订单金额过大，请核对（单笔不超过 ${COUNTER_MAX_ORDER_FEN / 100} 元）` };
  }
  if (r && !YUAN_TEXT.test(r)) return { ok: false, message: '处方药金额请填写金额（元），不含处方药可不填' };
  if (r && yuanToFen(r) > yuanToFen(a)) return { ok: false, message: '处方药金额不能大于订单金额' };
  const order = yuanToFen(a);
  const rx = r ? yuanToFen(r) : 0;
  const problem = itemsAmountProblem(order, items);
  if (problem) return { ok: false, message: problem };
  if (!categories) return { ok: true, value: { order, rx } };
  const c = amounts.category.trim();
  const named = `${categoryWords(categories)}类商品金额`;
  if (!YUAN_TEXT.test(c)) return { ok: false, message: `请填写本单中${named}（元），按小票上这类商品的合计` };
  if (yuanToFen(c) + rx > order) {
    return { ok: false, message: `${named}加处方药金额不能大于订单金额` };
  }
  return { ok: true, value: { order, rx, category: yuanToFen(c) } };
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
function useCheckedAmounts(
  amounts: Amounts,
  onValid: (checked: CheckedAmounts) => void,
  categories: readonly string[] | null = null,
  items: ItemsFen = null,
) {
  const [check, setCheck] = useState<string | null>(null);
  const submit = () => {
    const checked = checkAmounts(amounts, categories, items);
    if (!checked.ok) return setCheck(checked.message);
    setCheck(null);
    onValid(checked.value);
  };
  return { check, submit };
}

/**
 * A coupon limited to categories (维生素矿物质88折): the part of the order it discounts. With the sale's items listed,
 * their categories say it (the server reads them from the catalogue); without, the clerk types it from the receipt,
 * as the prescription part is typed.
 */
function CategoryPart({
  coupon,
  amounts,
  onAmounts,
  items,
}: {
  coupon: CounterCoupon;
  amounts: Amounts;
  onAmounts: (a: Amounts) => void;
  items: ItemsFen;
}) {
  const named = categoryWords(coupon.categories);
  if (items) {
    return (
      <View className="ctr-field-hint ctr-category" data-testid="counter-category-by-items">
        {items.categoryFen > 0
          ? `这张券仅限${named}类商品：按本单药品计算，其中${named}类目录价 ${yuan(items.categoryFen)} 元`
          : `这张券仅限${named}类商品，本单药品中没有这类商品，不能用这张券`}
      </View>
    );
  }
  return (
    <>
      <View className="ctr-field">其中{named}类商品金额（元）</View>
      <Input
        className="ctr-input"
        type="digit"
        placeholder="按小票上这类商品的合计填写"
        value={amounts.category}
        onInput={(e) => onAmounts({ ...amounts, category: e.detail.value })}
        data-testid="counter-category-amount"
      />
      <View className="ctr-field-hint">这张券只优惠{named}类商品，其他商品不计入</View>
    </>
  );
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

/** A sale form's foot: what is wrong with the amounts, or the server's refusal, in words; then its button. */
function FormFooter(p: {
  alert: string | null;
  alertTestId: string;
  disabled: boolean;
  onSubmit: () => void;
  testId: string;
  label: string;
}) {
  return (
    <>
      {p.alert ? (
        <View className="staff-alert ctr-alert" data-testid={p.alertTestId}>
          {p.alert}
        </View>
      ) : null}
      <Button
        className="ml-btn ml-btn--primary ctr-submit"
        disabled={p.disabled}
        onClick={p.onSubmit}
        data-testid={p.testId}
      >
        {p.label}
      </Button>
    </>
  );
}

export function RedeemForm({
  coupon,
  amounts,
  onAmounts,
  earn,
  onEarn,
  points,
  busy,
  held = false,
  error,
  notice,
  onRedeem,
  items,
}: {
  coupon: CounterCoupon;
  amounts: Amounts;
  onAmounts: (a: Amounts) => void;
  /** the sale's listed items (null: none), for a category coupon's part and the amount's check */
  items: ItemsFen;
  /** whether the sale is recorded with the redemption; null where the till is connected (no switch) */
  earn: boolean | null;
  onEarn: (on: boolean) => void;
  /** 积分抵现, while the sale is recorded with the redemption */
  points: ReactNode;
  busy: boolean;
  /** the coupon stands redeemed by an earlier attempt (the notice says so): voided or kept first, not sent again */
  held?: boolean;
  error: string | null;
  /** above the button: what became of an earlier attempt whose answer was lost (LandedNote) */
  notice?: ReactNode;
  onRedeem: (checked: CheckedAmounts) => void;
}) {
  const byCategory = coupon.categories.length > 0;
  const { check, submit } = useCheckedAmounts(
    amounts,
    onRedeem,
    byCategory && !items ? coupon.categories : null,
    items,
  );

  return (
    <View className="ctr-form" data-testid="counter-redeem-form">
      <AmountFields
        amounts={amounts}
        onAmounts={onAmounts}
        ids={{ order: 'counter-amount', rx: 'counter-rx-amount' }}
        hint={
          coupon.thresholdFen > 0
            ? byCategory
              ? `${categoryWords(coupon.categories)}类商品满 ${yuanShort(coupon.thresholdFen)} 元可用`
              : `满 ${yuanShort(coupon.thresholdFen)} 元可用（处方药等不参与优惠的不计入）`
            : undefined
        }
      />
      {byCategory ? <CategoryPart coupon={coupon} amounts={amounts} onAmounts={onAmounts} items={items} /> : null}
      {earn !== null ? <EarnToggle on={earn} onChange={onEarn} /> : null}
      {earn ? points : null}
      {notice}
      <FormFooter
        alert={check ?? error}
        alertTestId="counter-redeem-error"
        disabled={busy || held || amounts.order.trim() === ''}
        onSubmit={submit}
        testId="counter-redeem"
        label={busy ? '正在核销…' : '确认核销'}
      />
    </View>
  );
}

/**
 * 不用券，只登记消费积分: a sale without a coupon, where the till is not connected. Open while no coupon is picked;
 * folded to its title while one is (one order, one form), and opened again by a tap, which puts the coupon down.
 */
export function SaleOnlyCard({
  open,
  onOpen,
  amounts,
  onAmounts,
  points,
  busy,
  held = false,
  error,
  notice,
  onSale,
  items,
}: {
  open: boolean;
  onOpen: () => void;
  amounts: Amounts;
  onAmounts: (a: Amounts) => void;
  /** 积分抵现 */
  points: ReactNode;
  busy: boolean;
  /** a sale recorded by an earlier attempt stands (the notice says so): taken back or kept first, none sent meanwhile */
  held?: boolean;
  error: string | null;
  /** above the button: what became of an earlier attempt whose answer was lost (SaleLandedNote) */
  notice?: ReactNode;
  onSale: (checked: CheckedAmounts) => void;
  /** the sale's listed items (null: none): the amount must fit them */
  items: ItemsFen;
}) {
  const { check, submit } = useCheckedAmounts(amounts, onSale, null, items);
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
          {notice}
          <FormFooter
            alert={check ?? error}
            alertTestId="counter-sale-error"
            disabled={busy || held || amounts.order.trim() === ''}
            onSubmit={submit}
            testId="counter-sale-submit"
            label={busy ? '正在登记…' : '登记积分'}
          />
        </>
      ) : null}
    </View>
  );
}

/** The amounts the catalogue prices give: what 按目录价填入金额 types for the clerk. */
export const catalogueAmounts = (items: PickedItem[]): Amounts => {
  const { totalFen, rxFen } = itemTotals(items);
  return { order: yuan(totalFen), rx: rxFen > 0 ? yuan(rxFen) : '', category: '' };
};
