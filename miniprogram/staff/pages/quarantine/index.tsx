/**
 * 隔离的异常数据 (HQ): what a till, the mall, WeCom or a file import sent that could not be taken in, newest first,
 * with the reason, so whoever looks after that system can fix it at its source and send it again. An item leaves the
 * list by itself once its source sends the same record or order again and it is taken in (the page says how many did
 * in the last week); 标记已处理 takes off one there is nothing to re-send for. Ids and reasons only, never what the
 * record held.
 */
import type { QuarantineItem, QuarantineResponse } from '@shared/contracts/identity';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../../components/describe-error';
import { LoadingCard } from '../../../components/state-view';
import { isSessionError } from '../../../services/api-error';
import { identityApi } from '../../../services/identity';
import { isRefused, StaffErrorCard } from '../../staff-error';
import { leaveStaffSession, loadForStaff, type StaffLoadError } from '../../staff-load';
import { beijingMinute, SOURCE_LABELS } from '../integration-health/sources';
import '../../staff.scss';
import './index.scss';

type State =
  | { kind: 'loading' }
  | { kind: 'error'; error: StaffLoadError }
  | { kind: 'ready'; items: QuarantineItem[]; nextCursor: string | null; open: number; resent: number };

const KIND_LABELS: Record<QuarantineItem['kind'], string> = { record: '会员资料', order: '订单' };

function Item({ item, onResolved }: { item: QuarantineItem; onResolved: (id: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const resolve = () => {
    setBusy(true);
    setError(null);
    identityApi
      .resolveQuarantined(item.id)
      .then(() => onResolved(item.id))
      .catch((e: unknown) => {
        if (isSessionError(e)) leaveStaffSession();
        else {
          setError(describeError(e).message);
          setBusy(false);
        }
      });
  };
  return (
    <View className="ml-card qr-item" data-testid="quarantine-item">
      <View className="qr-item__head">
        <Text className="qr-item__source">
          {SOURCE_LABELS[item.source] ?? item.source} · {KIND_LABELS[item.kind]}
        </Text>
        <Text className="qr-item__time">{beijingMinute(item.at)}</Text>
      </View>
      <View className="qr-item__id">
        {item.kind === 'order' ? '单号' : '编号'} {item.sourceId ?? '（缺失）'}
        {item.keyId ? ` · ${item.senderStoreName ?? SOURCE_LABELS[item.source] ?? item.source}接口上传` : ' · 文件导入'}
      </View>
      <View className="qr-item__reason">
        <View className="qr-item__reason-label">拒收原因</View>
        <View data-testid="quarantine-explanation">{item.explanation ?? item.reason}</View>
        {item.explanation ? (
          <View className="qr-item__original">
            <Text className="qr-item__original-label">系统原文（可转给该系统的服务商）：</Text>
            {item.reason}
          </View>
        ) : null}
      </View>
      {error ? <View className="qr-item__error">{error}</View> : null}
      <Button
        className="ml-btn ml-btn--ghost qr-item__done"
        disabled={busy}
        onClick={resolve}
        data-testid="quarantine-resolve"
      >
        {busy ? '处理中…' : '标记已处理'}
      </Button>
    </View>
  );
}

/** the sources a partner or a file sends from: the list can be narrowed to one */
const FILTERS: { source: string | null; label: string }[] = [
  { source: null, label: '全部' },
  { source: 'pos', label: '门店收银' },
  { source: 'mall', label: '线上商城' },
  { source: 'wecom', label: '企业微信' },
];

export default function Quarantine() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [more, setMore] = useState(false);
  // opened from a source's card on 数据对接状态: that source's items
  const [source, setSource] = useState<string | null>(() => {
    const asked = Taro.getCurrentInstance().router?.params?.source;
    return asked && FILTERS.some((f) => f.source === asked) ? asked : null;
  });

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    loadForStaff(
      () => identityApi.quarantine({ source: source ?? undefined }),
      (page: QuarantineResponse) =>
        setState({
          kind: 'ready',
          items: page.items,
          nextCursor: page.nextCursor,
          open: page.open,
          resent: page.resentLastWeek,
        }),
      (error) => setState({ kind: 'error', error }),
    );
  }, [source]);

  useEffect(() => load(), [load]);

  const loadMore = (cursor: string) => {
    setMore(true);
    loadForStaff(
      () => identityApi.quarantine({ source: source ?? undefined, cursor }),
      (page) => {
        setMore(false);
        setState((s) =>
          s.kind === 'ready'
            ? { ...s, items: [...s.items, ...page.items], nextCursor: page.nextCursor, open: page.open }
            : s,
        );
      },
      (error) => {
        setMore(false);
        setState({ kind: 'error', error });
      },
    );
  };

  const resolved = (id: string) =>
    setState((s) =>
      s.kind === 'ready' ? { ...s, items: s.items.filter((i) => i.id !== id), open: Math.max(0, s.open - 1) } : s,
    );

  const refused = isRefused('quarantine', state.kind === 'error' ? state.error : null);

  return (
    <View className="ml-page ml-console" data-testid="quarantine">
      <View className="staff-hero">
        <View className="staff-hero__title">隔离的异常数据</View>
        <View className="staff-hero__sub">
          外部系统送来但无法接收的会员资料和订单，请按原因在源系统中更正后重新提交
        </View>
      </View>
      {/* a page the account is not for: no filters over 没有权限 */}
      {refused ? null : (
        <View className="staff-chips" data-testid="quarantine-filters">
          {FILTERS.map((f) => (
            <View
              key={f.label}
              className={`staff-chip${source === f.source ? ' staff-chip--on' : ''}`}
              onClick={() => setSource(f.source)}
              data-testid={`quarantine-filter-${f.source ?? 'all'}`}
            >
              {f.label}
            </View>
          ))}
        </View>
      )}
      {state.kind === 'loading' ? <LoadingCard lines={3} /> : null}
      {state.kind === 'error' ? <StaffErrorCard page="quarantine" error={state.error} onRetry={load} /> : null}
      {state.kind === 'ready' ? (
        <>
          <View className="qr-count" data-testid="quarantine-open">
            {state.open > 0
              ? `${source ? `${FILTERS.find((f) => f.source === source)?.label}：` : ''}待处理 ${state.open} 条`
              : `${source ? `${FILTERS.find((f) => f.source === source)?.label}：` : ''}没有待处理的异常数据`}
          </View>
          <View className="qr-note" data-testid="quarantine-resent">
            {state.resent > 0
              ? `近7天有 ${state.resent} 条已由源系统更正后重新提交并成功接收，已自动移出列表`
              : '源系统更正后重新提交同一单号或会员编号，接收成功后该条会自动移出列表'}
          </View>
          {state.items.map((item) => (
            <Item key={item.id} item={item} onResolved={resolved} />
          ))}
          {state.nextCursor ? (
            <Button
              className="ml-btn ml-btn--ghost"
              disabled={more}
              onClick={() => loadMore(state.nextCursor as string)}
            >
              {more ? '加载中…' : '加载更多'}
            </Button>
          ) : null}
        </>
      ) : null}
    </View>
  );
}
