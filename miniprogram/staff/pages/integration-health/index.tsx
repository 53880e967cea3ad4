import type { FileImportHealth, HealthResponse } from '@shared/contracts/identity';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';
import { LoadingCard } from '../../../components/state-view';
import { identityApi } from '../../../services/identity';
import { hasStaffSession } from '../../../services/staff';
import { isRefused, StaffErrorCard } from '../../staff-error';
import { leaveStaffSession, loadForStaff, type StaffLoadError } from '../../staff-load';
import '../../staff.scss';
import '../../quality.scss';
import { QualitySection } from './quality-section';
import { beijingMinute, failureAdvice, SOURCE_LABELS } from './sources';
import './index.scss';

type Source = HealthResponse['sources'][number];
type State = { kind: 'loading' } | { kind: 'error'; error: StaffLoadError } | { kind: 'ready'; health: HealthResponse };

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

type Till = HealthResponse['tills'][number];

/** A failure: what to do about it in words when the code is a known one, then the log's own detail. */
function FailureNote({ error, when }: { error: string; when?: string }) {
  const { advice, detail } = failureAdvice(error);
  return (
    <View className="hl-error">
      {when ? `最近一次失败（${when}）` : '最近一次失败'}
      {advice ? `：${advice}` : ''}
      <View className="hl-error__detail">{detail}</View>
    </View>
  );
}

function tillStatus(t: Till): { text: string; tone: 'ok' | 'warn' | 'bad' } | null {
  if (t.failures24h > 0) return { text: t.lagMinutes === null ? '连不上' : '有失败', tone: 'bad' };
  // a store without a live key is served at the counter: its till's silence is expected
  if (t.connected && t.lagMinutes !== null && t.lagMinutes > LAG_WARN_MINUTES) return { text: '延迟', tone: 'warn' };
  return null;
}

/** "N 家：甲、乙、丙 等": at most five names. */
const storeList = (tills: readonly Till[]) =>
  `${tills.length} 家：${tills
    .slice(0, 5)
    .map((t) => t.storeName)
    .join('、')}${tills.length > 5 ? ' 等' : ''}`;

/**
 * The stores' tills under the POS card: the ones that need someone (failures today, or quiet for hours) one by
 * one, worst first; the healthy ones, the ones with a key that never called, and the ones without a till
 * connected (served at the counter) as one line each.
 */
function Tills({ tills }: { tills: readonly Till[] }) {
  const attention = tills
    .map((t) => ({ t, status: tillStatus(t) }))
    .filter((x): x is { t: Till; status: NonNullable<ReturnType<typeof tillStatus>> } => x.status !== null)
    .sort((a, b) => b.t.failures24h - a.t.failures24h || (b.t.lagMinutes ?? 0) - (a.t.lagMinutes ?? 0));
  const quiet = tills.filter((t) => t.failures24h === 0);
  const counter = quiet.filter((t) => !t.connected);
  const never = quiet.filter((t) => t.connected && t.lastOkAt === null);
  const healthy = tills.length - attention.length - never.length - counter.length;
  return (
    <View className="hl-tills" data-testid="health-tills">
      <View className="hl-tills__title">各门店收银机</View>
      {attention.map(({ t, status }) => (
        <View className="hl-till" key={t.storeId} data-testid={`till-${t.storeId}`}>
          <View className="hl-source__head">
            <Text className="hl-till__name">{t.storeName}</Text>
            <Text className={`hl-badge hl-badge--${status.tone}`}>{status.text}</Text>
          </View>
          <View className="hl-till__line">
            上次成功：{t.lastOkAt ? `${beijing(t.lastOkAt)}（${lagText(t.lagMinutes)}）` : '从未成功'}
            {t.failures24h > 0 ? `；24 小时失败 ${t.failures24h} 次（共 ${t.calls24h} 次调用）` : ''}
          </View>
          {t.lastError ? <FailureNote error={t.lastError} /> : null}
        </View>
      ))}
      {healthy > 0 ? <View className="hl-tills__summary">{healthy} 家门店收银对接正常</View> : null}
      {healthy === 0 && attention.length === 0 ? <View className="hl-tills__summary">还没有门店收银接入</View> : null}
      {never.length > 0 ? (
        <View className="hl-tills__summary" data-testid="tills-never">
          已发放密钥、尚未调用 {storeList(never)}
        </View>
      ) : null}
      {counter.length > 0 ? (
        <View className="hl-tills__summary" data-testid="tills-counter">
          未对接收银 {storeList(counter)}（店员在柜台扫码核销、登记消费积分）
        </View>
      ) : null}
    </View>
  );
}

function SourceCard({ s, tills }: { s: Source; tills?: readonly Till[] }) {
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
      <View
        className="staff-row"
        onClick={
          s.rejectedRecords24h > 0
            ? () => Taro.navigateTo({ url: `/staff/pages/quarantine/index?source=${s.source}` })
            : undefined
        }
        data-testid={`health-${s.source}-rejected`}
      >
        <Text className="staff-row__label">24 小时被拒记录</Text>
        <Text className={s.rejectedRecords24h > 0 ? 'hl-bad' : ''}>
          {s.rejectedRecords24h}
          {s.rejectedRecords24h > 0 ? ' · 查看 ›' : ''}
        </Text>
      </View>
      {s.lastError ? <FailureNote error={s.lastError} when={beijing(s.lastFailureAt)} /> : null}
      {tills ? <Tills tills={tills} /> : null}
    </View>
  );
}

function importStatus(f: FileImportHealth | null): { text: string; tone: 'ok' | 'warn' | 'bad' | 'idle' } {
  if (!f) return { text: '未导入', tone: 'idle' };
  if (f.status === 'failed') return { text: '失败', tone: 'bad' };
  if (f.status === 'running') return { text: '导入中', tone: 'warn' };
  if ((f.figures?.rejected ?? 0) > 0) return { text: '有拒收', tone: 'warn' };
  return { text: '正常', tone: 'ok' };
}

const KIND_ZH: Record<FileImportHealth['kind'], string> = { records: '会员资料', orders: '销售明细' };
const goImports = () => Taro.navigateTo({ url: '/staff/pages/imports/index' });

/**
 * 文件导入: HQ's latest upload from 数据导入, in the form of the partners' cards: when it ran and who, what was read
 * and what became of it (the figures 数据导入 shows for it), the refused rows leading to the quarantine, and
 * whether it failed. `npm run import` records no run, so it is not here.
 */
function FileImportCard({ f }: { f: FileImportHealth | null }) {
  const status = importStatus(f);
  const n = f?.figures ?? null;
  const row = (label: string, value: string, testId?: string) => (
    <View className="staff-row" data-testid={testId}>
      <Text className="staff-row__label">{label}</Text>
      <Text>{value}</Text>
    </View>
  );
  return (
    <View className="ml-card hl-source" data-testid="health-import">
      <View className="hl-source__head">
        <Text className="hl-source__name">{SOURCE_LABELS.import}</Text>
        <Text className={`hl-badge hl-badge--${status.tone}`}>{status.text}</Text>
      </View>
      {f ? (
        <>
          <View className="hl-import__file" data-testid="health-import-file">
            {f.fileName}（{KIND_ZH[f.kind]}）· {f.staffName ?? '—'}
          </View>
          {row(
            f.status === 'running' ? '开始导入' : '最近一次导入',
            `${beijing(f.finishedAt ?? f.startedAt)}（${lagText(f.lagMinutes)}）`,
          )}
          {f.status === 'running'
            ? row('导入进度', `已处理 ${f.rowsDone} / ${f.rowsTotal} 行`, 'health-import-progress')
            : null}
          {n ? (
            <>
              {row('读取行数', `${n.rows}`, 'health-import-rows')}
              {f.kind === 'records' ? (
                <>
                  {row('新增 / 更新 / 未变', `${n.created} / ${n.updated} / ${n.unchanged}`, 'health-import-imported')}
                  {row('关联到已有会员 / 待人工核实', `${n.linked} / ${n.held}`, 'health-import-linked')}
                  {n.warned > 0 ? row('已导入但有值需核对', `${n.warned}`, 'health-import-warned') : null}
                </>
              ) : (
                <>
                  {row('订单 / 新增', `${n.orders} / ${n.created}`, 'health-import-orders')}
                  {row('已归属会员 / 等待会员资料', `${n.ordersKnown} / ${n.ordersWaiting}`, 'health-import-members')}
                </>
              )}
              <View
                className="staff-row"
                onClick={n.rejected > 0 ? () => Taro.navigateTo({ url: '/staff/pages/quarantine/index' }) : undefined}
                data-testid="health-import-rejected"
              >
                <Text className="staff-row__label">拒收（已存入隔离数据）</Text>
                <Text className={n.rejected > 0 ? 'hl-bad' : ''}>
                  {n.rejected}
                  {n.rejected > 0 ? ' · 查看 ›' : ''}
                </Text>
              </View>
            </>
          ) : null}
          {f.status === 'failed' ? (
            <View className="hl-error" data-testid="health-import-failed">
              导入未完成：请在「数据导入」重新上传这个文件，从中断处继续
              {f.error ? <View className="hl-error__detail">{f.error}</View> : null}
            </View>
          ) : null}
        </>
      ) : (
        <View className="hl-import__none">还没有在「数据导入」上传过会员资料或销售明细</View>
      )}
      <View className="hl-import__link" onClick={goImports} data-testid="health-import-open">
        {f?.status === 'running' ? '到「数据导入」继续导入 ›' : '数据导入 · 全部导入记录 ›'}
      </View>
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
  const refused = isRefused('integration-health', state.kind === 'error' ? state.error : null);

  return (
    <View className="ml-page ml-console" data-testid="integration-health">
      <View className="staff-hero">
        <View className="staff-hero__title">数据对接状态</View>
        <View className="staff-hero__sub">各外部系统的同步情况、待处理事项和数据质量</View>
      </View>

      {state.kind === 'loading' ? <LoadingCard lines={4} /> : null}
      {state.kind === 'error' ? <StaffErrorCard page="integration-health" error={state.error} onRetry={load} /> : null}
      {state.kind === 'ready' ? (
        <>
          <View className="ml-card hl-queues" data-testid="health-queues">
            <View
              className="hl-queue hl-queue--link"
              data-testid="health-quarantine"
              onClick={() => Taro.navigateTo({ url: '/staff/pages/quarantine/index' })}
            >
              <View className="hl-queue__n">{state.health.quarantined}</View>
              <View className="hl-queue__label">隔离的异常数据 ›</View>
            </View>
            <View
              className="hl-queue hl-queue--link"
              data-testid="health-holds"
              onClick={() => Taro.navigateTo({ url: '/staff/pages/identity-suggestions/index?tab=holds' })}
            >
              <View className="hl-queue__n">
                {state.health.openHolds}
                {state.health.openHoldsCapped ? '+' : ''}
              </View>
              <View className="hl-queue__label">待核实会员卡 ›</View>
            </View>
            <View
              className="hl-queue hl-queue--link"
              data-testid="health-suggestions"
              onClick={() => Taro.navigateTo({ url: '/staff/pages/identity-suggestions/index' })}
            >
              <View className="hl-queue__n">
                {state.health.openSuggestions}
                {state.health.openSuggestionsCapped ? '+' : ''}
              </View>
              <View className="hl-queue__label">待店长确认 ›</View>
            </View>
          </View>
          <View className="ml-section-title">各数据来源</View>
          {state.health.sources.map((s) => (
            <SourceCard key={s.source} s={s} tills={s.source === 'pos' ? state.health.tills : undefined} />
          ))}
          <FileImportCard f={state.health.fileImport} />
          <Button className="ml-btn ml-btn--ghost" onClick={load} data-testid="health-refresh">
            刷新
          </Button>
        </>
      ) : null}
      {/* the same HQ-only data as the page's: not a second refusal under 没有权限 */}
      {hasStaffSession() && !refused ? <QualitySection onSessionLost={leaveStaffSession} /> : null}
    </View>
  );
}
