/**
 * 数据质量: the latest data-quality report per source (valid phones, duplicates, completeness of key fields), with
 * the change since the report before it and a hint where a figure points at a fixable cause. HQ recomputes it on
 * demand (the server returns the last minute's report instead of computing twice).
 */
import type { DataQualityReport, QualityResponse, SourceQuality, StoreQuality } from '@shared/contracts/identity';
import { Button, Text, View } from '@tarojs/components';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type ErrorView } from '../../../components/describe-error';
import { ErrorCard, LoadingCard } from '../../../components/state-view';
import { isSessionError } from '../../../services/api-error';
import { identityApi } from '../../../services/identity';
import {
  BLOCKED_HINT,
  Delta,
  INVALID_HINT,
  PhoneBar,
  pct,
  StoreLine,
  share,
  thousands,
  ValidShareLine,
  worstFirst,
} from '../../quality-format';
import { beijingMinute, SOURCE_LABELS } from './sources';

type State =
  | { kind: 'loading' }
  | { kind: 'error'; error: ErrorView }
  | { kind: 'ready'; quality: QualityResponse; refreshing: boolean; refreshError: string | null };

const FIELDS: { key: keyof SourceQuality['completeness']; label: string }[] = [
  { key: 'realName', label: '真实姓名' },
  { key: 'birthday', label: '生日' },
  { key: 'gender', label: '性别' },
  { key: 'city', label: '地址（市）' },
  { key: 'store', label: '所属门店' },
  { key: 'lastActive', label: '最近活跃' },
];

const byWorst = (a: StoreQuality, b: StoreQuality) =>
  worstFirst(a, b) || b.records - a.records || a.storeName.localeCompare(b.storeName);
const STORES_SHOWN = 5;

/**
 * 各门店录入: one line per store for a source typed at the counter, worst first, so HQ knows whose clerks to coach.
 * The first five, then all of them on request (a chain has dozens).
 */
function StoreLines({ stores }: { stores: StoreQuality[] }) {
  const [all, setAll] = useState(false);
  if (stores.length < 2) return null;
  const sorted = [...stores].sort(byWorst);
  const shown = all ? sorted : sorted.slice(0, STORES_SHOWN);
  return (
    <View className="dq-stores" data-testid="quality-stores">
      <View className="dq-stores__title">各门店录入（手机号不可用的占比从高到低）</View>
      {shown.map((x) => (
        <StoreLine
          key={x.storeId}
          name={x.storeName}
          region={x.regionName}
          f={x}
          testId={`quality-store-${x.storeId}`}
        />
      ))}
      {sorted.length > STORES_SHOWN ? (
        <View className="dq-stores__more" onClick={() => setAll(!all)} data-testid="quality-stores-toggle">
          {all ? '收起' : `查看全部 ${sorted.length} 家门店`}
        </View>
      ) : null}
    </View>
  );
}

/** "西湖文三店 12 条、滨江店 5 条": the stores most of a source's placeholders come from. */
function topBlockedStores(stores: StoreQuality[] | undefined): string {
  const top = (stores ?? [])
    .filter((x) => x.phones.blocked > 0)
    .sort((a, b) => b.phones.blocked - a.phones.blocked)
    .slice(0, 3);
  return top.map((x) => `${x.storeName} ${thousands(x.phones.blocked)} 条`).join('、');
}

function SourceQualityCard({ q, before }: { q: SourceQuality; before: SourceQuality | undefined }) {
  const invalidShare = share(q.phones.invalid, q.records) ?? 0;
  const blockedShare = share(q.phones.blocked, q.records) ?? 0;
  const sharedShare = share(q.duplicates.sharedPhone, q.records);
  const hints: string[] = [];
  if (invalidShare > INVALID_HINT)
    hints.push(`无效手机号占 ${pct(invalidShare)}，多半是字段映射或导出格式有误，请核对该来源的字段配置。`);
  if (blockedShare > BLOCKED_HINT) {
    const where = topBlockedStores(q.stores);
    hints.push(
      `${thousands(q.phones.blocked)} 条登记的是占位号或门店电话${where ? `（最多的门店：${where}）` : ''}，请提醒收银员登记顾客本人手机号。`,
    );
  }
  const orders = q.orders;
  if (orders && orders.waitingForMember > 0)
    hints.push(
      `${thousands(orders.waitingForMember)} 笔订单的会员号在该来源的会员资料里找不到，多半是会员资料导出不全：补导会员资料后，这些订单会自动归到会员名下。`,
    );
  return (
    <View className="ml-card dq-source" data-testid={`quality-${q.source}`}>
      <View className="dq-source__head">
        <Text className="dq-source__name">{SOURCE_LABELS[q.source] ?? q.source}</Text>
        <Text className="dq-source__count">{thousands(q.records)} 条记录</Text>
      </View>

      <ValidShareLine label="手机号有效率" now={q} before={before} />
      <PhoneBar phones={q.phones} />
      {q.phones.verified > 0 ? <View className="dq-note">其中 {thousands(q.phones.verified)} 个经微信验证</View> : null}

      <View className="staff-row">
        <Text className="staff-row__label">同一手机号多条记录</Text>
        <Text>
          {pct(sharedShare)}（{thousands(q.duplicates.sharedPhone)} 条）
          <Delta
            now={sharedShare}
            before={before ? share(before.duplicates.sharedPhone, before.records) : undefined}
            higherIsBetter={false}
          />
        </Text>
      </View>
      <View className="staff-row">
        <Text className="staff-row__label">已识别为同一顾客</Text>
        <Text>
          {pct(share(q.duplicates.sameCustomer, q.records))}（{thousands(q.duplicates.sameCustomer)} 条）
        </Text>
      </View>
      {q.emails.valid + q.emails.invalid > 0 ? (
        <View className="staff-row">
          <Text className="staff-row__label">邮箱 有效 / 无效</Text>
          <Text className={q.emails.invalid > 0 ? 'hl-bad' : ''}>
            {thousands(q.emails.valid)} / {thousands(q.emails.invalid)}
          </Text>
        </View>
      ) : null}

      {orders ? (
        <View className="staff-row" data-testid={`quality-orders-${q.source}`}>
          <Text className="staff-row__label">订单</Text>
          <Text className={orders.waitingForMember > 0 ? 'hl-bad' : ''}>
            {thousands(orders.total)} 笔 · 非会员 {pct(share(orders.withoutMember, orders.total))} · 待匹配会员{' '}
            {thousands(orders.waitingForMember)} 笔
          </Text>
        </View>
      ) : null}

      <View className="dq-fields">
        {FIELDS.map((f) => {
          const s = share(q.completeness[f.key], q.records) ?? 0;
          return (
            <View key={f.key} className="dq-field">
              <View className="dq-field__pct">{pct(s)}</View>
              <View className="dq-field__track">
                <View className="dq-field__fill" style={{ width: `${Math.round(100 * s)}%` }} />
              </View>
              <View className="dq-field__label">{f.label}</View>
            </View>
          );
        })}
      </View>
      {hints.map((h) => (
        <View key={h} className="dq-hint">
          {h}
        </View>
      ))}
      {q.stores ? <StoreLines stores={q.stores} /> : null}
    </View>
  );
}

function ReportMeta({ report }: { report: DataQualityReport }) {
  return (
    <View className="dq-meta" data-testid="quality-meta">
      计算于 {beijingMinute(report.computedAt)}
      {report.computedByName
        ? ` · ${report.computedByName}`
        : report.trigger === 'schedule'
          ? ' · 每日凌晨自动计算'
          : ' · 批量导入后自动计算'}{' '}
      · 用时 {report.durationMs < 1000 ? `${report.durationMs} 毫秒` : `${(report.durationMs / 1000).toFixed(1)} 秒`}
    </View>
  );
}

export function QualitySection({ onSessionLost }: { onSessionLost: () => void }) {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    identityApi
      .quality()
      .then((quality) => setState({ kind: 'ready', quality, refreshing: false, refreshError: null }))
      .catch((error: unknown) => {
        if (isSessionError(error)) onSessionLost();
        else setState({ kind: 'error', error: describeError(error) });
      });
  }, [onSessionLost]);

  useEffect(load, []);

  const recompute = () => {
    if (state.kind !== 'ready' || state.refreshing) return;
    setState({ ...state, refreshing: true, refreshError: null });
    identityApi
      .refreshQuality()
      .then(({ report, computed }) =>
        setState((s) =>
          s.kind !== 'ready'
            ? s
            : {
                kind: 'ready',
                refreshing: false,
                refreshError: null,
                // a report from the last minute comes back as it was: the one before it stays the comparison
                quality: computed ? { report, previous: s.quality.report } : s.quality,
              },
        ),
      )
      .catch((error: unknown) => {
        if (isSessionError(error)) onSessionLost();
        else
          setState((s) =>
            s.kind === 'ready' ? { ...s, refreshing: false, refreshError: describeError(error).message } : s,
          );
      });
  };

  return (
    <View data-testid="quality">
      <View className="ml-section-title">数据质量</View>
      {state.kind === 'loading' ? <LoadingCard lines={3} /> : null}
      {state.kind === 'error' ? (
        <ErrorCard message={state.error.message} requestId={state.error.requestId} onRetry={load} />
      ) : null}
      {state.kind === 'ready' ? (
        <>
          {state.quality.report ? (
            <>
              <ReportMeta report={state.quality.report} />
              {state.quality.report.sources.length === 0 ? (
                <View className="ml-card dq-empty">还没有任何来源的会员数据。</View>
              ) : null}
              {state.quality.report.sources.map((q) => (
                <SourceQualityCard
                  key={q.source}
                  q={q}
                  before={state.quality.previous?.sources.find((b) => b.source === q.source)}
                />
              ))}
            </>
          ) : (
            <View className="ml-card dq-empty" data-testid="quality-empty">
              还没有数据质量报告。计算会扫描全部会员记录，百万会员约需 8 秒。
            </View>
          )}
          {state.refreshError ? <View className="hl-error">{state.refreshError}</View> : null}
          <Button
            className="ml-btn ml-btn--primary"
            disabled={state.refreshing}
            onClick={recompute}
            data-testid="quality-refresh"
          >
            {state.refreshing ? '正在计算…' : state.quality.report ? '重新计算' : '立即计算'}
          </Button>
        </>
      ) : null}
    </View>
  );
}
