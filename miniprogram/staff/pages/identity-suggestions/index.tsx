import type { DecidedSeparation, HeldReview, Suggestion } from '@shared/contracts/identity';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../../../components/describe-error';
import { PhoneSearch } from '../../../components/phone-search';
import { LoadingCard } from '../../../components/state-view';
import { isApiError } from '../../../services/api-error';
import { identityApi, type ListPage } from '../../../services/identity';
import { loadStaffProfile } from '../../../services/staff';
import { isRefused, StaffErrorCard } from '../../staff-error';
import { loadForStaff, type StaffLoadError } from '../../staff-load';
import { beijingMinute } from '../integration-health/sources';
import { MarkApartCard } from './mark-apart';
import { FIELDS, RecordColumn, who } from './records';
import '../../staff.scss';
import './index.scss';

/** The pages of a list loaded so far, how many there are in all, and where the next page starts. */
interface Listed<T> {
  items: T[];
  total: number;
  /** more than `total` wait (the server counts up to a cap) */
  totalCapped: boolean;
  nextCursor: string | null;
}
type State =
  | { kind: 'loading' }
  | { kind: 'error'; error: StaffLoadError }
  | {
      kind: 'ready';
      /** the customer's phone all three lists are narrowed to, null for the whole queues */
      phone: string | null;
      suggestions: Listed<Suggestion>;
      holds: Listed<HeldReview>;
      /** HQ's list of "not the same person" decisions (null for managers below HQ) */
      decided: Listed<DecidedSeparation> | null;
    };
type Decision = 'confirm' | 'reject';
type Tab = 'suggestions' | 'holds' | 'decided';

const listed = <T,>(items: T[], r: Omit<Listed<T>, 'items'>): Listed<T> => ({
  items,
  total: r.total,
  totalCapped: r.totalCapped,
  nextCursor: r.nextCursor,
});

/** 23, or 1000+ past the server's count cap */
const totalText = (l: Listed<unknown>) => `${l.total}${l.totalCapped ? '+' : ''}`;

/**
 * One tab's list again from its first page, as deep as `depth` items were loaded: a decision may settle other cards
 * than the one decided (the other card of the same person, a suggestion about records now merged), and they must
 * leave the page and the counts with it.
 */
async function refetchTab(
  tab: Exclude<Tab, 'decided'>,
  phone: string | null,
  depth: number,
): Promise<Listed<Suggestion | HeldReview | DecidedSeparation>> {
  let l = await fetchMore(tab, { phone: phone ?? undefined });
  while (l.items.length < depth && l.nextCursor) {
    const next = await fetchMore(tab, { phone: phone ?? undefined, cursor: l.nextCursor });
    const seen = new Set(l.items.map((x) => x.id));
    l = { ...next, items: [...l.items, ...next.items.filter((x) => !seen.has(x.id))] };
  }
  return l;
}

/** The page after `cursor` of one tab's list, for the phone searched. */
function fetchMore(tab: Tab, page: ListPage): Promise<Listed<Suggestion | HeldReview | DecidedSeparation>> {
  if (tab === 'suggestions') return identityApi.suggestions(page).then((r) => listed(r.suggestions, r));
  if (tab === 'holds') return identityApi.holds(page).then((r) => listed(r.holds, r));
  return identityApi.separations(page).then((r) => listed(r.separations, r));
}
/**
 * what the reviewer is asked to confirm: a suggestion's two records, a held card and the member it may be, or (HQ)
 * taking back a "not the same person" decision
 */
type Pending =
  | { kind: 'suggestion'; s: Suggestion }
  | { kind: 'hold'; h: HeldReview }
  | { kind: 'lift'; x: DecidedSeparation };

/** Who said "not the same person", and to what. */
const DECISION_WORDS: Record<DecidedSeparation['reason'], string> = {
  hold_rejected: '员工核实后认定这张会员卡不属于该会员',
  match_declined: '会员本人在小程序中确认这张卡不是自己的',
  suggestion_rejected: '员工核实后认定这条合并建议的两条记录不是同一人',
  manual: '总部核实后标记这两份资料不是同一人',
};

/** Why the linker would not join a held card by itself, in the words a store manager checks it by. */
const HOLD_REASONS: Record<HeldReview['reason'], string> = {
  family_phone: '这个手机号登记在多位不同姓名的会员名下，可能是家人共用',
  name_conflict: '姓名与这个手机号上的会员对不上',
  birthday_conflict: '生日与这个手机号上的会员对不上',
  dormant_card: '这张卡三年以上没有使用，手机号可能已被运营商回收给别人',
  ambiguous: '资料不足，无法确定是这个手机号上的哪一位',
  cluster_limit: '这个号码登记的会员太多，系统不自动关联',
  kept_apart: '总部曾确认相关会员是不同的人，需要人工核实',
};

/** The rule that created every suggestion (same name + birthday + district), spelled out field by field. */
function reasons(s: Suggestion): string[] {
  const same = (x: string | null, y: string | null) => x !== null && x !== '' && x === y;
  const out: string[] = [];
  if (same(s.a.name, s.b.name)) out.push('姓名相同');
  if (same(s.a.birthday, s.b.birthday)) out.push('生日相同');
  if (same(s.a.district, s.b.district)) out.push('所在区县相同');
  return out;
}

function differences(s: Suggestion): string[] {
  const differ = (x: string | null, y: string | null) => x !== null && y !== null && x !== y;
  const out: string[] = [];
  if (differ(s.a.phoneMasked, s.b.phoneMasked)) out.push('手机号不同');
  if (s.a.gender !== 'unknown' && s.b.gender !== 'unknown' && s.a.gender !== s.b.gender) out.push('性别不同');
  return out;
}

/** 不是同一人 / confirm: the two answers a reviewer gives, both disabled while one is on its way. */
function DecideButtons({
  busy,
  testid,
  confirm,
  onDecide,
}: {
  busy: boolean;
  testid: string;
  confirm: string;
  onDecide: (d: Decision) => void;
}) {
  return (
    <View className="idr-actions">
      <Button
        className="ml-btn ml-btn--ghost idr-actions__btn"
        disabled={busy}
        onClick={() => onDecide('reject')}
        data-testid={`${testid}-reject`}
      >
        不是同一人
      </Button>
      <Button
        className="ml-btn ml-btn--primary idr-actions__btn"
        disabled={busy}
        onClick={() => onDecide('confirm')}
        data-testid={`${testid}-confirm`}
      >
        {confirm}
      </Button>
    </View>
  );
}

function SuggestionCard({
  s,
  busy,
  onDecide,
}: {
  s: Suggestion;
  busy: boolean;
  onDecide: (s: Suggestion, d: Decision) => void;
}) {
  const why = reasons(s);
  const diff = differences(s);
  const fields = FIELDS.filter((f) => f.value(s.a) || f.value(s.b));
  return (
    <View className="ml-card idr-card" data-testid={`suggestion-${s.id}`}>
      <View className="idr-why" data-testid="suggestion-why">
        <Text className="idr-why__label">建议原因：</Text>
        {why.length ? why.join('、') : '姓名、生日、区县相同'}
        {diff.length ? <Text className="idr-why__diff">（注意：{diff.join('、')}）</Text> : null}
      </View>
      <View className="idr-pair">
        <RecordColumn title="记录 A" r={s.a} other={s.b} fields={fields} note={moreRecords(s.aRecords)} />
        <RecordColumn title="记录 B" r={s.b} other={s.a} fields={fields} note={moreRecords(s.bRecords)} />
      </View>
      <View className="idr-hint">
        {s.aRecords + s.bRecords > 2
          ? `合并的是两位会员的全部 ${s.aRecords + s.bRecords} 条记录，不只这两条：`
          : '合并后'}
        消费、积分和优惠券归到同一位会员名下；如有误，总部可以撤销。
      </View>
      <DecideButtons busy={busy} testid="suggestion" confirm="确认合并" onDecide={(d) => onDecide(s, d)} />
    </View>
  );
}

/** "该会员另有 N 条记录" under a record whose customer has others */
const moreRecords = (n: number) => (n > 1 ? `该会员另有 ${n - 1} 条记录` : undefined);

function HeldCard({
  h,
  busy,
  onDecide,
}: {
  h: HeldReview;
  busy: boolean;
  onDecide: (h: HeldReview, d: Decision) => void;
}) {
  const fields = FIELDS.filter((f) => f.value(h.record) || f.value(h.candidate));
  return (
    <View className="ml-card idr-card" data-testid={`hold-${h.id}`}>
      <View className="idr-why" data-testid="hold-why">
        <Text className="idr-why__label">未自动关联：</Text>
        {HOLD_REASONS[h.reason]}
      </View>
      <View className="idr-pair">
        <RecordColumn title="待核实的记录" r={h.record} other={h.candidate} fields={fields} />
        <RecordColumn
          title="可能属于的会员"
          r={h.candidate}
          other={h.record}
          fields={fields}
          note={moreRecords(h.candidateRecords)}
        />
      </View>
      <View className="idr-hint">
        请向顾客核实（例如来店时核对姓名和生日）后再决定；确认后这张卡的消费和积分归入该会员，如有误总部可以撤销。
      </View>
      <DecideButtons busy={busy} testid="hold" confirm="确认是同一人" onDecide={(d) => onDecide(h, d)} />
    </View>
  );
}

/**
 * A "not the same person" decision (HQ): the two records it keeps apart, who decided and when; while it stands
 * no sync or batch job joins them, and HQ can take it back when it was a mistake.
 */
function DecidedCard({
  x,
  busy,
  onLift,
}: {
  x: DecidedSeparation;
  busy: boolean;
  onLift: (x: DecidedSeparation) => void;
}) {
  const fields = FIELDS.filter((f) => f.value(x.a) || f.value(x.b));
  return (
    <View className="ml-card idr-card" data-testid={`decided-${x.id}`}>
      <View className="idr-why" data-testid="decided-why">
        <Text className="idr-why__label">{x.lifted ? '已撤销：' : '不是同一人：'}</Text>
        {DECISION_WORDS[x.reason]}
      </View>
      <View className="idr-decided__meta">
        {x.decidedByName ?? '会员本人'} · {beijingMinute(x.decidedAt)}
      </View>
      {x.note ? (
        <View className="idr-decided__note" data-testid="decided-note">
          原因：{x.note}
        </View>
      ) : null}
      <View className="idr-pair">
        <RecordColumn title="记录 A" r={x.a} other={x.b} fields={fields} />
        <RecordColumn title="记录 B" r={x.b} other={x.a} fields={fields} />
      </View>
      {x.lifted ? (
        <View className="idr-hint" data-testid="decided-lifted">
          {x.lifted.byName ?? '总部'}于 {beijingMinute(x.lifted.at)} 撤销了这个
          {x.reason === 'manual' ? '标记，这两份资料不再被强制分开。' : '决定，已重新交由会员或店长确认。'}
        </View>
      ) : (
        <>
          <View className="idr-hint">以后的同步和批量关联都不会自动合并这两条记录。如果是误判，可以撤销这个决定。</View>
          <View className="idr-actions">
            <Button
              className="ml-btn ml-btn--ghost idr-actions__btn"
              disabled={busy}
              onClick={() => onLift(x)}
              data-testid="decided-lift"
            >
              撤销这个决定
            </Button>
          </View>
        </>
      )}
    </View>
  );
}

function Empty({ testid, title, text }: { testid: string; title: string; text: string }) {
  return (
    <View className="ml-card idr-empty" data-testid={testid}>
      <View className="idr-empty__icon">✓</View>
      <View className="idr-empty__title">{title}</View>
      <View className="idr-empty__text">{text}</View>
    </View>
  );
}

export default function IdentitySuggestions() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  // opened from 数据对接状态's 待核实会员卡: the held cards
  const [tab, setTab] = useState<Tab>(() =>
    Taro.getCurrentInstance().router?.params?.tab === 'holds' ? 'holds' : 'suggestions',
  );
  const [pending, setPending] = useState<Pending | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const [more, setMore] = useState(false);

  const load = useCallback((phone: string | null) => {
    setState({ kind: 'loading' });
    const page = { phone: phone ?? undefined };
    loadForStaff(
      () =>
        Promise.all([
          identityApi.suggestions(page),
          identityApi.holds(page),
          loadStaffProfile().then((me) => (me.role === 'hq_admin' ? identityApi.separations(page) : null)),
        ]),
      ([s, h, d]) =>
        setState({
          kind: 'ready',
          phone,
          suggestions: listed(s.suggestions, s),
          holds: listed(h.holds, h),
          decided: d ? listed(d.separations, d) : null,
        }),
      (error) => setState({ kind: 'error', error }),
    );
  }, []);

  useEffect(() => load(null), [load]);

  const phone = state.kind === 'ready' ? state.phone : null;
  const search = (p: string | null) => {
    setMessage(null);
    load(p);
  };

  /** a decided suggestion or hold leaves its queue, and the queue's count with it */
  const drop = <T extends { id: string }>(l: Listed<T>, id: string): Listed<T> =>
    l.items.some((x) => x.id === id)
      ? { ...l, items: l.items.filter((x) => x.id !== id), total: l.totalCapped ? l.total : l.total - 1 }
      : l;

  /** HQ's 已确认不是同一人 after a 不是同一人: the new decision is listed there (other lists stay as they are) */
  const refreshDecided = () => {
    if (state.kind !== 'ready' || !state.decided) return;
    identityApi
      .separations({ phone: state.phone ?? undefined })
      .then((d) =>
        setState((st) => (st.kind === 'ready' && st.decided ? { ...st, decided: listed(d.separations, d) } : st)),
      )
      .catch(() => undefined);
  };

  /** both open lists again, as deep as loaded: what a decision settled besides its own card leaves with it */
  const refreshOpen = () => {
    if (state.kind !== 'ready') return;
    const { phone } = state;
    const depth = { suggestions: state.suggestions.items.length, holds: state.holds.items.length };
    Promise.all([refetchTab('suggestions', phone, depth.suggestions), refetchTab('holds', phone, depth.holds)])
      .then(([suggestions, holds]) =>
        setState((st) =>
          st.kind === 'ready' && st.phone === phone
            ? {
                ...st,
                suggestions: suggestions as Listed<Suggestion>,
                holds: holds as Listed<HeldReview>,
              }
            : st,
        ),
      )
      .catch(() => undefined);
  };

  // a second tap (a double click) on the same item while its decision is on the way sends nothing
  const inFlight = useRef(new Set<string>());
  const settle = (id: string, work: () => Promise<string>, apart: boolean) => {
    if (inFlight.current.has(id)) return;
    inFlight.current.add(id);
    setPending(null);
    setBusyId(id);
    setMessage(null);
    work()
      .then((text) => {
        setMessage({ ok: true, text });
        setState((st) =>
          st.kind === 'ready' ? { ...st, suggestions: drop(st.suggestions, id), holds: drop(st.holds, id) } : st,
        );
        if (apart) refreshDecided();
        refreshOpen();
      })
      .catch((error: unknown) => {
        if (isApiError(error) && error.code === 'ALREADY_DECIDED') {
          // settled by an earlier decision (another card of the same person): off the list, said so
          setMessage({ ok: true, text: '这一条已随之前的决定一并处理，已从列表中移除。' });
          setState((st) =>
            st.kind === 'ready' ? { ...st, suggestions: drop(st.suggestions, id), holds: drop(st.holds, id) } : st,
          );
          refreshOpen();
        } else setMessage({ ok: false, text: describeError(error).message });
      })
      .finally(() => {
        inFlight.current.delete(id);
        setBusyId(null);
      });
  };

  const loadMore = (t: Tab) => {
    if (state.kind !== 'ready') return;
    const current = state[t];
    if (!current?.nextCursor) return;
    setMore(true);
    fetchMore(t, { phone: state.phone ?? undefined, cursor: current.nextCursor })
      .then((next) =>
        setState((st) => {
          const l = st.kind === 'ready' ? st[t] : null;
          if (st.kind !== 'ready' || !l) return st;
          // a decision since the first page moved the queue: an item may come twice; show it once
          const seen = new Set(l.items.map((x) => x.id));
          const items = [...l.items, ...next.items.filter((x) => !seen.has(x.id))];
          return { ...st, [t]: { ...next, items } };
        }),
      )
      .catch((error: unknown) => setMessage({ ok: false, text: describeError(error).message }))
      .finally(() => setMore(false));
  };

  const decide = (s: Suggestion, decision: Decision) => {
    const name = s.a.name ?? s.b.name ?? '该会员';
    settle(
      s.id,
      () =>
        identityApi
          .decideSuggestion(s.id, decision)
          .then((r) =>
            r.status === 'confirmed' ? `已合并「${name}」的两条记录` : `已标记「${name}」的两条记录不是同一人`,
          ),
      decision === 'reject',
    );
  };

  const decideHold = (h: HeldReview, decision: Decision) =>
    settle(
      h.id,
      () =>
        identityApi
          .decideHold(h.id, decision)
          .then((r) =>
            r.status === 'confirmed'
              ? `已确认${who(h.record)}属于${h.candidate.name ?? '该会员'}，已合并`
              : `已标记${who(h.record)}不是${h.candidate.name ?? '该会员'}，不再提示`,
          ),
      decision === 'reject',
    );

  // taking a decision back changes nothing by itself, but the hold or suggestion is open again: the lists reload
  const lift = (x: DecidedSeparation) => {
    setPending(null);
    setBusyId(x.id);
    setMessage(null);
    identityApi
      .liftSeparation(x.id)
      .then((r) => {
        load(phone);
        setMessage({
          ok: true,
          text:
            r.reopened === 'hold'
              ? '已撤销「不是同一人」的决定，这张会员卡已重新进入待核实列表'
              : r.reopened === 'suggestion'
                ? '已撤销「不是同一人」的决定，这条合并建议已重新进入待确认列表'
                : '已撤销「不是同一人」的标记，这两份资料不再被强制分开',
        });
      })
      .catch((error: unknown) => setMessage({ ok: false, text: describeError(error).message }))
      .finally(() => setBusyId(null));
  };

  // merging moves purchase history between people: ask first; "not the same person" changes nothing, no dialog
  const onDecide = (s: Suggestion, d: Decision) =>
    d === 'confirm' ? setPending({ kind: 'suggestion', s }) : decide(s, d);
  const onDecideHold = (h: HeldReview, d: Decision) =>
    d === 'confirm' ? setPending({ kind: 'hold', h }) : decideHold(h, d);

  const counts =
    state.kind === 'ready'
      ? {
          suggestions: totalText(state.suggestions),
          holds: totalText(state.holds),
          decided: state.decided ? totalText(state.decided) : '0',
        }
      : null;
  /** the open tab's list, for its 加载更多 */
  const shown: Listed<unknown> | null = state.kind === 'ready' ? state[tab] : null;
  const TABS: { tab: Tab; label: string }[] = [
    { tab: 'suggestions', label: '同名同生日' },
    { tab: 'holds', label: '共用手机号的会员卡' },
    // HQ only: the decisions of every store, to take one back
    ...(state.kind === 'ready' && state.decided ? [{ tab: 'decided' as const, label: '已确认不是同一人' }] : []),
  ];

  const refused = isRefused('identity-suggestions', state.kind === 'error' ? state.error : null);

  return (
    <View className="ml-page ml-console idr-page" data-testid="identity-suggestions">
      <View className="staff-hero">
        <View className="staff-hero__title">会员合并建议</View>
        <View className="staff-hero__sub">系统发现可能是同一人、但不能自动合并的会员记录，请核对后决定</View>
      </View>

      {/* a page the account is not for: no search or tabs over 没有权限 */}
      {refused ? null : (
        <>
          <PhoneSearch
            testid="review"
            placeholder="按顾客手机号查找"
            phone={phone}
            filterText={(masked) => `手机号 ${masked} 相关的记录`}
            onSearch={search}
            onClear={() => search(null)}
          />

          <View className="staff-chips" data-testid="review-tabs">
            {TABS.map((t) => (
              <View
                key={t.tab}
                className={`staff-chip${tab === t.tab ? ' staff-chip--on' : ''}`}
                onClick={() => setTab(t.tab)}
                data-testid={`review-tab-${t.tab}`}
              >
                {t.label}
                {counts ? `（${counts[t.tab]}）` : ''}
              </View>
            ))}
          </View>
        </>
      )}

      {state.kind === 'loading' ? <LoadingCard lines={4} /> : null}
      {state.kind === 'error' ? (
        <StaffErrorCard page="identity-suggestions" error={state.error} onRetry={() => load(phone)} />
      ) : null}

      {message ? (
        <View className={`ml-card idr-result${message.ok ? '' : ' idr-result--bad'}`} data-testid="suggestion-result">
          {message.text}
        </View>
      ) : null}

      {state.kind === 'ready' && tab === 'suggestions' && state.suggestions.total === 0 ? (
        <Empty
          testid="suggestions-empty"
          title={phone ? '这个手机号没有待确认的合并建议' : '暂无待确认的合并建议'}
          text={phone ? '点「查看全部」可回到整个列表。' : '有新的建议时会显示在这里。'}
        />
      ) : null}
      {state.kind === 'ready' && tab === 'holds' && state.holds.total === 0 ? (
        <Empty
          testid="holds-empty"
          title={phone ? '这个手机号没有待核实的会员卡' : '暂无待核实的会员卡'}
          text={phone ? '点「查看全部」可回到整个列表。' : '手机号被多人共用、系统不能确定归属的会员卡会显示在这里。'}
        />
      ) : null}
      {state.kind === 'ready' && tab === 'decided' && state.decided ? (
        <MarkApartCard
          onMarked={(text) => {
            load(phone);
            setMessage({ ok: true, text });
          }}
        />
      ) : null}
      {state.kind === 'ready' && tab === 'decided' && state.decided?.total === 0 && !state.decided.items.length ? (
        <Empty
          testid="decided-empty"
          title={phone ? '这个手机号没有「不是同一人」的决定' : '还没有「不是同一人」的决定'}
          text="店长或会员认定两条记录不是同一人、或总部手动标记后，会显示在这里，可由总部撤销。"
        />
      ) : null}

      {state.kind === 'ready' && tab === 'decided'
        ? state.decided?.items.map((x) => (
            <DecidedCard key={x.id} x={x} busy={busyId === x.id} onLift={(y) => setPending({ kind: 'lift', x: y })} />
          ))
        : null}
      {state.kind === 'ready' && tab === 'suggestions'
        ? state.suggestions.items.map((s) => (
            <SuggestionCard key={s.id} s={s} busy={busyId === s.id} onDecide={onDecide} />
          ))
        : null}
      {state.kind === 'ready' && tab === 'holds'
        ? state.holds.items.map((h) => <HeldCard key={h.id} h={h} busy={busyId === h.id} onDecide={onDecideHold} />)
        : null}

      {shown?.nextCursor ? (
        <View className="idr-more">
          <View className="idr-more__text" data-testid="review-shown">
            {tab === 'decided'
              ? // the list keeps the decisions HQ took back (marked so); the total counts those that stand
                `已显示 ${shown.items.length} 条（含已撤销的决定），仍有效的共 ${totalText(shown)} 条`
              : `已显示 ${shown.items.length} 条，共 ${totalText(shown)} 条`}
          </View>
          <Button
            className="ml-btn ml-btn--ghost"
            disabled={more}
            onClick={() => loadMore(tab)}
            data-testid="review-more"
          >
            {more ? '正在加载…' : '加载更多'}
          </Button>
        </View>
      ) : null}

      {pending ? (
        <View className="staff-mask" data-testid="merge-dialog">
          <View className="idr-dialog">
            <View className="idr-dialog__title">
              {pending.kind === 'suggestion'
                ? '确认合并这两条记录？'
                : pending.kind === 'hold'
                  ? '确认这张卡属于该会员？'
                  : pending.x.reason === 'manual'
                    ? '撤销「不是同一人」的标记？'
                    : '撤销「不是同一人」的决定？'}
            </View>
            <View className="idr-dialog__text">
              {pending.kind === 'suggestion'
                ? `${who(pending.s.a)}${pending.s.aRecords > 1 ? `（连同该会员另外 ${pending.s.aRecords - 1} 条记录）` : ''}与${who(pending.s.b)}${pending.s.bRecords > 1 ? `（连同该会员另外 ${pending.s.bRecords - 1} 条记录）` : ''}将成为同一位会员，消费记录、积分和优惠券随之合并。请确认您已核实是同一人。`
                : pending.kind === 'hold'
                  ? `${who(pending.h.record)}将并入${who(pending.h.candidate)}，消费记录、积分和优惠券随之合并。请确认您已向顾客核实。`
                  : pending.x.reason === 'manual'
                    ? `${who(pending.x.a)}与${who(pending.x.b)}不再被强制分开：以后同步资料时，如有可靠依据（如同一手机号），系统可能把两位合并为同一人。`
                    : `${who(pending.x.a)}与${who(pending.x.b)}不再被强制分开：对应的${pending.x.reason === 'suggestion_rejected' ? '合并建议' : '待核实会员卡'}会重新交由会员或店长确认，此时不会直接合并。`}
            </View>
            <View className="idr-actions">
              <Button
                className="ml-btn ml-btn--ghost idr-actions__btn"
                onClick={() => setPending(null)}
                data-testid="merge-cancel"
              >
                取消
              </Button>
              <Button
                className="ml-btn ml-btn--primary idr-actions__btn"
                onClick={() =>
                  pending.kind === 'suggestion'
                    ? decide(pending.s, 'confirm')
                    : pending.kind === 'hold'
                      ? decideHold(pending.h, 'confirm')
                      : lift(pending.x)
                }
                data-testid="merge-ok"
              >
                {pending.kind === 'lift' ? '确认撤销' : '确认合并'}
              </Button>
            </View>
          </View>
        </View>
      ) : null}
    </View>
  );
}
