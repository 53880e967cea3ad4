import type { MergeItem, MergeSide } from '@shared/contracts/identity';
import { Button, Text, View } from '@tarojs/components';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { describeError } from '../../../components/describe-error';
import { PhoneSearch } from '../../../components/phone-search';
import { LoadingCard } from '../../../components/state-view';
import { identityApi } from '../../../services/identity';
import { isRefused, StaffErrorCard } from '../../staff-error';
import { loadForStaff, type StaffLoadError } from '../../staff-load';
import '../../staff.scss';
import './index.scss';

type State =
  | { kind: 'loading' }
  | { kind: 'error'; error: StaffLoadError }
  | { kind: 'ready'; merges: MergeItem[]; nextCursor: string | null; phone: string | null };

const KIND_LABELS: Record<MergeItem['kind'], string> = {
  bulk: '批量关联',
  incremental: '实时关联',
  staff_confirmed: '员工确认',
  member_confirmed: '会员确认',
};

const SOURCE_LABELS: Record<string, string> = {
  pos: '门店会员卡',
  mall: '商城账号',
  miniprogram: '小程序',
  wechat: '微信',
  wecom: '企业微信',
};

/** What moved, in the words and counters a pharmacy uses; a table not listed here shows by name. */
const MOVED_LABELS: Record<string, { label: string; unit: string }> = {
  source_records: { label: '会员记录', unit: '条' },
  orders: { label: '订单', unit: '笔' },
  coupons: { label: '优惠券', unit: '张' },
  coupon_redemptions: { label: '核销记录', unit: '条' },
  member_codes: { label: '会员码', unit: '个' },
};

/** Beijing time (UTC+8, no daylight saving) without relying on the runtime's Intl data. */
const beijing = (iso: string): string =>
  new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

const movedText = (m: MergeItem): string =>
  m.moved.length
    ? m.moved
        .map((x) => {
          const l = MOVED_LABELS[x.table];
          return l ? `${l.label} ${x.count} ${l.unit}` : `${x.table} ${x.count}`;
        })
        .join('、')
    : '无';

const sideName = (s: MergeSide) => s.nameMasked ?? '未留姓名';

/** 林**（商城账号 ma****gp）: two sides of one person often share a masked name, their records tell them apart. */
const sideWho = (s: MergeSide) => {
  const r = s.records[0];
  return r ? `${sideName(s)}（${SOURCE_LABELS[r.source] ?? r.source} ${r.sourceIdMasked}）` : sideName(s);
};

function SideColumn({ title, s, testid }: { title: string; s: MergeSide; testid: string }) {
  return (
    <View className="mg-side" data-testid={testid}>
      <View className="mg-side__head">{title}</View>
      <View className="mg-side__name">{sideName(s)}</View>
      <View className="mg-side__phones">{s.phonesMasked.length ? s.phonesMasked.join('\n') : '无手机号'}</View>
      {s.records.map((r) => (
        <View key={`${r.source}-${r.sourceIdMasked}`} className="mg-rec">
          <Text className="mg-rec__source">{SOURCE_LABELS[r.source] ?? r.source}</Text>
          <Text className="mg-rec__id">{r.sourceIdMasked}</Text>
          {r.storeName ? <Text className="mg-rec__store">{r.storeName}</Text> : null}
        </View>
      ))}
      {s.recordCount > s.records.length ? (
        <View className="mg-rec mg-rec__more">另有 {s.recordCount - s.records.length} 条记录</View>
      ) : null}
      {s.recordCount === 0 ? <View className="mg-rec mg-rec__more">没有会员记录</View> : null}
    </View>
  );
}

function MergeCard({
  m,
  busy,
  onUndo,
  onRestore,
}: {
  m: MergeItem;
  busy: boolean;
  onUndo: (m: MergeItem) => void;
  onRestore: (m: MergeItem) => void;
}) {
  return (
    <View className={`ml-card mg-card${m.undone ? ' mg-card--undone' : ''}`} data-testid={`merge-${m.id}`}>
      <View className="mg-card__head">
        <Text className={`mg-badge mg-badge--${m.kind}`}>{KIND_LABELS[m.kind]}</Text>
        <Text className="mg-card__time">{beijing(m.createdAt)}</Text>
      </View>
      <View className="mg-why" data-testid="merge-why">
        <Text className="mg-why__label">合并依据：</Text>
        {m.evidence.text}
      </View>
      <View className="mg-pair">
        <SideColumn title="保留的会员" s={m.survivor} testid="merge-survivor" />
        <SideColumn title="并入的会员" s={m.merged} testid="merge-merged" />
      </View>
      <View className="staff-row mg-row">
        <Text className="staff-row__label">操作人</Text>
        <Text>{m.actor.name}</Text>
      </View>
      <View className="staff-row mg-row">
        <Text className="staff-row__label">随合并转移</Text>
        <Text className="mg-row__value">{movedText(m)}</Text>
      </View>
      {m.undone ? (
        <View className="mg-undone" data-testid="merge-undone">
          <View>
            已撤销 · {beijing(m.undone.at)}
            {m.undone.byName ? ` · ${m.undone.byName}` : ''}
          </View>
          {m.undone.keptApart ? (
            <View className="mg-undone__apart" data-testid="merge-kept-apart">
              已确认是两个人：以后同步或批量关联都不会再自动合并他们
            </View>
          ) : null}
          {m.undone.restored ? (
            <View className="mg-undone__apart" data-testid="merge-restored">
              {beijing(m.undone.restored.at)}
              {m.undone.restored.byName ? ` · ${m.undone.restored.byName}` : ''} 已恢复合并
            </View>
          ) : null}
          {m.undone.keptApart ? (
            <Button
              className="ml-btn ml-btn--ghost mg-restore"
              disabled={busy}
              onClick={() => onRestore(m)}
              data-testid="merge-restore"
            >
              {busy ? '正在恢复…' : '撤销有误？恢复合并'}
            </Button>
          ) : null}
        </View>
      ) : (
        <Button
          className="ml-btn ml-btn--danger mg-undo"
          disabled={busy}
          onClick={() => onUndo(m)}
          data-testid="merge-undo"
        >
          {busy ? '正在撤销…' : '撤销合并'}
        </Button>
      )}
    </View>
  );
}

/** A decision that moves a person's history asks first: what will happen, 取消 or the action. */
function ConfirmDialog({
  testid,
  title,
  ok,
  onCancel,
  onOk,
  children,
}: {
  testid: string;
  title: string;
  ok: string;
  onCancel: () => void;
  onOk: () => void;
  children: ReactNode;
}) {
  return (
    <View className="staff-mask" data-testid={`${testid}-dialog`}>
      <View className="mg-dialog">
        <View className="mg-dialog__title">{title}</View>
        {children}
        <View className="mg-actions">
          <Button className="ml-btn ml-btn--ghost mg-actions__btn" onClick={onCancel} data-testid={`${testid}-cancel`}>
            取消
          </Button>
          <Button className="ml-btn ml-btn--primary mg-actions__btn" onClick={onOk} data-testid={`${testid}-ok`}>
            {ok}
          </Button>
        </View>
      </View>
    </View>
  );
}

export default function IdentityMerges() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [pending, setPending] = useState<MergeItem | null>(null);
  const [pendingRestore, setPendingRestore] = useState<MergeItem | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const load = useCallback((phone: string | null) => {
    setState({ kind: 'loading' });
    loadForStaff(
      () => identityApi.merges({ phone: phone ?? undefined }),
      (r) => setState({ kind: 'ready', merges: r.merges, nextCursor: r.nextCursor, phone }),
      (error) => setState({ kind: 'error', error }),
    );
  }, []);

  useEffect(() => load(null), [load]);

  const currentPhone = state.kind === 'ready' ? state.phone : null;

  const search = (phone: string | null) => {
    setMessage(null);
    load(phone);
  };

  const loadMore = () => {
    if (state.kind !== 'ready' || !state.nextCursor) return;
    setMore(true);
    identityApi
      .merges({ phone: state.phone ?? undefined, cursor: state.nextCursor })
      .then((r) =>
        setState((st) =>
          st.kind === 'ready' ? { ...st, merges: [...st.merges, ...r.merges], nextCursor: r.nextCursor } : st,
        ),
      )
      .catch((error: unknown) => setMessage({ ok: false, text: describeError(error).message }))
      .finally(() => setMore(false));
  };

  const undo = (m: MergeItem) => {
    setPending(null);
    setBusyId(m.id);
    setMessage(null);
    identityApi
      .undoMerge(m.id)
      .then((r) => {
        setMessage({
          ok: true,
          text: `已撤销合并（${beijing(r.undoneAt)}）：${sideWho(m.merged)}已恢复为单独的会员`,
        });
        load(currentPhone);
      })
      .catch((error: unknown) => setMessage({ ok: false, text: describeError(error).message }))
      .finally(() => setBusyId(null));
  };

  const restore = (m: MergeItem) => {
    setPendingRestore(null);
    setBusyId(m.id);
    setMessage(null);
    identityApi
      .restoreMerge(m.id)
      .then((r) => {
        setMessage({
          ok: true,
          text: `已恢复合并（${beijing(r.restoredAt)}）：${sideWho(m.merged)}与${sideWho(m.survivor)}重新合并为一位会员`,
        });
        load(currentPhone);
      })
      .catch((error: unknown) => setMessage({ ok: false, text: describeError(error).message }))
      .finally(() => setBusyId(null));
  };

  const refused = isRefused('identity-merges', state.kind === 'error' ? state.error : null);

  return (
    <View className="ml-page mg-page" data-testid="identity-merges">
      <View className="staff-hero">
        <View className="staff-hero__title">会员合并记录</View>
        <View className="staff-hero__sub">合并过的会员及依据，有误可撤销</View>
      </View>

      {/* a page the account is not for: no search over 没有权限 */}
      {refused ? null : (
        <PhoneSearch
          testid="merges"
          placeholder="按会员手机号查找"
          phone={currentPhone}
          filterText={(masked) => `手机号 ${masked} 的合并记录`}
          onSearch={search}
          onClear={() => search(null)}
        />
      )}

      {message ? (
        <View className={`ml-card mg-result${message.ok ? '' : ' mg-result--bad'}`} data-testid="merge-result">
          {message.text}
        </View>
      ) : null}

      {state.kind === 'loading' ? <LoadingCard lines={4} /> : null}
      {state.kind === 'error' ? (
        <StaffErrorCard page="identity-merges" error={state.error} onRetry={() => load(null)} />
      ) : null}

      {state.kind === 'ready' && state.merges.length === 0 ? (
        <View className="ml-card mg-empty" data-testid="merges-empty">
          <View className="mg-empty__title">{state.phone ? '这个手机号没有合并记录' : '还没有合并记录'}</View>
          <View className="mg-empty__text">
            {state.phone ? '请确认手机号，或查看全部合并记录。' : '系统或员工合并会员后，会显示在这里。'}
          </View>
        </View>
      ) : null}

      {state.kind === 'ready'
        ? state.merges.map((m) => (
            <MergeCard key={m.id} m={m} busy={busyId === m.id} onUndo={setPending} onRestore={setPendingRestore} />
          ))
        : null}

      {state.kind === 'ready' && state.nextCursor ? (
        <Button className="ml-btn ml-btn--ghost" disabled={more} onClick={loadMore} data-testid="merges-more">
          {more ? '正在加载…' : '加载更多'}
        </Button>
      ) : null}

      {pending ? (
        <ConfirmDialog
          testid="undo"
          title="撤销这次合并？"
          ok="确认撤销"
          onCancel={() => setPending(null)}
          onOk={() => undo(pending)}
        >
          <View className="mg-dialog__text">
            {sideWho(pending.merged)}将与{sideWho(pending.survivor)}重新分开，成为两位会员。合并时转移的
            {movedText(pending)}会回到{sideName(pending.merged)}名下，积分和优惠券随之归还。
          </View>
          <View className="mg-dialog__text">
            系统会记住这是两个人：以后门店或商城再次同步、批量关联、会员或店长确认，都不会再把他们合并。撤销会记入审计日志。
          </View>
        </ConfirmDialog>
      ) : null}

      {pendingRestore ? (
        <ConfirmDialog
          testid="restore"
          title="恢复这次合并？"
          ok="确认恢复"
          onCancel={() => setPendingRestore(null)}
          onOk={() => restore(pendingRestore)}
        >
          <View className="mg-dialog__text">
            {sideWho(pendingRestore.merged)}将与{sideWho(pendingRestore.survivor)}
            重新合并为一位会员，双方的订单、积分和优惠券归入同一会员名下；系统也不再把他们当作两个人分开。恢复会记入审计日志，之后仍可撤销。
          </View>
        </ConfirmDialog>
      ) : null}
    </View>
  );
}
