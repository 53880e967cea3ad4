import type { DecidedSeparation, HeldReview, RecordView, Suggestion } from '@shared/contracts/identity';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type ErrorView } from '../../../components/describe-error';
import { ErrorCard, LoadingCard } from '../../../components/state-view';
import { identityApi } from '../../../services/identity';
import { loadStaffProfile } from '../../../services/staff';
import { loadForStaff } from '../../staff-load';
import { beijingMinute } from '../integration-health/sources';
import '../../staff.scss';
import './index.scss';

type State =
  | { kind: 'loading' }
  | { kind: 'error'; error: ErrorView }
  /** decided: HQ's list of "not the same person" decisions (null for managers below HQ) */
  | { kind: 'ready'; suggestions: Suggestion[]; holds: HeldReview[]; decided: DecidedSeparation[] | null };
type Decision = 'confirm' | 'reject';
type Tab = 'suggestions' | 'holds' | 'decided';
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
  hold_rejected: '店长核实后认定这张会员卡不属于该会员',
  match_declined: '会员本人在小程序中确认这张卡不是自己的',
  suggestion_rejected: '店长认定这条合并建议的两条记录不是同一人',
};

/** Why the linker would not join a held card by itself, in the words a store manager checks it by. */
const HOLD_REASONS: Record<HeldReview['reason'], string> = {
  family_phone: '这个手机号登记在多位不同姓名的会员名下，可能是家人共用',
  name_conflict: '姓名与这个手机号上的会员对不上',
  birthday_conflict: '同名会员的生日不一致',
  dormant_card: '这张卡三年以上没有使用，手机号可能已被运营商回收给别人',
  ambiguous: '资料不足，无法确定是这个手机号上的哪一位',
  cluster_limit: '这个号码登记的会员太多，系统不自动关联',
  kept_apart: '总部曾确认相关会员是不同的人，需要人工核实',
};

const SOURCE_LABELS: Record<string, string> = {
  pos: '门店收银',
  mall: '线上商城',
  miniprogram: '小程序',
  wechat: '微信',
  wecom: '企业微信',
};
const GENDER_LABELS: Record<string, string> = { male: '男', female: '女' };

const sourceLabel = (source: string) => SOURCE_LABELS[source] ?? source;

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

type FieldKey = 'store' | 'sourceId' | 'name' | 'gender' | 'birthday' | 'phone' | 'district' | 'lastActive';

const FIELDS: { key: FieldKey; label: string; value: (r: RecordView) => string | null }[] = [
  { key: 'store', label: '门店', value: (r) => r.storeName ?? (r.source === 'pos' ? null : '线上') },
  { key: 'sourceId', label: '编号', value: (r) => r.sourceIdMasked },
  { key: 'name', label: '姓名', value: (r) => r.name },
  { key: 'gender', label: '性别', value: (r) => GENDER_LABELS[r.gender] ?? null },
  { key: 'birthday', label: '生日', value: (r) => r.birthday },
  { key: 'phone', label: '手机', value: (r) => r.phoneMasked },
  { key: 'district', label: '区县', value: (r) => r.district },
  { key: 'lastActive', label: '最近活跃', value: (r) => (r.lastActive ? r.lastActive.slice(0, 10) : null) },
];

/** A row neither record has says nothing: it is left out, so both columns stay aligned and short. */
function RecordColumn({
  title,
  r,
  fields,
  note,
}: {
  title: string;
  r: RecordView;
  fields: typeof FIELDS;
  note?: string;
}) {
  return (
    <View className="idr-record" data-testid="suggestion-record">
      <View className="idr-record__head">{title}</View>
      <View className="idr-record__source">{sourceLabel(r.source)}</View>
      {fields.map((f) => (
        <View key={f.key} className="idr-field">
          <Text className="idr-field__label">{f.label}</Text>
          <Text className="idr-field__value">{f.value(r) || '—'}</Text>
        </View>
      ))}
      {note ? <View className="idr-record__note">{note}</View> : null}
    </View>
  );
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
        <RecordColumn title="记录 A" r={s.a} fields={fields} />
        <RecordColumn title="记录 B" r={s.b} fields={fields} />
      </View>
      <View className="idr-hint">合并后两条记录的消费、积分和优惠券归到同一位会员名下；如有误，总部可以撤销。</View>
      <DecideButtons busy={busy} testid="suggestion" confirm="确认合并" onDecide={(d) => onDecide(s, d)} />
    </View>
  );
}

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
  const more = h.candidateRecords - 1;
  return (
    <View className="ml-card idr-card" data-testid={`hold-${h.id}`}>
      <View className="idr-why" data-testid="hold-why">
        <Text className="idr-why__label">未自动关联：</Text>
        {HOLD_REASONS[h.reason]}
      </View>
      <View className="idr-pair">
        <RecordColumn title="待核实的记录" r={h.record} fields={fields} />
        <RecordColumn
          title="可能属于的会员"
          r={h.candidate}
          fields={fields}
          note={more > 0 ? `该会员另有 ${more} 条记录` : undefined}
        />
      </View>
      <View className="idr-hint">
        请向顾客核实（例如来店时核对姓名和生日）后再决定；确认后这张卡的消费和积分归入该会员，如有误总部可以撤销。
      </View>
      <DecideButtons busy={busy} testid="hold" confirm="确认是同一人" onDecide={(d) => onDecide(h, d)} />
    </View>
  );
}

const who = (r: RecordView) => `${r.name ?? '该会员'}（${sourceLabel(r.source)} ${r.sourceIdMasked}）`;

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
      <View className="idr-pair">
        <RecordColumn title="记录 A" r={x.a} fields={fields} />
        <RecordColumn title="记录 B" r={x.b} fields={fields} />
      </View>
      {x.lifted ? (
        <View className="idr-hint" data-testid="decided-lifted">
          {x.lifted.byName ?? '总部'}于 {beijingMinute(x.lifted.at)} 撤销了这个决定，已重新交由会员或店长确认。
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

export default function IdentitySuggestions() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  // opened from 数据对接状态's 待核实会员卡: the held cards
  const [tab, setTab] = useState<Tab>(() =>
    Taro.getCurrentInstance().router?.params?.tab === 'holds' ? 'holds' : 'suggestions',
  );
  const [pending, setPending] = useState<Pending | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    loadForStaff(
      () =>
        Promise.all([
          identityApi.suggestions(),
          identityApi.holds(),
          loadStaffProfile().then((me) => (me.role === 'hq_admin' ? identityApi.separations() : null)),
        ]),
      ([s, h, d]) =>
        setState({ kind: 'ready', suggestions: s.suggestions, holds: h.holds, decided: d?.separations ?? null }),
      (error) => setState({ kind: 'error', error }),
    );
  }, []);

  useEffect(() => load(), [load]);

  const settle = (id: string, work: Promise<string>) => {
    setPending(null);
    setBusyId(id);
    setMessage(null);
    work
      .then((text) => {
        setMessage({ ok: true, text });
        setState((st) =>
          st.kind === 'ready'
            ? {
                ...st,
                suggestions: st.suggestions.filter((x) => x.id !== id),
                holds: st.holds.filter((x) => x.id !== id),
              }
            : st,
        );
      })
      .catch((error: unknown) => setMessage({ ok: false, text: describeError(error).message }))
      .finally(() => setBusyId(null));
  };

  const decide = (s: Suggestion, decision: Decision) => {
    const name = s.a.name ?? s.b.name ?? '该会员';
    settle(
      s.id,
      identityApi
        .decideSuggestion(s.id, decision)
        .then((r) =>
          r.status === 'confirmed' ? `已合并「${name}」的两条记录` : `已标记「${name}」的两条记录不是同一人`,
        ),
    );
  };

  const decideHold = (h: HeldReview, decision: Decision) =>
    settle(
      h.id,
      identityApi
        .decideHold(h.id, decision)
        .then((r) =>
          r.status === 'confirmed'
            ? `已确认${who(h.record)}属于${h.candidate.name ?? '该会员'}，已合并`
            : `已标记${who(h.record)}不是${h.candidate.name ?? '该会员'}，不再提示`,
        ),
    );

  // taking a decision back changes nothing by itself, but the hold or suggestion is open again: the lists reload
  const lift = (x: DecidedSeparation) => {
    setPending(null);
    setBusyId(x.id);
    setMessage(null);
    identityApi
      .liftSeparation(x.id)
      .then((r) => {
        load();
        setMessage({
          ok: true,
          text:
            r.reopened === 'hold'
              ? '已撤销「不是同一人」的决定，这张会员卡已重新进入待核实列表'
              : '已撤销「不是同一人」的决定，这条合并建议已重新进入待确认列表',
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
          suggestions: state.suggestions.length,
          holds: state.holds.length,
          decided: state.decided?.filter((x) => !x.lifted).length ?? 0,
        }
      : null;
  const TABS: { tab: Tab; label: string }[] = [
    { tab: 'suggestions', label: '同名同生日' },
    { tab: 'holds', label: '共用手机号的会员卡' },
    // HQ only: the decisions of every store, to take one back
    ...(state.kind === 'ready' && state.decided ? [{ tab: 'decided' as const, label: '已确认不是同一人' }] : []),
  ];

  return (
    <View className="ml-page idr-page" data-testid="identity-suggestions">
      <View className="staff-hero">
        <View className="staff-hero__title">会员合并建议</View>
        <View className="staff-hero__sub">系统发现可能是同一人、但不能自动合并的会员记录，请核对后决定</View>
      </View>

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

      {state.kind === 'loading' ? <LoadingCard lines={4} /> : null}
      {state.kind === 'error' ? (
        <ErrorCard message={state.error.message} requestId={state.error.requestId} onRetry={load} />
      ) : null}

      {message ? (
        <View className={`ml-card idr-result${message.ok ? '' : ' idr-result--bad'}`} data-testid="suggestion-result">
          {message.text}
        </View>
      ) : null}

      {state.kind === 'ready' && tab === 'suggestions' && state.suggestions.length === 0 ? (
        <View className="ml-card idr-empty" data-testid="suggestions-empty">
          <View className="idr-empty__icon">✓</View>
          <View className="idr-empty__title">暂无待确认的合并建议</View>
          <View className="idr-empty__text">有新的建议时会显示在这里。</View>
        </View>
      ) : null}
      {state.kind === 'ready' && tab === 'holds' && state.holds.length === 0 ? (
        <View className="ml-card idr-empty" data-testid="holds-empty">
          <View className="idr-empty__icon">✓</View>
          <View className="idr-empty__title">暂无待核实的会员卡</View>
          <View className="idr-empty__text">手机号被多人共用、系统不能确定归属的会员卡会显示在这里。</View>
        </View>
      ) : null}

      {state.kind === 'ready' && tab === 'decided' && state.decided?.length === 0 ? (
        <View className="ml-card idr-empty" data-testid="decided-empty">
          <View className="idr-empty__icon">✓</View>
          <View className="idr-empty__title">还没有「不是同一人」的决定</View>
          <View className="idr-empty__text">店长或会员认定两条记录不是同一人后，会显示在这里，可由总部撤销。</View>
        </View>
      ) : null}
      {state.kind === 'ready' && tab === 'decided'
        ? state.decided?.map((x) => (
            <DecidedCard key={x.id} x={x} busy={busyId === x.id} onLift={(y) => setPending({ kind: 'lift', x: y })} />
          ))
        : null}
      {state.kind === 'ready' && tab === 'suggestions'
        ? state.suggestions.map((s) => <SuggestionCard key={s.id} s={s} busy={busyId === s.id} onDecide={onDecide} />)
        : null}
      {state.kind === 'ready' && tab === 'holds'
        ? state.holds.map((h) => <HeldCard key={h.id} h={h} busy={busyId === h.id} onDecide={onDecideHold} />)
        : null}

      {pending ? (
        <View className="idr-mask" data-testid="merge-dialog">
          <View className="idr-dialog">
            <View className="idr-dialog__title">
              {pending.kind === 'suggestion'
                ? '确认合并这两条记录？'
                : pending.kind === 'hold'
                  ? '确认这张卡属于该会员？'
                  : '撤销「不是同一人」的决定？'}
            </View>
            <View className="idr-dialog__text">
              {pending.kind === 'suggestion'
                ? `${who(pending.s.a)}与${who(pending.s.b)}将成为同一位会员，消费记录、积分和优惠券随之合并。请确认您已核实是同一人。`
                : pending.kind === 'hold'
                  ? `${who(pending.h.record)}将并入${who(pending.h.candidate)}，消费记录、积分和优惠券随之合并。请确认您已向顾客核实。`
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
