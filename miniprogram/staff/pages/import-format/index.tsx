/**
 * 新建导入格式 (HQ): teach MedLoop another POS or mall export from a sample file. Say what the file holds (member
 * records or sales) and where it comes from, pick the sample: its header row proposes which column is which field;
 * change any of them, and the first records or orders are tried as the import would take them (nothing is stored),
 * each with why in Chinese when it would be refused. Name it and save: 数据导入 offers it from then on. A saved
 * format is not edited; make a new one and stop the old on 数据导入.
 */
import { IMPORT_LIMITS, IMPORT_SAMPLE_CHARS, type ImportFormatPreviewResponse } from '@shared/contracts/identity';
import { IMPORT_FIELDS, IMPORT_FORMAT_SOURCES, type ImportKind } from '@shared/identity/import-fields';
import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { describeError } from '../../../components/describe-error';
import { type ChosenFile, PlatformError, platform } from '../../../platform';
import { isSessionError } from '../../../services/api-error';
import { identityApi } from '../../../services/identity';
import { fileEncodingLabel, sampleContent } from '../../file-content';
import { NoAccessCard, type NoAccessView, noAccessView } from '../../staff-error';
import { leaveStaffSession, staffLoadError } from '../../staff-load';
import { duplicateColumnsText } from '../imports/duplicate-columns';
import '../../staff.scss';
import './index.scss';
import { NEW_FORMAT_KEY } from './saved';

const KINDS: { kind: ImportKind; label: string; sub: string }[] = [
  { kind: 'records', label: '会员资料', sub: '每行一位会员' },
  { kind: 'orders', label: '销售明细', sub: '每行一件商品' },
];

const SOURCE_ZH: Record<string, string> = { pos: '门店收银', mall: '线上商城', wecom: '企业微信' };

type Preview = ImportFormatPreviewResponse;

export default function ImportFormat() {
  const [kind, setKind] = useState<ImportKind>('records');
  const [source, setSource] = useState('pos');
  const [file, setFile] = useState<ChosenFile | null>(null);
  const [fields, setFields] = useState<Record<string, string> | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [label, setLabel] = useState('');
  const [saving, setSaving] = useState(false);
  /** the account may not make formats (HQ's): the page says so instead of its steps */
  const [noAccess, setNoAccess] = useState<NoAccessView | null>(null);

  const failed = (e: unknown) => {
    if (isSessionError(e)) return leaveStaffSession();
    const repeated = duplicateColumnsText(e);
    if (repeated) return setError(repeated);
    const refused = staffLoadError(e);
    const view = noAccessView('import-format', refused);
    if (view) setNoAccess(view);
    else setError(refused.message);
  };

  /** the preview of the sample with these fields (null: the ones its header row suggests) */
  const run = (f: ChosenFile, k: ImportKind, s: string, given: Record<string, string> | null) => {
    setBusy(true);
    setError(null);
    identityApi
      .previewImportFormat({
        kind: k,
        source: s as 'pos' | 'mall' | 'wecom',
        fileName: f.name,
        ...sampleContent(f, IMPORT_SAMPLE_CHARS),
        ...(given ? { fields: given } : {}),
      })
      .then((p) => {
        setPreview(p);
        setFields(p.fields);
      })
      .catch((e: unknown) => {
        setPreview(null);
        failed(e);
      })
      .finally(() => setBusy(false));
  };

  // a change of what the file holds proposes the mapping afresh; of where it comes from, only tries it again
  // biome-ignore lint/correctness/useExhaustiveDependencies: the sample, kind and source are what re-runs it
  useEffect(() => {
    if (file) run(file, kind, source, null);
  }, [kind, file]);

  const chooseKind = (k: ImportKind) => {
    setKind(k);
    setOpen(null);
    if (!IMPORT_FORMAT_SOURCES[k].includes(source)) setSource('pos');
  };

  const chooseSource = (s: string) => {
    setSource(s);
    if (file && fields) run(file, kind, s, fields);
  };

  const pickFile = async () => {
    setError(null);
    try {
      const f = await platform.chooseTextFile({ extensions: ['csv', 'jsonl', 'txt'], maxBytes: IMPORT_LIMITS.bytes });
      setFields(null);
      setPreview(null);
      setFile(f);
    } catch (e) {
      if (e instanceof PlatformError && e.cancelled) return;
      setError(describeError(e).message);
    }
  };

  const setColumn = (field: string, column: string | null) => {
    if (!file || !fields) return;
    const next = { ...fields };
    if (column === null) delete next[field];
    else next[field] = column;
    setOpen(null);
    run(file, kind, source, next);
  };

  const save = () => {
    if (!fields) return;
    setSaving(true);
    setError(null);
    identityApi
      .createImportFormat({ kind, source: source as 'pos' | 'mall' | 'wecom', label: label.trim(), fields })
      .then((saved) => {
        Taro.setStorageSync(NEW_FORMAT_KEY, saved.name);
        Taro.navigateBack();
      })
      .catch((e: unknown) => {
        setSaving(false);
        failed(e);
      });
  };

  const missing = preview?.missing ?? [];
  const canSave = !!fields && missing.length === 0 && label.trim().length >= 2 && !saving && !busy;

  const hero = (
    <View className="staff-hero">
      <View className="staff-hero__title">新建导入格式</View>
      <View className="staff-hero__sub">用一份样例文件告诉系统每一列是什么，保存后即可在「数据导入」中选用</View>
    </View>
  );
  if (noAccess) {
    return (
      <View className="ml-page ml-console" data-testid="import-format">
        {hero}
        <NoAccessCard {...noAccess} />
      </View>
    );
  }

  return (
    <View className="ml-page ml-console" data-testid="import-format">
      {hero}

      <View className="ml-card">
        <View className="if-step">1. 文件内容</View>
        <View className="if-options">
          {KINDS.map((k) => (
            <View
              key={k.kind}
              className={`if-option ${kind === k.kind ? 'if-option--on' : ''}`}
              onClick={() => chooseKind(k.kind)}
              data-testid={`format-kind-${k.kind}`}
            >
              <View className="if-option__label">{k.label}</View>
              <View className="if-option__sub">{k.sub}</View>
            </View>
          ))}
        </View>
        <View className="if-step">2. 数据来源</View>
        <View className="if-options">
          {IMPORT_FORMAT_SOURCES[kind].map((s) => (
            <View
              key={s}
              className={`if-option if-option--small ${source === s ? 'if-option--on' : ''}`}
              onClick={() => chooseSource(s)}
              data-testid={`format-source-${s}`}
            >
              <View className="if-option__label">{SOURCE_ZH[s] ?? s}</View>
            </View>
          ))}
        </View>
        <View className="if-step">3. 样例文件</View>
        <View className="if-hint">
          该系统导出的 CSV（首行为列名）或 JSON Lines 文件，只读取开头几行用于识别，不会导入
        </View>
        <Button className="ml-btn ml-btn--ghost" onClick={pickFile} data-testid="format-pick">
          {file ? '换一个样例文件' : '选择样例文件'}
        </Button>
        {file ? (
          <View className="staff-file" data-testid="format-file">
            {file.name}
            {fileEncodingLabel(file) ? ` · ${fileEncodingLabel(file)} 编码` : ''}
            {preview ? ` · 识别到 ${preview.columns.length} 列` : ''}
          </View>
        ) : null}
      </View>

      {preview && fields ? (
        <View className="ml-card" data-testid="format-fields">
          <View className="if-step">4. 对应列</View>
          <View className="if-hint">系统已按列名自动对应，请逐项核对；点一项可改选</View>
          {IMPORT_FIELDS[kind].map((f) => (
            <View key={f.field} className="if-field" data-testid={`format-field-${f.field}`}>
              <View className="if-field__row" onClick={() => setOpen(open === f.field ? null : f.field)}>
                <View className="if-field__name">
                  {f.label}
                  {f.required ? <Text className="if-required">必填</Text> : null}
                  {f.hint ? <View className="if-field__hint">{f.hint}</View> : null}
                </View>
                <Text className={`if-field__column ${fields[f.field] ? '' : 'if-field__column--none'}`}>
                  {fields[f.field] ?? '不导入'}
                </Text>
              </View>
              {open === f.field ? (
                <View className="if-choices">
                  <View
                    className={`if-choice ${fields[f.field] ? '' : 'if-choice--on'}`}
                    onClick={() => setColumn(f.field, null)}
                  >
                    不导入
                  </View>
                  {preview.columns.map((c) => (
                    <View
                      key={c}
                      className={`if-choice ${fields[f.field] === c ? 'if-choice--on' : ''}`}
                      onClick={() => setColumn(f.field, c)}
                      data-testid="format-choice"
                    >
                      {c}
                    </View>
                  ))}
                </View>
              ) : null}
            </View>
          ))}
          {missing.length > 0 ? (
            <View className="if-missing" data-testid="format-missing">
              还需要为这些项选择列：{missing.join('、')}
            </View>
          ) : null}
        </View>
      ) : null}

      {preview ? (
        <View className="ml-card" data-testid="format-preview">
          <View className="if-step">5. 试读结果</View>
          <View className="if-hint">
            按上面的对应关系试读样例的前 {preview.items.length} {kind === 'records' ? '位会员' : '张单据'}
            ，未写入系统
          </View>
          {preview.items.length === 0 ? <View className="if-hint">样例中没有可试读的数据行</View> : null}
          {preview.items.map((item) => (
            <View
              key={`${item.row}-${item.id}`}
              className={`if-item ${item.accepted ? '' : 'if-item--bad'}`}
              data-testid="format-preview-item"
            >
              <View className="if-item__head">
                <Text>
                  第 {item.row} 行 · {item.id ?? '（无编号）'}
                  {item.lines !== null ? ` · ${item.lines} 件商品` : ''}
                </Text>
                <Text className="if-item__verdict">{item.accepted ? '可以导入' : '会被拒收'}</Text>
              </View>
              <View className="if-item__values">
                {IMPORT_FIELDS[kind]
                  .filter(
                    (f) => item.values[f.field] !== undefined && f.field !== 'sourceId' && f.field !== 'externalId',
                  )
                  .slice(0, 6)
                  .map((f) => `${f.label}：${item.values[f.field]}`)
                  .join('　')}
              </View>
              {item.explanation ? <View className="if-item__why">{item.explanation}</View> : null}
            </View>
          ))}
        </View>
      ) : null}

      {preview ? (
        <View className="ml-card">
          <View className="if-step">6. 保存</View>
          <Input
            className="if-name"
            placeholder="格式名称，例如：新收银系统会员资料"
            maxlength={40}
            value={label}
            onInput={(e) => setLabel(e.detail.value)}
            data-testid="format-label"
          />
          <Button className="ml-btn ml-btn--primary" disabled={!canSave} onClick={save} data-testid="format-save">
            {saving ? '正在保存…' : '保存格式'}
          </Button>
        </View>
      ) : null}

      {busy ? <View className="if-hint if-busy">正在读取样例…</View> : null}
      {error ? (
        <View className="if-error" data-testid="format-error">
          {error}
        </View>
      ) : null}
    </View>
  );
}
