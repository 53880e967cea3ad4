/**
 * 数据导入 (HQ, staff pages): a POS or mall export uploaded from the page, run through the same import as the CLI
 * (`npm run import`): member records with per-record linking (the partner API's path, so a store's export of new
 * cards joins the existing base), or orders. A serverless function answers within 60 s, so the import goes on in
 * steps: the upload stores the text and runs the first step, each `continue` the next, from the row the last one
 * reached, until the file is done (then the text is deleted). A step stops after the batch that passes
 * IMPORT_STEP_MS and holds a lease on the import, so two requests never run the same rows; a function that died
 * frees it when the lease ends. Each distinct upload is imported once: the same content with the same format
 * answers with that import (`repeated`), and continues it while it runs.
 */
import { createHash } from 'node:crypto';
import type { StaffActor } from '../../../shared/access/policy.js';
import {
  IMPORT_LIMITS,
  type ImportColumnsMismatch,
  type ImportRefusedFile,
  type ImportSummaryView,
  type ImportUploadBody,
  type ImportView,
  type ImportWarning,
} from '../../../shared/contracts/identity.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import type { OrderSource } from '../../../shared/identity/order.js';
import type { RecordSource } from '../../../shared/identity/record.js';
import { type Refusal, refusalText } from '../../../shared/identity/refusal.js';
import type { Database, Db } from '../../adapters/db/client.js';
import { type DataImportRow, dataImportRepo } from '../../adapters/db/repos/data-import.repo.js';
import { createIdentityQualityRepo } from '../../adapters/db/repos/identity-quality.repo.js';
import { newId } from '../../adapters/ids.js';
import { recordAudit } from '../audit.js';
import type { Deps } from '../deps.js';
import { uploadedText } from './file-encoding.js';
import { fileColumns, flagField, type ImportWarningEntry, importFile, repeatedReadColumns } from './import-file.js';
import {
  findUploadMapping,
  listUploadMappings,
  mappingColumns,
  requiredColumns,
  type UploadMapping,
  uploadMapping,
} from './import-mappings.js';
import { importOrdersFile } from './import-orders.js';
import { computeQuality, IMPORT_ACTOR } from './quality.js';
import { fileText, refusedRowsFile } from './refused-rows.js';

/** a step's hold on its import: longer than any step (the function's 60 s) */
const LEASE_MS = 90_000;
const SHOWN_REJECTIONS = 50;
const SHOWN_WARNINGS = 50;
/**
 * Rows or orders per batch (one transaction each): 250 on PostgreSQL. PGlite, in the local runner's process, runs
 * one statement at a time, so another request waits for the batch in hand: 50 (about 0.5 s of per-record linking)
 * keeps the local pages answering while an upload runs.
 */
export const uploadBatchSize = (database: Database) => (database.driver === 'pglite' ? 50 : 250);
/**
 * The data-quality report is refreshed at the end of an upload (as `npm run import` does): in the import's last
 * step when the last report took at most this long (0.46 s at 10^5 members) or fits in the step's time left, else
 * in a step of its own (7.8 s at 10^6 members), so that the last rows' answer does not wait for it.
 */
const QUALITY_INLINE_MS = 2_000;

/** What a flagged value means and what the import did with it, in Chinese (flags: shared/identity/record.ts). */
const FLAG_ZH: Record<string, string> = {
  birthday_unparseable: '不是有效日期（应为年-月-日，如 1985-03-07），生日留空，这一行其余信息已导入',
  last_active_unparseable: '不是有效日期（应为年-月-日，如 2026-03-07），最近消费日期留空，这一行其余信息已导入',
  phone_not_mobile: '不是大陆手机号，已保存但不用于关联会员',
  phone_bad_length: '位数不对（手机号应为 11 位），已保存但不用于关联会员',
  phone_empty: '没有可用的号码，已保存但不用于关联会员',
  phone_placeholder: '是占位号码（如 13800138000、13888888888），已保存但不用于关联会员',
  phone_store_phone: '是门店的电话而非会员本人的，已保存但不用于关联会员',
  email_bad_syntax: '不是有效的电子邮箱，已保存但不用于关联会员',
  phone_verified_ignored: '只有小程序能验证手机号，文件中的「已验证」未采用',
  openid_ignored: '只有本小程序的登录能证明 openid，文件中的 openid 未采用',
  unionid_ignored: '只有微信（小程序、微信商城、企业微信）能证明 unionid，收银系统文件中的 unionid 未采用',
  wecom_id_ignored: '只有企业微信能证明企业微信 ID，文件中的企业微信 ID 未采用',
};
const flagZh = (code: string) => FLAG_ZH[code] ?? `未通过检查（${code}），这一行已导入`;

const warningView = (w: ImportWarningEntry): ImportWarning => ({
  row: w.row,
  id: w.id,
  code: w.flag,
  column: w.column,
  value: w.value,
  explanation: `${w.column ? `「${w.column}」` : ''}${w.value !== null ? `的值「${w.value}」` : ''}${flagZh(w.flag)}`,
});

const rejection = (r: { row: number | null; id: string | null; refusal: Refusal | null; reason: string }) => ({
  row: r.row,
  id: r.id,
  code: r.refusal?.code ?? null,
  explanation: r.refusal ? refusalText(r.refusal, 'zh') : r.reason,
  reason: r.reason,
});

const isJsonLines = (fileName: string) => /\.jsonl?$/i.test(fileName);

/**
 * Data rows of a CSV or JSON-lines text: its non-empty lines, less the header of a CSV. A CSV line of only commas
 * (the empty rows Excel leaves under a table) is no row: the reader skips it.
 */
function dataRows(content: string, jsonl: boolean): number {
  let n = 0;
  for (const line of content.split(/\r\n|\n|\r/)) if (jsonl ? line.trim() !== '' : !/^[\s,]*$/.test(line)) n += 1;
  return jsonl ? n : Math.max(0, n - 1);
}

export function importView(r: DataImportRow, repeated = false): ImportView {
  return {
    id: r.id,
    kind: r.kind,
    mapping: r.mapping,
    mappingLabel: r.format_label ?? uploadMapping(r.mapping)?.label ?? r.mapping,
    fileName: r.file_name,
    sizeBytes: Number(r.size_bytes),
    status: r.status,
    rowsTotal: Number(r.rows_total),
    rowsDone: Math.min(Number(r.rows_done), Number(r.rows_total)),
    refusedRows: Number(r.refused_rows),
    repeated,
    staffName: r.staff_name,
    startedAt: new Date(r.started_at).toISOString(),
    finishedAt: r.finished_at === null ? null : new Date(r.finished_at).toISOString(),
    summary: (r.summary as ImportSummaryView | null) ?? null,
  };
}

/** Two steps' summaries as one: counts added, the first refused rows kept. */
function addSummaries(a: ImportSummaryView | null, b: ImportSummaryView): ImportSummaryView {
  if (!a) return b;
  return {
    rows: a.rows + b.rows,
    created: a.created + b.created,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    rejected: a.rejected + b.rejected,
    linked: a.linked + b.linked,
    held: a.held + b.held,
    orders: a.orders + b.orders,
    ordersKnown: a.ordersKnown + b.ordersKnown,
    ordersWaiting: a.ordersWaiting + b.ordersWaiting,
    seconds: Math.round((a.seconds + b.seconds) * 10) / 10,
    rejections: [...a.rejections, ...b.rejections].slice(0, SHOWN_REJECTIONS),
    // a summary stored before warnings were reported has none
    warned: (a.warned ?? 0) + b.warned,
    warningCounts: addCounts(a.warningCounts ?? [], b.warningCounts),
    warnings: [...(a.warnings ?? []), ...b.warnings].slice(0, SHOWN_WARNINGS),
  };
}

function addCounts(
  a: ImportSummaryView['warningCounts'],
  b: ImportSummaryView['warningCounts'],
): ImportSummaryView['warningCounts'] {
  const out = a.map((x) => ({ ...x }));
  for (const x of b) {
    const same = out.find((y) => y.code === x.code && y.column === x.column);
    if (same) same.rows += x.rows;
    else out.push({ ...x });
  }
  return out;
}

/**
 * The data-quality report after an upload, as the command line makes it (`computed_by` import); a failure is logged,
 * not the import's: the nightly job makes the next one.
 */
async function refreshQualityAfterImport(deps: Deps, importId: string): Promise<void> {
  try {
    await computeQuality(deps.database.db, { actorId: IMPORT_ACTOR, now: () => deps.clock.now(), minIntervalMs: 0 });
  } catch (error) {
    deps.log.warn('data-quality report after an upload failed', {
      importId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/** One step of a running import, if no other step holds it; the import as it stands after. */
async function step(deps: Deps, id: string): Promise<DataImportRow | null> {
  const db = deps.database.db;
  const now = deps.clock.now();
  const work = await dataImportRepo.acquire(db, id, now, new Date(now.getTime() + LEASE_MS));
  if (work) {
    const m = await findUploadMapping(db, work.mapping);
    try {
      if (!m) throw new Error(`upload format ${work.mapping} is no longer known`);
      const started = performance.now();
      const skipRows = Number(work.rows_done);
      const r = await runUpload(deps.database, m, { fileName: work.file_name, content: work.content }, now, {
        skipRows,
        shouldStop: () => performance.now() - started >= deps.env.IMPORT_STEP_MS,
      });
      let done = r.complete;
      if (done) {
        // the last rows are in: the data-quality report (数据质量) counts them, in this step if it is cheap or the
        // step has the time, else in the next one (which finds no rows left and only refreshes it)
        const [last] = await createIdentityQualityRepo(db).latest(1);
        const cost = last?.durationMs ?? 0;
        const spent = performance.now() - started;
        const onlyRefresh = r.rowsDone <= skipRows;
        if (onlyRefresh || cost <= QUALITY_INLINE_MS || spent + cost <= deps.env.IMPORT_STEP_MS)
          await refreshQualityAfterImport(deps, id);
        else done = false;
      }
      await dataImportRepo.saveStep(db, id, {
        rowsDone: r.rowsDone,
        summary: addSummaries(work.summary as ImportSummaryView | null, r.summary),
        refused: r.refused,
        done,
        now: deps.clock.now(),
      });
    } catch (error) {
      await dataImportRepo.fail(db, id, error instanceof Error ? error.message : String(error), deps.clock.now());
      throw error;
    }
  }
  return dataImportRepo.byId(db, id);
}

/**
 * Whether the file can be imported with the format: it has each column the format requires, and it is not the other
 * kind of file (a sales export whose 会员卡号 would make every sold item a member card): no format of the other kind
 * that fits it reads more of its columns. With the formats it fits, the most of its columns read first.
 */
async function columnsMismatch(
  db: Db,
  m: UploadMapping,
  columns: readonly string[],
): Promise<ImportColumnsMismatch | null> {
  const has = new Set(columns);
  const read = (f: UploadMapping) => mappingColumns(f).filter((c) => has.has(c)).length;
  const missing = requiredColumns(m).filter((c) => !has.has(c));
  const fitting = (await listUploadMappings(db))
    .filter((f) => f.name !== m.name && requiredColumns(f).every((c) => has.has(c)))
    .map((f) => ({ f, read: read(f) }))
    .sort((a, b) => b.read - a.read);
  const other = fitting.find(({ f }) => f.kind !== m.kind);
  const looksLike = missing.length === 0 && other && other.read > read(m) ? other.f.kind : null;
  if (missing.length === 0 && !looksLike) return null;
  return {
    missing,
    looksLike,
    columns: columns.slice(0, 40),
    fits: fitting.slice(0, 3).map(({ f }) => ({ name: f.name, label: f.label, kind: f.kind })),
  };
}

export async function uploadImport(
  deps: Deps,
  actor: StaffActor,
  body: ImportUploadBody,
  requestId: string,
): Promise<
  Result<
    ImportView,
    | 'IMPORT_MAPPING_UNKNOWN'
    | 'IMPORT_TOO_LARGE'
    | 'IMPORT_FILE_ENCODING'
    | 'IMPORT_FILE_EMPTY'
    | 'IMPORT_COLUMNS_MISMATCH'
    | 'IMPORT_COLUMNS_DUPLICATE'
  >
> {
  const m = await findUploadMapping(deps.database.db, body.mapping);
  if (!m) return fail('IMPORT_MAPPING_UNKNOWN', `no upload format ${body.mapping}`);
  if (m.custom?.archived) return fail('IMPORT_MAPPING_UNKNOWN', `upload format ${body.mapping} is no longer offered`);
  // a GBK export (Chinese Excel's CSV) comes as its bytes and is stored as text, like a UTF-8 one
  const file = uploadedText(body);
  if (!file.ok) return file;
  const { text: content, bytes: sizeBytes } = file.value;
  if (sizeBytes > IMPORT_LIMITS.bytes)
    return fail('IMPORT_TOO_LARGE', `${sizeBytes} bytes: an upload takes at most ${IMPORT_LIMITS.bytes}`);
  const db = deps.database.db;
  const jsonl = isJsonLines(body.fileName);
  const rowsTotal = dataRows(content, jsonl);
  if (rowsTotal === 0)
    return fail('IMPORT_FILE_EMPTY', jsonl ? 'the file has no records' : 'the file has no rows after its header');
  const columns = fileColumns(content, jsonl ? 'jsonl' : 'csv');
  const mismatch = await columnsMismatch(db, m, columns);
  if (mismatch) {
    const why = mismatch.looksLike
      ? `it looks like ${mismatch.looksLike}`
      : `it has no column ${mismatch.missing.join(', ')}`;
    return fail('IMPORT_COLUMNS_MISMATCH', `the file does not fit format ${m.name}: ${why}`, mismatch);
  }
  // a column the format reads, twice in the header: the reader would keep one of them silently (a JSON object's
  // keys are one each)
  const repeated = jsonl ? [] : repeatedReadColumns(columns, mappingColumns(m));
  if (repeated.length > 0)
    return fail(
      'IMPORT_COLUMNS_DUPLICATE',
      `the header has more than one column named ${repeated.join(', ')}, which format ${m.name} reads`,
      { columns: repeated },
    );
  const now = deps.clock.now();
  const sha256 = createHash('sha256').update(content).digest('hex');
  // the upload and its audit line are written together or not at all
  const { created, row } = await db.transaction(async (tx) => {
    const claimed = await dataImportRepo.claim(tx, {
      id: newId('imp', now.getTime()),
      kind: m.kind,
      mapping: m.name,
      fileName: body.fileName,
      sha256,
      content,
      sizeBytes,
      rowsTotal,
      staffId: actor.staffId,
      now,
    });
    await recordAudit(tx, {
      actorKind: 'staff',
      actorId: actor.staffId,
      action: 'identity.import',
      requestId,
      details: {
        importId: claimed.row.id,
        mapping: m.name,
        fileName: body.fileName,
        sizeBytes,
        encoding: file.value.encoding,
        rows: rowsTotal,
        sha256,
        created: claimed.created,
      },
      at: now,
    });
    return claimed;
  });
  if (row.status === 'done') return ok(importView(row, !created));
  const after = (await step(deps, row.id)) ?? row;
  return ok(importView(after, !created));
}

/** The next step of a running import (the page asks until it is done); a finished one is answered as it is. */
export async function continueImport(deps: Deps, id: string): Promise<Result<ImportView, 'IMPORT_NOT_FOUND'>> {
  const found = await dataImportRepo.byId(deps.database.db, id);
  if (!found) return fail('IMPORT_NOT_FOUND', `no import ${id}`);
  if (found.status !== 'running') return ok(importView(found));
  return ok(importView((await step(deps, id)) ?? found));
}

/**
 * The import an upload runs (the use case above, and `npm run bench -- upload`): records linked per record, or
 * orders; with the rows it refused as a file to correct and upload again.
 */
export async function runUpload(
  database: Database,
  m: UploadMapping,
  upload: { fileName: string; content: string },
  now: Date,
  resume: { skipRows?: number; shouldStop?: () => boolean } = {},
): Promise<{
  summary: ImportSummaryView;
  rowsDone: number;
  complete: boolean;
  refused: { header: string; body: string; rows: number };
}> {
  const format = isJsonLines(upload.fileName) ? ('jsonl' as const) : ('csv' as const);
  const refused = refusedRowsFile(format);
  const input = { file: upload.fileName, text: upload.content, format, refused, ...resume };
  const refusedPart = () => ({ ...refused.parts(), rows: refused.rows });
  if (m.kind === 'records') {
    const s = await importFile(database, {
      ...input,
      source: (m.source ?? undefined) as RecordSource | undefined,
      mapping: m.mapping,
      linking: 'incremental',
      batchSize: uploadBatchSize(database),
      now,
    });
    const summary: ImportSummaryView = {
      rows: s.rows,
      created: s.created,
      updated: s.updated,
      unchanged: s.unchanged,
      rejected: s.rejected,
      linked: s.linked,
      held: s.held,
      orders: 0,
      ordersKnown: 0,
      ordersWaiting: 0,
      seconds: Math.round(s.seconds * 10) / 10,
      rejections: s.rejections.slice(0, SHOWN_REJECTIONS).map(rejection),
      warned: s.warned,
      warningCounts: Object.entries(s.flags).map(([code, rows]) => {
        const field = flagField(code);
        const column = field ? (m.mapping.fields[field] ?? null) : null;
        return { code, column, explanation: `${column ? `「${column}」` : ''}${flagZh(code)}`, rows };
      }),
      warnings: s.warnings.slice(0, SHOWN_WARNINGS).map(warningView),
    };
    return { summary, rowsDone: s.rowsDone, complete: s.complete, refused: refusedPart() };
  }
  const s = await importOrdersFile(database, {
    ...input,
    source: (m.source ?? undefined) as OrderSource | undefined,
    mapping: m.mapping,
    batchSize: uploadBatchSize(database),
    now,
  });
  const summary: ImportSummaryView = {
    rows: s.rows,
    created: s.created,
    updated: 0,
    unchanged: s.unchanged,
    rejected: s.rejected,
    linked: 0,
    held: 0,
    orders: s.orders,
    ordersKnown: s.members.known,
    ordersWaiting: s.members.waiting,
    seconds: Math.round(s.seconds * 10) / 10,
    rejections: s.rejections
      .slice(0, SHOWN_REJECTIONS)
      .map((r) => rejection({ row: r.row, id: r.externalId, refusal: r.refusal, reason: r.reason })),
    warned: 0,
    warningCounts: [],
    warnings: [],
  };
  return { summary, rowsDone: s.rowsDone, complete: s.complete, refused: refusedPart() };
}

/**
 * The refused rows of an import as a file (HQ): the upload's own columns and 拒收原因, to correct and upload again.
 * It holds members' names and phones, so each download is audited.
 */
export async function refusedRowsDownload(
  deps: Deps,
  actor: StaffActor,
  id: string,
  requestId: string,
): Promise<Result<ImportRefusedFile, 'IMPORT_NOT_FOUND' | 'IMPORT_NO_REFUSED_ROWS'>> {
  const db = deps.database.db;
  const found = await dataImportRepo.byId(db, id);
  if (!found) return fail('IMPORT_NOT_FOUND', `no import ${id}`);
  const file = await dataImportRepo.refusedFile(db, id);
  if (!file) return fail('IMPORT_NO_REFUSED_ROWS', `import ${id} has no refused rows kept`);
  const jsonl = isJsonLines(found.file_name);
  const base = found.file_name.replace(/\.(csv|txt|jsonl?)$/i, '');
  const fileName = `${base}-拒收的行.${jsonl ? 'jsonl' : 'csv'}`;
  await recordAudit(db, {
    actorKind: 'staff',
    actorId: actor.staffId,
    action: 'identity.import_refused_download',
    requestId,
    details: { importId: id, fileName, rows: file.rows },
    at: deps.clock.now(),
  });
  return ok({ fileName, rows: Number(file.rows), content: fileText(jsonl ? 'jsonl' : 'csv', file.text) });
}

export async function recentImports(deps: Deps): Promise<ImportView[]> {
  return (await dataImportRepo.recent(deps.database.db, 20)).map((r) => importView(r));
}
