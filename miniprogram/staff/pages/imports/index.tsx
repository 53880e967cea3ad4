/**
 * 数据导入 (HQ): upload a POS or mall export (member records or sales) from the staff pages. Pick the file's format,
 * pick the file (from a WeChat chat in the mini-program, from the disk in the browser), import; the answer is the
 * import's summary: what came in, what joined an existing member, and each refused row with why in Chinese. The
 * same file again is answered from its first import. Below, the last uploads. The initial migration of a whole
 * chain stays with the command line; the page says where the limits are.
 */
import {
  ImportColumnsMismatch,
  type ImportMappingsResponse,
  type ImportSummaryView,
  type ImportView,
} from '@shared/contracts/identity';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../../../components/describe-error';
import { LoadingCard } from '../../../components/state-view';
import { type ChosenFile, PlatformError, platform } from '../../../platform';
import { isApiError, isSessionError } from '../../../services/api-error';
import { identityApi } from '../../../services/identity';
import { fileContent, fileEncodingLabel } from '../../file-content';
import { StaffErrorCard } from '../../staff-error';
import { leaveStaffSession, loadForStaff, type StaffLoadError } from '../../staff-load';
import { NEW_FORMAT_KEY } from '../import-format/saved';
import { beijingMinute } from '../integration-health/sources';
import { duplicateColumnsText } from './duplicate-columns';
import '../../staff.scss';
import './index.scss';

type Mapping = ImportMappingsResponse['mappings'][number];

type State =
  | { kind: 'loading' }
  | { kind: 'error'; error: StaffLoadError }
  | { kind: 'ready'; formats: ImportMappingsResponse; imports: ImportView[] };

type Run =
  | { kind: 'idle' }
  /** view: null while the file uploads, then the import as its steps leave it */
  | { kind: 'running'; view: ImportView | null }
  | { kind: 'done'; result: ImportView }
  /** view: an import that can go on from where it stopped */
  | { kind: 'failed'; message: string; requestId?: string; view?: ImportView }
  /** the file lacks columns the chosen format needs: which, the file's own, and the formats it fits */
  | { kind: 'columns'; format: string; details: ImportColumnsMismatch };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const sizeText = (bytes: number) =>
  bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1000))} KB`;

const SOURCE_ZH: Record<string, string> = {
  pos: '门店收银',
  mall: '线上商城',
  miniprogram: '小程序',
  wecom: '企业微信',
};

/** The counts of an import, in words: records or orders. */
function countsOf(kind: ImportView['kind'], s: ImportSummaryView): { label: string; value: number; tone?: string }[] {
  if (kind === 'records')
    return [
      { label: '读取行数', value: s.rows },
      { label: '新增会员资料', value: s.created },
      { label: '更新', value: s.updated },
      { label: '未变（已导入过）', value: s.unchanged },
      { label: '关联到已有会员', value: s.linked },
      { label: '待人工核实', value: s.held, tone: s.held > 0 ? 'warn' : undefined },
      { label: '已导入但有值需核对', value: s.warned, tone: s.warned > 0 ? 'warn' : undefined },
      { label: '拒收', value: s.rejected, tone: s.rejected > 0 ? 'bad' : undefined },
    ];
  return [
    { label: '读取行数', value: s.rows },
    { label: '订单', value: s.orders },
    { label: '新增订单', value: s.created },
    { label: '未变（已导入过）', value: s.unchanged },
    { label: '已归属会员', value: s.ordersKnown },
    { label: '等待会员资料', value: s.ordersWaiting, tone: s.ordersWaiting > 0 ? 'warn' : undefined },
    { label: '拒收', value: s.rejected, tone: s.rejected > 0 ? 'bad' : undefined },
  ];
}

/**
 * The refused rows as a file in the upload's own columns plus 拒收原因: corrected in a spreadsheet (or the source
 * system) and uploaded again with the same format. A download in the browser, sent to a chat in WeChat.
 */
function RefusedDownload({ result }: { result: ImportView }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const file = await identityApi.importRefused(result.id);
      await platform.saveTextFile(file.content, file.fileName);
    } catch (e) {
      if (isSessionError(e)) return leaveStaffSession();
      if (!(e instanceof PlatformError && e.cancelled)) setError(describeError(e).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <View className="im-refused">
      <Button
        className="ml-btn ml-btn--ghost im-refused__btn"
        loading={busy}
        disabled={busy}
        onClick={download}
        data-testid="import-refused-download"
      >
        下载被拒收的 {result.refusedRows} 行
      </Button>
      <View className="im-hint">
        文件保留原来的列，并在最后加一列「拒收原因」。在表格里改正后，用同一种格式重新上传即可，「拒收原因」一列不会被导入。文件含会员姓名和手机号，下载会被记录，30
        天后删除。
      </View>
      {error ? <View className="im-refused__error">{error}</View> : null}
    </View>
  );
}

/**
 * The summary of an import. Rows are named by their line in the file as Excel numbers them (第 1 行 is the header).
 * Every refused row is in 隔离的异常数据; `perRowSource`: the format reads each row's source from a column, so a row
 * that could not be read, or names no source MedLoop knows, is there under none, and 数据对接状态 counts it under no
 * source's 24 小时被拒记录.
 */
function Summary({ result, perRowSource }: { result: ImportView; perRowSource: boolean }) {
  const s = result.summary;
  if (!s) return null;
  return (
    <View data-testid="import-summary">
      <View className="im-counts">
        {countsOf(result.kind, s).map((c) => (
          <View key={c.label} className={`im-count ${c.tone ? `im-count--${c.tone}` : ''}`}>
            <View className="im-count__value">{c.value}</View>
            <View className="im-count__label">{c.label}</View>
          </View>
        ))}
      </View>
      {result.kind === 'records' && s.held > 0 ? (
        <View className="im-hint">待人工核实的会员卡已进入「会员合并建议」和会员本人的确认流程，不会被自动合并。</View>
      ) : null}
      {result.kind === 'orders' && s.ordersWaiting > 0 ? (
        <View className="im-hint">等待会员资料的订单会在对应的会员卡资料导入后自动归属。</View>
      ) : null}
      {s.rejections.length > 0 ? (
        <View className="im-rejections" data-testid="import-rejections">
          <View className="im-rejections__title">
            拒收明细{s.rejected > s.rejections.length ? `（前 ${s.rejections.length} 条，共 ${s.rejected} 条）` : ''}
          </View>
          {s.rejections.map((r, i) => (
            <View key={`${r.row}-${i}`} className="im-rejection" data-testid="import-rejection">
              <View className="im-rejection__where">
                {r.row === null ? '' : `第 ${r.row} 行`}
                {r.id ? ` · ${r.id}` : ''}
              </View>
              <View className="im-rejection__why">{r.explanation}</View>
              {r.explanation !== r.reason ? (
                <View className="im-rejection__original">技术说明（可转给技术人员）：{r.reason}</View>
              ) : null}
            </View>
          ))}
          <View className="im-hint">
            拒收的行已存入「隔离的异常数据」。
            {perRowSource
              ? '无法读取或来源不对的行不属于任何来源，不计入「数据对接状态」中各来源的「24 小时被拒记录」。'
              : ''}
          </View>
        </View>
      ) : null}
      {s.warned > 0 ? (
        <View className="im-rejections" data-testid="import-warnings">
          <View className="im-rejections__title">已导入但有值需核对（{s.warned} 行）</View>
          {s.warningCounts.map((c) => (
            <View key={`${c.code}-${c.column}`} className="im-warning-count" data-testid="import-warning-count">
              {c.rows} 行：{c.explanation}
            </View>
          ))}
          {s.warnings.map((w, i) => (
            <View key={`${w.row}-${w.code}-${i}`} className="im-rejection" data-testid="import-warning">
              <View className="im-rejection__where">
                第 {w.row} 行{w.id ? ` · ${w.id}` : ''}
              </View>
              <View className="im-rejection__why">{w.explanation}</View>
            </View>
          ))}
          {s.warned > s.warnings.length ? <View className="im-hint">只列出前 {s.warnings.length} 条。</View> : null}
          <View className="im-hint">这些行已导入，只是上述值未被采用；请在原系统中改正，之后再导出导入即可更新。</View>
        </View>
      ) : null}
      {result.refusedRows > 0 && result.status !== 'running' ? <RefusedDownload result={result} /> : null}
    </View>
  );
}

/** One format to pick; one HQ made says who made it and can be stopped (asked twice). */
function FormatItem({ m, on, onPick, onStop }: { m: Mapping; on: boolean; onPick: () => void; onStop: () => void }) {
  const [asking, setAsking] = useState(false);
  // the columns a file must have first, so that none is cut off by the 等
  const required = new Set(m.required);
  const shown = [...m.columns.filter((c) => required.has(c)), ...m.columns.filter((c) => !required.has(c))].slice(
    0,
    Math.max(8, required.size),
  );
  return (
    <View
      className={`im-format ${on ? 'im-format--on' : ''}`}
      onClick={onPick}
      data-testid={`import-format-${m.custom ? 'custom' : m.name}`}
    >
      <View className="im-format__radio" />
      <View className="im-format__body">
        <View className="im-format__label">{m.label}</View>
        <View className="im-format__cols" data-testid="import-format-columns">
          {m.source ? `来源：${SOURCE_ZH[m.source] ?? m.source} · ` : ''}可读取的列：
          {shown.map((c, i) => (
            <Text key={c} className="im-format__col">
              {i > 0 ? '、' : ''}
              {c}
              {required.has(c) ? <Text className="im-format__required">（必填）</Text> : null}
            </Text>
          ))}
          {m.columns.length > shown.length ? ` 等 ${m.columns.length} 列` : ''}
        </View>
        {m.custom ? (
          <View className="im-format__custom">
            {m.custom.createdBy ?? '总部'} 于 {beijingMinute(m.custom.createdAt)} 创建
            <Text
              className="im-format__stop"
              onClick={(e) => {
                e.stopPropagation();
                if (asking) onStop();
                else setAsking(true);
              }}
              data-testid="import-format-stop"
            >
              {asking ? '确认停用' : '停用'}
            </Text>
          </View>
        ) : null}
      </View>
    </View>
  );
}

function HistoryItem({
  item,
  perRowSource,
  onContinue,
}: {
  item: ImportView;
  perRowSource: boolean;
  onContinue: (item: ImportView) => void;
}) {
  const [open, setOpen] = useState(false);
  const s = item.summary;
  const status =
    item.status === 'done'
      ? s
        ? `${s.rows} 行，${item.kind === 'records' ? `新增 ${s.created}` : `订单 ${s.orders}`}，拒收 ${s.rejected}`
        : '已完成'
      : item.status === 'running'
        ? `已处理 ${item.rowsDone} / ${item.rowsTotal} 行`
        : '导入失败，请重新上传这个文件继续';
  return (
    <View className="ml-card im-history" data-testid="import-history-item">
      <View className="im-history__head" onClick={() => setOpen(!open)}>
        <View>
          <View className="im-history__file">{item.fileName}</View>
          <View className="im-history__meta">
            {item.mappingLabel.replace(/（.*$/, '')} · {item.staffName ?? '—'} · {beijingMinute(item.startedAt)}
          </View>
        </View>
        <Text className={`im-history__status im-history__status--${item.status}`}>{status}</Text>
      </View>
      {item.status === 'running' ? (
        <Button
          className="ml-btn ml-btn--ghost im-resume"
          onClick={() => onContinue(item)}
          data-testid="import-history-continue"
        >
          继续导入
        </Button>
      ) : null}
      {open ? <Summary result={item} perRowSource={perRowSource} /> : null}
    </View>
  );
}

const KIND_ZH: Record<ImportView['kind'], string> = { records: '会员资料', orders: '销售明细' };

/** Why the file does not fit the chosen format, in HQ's words, and the formats it does fit, to import with one tap. */
function ColumnsMismatch({ run, onUse }: { run: Extract<Run, { kind: 'columns' }>; onUse: (name: string) => void }) {
  const { missing, looksLike, columns, fits } = run.details;
  const chosenKind = looksLike === 'records' ? 'orders' : 'records';
  return (
    <View className="im-error" data-testid="import-columns-mismatch">
      <View>
        {missing.length > 0
          ? `文件中没有所选格式「${run.format}」必需的列${missing.map((c) => `「${c}」`).join('')}，未导入任何数据。`
          : `这个文件看起来是${KIND_ZH[looksLike ?? 'records']}，而所选格式「${run.format}」用于${KIND_ZH[chosenKind]}，未导入任何数据。`}
      </View>
      <View className="im-columns">文件的列：{columns.length > 0 ? columns.join('、') : '（首行为空）'}</View>
      {fits.length > 0 ? (
        <>
          <View>这个文件符合以下格式，可改用它导入：</View>
          {fits.map((f) => (
            <Button
              key={f.name}
              className="ml-btn ml-btn--ghost im-fit"
              onClick={() => onUse(f.name)}
              data-testid="import-use-fit"
            >
              {/* the label's name, without its list of columns in brackets */}
              改用「{f.label.replace(/（.*$/, '')}」导入
            </Button>
          ))}
        </>
      ) : (
        <View>
          请确认首行是列名，并核对导出的是会员资料还是销售明细；列名与现有格式都不同的文件，可点上方「＋
          新建导入格式」。
        </View>
      )}
    </View>
  );
}

export default function Imports() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [mapping, setMapping] = useState<string | null>(null);
  const [file, setFile] = useState<ChosenFile | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [run, setRun] = useState<Run>({ kind: 'idle' });
  // a double click must not upload the file twice (the second upload would answer "已导入过" over the first's result)
  const starting = useRef(false);

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    loadForStaff(
      () => Promise.all([identityApi.importFormats(), identityApi.imports()]),
      ([formats, list]) => {
        setState({ kind: 'ready', formats, imports: list.imports });
        setMapping((m) => m ?? formats.mappings[0]?.name ?? null);
      },
      (error) => setState({ kind: 'error', error }),
    );
  }, []);

  useEffect(load, []);

  // back from 新建导入格式 with a new format: list it and select it
  useDidShow(() => {
    const saved = Taro.getStorageSync(NEW_FORMAT_KEY);
    if (!saved) return;
    Taro.removeStorageSync(NEW_FORMAT_KEY);
    loadForStaff(
      () => identityApi.importFormats(),
      (formats) => {
        setState((s) => (s.kind === 'ready' ? { ...s, formats } : s));
        setMapping(String(saved));
      },
      (error) => setState({ kind: 'error', error }),
    );
  });

  /** stops offering a format HQ made; the list drops it */
  const stopFormat = (name: string) =>
    identityApi
      .archiveImportFormat(name)
      .then(() => {
        setState((s) =>
          s.kind === 'ready'
            ? { ...s, formats: { ...s.formats, mappings: s.formats.mappings.filter((m) => m.name !== name) } }
            : s,
        );
        setMapping((m) => (m === name ? null : m));
      })
      .catch((error: unknown) => {
        if (isSessionError(error)) leaveStaffSession();
        else setFileError(describeError(error).message);
      });

  if (state.kind === 'loading')
    return (
      <View className="ml-page ml-console">
        <LoadingCard lines={4} />
      </View>
    );
  if (state.kind === 'error')
    return (
      <View className="ml-page ml-console">
        <StaffErrorCard page="imports" error={state.error} onRetry={load} />
      </View>
    );

  const { formats, imports } = state;
  const chosen: Mapping | undefined = formats.mappings.find((m) => m.name === mapping);
  // a format no longer offered (stopped) was made on the page, and those name their source
  const perRowSource = (name: string) => formats.mappings.find((m) => m.name === name)?.source === null;

  const pickFile = async () => {
    setFileError(null);
    try {
      const f = await platform.chooseTextFile({ extensions: ['csv', 'jsonl', 'txt'], maxBytes: formats.limits.bytes });
      setFile(f);
      setRun({ kind: 'idle' });
    } catch (error) {
      if (error instanceof PlatformError && error.cancelled) return;
      setFileError(
        error instanceof PlatformError && /too large/.test(error.errMsg)
          ? `文件超过 ${sizeText(formats.limits.bytes)}，请分批导出后上传`
          : describeError(error).message,
      );
    }
  };

  const finished = (result: ImportView) => {
    setRun({ kind: 'done', result });
    setState((s) =>
      s.kind === 'ready' ? { ...s, imports: [result, ...s.imports.filter((i) => i.id !== result.id)] } : s,
    );
    // the result is below the form: bring it into view once it is drawn
    setTimeout(() => Taro.pageScrollTo({ selector: '.im-result', duration: 300 }), 50);
  };

  const failed = (error: unknown, view?: ImportView) => {
    if (isSessionError(error)) return leaveStaffSession();
    if (isApiError(error) && error.code === 'IMPORT_COLUMNS_MISMATCH') {
      const details = ImportColumnsMismatch.safeParse(error.details);
      if (details.success) return setRun({ kind: 'columns', format: chosen?.label ?? '', details: details.data });
    }
    const repeated = duplicateColumnsText(error);
    if (repeated) return setRun({ kind: 'failed', message: repeated });
    const e = describeError(error);
    setRun({ kind: 'failed', message: e.message, requestId: e.requestId, view });
  };

  /** asks for the next step until the import is done; each step is one request of up to about 20 s */
  const drive = async (first: ImportView) => {
    let view = first;
    while (view.status === 'running') {
      setRun({ kind: 'running', view });
      const before = view.rowsDone;
      try {
        view = await identityApi.continueImport(view.id);
      } catch (error) {
        return failed(error, view);
      }
      // another request holds the step (a second tab, a retried call): wait for it rather than ask again at once
      if (view.status === 'running' && view.rowsDone === before) await sleep(1500);
    }
    if (view.status === 'failed') return setRun({ kind: 'failed', message: '导入中断，请重新上传这个文件继续导入' });
    finished(view);
  };

  /** uploads the file with the chosen format, or with the one named (a format the file was found to fit) */
  const start = (name = chosen?.name) => {
    if (!file || !name || starting.current) return;
    starting.current = true;
    setMapping(name);
    setRun({ kind: 'running', view: null });
    identityApi
      .uploadImport({ mapping: name, fileName: file.name, ...fileContent(file) })
      .then((view) => {
        setFile(null);
        return drive(view);
      })
      .catch((error: unknown) => failed(error))
      .finally(() => {
        starting.current = false;
      });
  };

  const progress = run.kind === 'running' && run.view ? run.view : null;

  return (
    <View className="ml-page ml-console" data-testid="imports">
      <View className="staff-hero">
        <View className="staff-hero__title">数据导入</View>
        <View className="staff-hero__sub">
          上传门店收银或线上商城导出的会员资料、销售明细，按与系统对接相同的规则清洗并关联会员
        </View>
      </View>

      <View className="ml-card">
        <View className="im-step">1. 选择文件格式</View>
        {formats.mappings.map((m) => (
          <FormatItem
            key={m.name}
            m={m}
            on={m.name === mapping}
            onPick={() => setMapping(m.name)}
            onStop={() => stopFormat(m.name)}
          />
        ))}
        <Button
          className="ml-btn ml-btn--ghost im-new-format"
          onClick={() => Taro.navigateTo({ url: '/staff/pages/import-format/index' })}
          data-testid="import-new-format"
        >
          ＋ 新建导入格式
        </Button>
        <View className="im-limits">列名与以上格式都不同的导出文件，可用一份样例文件新建格式</View>

        <View className="im-step">2. 选择文件</View>
        <View className="im-limits">
          CSV（首行为列名）或 JSON Lines，UTF-8 或 GBK 编码（Excel 另存的 CSV 均可），最大{' '}
          {sizeText(formats.limits.bytes)}
          。导入分段进行，请保持页面打开直到完成；全量迁移请由技术人员使用命令行导入。
          {platform.env === 'weapp'
            ? '在小程序中，请先把导出文件发送到微信「文件传输助手」，再点「选择文件」从聊天记录中选取。'
            : ''}
        </View>
        <Button
          className="ml-btn ml-btn--ghost"
          onClick={pickFile}
          data-testid="import-pick"
          disabled={run.kind === 'running'}
        >
          {file ? '重新选择文件' : '选择文件'}
        </Button>
        {file ? (
          <View className="staff-file" data-testid="import-file">
            {file.name} · {sizeText(file.size)}
            {fileEncodingLabel(file) ? ` · ${fileEncodingLabel(file)} 编码，将自动转换` : ''}
          </View>
        ) : null}
        {fileError ? <View className="im-error">{fileError}</View> : null}

        <View className="im-step">3. 开始导入</View>
        <Button
          className="ml-btn ml-btn--primary"
          disabled={!file || !chosen || run.kind === 'running'}
          onClick={() => start()}
          data-testid="import-start"
        >
          {run.kind === 'running' ? (run.view ? '正在导入，请勿关闭页面…' : '正在上传…') : '开始导入'}
        </Button>
        {progress ? (
          <View className="im-progress" data-testid="import-progress">
            <View className="im-progress__bar">
              <View
                className="im-progress__fill"
                style={{ width: `${Math.round((100 * progress.rowsDone) / Math.max(1, progress.rowsTotal))}%` }}
              />
            </View>
            <View className="im-progress__text">
              已处理 {progress.rowsDone} / {progress.rowsTotal} 行
            </View>
          </View>
        ) : null}
        {run.kind === 'columns' ? <ColumnsMismatch run={run} onUse={start} /> : null}
        {run.kind === 'failed' ? (
          <View className="im-error" data-testid="import-error">
            {run.message}
            {run.requestId ? `（请求编号 ${run.requestId}）` : ''}
            {run.view ? (
              <Button
                className="ml-btn ml-btn--ghost im-resume"
                onClick={() => drive(run.view as ImportView)}
                data-testid="import-resume"
              >
                继续导入（已处理 {run.view.rowsDone} / {run.view.rowsTotal} 行）
              </Button>
            ) : null}
          </View>
        ) : null}
      </View>

      {run.kind === 'done' ? (
        <View className="ml-card im-result" data-testid="import-result">
          <View className="staff-card__title">导入结果 · {run.result.fileName}</View>
          {run.result.repeated ? (
            <View className="im-hint im-hint--notice" data-testid="import-repeated">
              这个文件已于 {beijingMinute(run.result.startedAt)} 由 {run.result.staffName ?? '同事'}{' '}
              导入过，未重复导入，以下是当时的结果。
            </View>
          ) : (
            <View className="im-hint">
              {(run.result.summary?.seconds ?? 0) < 1 ? '用时不到 1 秒' : `用时 ${run.result.summary?.seconds} 秒`}
            </View>
          )}
          <Summary result={run.result} perRowSource={perRowSource(run.result.mapping)} />
        </View>
      ) : null}

      <View className="im-section">最近导入</View>
      {imports.length === 0 ? <View className="im-empty">还没有从页面导入过文件</View> : null}
      {imports.map((item) => (
        <HistoryItem
          key={item.id}
          item={item}
          perRowSource={perRowSource(item.mapping)}
          onContinue={(i) => {
            if (run.kind !== 'running') drive(i);
          }}
        />
      ))}
    </View>
  );
}
