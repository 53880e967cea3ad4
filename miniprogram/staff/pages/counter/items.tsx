/**
 * 本单药品 on the counter page: the medicines of a sale the counter records, searched in the chain's catalogue and
 * added with their quantity (ItemsCard), and the ones a recorded sale holds (SaleItems); the page's stepper.
 */
import type { CounterSaleLine, CounterSaleLineView, ProductItem } from '@shared/contracts/counter';
import { Button, Input, Text, View } from '@tarojs/components';
import { type ReactNode, useEffect, useRef, useState } from 'react';

/** Money at the till is read to the fen: 12.50, not 12.5. */
export const yuan = (fen: number) => (fen / 100).toFixed(2);

/** A medicine added to the sale: its catalogue entry and how many. */
export type PickedItem = ProductItem & { quantity: number };

/** The catalogue's answer to what the clerk typed; while a new one is under way the last results stay. */
type Found =
  | { kind: 'idle' }
  | { kind: 'loading'; q: string; items: ProductItem[] }
  | { kind: 'ready'; q: string; items: ProductItem[] }
  | { kind: 'error'; message: string };

/** Typing pauses this long before the catalogue is asked (every keystroke would be a request). */
const SEARCH_DELAY_MS = 300;
/** The contract's limits: 30 lines a sale, 1–99 of each, a query of 40 characters; the server answers 12 at most. */
const MAX_ITEM_LINES = 30;
const MAX_QUANTITY = 99;
const MAX_QUERY = 40;
const MAX_RESULTS = 12;

export const saleLines = (items: PickedItem[]): CounterSaleLine[] =>
  items.map((i) => ({ sku: i.sku, quantity: i.quantity }));

/** The items at catalogue price: all of them, and the prescription part. */
export const itemTotals = (items: PickedItem[]) => ({
  totalFen: items.reduce((sum, i) => sum + i.priceFen * i.quantity, 0),
  rxFen: items.reduce((sum, i) => sum + (i.rx ? i.priceFen * i.quantity : 0), 0),
});

/**
 * − value ＋, drawn by the page: a medicine's quantity, the points paid with. A button that cannot go further is
 * greyed and does nothing. Test ids `<testId>-minus`, `-qty`, `-plus`.
 */
export function Stepper({
  value,
  less,
  more,
  onStep,
  testId,
}: {
  value: ReactNode;
  less: boolean;
  more: boolean;
  onStep: (by: 1 | -1) => void;
  testId: string;
}) {
  return (
    <View className="ctr-step">
      <View
        className={`ctr-step__btn${less ? '' : ' ctr-step__btn--off'}`}
        onClick={less ? () => onStep(-1) : undefined}
        data-testid={`${testId}-minus`}
      >
        −
      </View>
      <View className="ctr-step__value" data-testid={`${testId}-qty`}>
        {value}
      </View>
      <View
        className={`ctr-step__btn${more ? '' : ' ctr-step__btn--off'}`}
        onClick={more ? () => onStep(1) : undefined}
        data-testid={`${testId}-plus`}
      >
        ＋
      </View>
    </View>
  );
}

function RxBadge() {
  return <Text className="ctr-items__rx">处方药</Text>;
}

/**
 * 本单药品（选填）: the medicines of the sale, searched in the chain's catalogue (by name, generic name or SKU) and
 * added with their quantity, where the counter records the sale. They go with the sale for the member's medicines
 * and refills; the catalogue total can fill the amount form.
 */
export function ItemsCard({
  items,
  onItems,
  search,
  words,
  filled,
  onFill,
  unused,
}: {
  items: PickedItem[];
  /** from the items as they are then: two quick taps make two more */
  onItems: (update: (now: PickedItem[]) => PickedItem[]) => void;
  search: (q: string) => Promise<ProductItem[]>;
  /** the page's words for an error (null: the session is over, the page is leaving for the login) */
  words: (error: unknown) => string | null;
  /** the amount form holds the catalogue total */
  filled: boolean;
  onFill: () => void;
  /** a coupon is picked with 同时为会员累计本单积分 off: no sale is recorded, so the items go nowhere */
  unused: boolean;
}) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Found>({ kind: 'idle' });
  const [note, setNote] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** the number of the latest search: an older answer arriving late is dropped */
  const latest = useRef(0);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      latest.current += 1;
    },
    [],
  );

  const run = (text: string) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const q = text.trim().slice(0, MAX_QUERY);
    latest.current += 1;
    const mine = latest.current;
    if (!q) {
      setFound({ kind: 'idle' });
      return;
    }
    setFound((now) => ({ kind: 'loading', q, items: now.kind === 'ready' || now.kind === 'loading' ? now.items : [] }));
    search(q).then(
      (results) => {
        if (mine === latest.current) setFound({ kind: 'ready', q, items: results });
      },
      (error: unknown) => {
        if (mine !== latest.current) return;
        const text = words(error);
        if (text !== null) setFound({ kind: 'error', message: `药品搜索失败：${text}` });
      },
    );
  };

  const type = (value: string) => {
    setQuery(value);
    setNote(null);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => run(value), SEARCH_DELAY_MS);
  };

  const fold = () => {
    setQuery('');
    run('');
  };

  /** the same SKU again is one more of it (up to 99), another one a new line (up to 30) */
  const add = (p: ProductItem) => {
    const there = items.find((i) => i.sku === p.sku);
    if (there && there.quantity >= MAX_QUANTITY) return setNote(`每种药品最多 ${MAX_QUANTITY} 件`);
    if (!there && items.length >= MAX_ITEM_LINES) return setNote(`一单最多添加 ${MAX_ITEM_LINES} 种药品`);
    setNote(null);
    onItems((now) => {
      if (!now.some((i) => i.sku === p.sku)) return now.length < MAX_ITEM_LINES ? [...now, { ...p, quantity: 1 }] : now;
      return now.map((i) => (i.sku === p.sku ? { ...i, quantity: Math.min(MAX_QUANTITY, i.quantity + 1) } : i));
    });
  };

  const step = (sku: string, by: number) => {
    setNote(null);
    onItems((now) =>
      now.map((i) => (i.sku === sku ? { ...i, quantity: Math.min(MAX_QUANTITY, Math.max(1, i.quantity + by)) } : i)),
    );
  };

  const remove = (sku: string) => {
    setNote(null);
    onItems((now) => now.filter((i) => i.sku !== sku));
  };

  const results = found.kind === 'ready' || found.kind === 'loading' ? found.items : [];
  const { totalFen, rxFen } = itemTotals(items);

  return (
    <View className="ml-card ctr-items" data-testid="counter-items">
      <View className="staff-card__title">
        本单药品<Text className="ctr-items__optional">（选填）</Text>
      </View>
      <View className="ctr-items__hint">记录会员买了什么药，用于用药记录和续药提醒</View>
      <View className="ctr-items__row">
        <Input
          className="ctr-input ctr-items__input"
          type="text"
          confirmType="search"
          maxlength={MAX_QUERY}
          placeholder="药品名称、通用名或编码"
          value={query}
          onInput={(e) => type(e.detail.value)}
          onConfirm={() => run(query)}
          data-testid="counter-items-query"
        />
        <Button
          className="ml-btn ml-btn--ghost ctr-items__go"
          onClick={() => run(query)}
          data-testid="counter-items-search"
        >
          搜索
        </Button>
      </View>

      {found.kind === 'error' ? (
        <View className="staff-alert ctr-alert" data-testid="counter-items-error">
          {found.message}
        </View>
      ) : null}
      {found.kind === 'loading' && results.length === 0 ? (
        <View className="ctr-items__status" data-testid="counter-items-searching">
          正在搜索…
        </View>
      ) : null}
      {found.kind === 'ready' && results.length === 0 ? (
        <View className="ctr-items__status" data-testid="counter-items-none">
          没有找到「{found.q}」，换个名称、通用名或编码试试
        </View>
      ) : null}
      {results.length > 0 ? (
        <View className="ctr-items__found" data-testid="counter-items-found">
          <View className="ctr-items__found-head">
            <Text className="ctr-items__found-count">
              {results.length >= MAX_RESULTS
                ? `显示前 ${results.length} 种，可输入更多字`
                : `找到 ${results.length} 种`}
              ，点击添加
            </Text>
            <Text className="ctr-items__fold" onClick={fold} data-testid="counter-items-fold">
              收起
            </Text>
          </View>
          {results.map((p) => {
            const added = items.find((i) => i.sku === p.sku)?.quantity ?? 0;
            return (
              <View
                key={p.sku}
                className="ctr-items__result"
                onClick={() => add(p)}
                data-testid="counter-items-result"
                data-sku={p.sku}
              >
                <View className="ctr-items__main">
                  <View className="ctr-items__name">{p.name}</View>
                  <View className="ctr-items__meta">
                    {p.rx ? <RxBadge /> : null}
                    {p.sku} · {p.category}
                  </View>
                </View>
                <View className="ctr-items__side">
                  <View className="ctr-items__price">{yuan(p.priceFen)} 元</View>
                  <View className={`ctr-items__add${added ? ' ctr-items__add--on' : ''}`}>
                    {added ? `已加 ${added}` : '＋ 添加'}
                  </View>
                </View>
              </View>
            );
          })}
        </View>
      ) : null}

      {note ? (
        <View className="staff-alert ctr-alert" data-testid="counter-items-note">
          {note}
        </View>
      ) : null}

      {items.length > 0 ? (
        <View className="ctr-items__picked" data-testid="counter-items-picked">
          <View className="ctr-items__picked-title">已添加 {items.length} 种</View>
          {items.map((i) => (
            <View key={i.sku} className="ctr-items__line" data-testid="counter-items-line" data-sku={i.sku}>
              <View className="ctr-items__name">
                {i.name}
                {i.rx ? <RxBadge /> : null}
              </View>
              <View className="ctr-items__line-foot">
                <View className="ctr-items__subtotal">
                  {yuan(i.priceFen)} × {i.quantity} = {yuan(i.priceFen * i.quantity)} 元
                </View>
                <Stepper
                  value={i.quantity}
                  less={i.quantity > 1}
                  more={i.quantity < MAX_QUANTITY}
                  onStep={(by) => step(i.sku, by)}
                  testId="counter-items"
                />
                <Text className="ctr-items__remove" onClick={() => remove(i.sku)} data-testid="counter-items-remove">
                  移除
                </Text>
              </View>
            </View>
          ))}
          <View className="ctr-items__total" data-testid="counter-items-total">
            <View>
              目录价合计 <Text className="ctr-items__total-num">{yuan(totalFen)}</Text> 元
            </View>
            {rxFen > 0 ? <View className="ctr-items__total-rx">其中处方药 {yuan(rxFen)} 元，不累计积分</View> : null}
          </View>
          {filled ? (
            <View className="ctr-items__filled" data-testid="counter-items-filled">
              已按目录价填入订单金额，请在下方核对
            </View>
          ) : (
            <Button className="ml-btn ml-btn--ghost ctr-items__fill" onClick={onFill} data-testid="counter-items-fill">
              按目录价填入金额
            </Button>
          )}
        </View>
      ) : null}

      {unused && items.length > 0 ? (
        <View className="ctr-items__unused" data-testid="counter-items-unused">
          未勾选累计本单积分，本单药品不会登记
        </View>
      ) : null}
    </View>
  );
}

/** The medicines a recorded sale holds, one line each (络活喜 苯磺酸氨氯地平片 5mg×7片 ×2（处方药）). */
export function SaleItems({ lines, testId }: { lines: CounterSaleLineView[]; testId: string }) {
  if (lines.length === 0) return null;
  return (
    <View className="ctr-items-sold" data-testid={testId}>
      <View className="ctr-items-sold__title">本单药品</View>
      {lines.map((l) => (
        <View key={l.sku} className="ctr-items-sold__line" data-testid="counter-items-sold-line" data-sku={l.sku}>
          <Text className="ctr-items-sold__name">
            {l.name} ×{l.quantity}
            {l.rx ? '（处方药）' : ''}
          </Text>
          <Text className="ctr-items-sold__amount">{yuan(l.amountFen)} 元</Text>
        </View>
      ))}
      {lines.some((l) => l.rx) ? <View className="ctr-items-sold__note">处方药不累计积分</View> : null}
    </View>
  );
}
