import type { RecordView, Suggestion } from '@shared/contracts/identity';
import { Button, Text, View } from '@tarojs/components';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type ErrorView } from '../../../components/describe-error';
import { ErrorCard, LoadingCard } from '../../../components/state-view';
import { identityApi } from '../../../services/identity';
import { loadForStaff } from '../../staff-load';
import '../../staff.scss';
import './index.scss';

type State = { kind: 'loading' } | { kind: 'error'; error: ErrorView } | { kind: 'ready'; suggestions: Suggestion[] };
type Decision = 'confirm' | 'reject';

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
function RecordColumn({ title, r, fields }: { title: string; r: RecordView; fields: typeof FIELDS }) {
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
      <View className="idr-actions">
        <Button
          className="ml-btn ml-btn--ghost idr-actions__btn"
          disabled={busy}
          onClick={() => onDecide(s, 'reject')}
          data-testid="suggestion-reject"
        >
          不是同一人
        </Button>
        <Button
          className="ml-btn ml-btn--primary idr-actions__btn"
          disabled={busy}
          onClick={() => onDecide(s, 'confirm')}
          data-testid="suggestion-confirm"
        >
          确认合并
        </Button>
      </View>
    </View>
  );
}

export default function IdentitySuggestions() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [pending, setPending] = useState<Suggestion | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    loadForStaff(
      () => identityApi.suggestions(),
      (r) => setState({ kind: 'ready', suggestions: r.suggestions }),
      (error) => setState({ kind: 'error', error }),
    );
  }, []);

  useEffect(load, []);

  const decide = (s: Suggestion, decision: Decision) => {
    setPending(null);
    setBusyId(s.id);
    setMessage(null);
    identityApi
      .decideSuggestion(s.id, decision)
      .then((r) => {
        const who = s.a.name ?? s.b.name ?? '该会员';
        setMessage({
          ok: true,
          text: r.status === 'confirmed' ? `已合并「${who}」的两条记录` : `已标记「${who}」的两条记录不是同一人`,
        });
        setState((st) =>
          st.kind === 'ready' ? { kind: 'ready', suggestions: st.suggestions.filter((x) => x.id !== s.id) } : st,
        );
      })
      .catch((error: unknown) => setMessage({ ok: false, text: describeError(error).message }))
      .finally(() => setBusyId(null));
  };

  // merging moves purchase history between people: ask first; "not the same person" changes nothing, no dialog
  const onDecide = (s: Suggestion, d: Decision) => (d === 'confirm' ? setPending(s) : decide(s, d));

  return (
    <View className="ml-page idr-page" data-testid="identity-suggestions">
      <View className="staff-hero">
        <View className="staff-hero__title">会员合并建议</View>
        <View className="staff-hero__sub">系统发现可能是同一人的两条会员记录，请核对后决定</View>
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

      {state.kind === 'ready' && state.suggestions.length === 0 ? (
        <View className="ml-card idr-empty" data-testid="suggestions-empty">
          <View className="idr-empty__icon">✓</View>
          <View className="idr-empty__title">暂无待确认的合并建议</View>
          <View className="idr-empty__text">有新的建议时会显示在这里。</View>
        </View>
      ) : null}

      {state.kind === 'ready'
        ? state.suggestions.map((s) => <SuggestionCard key={s.id} s={s} busy={busyId === s.id} onDecide={onDecide} />)
        : null}

      {pending ? (
        <View className="idr-mask" data-testid="merge-dialog">
          <View className="idr-dialog">
            <View className="idr-dialog__title">确认合并这两条记录？</View>
            <View className="idr-dialog__text">
              {pending.a.name ?? '该会员'}（{sourceLabel(pending.a.source)} {pending.a.sourceIdMasked}）与
              {pending.b.name ?? '该会员'}（{sourceLabel(pending.b.source)} {pending.b.sourceIdMasked}
              ）将成为同一位会员，消费记录、积分和优惠券随之合并。请确认您已核实是同一人。
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
                onClick={() => decide(pending, 'confirm')}
                data-testid="merge-ok"
              >
                确认合并
              </Button>
            </View>
          </View>
        </View>
      ) : null}
    </View>
  );
}
