/**
 * 扫码核销: the store counter for a till that is not connected to MedLoop. The clerk scans (or types) a member code
 * or a coupon code, sees who it is and which coupons work here, picks one, types the order amount and redeems;
 * below, today's redemptions at the store, where one made by mistake is voided. Where the store's till does not
 * report its sales (the lookup's `tillConnected`), the counter also records the sale, with the redemption or
 * without a coupon, so the member earns its points. The server decides every rule and answers coded errors, shown
 * here in Chinese.
 */
import type {
  CounterLookupResponse,
  CounterRedeemBody,
  CounterRedeemResponse,
  CounterRedemption,
  CounterRedemptionsResponse,
  CounterSaleRecord,
  CounterSaleResponse,
} from '@shared/contracts/counter';
import { CounterSaleConflict } from '@shared/contracts/counter';
import { Text, View } from '@tarojs/components';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../../../components/describe-error';
import { thousands } from '../../../components/format';
import { LoadingCard } from '../../../components/state-view';
import { PlatformError, platform } from '../../../platform';
import { type ApiError, isApiError, isSessionError } from '../../../services/api-error';
import { counterApi, newAttemptKey } from '../../../services/counter';
import { StaffErrorCard } from '../../staff-error';
import { leaveStaffSession, loadForStaff, type StaffLoadError } from '../../staff-load';
import '../../staff.scss';
import { LandedNote, LateNotice, SaleLandedNote } from './answers';
import { codeProblem } from './code-words';
import {
  type Amounts,
  type CheckedAmounts,
  CouponOption,
  catalogueAmounts,
  categoryWords,
  cleanCode,
  type ItemsFen,
  MemberCard,
  NO_AMOUNTS,
  orderFenOf,
  RedeemForm,
  SaleOnlyCard,
  ScanCard,
} from './forms';
import { ItemsCard, itemTotals, type PickedItem, saleLines, yuan } from './items';
import {
  isPointsRefused,
  maxPoints,
  NO_POINTS,
  type PointsChoice,
  PointsPay,
  pointsRefusedWords,
  pointsToSpend,
} from './points';
import {
  type LinkedSale,
  NO_TAKE_BACK,
  type PointsBack,
  pointsBackWords,
  ResultCard,
  type SaleOrder,
  type SaleState,
  SoldCard,
  saleTakeBackText,
  type TakeBack,
} from './result';
import { tillNote } from './till-note';
import { redemptionVoidText, TodayList } from './today';
import { usePointsOutlook, VoidDialog } from './void-dialog';
import { memberLine, memberWho } from './who';
import './index.scss';

type Today =
  | { kind: 'loading' }
  | { kind: 'error'; error: StaffLoadError }
  | { kind: 'ready'; data: CounterRedemptionsResponse };
type Stage =
  | { kind: 'scan' }
  | { kind: 'member'; lookup: CounterLookupResponse }
  /** `sale`: null when none is recorded with it (the till is connected, or the clerk turned the switch off) */
  | { kind: 'done'; lookup: CounterLookupResponse; result: CounterRedeemResponse; sale: LinkedSale | null }
  /** a sale recorded without a coupon */
  | { kind: 'sold'; lookup: CounterLookupResponse; sale: CounterSaleResponse };

/**
 * A redemption as sent: the member's scan, the body but its key, the key and the contents it stands for, and the sale
 * to record with it. Kept while its answer is unknown, so that what it made can be found and asked for again.
 */
interface RedeemAttempt {
  lookup: CounterLookupResponse;
  couponId: string;
  fields: Omit<CounterRedeemBody, 'idempotencyKey'>;
  signature: string;
  key: string;
  order: SaleOrder;
  withSale: boolean;
}

/**
 * The redemption an attempt whose answer was lost had made, found in today's list once a retry with other contents
 * (the amount corrected) was refused as the coupon is used: `triedFen`, that retry's amount.
 */
interface Landed {
  redemptionId: string;
  triedFen: number;
  earlier: RedeemAttempt;
}

/**
 * The coupon-less sale a lost answer had recorded, said by the server when the clerk sent other contents (another
 * amount) under the same key: `triedFen`, the amount sent that time.
 */
interface SaleLanded {
  sale: CounterSaleResponse;
  triedFen: number;
}

/** "上一位会员（张*）": whose answer came in after the clerk moved on. */
const lastMember = (lookup: CounterLookupResponse) => {
  const who = memberWho(lookup.member);
  return who ? `上一位会员（${who}）` : '上一位会员';
};

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
  'COUNTER_ITEMS_AMOUNT_MISMATCH',
  'COUNTER_SCAN_COUPON_ONLY',
]);

/** The counter token is over: the member shows the code again. */
const isCounterSessionOver = (error: unknown): error is ApiError =>
  isApiError(error) && (error.code === 'COUNTER_SESSION_EXPIRED' || error.code === 'COUNTER_SESSION_INVALID');

export default function CounterPage() {
  const [today, setToday] = useState<Today>({ kind: 'loading' });
  const [stage, setStage] = useState<Stage>({ kind: 'scan' });
  /** the stage now, for an answer that arrives after the clerk moved on (下一位) */
  const stageNow = useRef(stage);
  stageNow.current = stage;
  /** what became of the last member's redemption or sale, its answer in after the clerk moved on */
  const [late, setLate] = useState<string | null>(null);
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
  /** the last redemption of this member whose answer was lost: it may have been made, whatever is sent next */
  const unsure = useRef<RedeemAttempt | null>(null);
  /** what that one turned out to have made, once a retry with other contents was refused */
  const [landed, setLanded] = useState<Landed | null>(null);
  /** the same for a redemption's sale, with its own key */
  const saleAttempt = useRef<{ signature: string; key: string } | null>(null);
  /**
   * the coupon-less sale sent last and its key, kept while its answer is unknown: the next one goes under that key
   * whatever the clerk changed, so the first is never recorded twice over (SaleLanded)
   */
  const couponlessAttempt = useRef<{ signature: string; key: string } | null>(null);
  /** what that one had recorded, once the sale sent after it with other contents was refused for it */
  const [saleLanded, setSaleLanded] = useState<SaleLanded | null>(null);
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

  /** the list again after a change, without the loading placeholder; the list, or null when it could not be had */
  const refreshToday = (): Promise<CounterRedemptionsResponse | null> =>
    counterApi
      .redemptions()
      .then((data) => {
        setToday({ kind: 'ready', data });
        return data;
      })
      .catch((error: unknown) => {
        if (isSessionError(error)) leaveStaffSession();
        else setListMessage({ ok: false, text: `今日核销未能刷新：${describeError(error).message}` });
        return null;
      });

  /**
   * Whether the member of `lookup` is the one on screen: an answer for another (the clerk moved on) never replaces
   * the screen; it is said above the page (LateNotice) and shows in today's list.
   */
  const onScreen = (lookup: CounterLookupResponse) =>
    stageNow.current.kind === 'member' && stageNow.current.lookup.counterToken === lookup.counterToken;

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
    unsure.current = null;
    setLanded(null);
    saleAttempt.current = null;
    couponlessAttempt.current = null;
    setSaleLanded(null);
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
    // a short number, a phone, a mistyped coupon code: said in words here, not sent to be refused as "invalid"
    const problem = codeProblem(code);
    if (problem) {
      setScanError(problem);
      return;
    }
    setBusy(true);
    setScanError(null);
    counterApi
      .lookup(code)
      .then((found) => {
        attempt.current = null;
        unsure.current = null;
        setLanded(null);
        saleAttempt.current = null;
        couponlessAttempt.current = null;
        setSaleLanded(null);
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
   * Sends a sale under the key `attempt` keeps while the last one's answer is unknown (no answer, server failure),
   * a new one otherwise: resent, it cannot earn twice. A redemption's sale keeps it for the same contents only (the
   * signature holds the lines too: other medicines are another attempt), its order being the redemption's, once
   * however often it is sent. A coupon-less sale keeps it whatever changed (`anyContents`): a key that recorded
   * another sale is refused with it (CounterSaleConflict), so another amount typed after a lost answer never
   * records a second sale beside a first the clerk did not see.
   */
  const sendSale = (
    attempt: { current: { signature: string; key: string } | null },
    lookupNow: CounterLookupResponse,
    fields: SaleOrder & { redemptionId?: string },
    anyContents = false,
  ) => {
    const body = { counterToken: lookupNow.counterToken, ...fields };
    const signature = JSON.stringify(body);
    const kept = attempt.current && (anyContents || attempt.current.signature === signature);
    const key = kept && attempt.current ? attempt.current.key : newAttemptKey('cts');
    attempt.current = { signature, key };
    return counterApi.sale({ idempotencyKey: key, ...body }).then(
      (sale) => {
        if (attempt.current?.key === key) attempt.current = null;
        return sale;
      },
      (error: unknown) => {
        if (!mayHaveLanded(error) && attempt.current?.key === key) attempt.current = null;
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
    sendSale(saleAttempt, lookupNow, { ...order, redemptionId })
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

  /** The coupon's refusal in the clerk's words: none of a category coupon's categories is named, never put down to Rx. */
  const redeemWords = (a: RedeemAttempt, error: unknown, text: string) => {
    const coupon = a.lookup.coupons.find((c) => c.couponId === a.couponId);
    return isApiError(error) && error.code === 'COUPON_CATEGORY_NOT_IN_ORDER' && coupon && coupon.categories.length > 0
      ? `本单没有${categoryWords(coupon.categories)}类商品，不能用这张券：请核对本单药品，或填写这类商品的金额`
      : text;
  };

  /**
   * Sends a redemption and shows its answer on its member's screen. A lost answer keeps the attempt (`unsure`): sent
   * again unchanged it is answered once; changed (another amount) and refused as the coupon is used, the redemption
   * the first one made is looked up in today's list and said (LandedNote), never re-sent with the old contents unasked.
   */
  const sendRedeem = async (a: RedeemAttempt) => {
    attempt.current = { signature: a.signature, key: a.key };
    setBusy(true);
    setRedeemError(null);
    setLanded(null);
    try {
      const result = await counterApi.redeem({ idempotencyKey: a.key, ...a.fields });
      attempt.current = null;
      unsure.current = null;
      if (!onScreen(a.lookup)) {
        // the clerk moved on: the redemption shows in the list and above the page, the screen stays the next member's
        // (its sale is not recorded unseen: what to collect would not be on screen)
        void refreshToday();
        setLate(
          `${lastMember(a.lookup)}的核销已完成：「${result.couponName}」，订单 ${yuan(result.orderAmountFen)} 元，应付 ${yuan(result.payableFen)} 元${
            a.withSale ? '；本单积分未登记，如需累计请撤销后重新核销' : ''
          }。见下方今日核销，如有误可撤销。`,
        );
        return;
      }
      // the coupon's discount, unknown before, came off first: the points pay at most what is left
      const sold = { ...a.order, pointsToSpend: maxPoints(a.order.pointsToSpend, result.payableFen) };
      setStage({
        kind: 'done',
        lookup: a.lookup,
        result,
        sale: a.withSale ? { ...sold, state: { kind: 'pending' } } : null,
      });
      setItems([]);
      if (a.withSale) saleOfRedemption(a.lookup, result.redemptionId, sold);
      setListMessage(null);
      void refreshToday();
    } catch (error: unknown) {
      const lost = mayHaveLanded(error);
      if (!lost) attempt.current = null;
      if (!onScreen(a.lookup)) {
        const text = words(error);
        if (text === null) return;
        void refreshToday();
        setLate(
          lost
            ? `${lastMember(a.lookup)}的核销结果没有传回，可能已完成：请查看下方今日核销。`
            : `${lastMember(a.lookup)}的核销未完成：${redeemWords(a, error, text)}`,
        );
        return;
      }
      if (isCounterSessionOver(error)) {
        backToScan(error.message);
        return;
      }
      const text = words(error);
      if (text === null) return;
      const said = redeemWords(a, error, text);
      if (lost) {
        unsure.current = a;
        // made or not, the list says: a redemption made shows there with its 撤销
        void refreshToday();
        setRedeemError(`${said}。核销可能未完成：请再次点击「确认核销」，不会重复核销。`);
        return;
      }
      const earlier = unsure.current;
      if (
        isApiError(error) &&
        error.code === 'COUPON_USED' &&
        earlier &&
        earlier.couponId === a.couponId &&
        earlier.key !== a.key
      ) {
        // the attempt whose answer was lost had made it: found in the day's list (this counter's, still standing)
        const data = await refreshToday();
        const made = data?.items.find(
          (r) => r.couponId === a.couponId && r.status === 'redeemed' && r.channel === 'counter',
        );
        if (made && onScreen(a.lookup)) {
          setLanded({ redemptionId: made.redemptionId, triedFen: a.fields.orderAmountFen, earlier });
          return;
        }
      }
      setRedeemError(said);
    } finally {
      setBusy(false);
    }
  };

  const redeem = (lookupNow: CounterLookupResponse, couponId: string, amountsFen: CheckedAmounts) => {
    const { order: orderAmountFen, rx: rxAmountFen, category: categoryAmountFen } = amountsFen;
    // the listed medicines tell the coupon each item's category and whether it is a prescription drug
    const lines = saleLines(items);
    const fields = {
      counterToken: lookupNow.counterToken,
      couponId,
      orderAmountFen,
      rxAmountFen,
      lines,
      ...(categoryAmountFen === undefined ? {} : { categoryAmountFen }),
    };
    const signature = JSON.stringify(fields);
    const key = attempt.current?.signature === signature ? attempt.current.key : newAttemptKey('ctr');
    // a coupon code's scan redeems that coupon only: the sale and its points need the member code
    const withSale = !lookupNow.tillConnected && lookupNow.scope === 'member' && earn;
    // the medicines and the points go with the sale; without one they are not recorded
    const order: SaleOrder = withSale
      ? {
          orderAmountFen,
          rxAmountFen,
          lines,
          pointsToSpend: pointsToSpend(spend, lookupNow.member.points ?? 0, orderAmountFen),
        }
      : { orderAmountFen, rxAmountFen, lines: [], pointsToSpend: 0 };
    void sendRedeem({ lookup: lookupNow, couponId, fields, signature, key, order, withSale });
  };

  /** 保留那笔: the attempt whose answer was lost, asked again as it was (its key): the server answers what it made. */
  const keepLanded = () => {
    if (landed) void sendRedeem(landed.earlier);
  };

  /** 不用券，只登记消费积分 */
  const saleOnly = (lookupNow: CounterLookupResponse, { order: orderAmountFen, rx: rxAmountFen }: CheckedAmounts) => {
    setBusy(true);
    setSaleError(null);
    setSaleLanded(null);
    sendSale(
      couponlessAttempt,
      lookupNow,
      {
        orderAmountFen,
        rxAmountFen,
        lines: saleLines(items),
        pointsToSpend: pointsToSpend(spend, lookupNow.member.points ?? 0, orderAmountFen),
      },
      true,
    )
      .then((sale) => {
        // the day's list shows it among the sales, where it can be taken back later too
        void refreshToday();
        if (!onScreen(lookupNow)) {
          setLate(
            `${lastMember(lookupNow)}的积分已登记：消费 ${yuan(sale.orderAmountFen)} 元，积分 +${thousands(sale.pointsEarned)}${
              sale.pointsSpent > 0 ? `，积分抵现 ${thousands(sale.pointsSpent)}，实收 ${yuan(sale.paidFen)} 元` : ''
            }。见下方今日核销，如有误可撤销。`,
          );
          return;
        }
        setAmounts(NO_AMOUNTS);
        setItems([]);
        setSpend(NO_POINTS);
        setBack(NO_TAKE_BACK);
        backKey.current = null;
        setStage({ kind: 'sold', lookup: lookupNow, sale });
      })
      .catch((error: unknown) => {
        if (isCounterSessionOver(error) && onScreen(lookupNow)) {
          backToScan(error.message);
          return;
        }
        const text = words(error);
        if (text === null) return;
        // the sale whose answer was lost had been recorded: said with it (SaleLandedNote), nothing recorded now
        const conflict =
          isApiError(error) && error.code === 'IDEMPOTENCY_CONFLICT'
            ? CounterSaleConflict.safeParse(error.details)
            : null;
        if (conflict?.success && onScreen(lookupNow)) {
          void refreshToday();
          setSaleLanded({ sale: conflict.data.recorded, triedFen: orderAmountFen });
          return;
        }
        // recorded or not, the list says
        if (mayHaveLanded(error)) void refreshToday();
        if (!onScreen(lookupNow)) {
          setLate(
            mayHaveLanded(error)
              ? `${lastMember(lookupNow)}的积分登记结果没有传回，可能已登记：请查看下方今日核销。`
              : `${lastMember(lookupNow)}的积分未登记：${pointsRefusedWords(error, text)}`,
          );
          return;
        }
        setSaleError(
          mayHaveLanded(error)
            ? `${text}。积分可能未登记：请再次点击「登记积分」，不会重复累计；金额填错了就改好再点，会先核对刚才那笔。`
            : pointsRefusedWords(error, text),
        );
      })
      .finally(() => setBusy(false));
  };

  /** 保留那笔: the sale a lost answer had recorded is the member's sale: its result, as its answer said then. */
  const keepSaleLanded = (lookupNow: CounterLookupResponse) => {
    if (!saleLanded) return;
    setAmounts(NO_AMOUNTS);
    setItems([]);
    setSpend(NO_POINTS);
    setSaleError(null);
    setBack(NO_TAKE_BACK);
    backKey.current = null;
    setSaleLanded(null);
    setStage({ kind: 'sold', lookup: lookupNow, sale: saleLanded.sale });
  };

  /** whether `sale` is the one whose result card is on screen */
  const isShown = (sale: CounterSaleResponse) =>
    stageNow.current.kind === 'sold' && stageNow.current.sale.orderId === sale.orderId;

  /** 撤销本次登记: the coupon-less sale just recorded, its points taken back */
  const takeBackSale = (sale: CounterSaleResponse) => {
    setBack({ asking: false, busy: true, done: null, error: null });
    backKey.current ??= newAttemptKey('cts');
    const key = backKey.current;
    // a late answer forgets only its own key, never the next sale's
    const forgetKey = () => {
      if (backKey.current === key) backKey.current = null;
    };
    counterApi
      .voidSale({ idempotencyKey: key, orderId: sale.orderId })
      .then((res) => {
        forgetKey();
        void refreshToday();
        // the clerk moved on to the next member meanwhile: the list shows it taken back, the card is another's
        if (!isShown(sale)) return;
        setBack({
          asking: false,
          busy: false,
          done: { reversed: res.pointsReversed, returned: res.pointsReturned },
          error: null,
        });
      })
      .catch((error: unknown) => {
        const landed = mayHaveLanded(error);
        if (!landed) forgetKey();
        if (!isShown(sale)) return;
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
    const who = memberWho(sale);
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
          text: `已撤销${who ? ` ${who} 的` : ''}消费登记${
            res.pointsReversed > 0 ? `，扣回积分 ${thousands(res.pointsReversed)}` : ''
          }${res.pointsReturned > 0 ? `，已退回 ${thousands(res.pointsReturned)} 积分` : ''}`,
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
        // the redemption an attempt whose answer was lost made, voided: nothing of that attempt is left to find
        if (unsure.current && landed?.redemptionId === r.redemptionId) unsure.current = null;
        const given = { reversed: res.pointsReversed, returned: res.pointsReturned };
        const points = pointsBackWords(given);
        setListMessage({
          ok: true,
          text: res.alreadyVoided
            ? `「${r.couponName}」已由其他人撤销过，这次没有再退回优惠券或积分`
            : res.couponReturned
              ? `已撤销「${r.couponName}」，优惠券已退回会员券包${points}`
              : r.memberClosed
                ? `已撤销「${r.couponName}」；该会员已注销，优惠券不退回`
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
  /** a member code's scan: the member's account (points, the sale); a coupon code's unlocks that coupon only */
  const asMember = stage.kind === 'member' && stage.lookup.scope === 'member';
  /** where the counter records the sale for this scan: the till is not connected, and the member code was shown */
  const records = stage.kind === 'member' && !stage.lookup.tillConnected && asMember;
  /** the listed medicines at catalogue price, and the part in the coupon's categories (null: none listed) */
  const itemsFen = (categories: readonly string[]): ItemsFen =>
    items.length === 0
      ? null
      : {
          totalFen: itemTotals(items).totalFen,
          categoryFen: items.reduce(
            (sum, i) => sum + (!i.rx && categories.includes(i.category) ? i.priceFen * i.quantity : 0),
            0,
          ),
        };
  /** 积分抵现 in the form open (`afterCoupon`: the redeem form's), where the counter records the sale */
  const pointsPay = (afterCoupon: boolean) =>
    stage.kind === 'member' && records ? (
      <PointsPay
        balance={stage.lookup.member.points ?? 0}
        orderFen={orderFenOf(amounts)}
        choice={spend}
        onChoice={setSpend}
        afterCoupon={afterCoupon}
      />
    ) : null;
  /** the redemption an attempt whose answer was lost made, as the list has it now (LandedNote) */
  const landedRow =
    landed && today.kind === 'ready'
      ? (today.data.items.find((r) => r.redemptionId === landed.redemptionId) ?? null)
      : null;
  /** the sale a lost answer had recorded, as the list has it now (SaleLandedNote); null until the list has it */
  const saleLandedRow =
    saleLanded && today.kind === 'ready'
      ? (today.data.sales.find((x) => x.orderId === saleLanded.sale.orderId) ?? null)
      : null;
  /** while it stands, no other sale is sent: taken back or kept first (one that cannot be taken back does not hold) */
  const saleHeld = saleLanded !== null && !saleLandedRow?.takenBack && saleLandedRow?.voidable !== false;
  /**
   * What the void open now does to the member's points, asked from the server as it opens: only where it takes
   * points back (a member who spent them goes below 0, and the clerk is told before confirming)
   */
  const outlook = usePointsOutlook(
    asking && asking.pointsEarned > 0
      ? { redemptionId: asking.redemptionId }
      : askingSale && askingSale.pointsEarned > 0
        ? { orderId: askingSale.orderId }
        : stage.kind === 'sold' && back.asking && stage.sale.pointsEarned > 0
          ? { orderId: stage.sale.orderId }
          : null,
  );
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

      {late ? <LateNotice text={late} onClose={() => setLate(null)} /> : null}

      {today.kind === 'loading' ? <LoadingCard lines={3} /> : null}
      {today.kind === 'error' ? <StaffErrorCard page="counter" error={today.error} onRetry={load} /> : null}

      {today.kind === 'ready' && stage.kind === 'scan' ? (
        <ScanCard busy={busy} error={scanError} onScan={scan} onCode={lookup} />
      ) : null}

      {today.kind === 'ready' && stage.kind === 'member' ? (
        <>
          <MemberCard lookup={stage.lookup} locked={busy} onRescan={() => backToScan()} />
          {records ? (
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
          ) : null}
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
                    earn={records ? earn : null}
                    onEarn={setEarn}
                    points={pointsPay(true)}
                    busy={busy}
                    held={landedRow?.status === 'redeemed' && landed?.earlier.couponId === c.couponId}
                    error={redeemError}
                    notice={
                      landedRow && landed?.earlier.couponId === c.couponId ? (
                        <LandedNote
                          redemption={landedRow}
                          triedFen={landed.triedFen}
                          canKeep={
                            landedRow.status === 'redeemed' &&
                            landedRow.orderAmountFen === landed.earlier.fields.orderAmountFen
                          }
                          busy={busy || voidingId !== null}
                          onVoid={() => setAsking(landedRow)}
                          onKeep={keepLanded}
                        />
                      ) : null
                    }
                    items={itemsFen(c.categories)}
                    onRedeem={(checked) => redeem(stage.lookup, c.couponId, checked)}
                  />
                ) : null}
              </CouponOption>
            ))}
          </View>
          {stage.lookup.tillConnected ? (
            <View
              className={`ctr-till-note ${tillNote(stage.lookup).quiet ? 'ctr-till-note--quiet' : ''}`}
              data-testid="counter-till-connected"
            >
              {tillNote(stage.lookup).text}
            </View>
          ) : asMember ? (
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
              held={saleHeld}
              error={saleError}
              notice={
                saleLanded ? (
                  <SaleLandedNote
                    sale={saleLanded.sale}
                    row={saleLandedRow}
                    triedFen={saleLanded.triedFen}
                    busy={busy || voidingId !== null}
                    onVoid={() => setAskingSale(saleLandedRow)}
                    onKeep={() => keepSaleLanded(stage.lookup)}
                  />
                ) : null
              }
              items={itemsFen([])}
              onSale={(checked) => saleOnly(stage.lookup, checked)}
            />
          ) : null}
        </>
      ) : null}

      {today.kind === 'ready' && stage.kind === 'done' ? (
        <ResultCard
          who={memberLine(stage.lookup.member)}
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
          who={memberLine(stage.lookup.member)}
          sale={stage.sale}
          back={back}
          outlook={outlook}
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
          markedId={landed?.redemptionId ?? saleLanded?.sale.orderId ?? null}
          message={listMessage}
          onVoid={setAsking}
          onVoidSale={setAskingSale}
        />
      ) : null}

      {asking ? (
        <VoidDialog
          title="撤销这笔核销？"
          text={redemptionVoidText(asking)}
          outlook={outlook}
          onCancel={() => setAsking(null)}
          onConfirm={() => voidRedemption(asking)}
        />
      ) : null}
      {askingSale ? (
        <VoidDialog
          title="撤销这笔消费登记？"
          text={saleTakeBackText(
            memberWho(askingSale),
            askingSale,
            saleLanded?.sale.orderId === askingSale.orderId ? '然后按正确的金额重新登记' : undefined,
          )}
          outlook={outlook}
          onCancel={() => setAskingSale(null)}
          onConfirm={() => takeBackListed(askingSale)}
        />
      ) : null}
    </View>
  );
}
