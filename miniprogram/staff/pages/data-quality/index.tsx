/**
 * 会员资料质量 (store manager and up): how well the member records typed at the store's till are filled in: the phone
 * classes (a placeholder or a missing number means no reminders and no link to the member's WeChat), real names and
 * birthdays, each against the chain and the report before. A regional manager sees the region's sum and every store
 * in a line, worst first. The figures come from the latest report HQ computed; nothing here scans the base.
 */
import {
  PHONE_PROBLEMS,
  type PhoneProblem,
  type StoreFigures,
  type StoreQualityResponse,
} from '@shared/contracts/identity';
import { Text, View } from '@tarojs/components';
import { useCallback, useEffect, useState } from 'react';
import { LoadingCard } from '../../../components/state-view';
import { identityApi } from '../../../services/identity';
import {
  BLOCKED_HINT,
  INVALID_HINT,
  PhoneBar,
  pct,
  StoreLine,
  share,
  thousands,
  ValidShareLine,
  worstFirst,
} from '../../quality-format';
import { StaffErrorCard } from '../../staff-error';
import { leaveStaffSession, loadForStaff, type StaffLoadError } from '../../staff-load';
import { beijingMinute } from '../integration-health/sources';
import { PROBLEM_LABELS, ProblemList } from './problem-list';
import '../../staff.scss';
import '../../quality.scss';

type Report = NonNullable<StoreQualityResponse['report']>;
type Line = Report['stores'][number];
type State =
  | { kind: 'loading' }
  | { kind: 'error'; error: StaffLoadError }
  | { kind: 'ready'; quality: StoreQualityResponse };

/** A store with more records lacking a phone than this gets the hint to ask for numbers. */
const MISSING_HINT = 0.1;

/** What the store can do about its figures, in the words a store manager would use with the clerks. */
function tips(f: StoreFigures): string[] {
  const out: string[] = [];
  if (f.phones.blocked / f.records > BLOCKED_HINT)
    out.push(
      `${thousands(f.phones.blocked)} 位会员登记的是占位号或门店电话：他们收不到提醒，也无法和小程序会员打通。请收银员在顾客下次到店时核实本人手机号。`,
    );
  if (f.phones.invalid / f.records > INVALID_HINT)
    out.push(`${thousands(f.phones.invalid)} 个手机号格式不对（位数不对或不是手机号），请核对后在收银系统中更正。`);
  if (f.phones.missing / f.records > MISSING_HINT)
    out.push(`${thousands(f.phones.missing)} 位会员没有登记手机号，办卡时请顾客留下本人手机号。`);
  return out;
}

function Compare({ label, n, of, chain }: { label: string; n: number; of: number; chain: number | null }) {
  return (
    <View className="staff-row">
      <Text className="staff-row__label">{label}</Text>
      <Text>
        {pct(share(n, of))}
        <Text className="dq-chain">全连锁 {pct(chain)}</Text>
      </Text>
    </View>
  );
}

/** A store's figures in full: the phone classes, names and birthdays against the chain, and what to do. */
function StoreDetail({
  f,
  previous,
  chain,
  storeId,
  onSessionLost,
}: {
  f: StoreFigures;
  previous: StoreFigures | null;
  chain: StoreFigures | null;
  /** a single store's figures (not an area's sum): its lists can be opened */
  storeId?: string;
  onSessionLost: () => void;
}) {
  const [open, setOpen] = useState<PhoneProblem | null>(null);
  const counts = PHONE_PROBLEMS.filter((p) => f.phones[p] > 0);
  return (
    <View className="dq-detail">
      <ValidShareLine label="手机号可用率" now={f} before={previous} />
      <PhoneBar phones={f.phones} />
      {storeId && counts.length > 0 ? (
        <View className="dq-open" data-testid="problem-links">
          <Text className="dq-open__label">待核实名单：</Text>
          {counts.map((p) => (
            <Text
              key={p}
              className={`dq-open__link ${open === p ? 'dq-open__link--on' : ''}`}
              onClick={(e) => {
                e.stopPropagation();
                setOpen(open === p ? null : p);
              }}
              data-testid={`problem-open-${p}`}
            >
              {PROBLEM_LABELS[p]} {thousands(f.phones[p])}
            </Text>
          ))}
        </View>
      ) : null}
      {storeId && open ? (
        <View onClick={(e) => e.stopPropagation()}>
          <ProblemList storeId={storeId} problem={open} onSessionLost={onSessionLost} />
        </View>
      ) : null}
      {chain ? (
        <View className="dq-note">全连锁收银系统手机号可用率 {pct(share(chain.phones.valid, chain.records))}</View>
      ) : null}
      <Compare
        label="真实姓名"
        n={f.realName}
        of={f.records}
        chain={chain ? share(chain.realName, chain.records) : null}
      />
      <Compare label="生日" n={f.birthday} of={f.records} chain={chain ? share(chain.birthday, chain.records) : null} />
      {tips(f).map((t) => (
        <View key={t} className="dq-hint">
          {t}
        </View>
      ))}
    </View>
  );
}

/** A store manager's one store. */
function StoreCard({
  line,
  chain,
  onSessionLost,
}: {
  line: Line;
  chain: StoreFigures | null;
  onSessionLost: () => void;
}) {
  const f = line.figures;
  return (
    <View className="ml-card dq-source" data-testid={`store-quality-${line.storeId}`}>
      <View className="dq-source__head">
        <Text className="dq-source__name">{line.name}</Text>
        <Text className="dq-source__count">{f ? `${thousands(f.records)} 条会员记录` : ''}</Text>
      </View>
      {f ? (
        <StoreDetail
          f={f}
          previous={line.previous}
          chain={chain}
          storeId={line.storeId}
          onSessionLost={onSessionLost}
        />
      ) : (
        <View className="dq-empty">该门店在收银系统中还没有会员记录。</View>
      )}
    </View>
  );
}

const sum = (lines: StoreFigures[]): StoreFigures => {
  const add = (pick: (f: StoreFigures) => number) => lines.reduce((n, f) => n + pick(f), 0);
  return {
    records: add((f) => f.records),
    phones: {
      valid: add((f) => f.phones.valid),
      invalid: add((f) => f.phones.invalid),
      blocked: add((f) => f.phones.blocked),
      missing: add((f) => f.phones.missing),
    },
    realName: add((f) => f.realName),
    birthday: add((f) => f.birthday),
  };
};

/**
 * A regional manager's (or HQ's) stores: the area's figures summed against the chain, then one line per store worst
 * first; a tap opens that store's figures in full.
 */
function AreaView({
  lines,
  chain,
  onSessionLost,
}: {
  lines: Line[];
  chain: StoreFigures | null;
  onSessionLost: () => void;
}) {
  const [open, setOpen] = useState<string | null>(null);
  const withRecords = lines
    .filter((l): l is Line & { figures: StoreFigures } => l.figures !== null)
    .sort((a, b) => worstFirst(a.figures, b.figures) || a.code.localeCompare(b.code));
  const without = lines.filter((l) => l.figures === null);
  // a region's manager knows the region; HQ's lines span regions and say which
  const regions = new Set(lines.map((l) => l.regionName));
  const area = sum(withRecords.map((l) => l.figures));
  const previous = withRecords.every((l) => l.previous)
    ? sum(withRecords.map((l) => l.previous as StoreFigures))
    : null;
  return (
    <>
      {area.records > 0 ? (
        <View className="ml-card dq-source" data-testid="store-quality-area">
          <View className="dq-source__head">
            <Text className="dq-source__name">{lines.length} 家门店合计</Text>
            <Text className="dq-source__count">{thousands(area.records)} 条会员记录</Text>
          </View>
          <StoreDetail f={area} previous={previous} chain={chain} onSessionLost={onSessionLost} />
        </View>
      ) : null}
      <View className="ml-card" data-testid="store-quality-lines">
        <View className="dq-stores__title">各门店（手机号不可用的占比从高到低，点按查看详情）</View>
        {withRecords.map((l) => (
          <StoreLine
            key={l.storeId}
            name={l.name}
            region={regions.size > 1 ? l.regionName : null}
            f={l.figures}
            testId={`store-quality-${l.storeId}`}
            onClick={() => setOpen(open === l.storeId ? null : l.storeId)}
          >
            {open === l.storeId ? (
              <StoreDetail
                f={l.figures}
                previous={l.previous}
                chain={chain}
                storeId={l.storeId}
                onSessionLost={onSessionLost}
              />
            ) : null}
          </StoreLine>
        ))}
        {without.length > 0 ? (
          <View className="dq-note" data-testid="store-quality-without">
            尚无收银系统会员记录：{without.map((l) => l.name).join('、')}
          </View>
        ) : null}
      </View>
    </>
  );
}

export default function DataQuality() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    loadForStaff(
      () => identityApi.storeQuality(),
      (quality) => setState({ kind: 'ready', quality }),
      (error) => setState({ kind: 'error', error }),
    );
  }, []);

  useEffect(load, []);

  const report = state.kind === 'ready' ? state.quality.report : null;
  const stores = report?.stores ?? [];
  return (
    <View className="ml-page ml-console" data-testid="data-quality">
      <View className="staff-hero">
        <View className="staff-hero__title">会员资料质量</View>
        <View className="staff-hero__sub">
          收银系统登记的会员资料是否完整：手机号能否联系到本人，姓名和生日是否登记
        </View>
      </View>
      {state.kind === 'loading' ? <LoadingCard lines={4} /> : null}
      {state.kind === 'error' ? <StaffErrorCard page="data-quality" error={state.error} onRetry={load} /> : null}
      {state.kind === 'ready' && !report ? (
        <View className="ml-card dq-empty" data-testid="store-quality-none">
          总部还没有计算数据质量报告，计算后这里会显示本店的会员资料情况。
        </View>
      ) : null}
      {report ? (
        <>
          <View className="dq-meta" data-testid="store-quality-meta">
            统计于 {beijingMinute(report.computedAt)}
            {report.previousComputedAt ? `，较上次（${beijingMinute(report.previousComputedAt)}）` : ''}
            ，每日凌晨自动更新
          </View>
          {report.perStore ? null : (
            <View className="ml-card dq-empty">当前报告没有分门店统计，请联系总部在「数据对接状态」中重新计算。</View>
          )}
          {report.perStore && stores.length === 0 ? (
            <View className="ml-card dq-empty">您的账号还没有分配门店或区域。</View>
          ) : null}
          {report.perStore && stores.length === 1 ? (
            <StoreCard line={stores[0]} chain={report.chain} onSessionLost={leaveStaffSession} />
          ) : null}
          {report.perStore && stores.length > 1 ? (
            <AreaView lines={stores} chain={report.chain} onSessionLost={leaveStaffSession} />
          ) : null}
        </>
      ) : null}
    </View>
  );
}
