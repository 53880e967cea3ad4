import type { HealthResponse } from '@shared/contracts/identity';
import { Button, Text, View } from '@tarojs/components';
import { useCallback, useEffect, useState } from 'react';
import type { ErrorView } from '../../../components/describe-error';
import { ErrorCard, LoadingCard } from '../../../components/state-view';
import { identityApi } from '../../../services/identity';
import { hasStaffSession } from '../../../services/staff';
import { leaveStaffSession, loadForStaff } from '../../staff-load';
import '../../staff.scss';
import '../../quality.scss';
import { QualitySection } from './quality-section';
import { beijingMinute, SOURCE_LABELS } from './sources';
import './index.scss';

type Source = HealthResponse['sources'][number];
type State = { kind: 'loading' } | { kind: 'error'; error: ErrorView } | { kind: 'ready'; health: HealthResponse };

/** A source quiet for longer than this is worth a look even without failures (POS systems sync at least hourly). */
const LAG_WARN_MINUTES = 120;

const beijing = (iso: string | null): string => (iso ? beijingMinute(iso) : '—');

function lagText(minutes: number | null): string {
  if (minutes === null) return '从未成功同步';
  if (minutes < 1) return '刚刚';
  if (minutes < 60) return `${minutes} 分钟前`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} 小时前`;
  return `${Math.floor(minutes / 1440)} 天前`;
}

function statusOf(s: Source): { text: string; tone: 'ok' | 'warn' | 'bad' | 'idle' } {
  if (s.lagMinutes === null)
    return s.failures24h > 0 ? { text: '失败', tone: 'bad' } : { text: '未接入', tone: 'idle' };
  if (s.failures24h > 0) return { text: '有失败', tone: 'bad' };
  if (s.lagMinutes > LAG_WARN_MINUTES) return { text: '延迟', tone: 'warn' };
  return { text: '正常', tone: 'ok' };
}

function SourceCard({ s }: { s: Source }) {
  const status = statusOf(s);
  return (
    <View className="ml-card hl-source" data-testid={`health-${s.source}`}>
      <View className="hl-source__head">
        <Text className="hl-source__name">{SOURCE_LABELS[s.source] ?? s.source}</Text>
        <Text className={`hl-badge hl-badge--${status.tone}`}>{status.text}</Text>
      </View>
      <View className="staff-row">
        <Text className="staff-row__label">上次成功同步</Text>
        <Text>{s.lastOkAt ? `${beijing(s.lastOkAt)}（${lagText(s.lagMinutes)}）` : '从未成功同步'}</Text>
      </View>
      <View className="staff-row">
        <Text className="staff-row__label">24 小时调用 / 失败</Text>
        <Text className={s.failures24h > 0 ? 'hl-bad' : ''}>
          {s.calls24h} / {s.failures24h}
        </Text>
      </View>
      <View className="staff-row">
        <Text className="staff-row__label">24 小时被拒记录</Text>
        <Text className={s.rejectedRecords24h > 0 ? 'hl-bad' : ''}>{s.rejectedRecords24h}</Text>
      </View>
      {s.lastError ? (
        <View className="hl-error">
          最近一次失败（{beijing(s.lastFailureAt)}）：{s.lastError}
        </View>
      ) : null}
    </View>
  );
}

export default function IntegrationHealth() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    loadForStaff(
      () => identityApi.health(),
      (health) => setState({ kind: 'ready', health }),
      (error) => setState({ kind: 'error', error }),
    );
  }, []);

  useEffect(load, []);

  return (
    <View className="ml-page" data-testid="integration-health">
      <View className="staff-hero">
        <View className="staff-hero__title">数据对接状态</View>
        <View className="staff-hero__sub">各外部系统的同步情况、待处理事项和数据质量</View>
      </View>

      {state.kind === 'loading' ? <LoadingCard lines={4} /> : null}
      {state.kind === 'error' ? (
        <ErrorCard message={state.error.message} requestId={state.error.requestId} onRetry={load} />
      ) : null}
      {state.kind === 'ready' ? (
        <>
          <View className="ml-card hl-queues" data-testid="health-queues">
            <View className="hl-queue">
              <View className="hl-queue__n">{state.health.quarantined}</View>
              <View className="hl-queue__label">隔离的异常数据</View>
            </View>
            <View className="hl-queue">
              <View className="hl-queue__n">{state.health.openHolds}</View>
              <View className="hl-queue__label">待会员确认</View>
            </View>
            <View className="hl-queue">
              <View className="hl-queue__n">{state.health.openSuggestions}</View>
              <View className="hl-queue__label">待店长确认</View>
            </View>
          </View>
          <View className="ml-section-title">各数据来源</View>
          {state.health.sources.map((s) => (
            <SourceCard key={s.source} s={s} />
          ))}
          <Button className="ml-btn ml-btn--ghost" onClick={load} data-testid="health-refresh">
            刷新
          </Button>
        </>
      ) : null}
      {hasStaffSession() ? <QualitySection onSessionLost={leaveStaffSession} /> : null}
    </View>
  );
}
