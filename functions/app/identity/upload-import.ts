/**
 * 会员资料导入 (HQ, staff pages): a POS or mall export uploaded from the page, run through the same import as the
 * CLI (`npm run import`): member records with per-record linking (the partner API's path, so a store's export of
 * new cards joins the existing base), or orders. Each distinct upload is imported once: the same content with the
 * same format answers with that import (`repeated`), a second click while it runs is told so, and a run whose
 * function died is taken over after five minutes. The initial migration of millions stays with the CLI: a page
 * upload is one request (IMPORT_LIMITS).
 */
import { createHash } from 'node:crypto';
import type { StaffActor } from '../../../shared/access/policy.js';
import {
  IMPORT_LIMITS,
  type ImportSummaryView,
  type ImportUploadBody,
  type ImportView,
} from '../../../shared/contracts/identity.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import type { OrderSource } from '../../../shared/identity/order.js';
import type { RecordSource } from '../../../shared/identity/record.js';
import { type Refusal, refusalText } from '../../../shared/identity/refusal.js';
import { type DataImportRow, dataImportRepo } from '../../adapters/db/repos/data-import.repo.js';
import { newId } from '../../adapters/ids.js';
import { recordAudit } from '../audit.js';
import type { Deps } from '../deps.js';
import { importFile } from './import-file.js';
import { uploadMapping } from './import-mappings.js';
import { importOrdersFile } from './import-orders.js';

const STALE_MS = 5 * 60_000;
const SHOWN_REJECTIONS = 50;

const rejection = (r: { row: number | null; id: string | null; refusal: Refusal | null; reason: string }) => ({
  row: r.row,
  id: r.id,
  code: r.refusal?.code ?? null,
  explanation: r.refusal ? refusalText(r.refusal, 'zh') : r.reason,
  reason: r.reason,
});

/** Data rows of a CSV or JSON-lines text: its non-empty lines, less the header of a CSV. */
function dataRows(content: string, jsonl: boolean): number {
  let n = 0;
  for (const line of content.split(/\r\n|\n|\r/)) if (line.trim() !== '') n += 1;
  return jsonl ? n : Math.max(0, n - 1);
}

export function importView(r: DataImportRow, repeated = false): ImportView {
  const m = uploadMapping(r.mapping);
  return {
    id: r.id,
    kind: r.kind,
    mapping: r.mapping,
    mappingLabel: m?.label ?? r.mapping,
    fileName: r.file_name,
    sizeBytes: Number(r.size_bytes),
    status: r.status,
    repeated,
    staffName: r.staff_name,
    startedAt: new Date(r.started_at).toISOString(),
    finishedAt: r.finished_at === null ? null : new Date(r.finished_at).toISOString(),
    summary: (r.summary as ImportSummaryView | null) ?? null,
  };
}

export async function uploadImport(
  deps: Deps,
  actor: StaffActor,
  body: ImportUploadBody,
  requestId: string,
): Promise<Result<ImportView, 'IMPORT_MAPPING_UNKNOWN' | 'IMPORT_TOO_LARGE' | 'IMPORT_RUNNING'>> {
  const m = uploadMapping(body.mapping);
  if (!m) return fail('IMPORT_MAPPING_UNKNOWN', `no upload format ${body.mapping}`);
  const jsonl = /\.jsonl?$/i.test(body.fileName);
  const rowCount = dataRows(body.content, jsonl);
  if (m.kind === 'records' && rowCount > IMPORT_LIMITS.memberRows) {
    return fail(
      'IMPORT_TOO_LARGE',
      `${rowCount} member rows: a page upload takes at most ${IMPORT_LIMITS.memberRows}; split the file or use npm run import`,
    );
  }
  const db = deps.database.db;
  const now = deps.clock.now();
  const sizeBytes = Buffer.byteLength(body.content, 'utf8');
  const sha256 = createHash('sha256').update(body.content).digest('hex');
  const { claimed, row } = await dataImportRepo.claim(db, {
    id: newId('imp', now.getTime()),
    kind: m.kind,
    mapping: m.name,
    fileName: body.fileName,
    sha256,
    sizeBytes,
    staffId: actor.staffId,
    now,
    staleBefore: new Date(now.getTime() - STALE_MS),
  });
  if (!claimed) {
    if (row.status === 'done') return ok(importView(row, true));
    return fail('IMPORT_RUNNING', `this file is being imported since ${new Date(row.started_at).toISOString()}`);
  }
  await recordAudit(db, {
    actorKind: 'staff',
    actorId: actor.staffId,
    action: 'identity.import',
    requestId,
    details: { importId: row.id, mapping: m.name, fileName: body.fileName, sizeBytes, rows: rowCount, sha256 },
    at: now,
  });

  const input = { file: body.fileName, text: body.content, format: jsonl ? ('jsonl' as const) : ('csv' as const) };
  let summary: ImportSummaryView;
  try {
    if (m.kind === 'records') {
      const s = await importFile(deps.database, {
        ...input,
        source: (m.source ?? undefined) as RecordSource | undefined,
        mapping: m.mapping,
        linking: 'incremental',
        batchSize: 500,
        now,
      });
      summary = {
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
      };
    } else {
      const s = await importOrdersFile(deps.database, {
        ...input,
        source: (m.source ?? undefined) as OrderSource | undefined,
        mapping: m.mapping,
        now,
      });
      summary = {
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
      };
    }
  } catch (error) {
    await dataImportRepo.finish(
      db,
      row.id,
      { error: error instanceof Error ? error.message : String(error) },
      deps.clock.now(),
    );
    throw error;
  }
  await dataImportRepo.finish(db, row.id, { summary }, deps.clock.now());
  const done = await dataImportRepo.byId(db, row.id);
  return ok(importView(done as DataImportRow));
}

export async function recentImports(deps: Deps): Promise<ImportView[]> {
  return (await dataImportRepo.recent(deps.database.db, 20)).map((r) => importView(r));
}
