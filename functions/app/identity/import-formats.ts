/**
 * 新建导入格式 (HQ): an upload format made on the staff pages from a sample file, so a POS or mall export with other
 * column names imports without a code change or a deployment. The page sends the head of a sample file; the preview
 * reads its header row, proposes which column fills which field (shared/identity/import-fields.ts), and runs the
 * first records or orders through the ingest's own checks without storing anything, so HQ sees in Chinese what
 * would be taken and what refused before saving. A saved format is never edited (imports name it); HQ makes a new
 * one and stops offering the old. Creating and stopping are audited.
 */
import { Readable } from 'node:stream';
import type { StaffActor } from '../../../shared/access/policy.js';
import type {
  ImportFormatCreateBody,
  ImportFormatPreviewBody,
  ImportFormatPreviewResponse,
  ImportMappingView,
} from '../../../shared/contracts/identity.js';
import { fail, ok, type Result } from '../../../shared/errors.js';
import { storePhoneKey } from '../../../shared/identity/blocked.js';
import {
  IMPORT_FIELDS,
  IMPORT_FORMAT_SOURCES,
  type ImportKind,
  missingFields,
  suggestMapping,
} from '../../../shared/identity/import-fields.js';
import { groupOrderRows, normalizeOrder } from '../../../shared/identity/order.js';
import type { RecordSource } from '../../../shared/identity/record.js';
import { type Refusal, refusal, refusalOfSchema, refusalText } from '../../../shared/identity/refusal.js';
import { createIdentityRepo } from '../../adapters/db/repos/identity.repo.js';
import { importFormatRepo } from '../../adapters/db/repos/import-format.repo.js';
import { newId } from '../../adapters/ids.js';
import { recordAudit } from '../audit.js';
import type { Deps } from '../deps.js';
import { uploadedText } from './file-encoding.js';
import { type FileRow, fileColumns, mapRow, readFileRows, repeatedReadColumns } from './import-file.js';
import { formatMapping, mappingColumns, requiredColumns, type UploadMapping } from './import-mappings.js';
import { prepareRecords } from './ingest.js';
import { IngestOrderSchema } from './ingest-orders.js';

/** records (or orders) of the sample shown */
const PREVIEW_ITEMS = 5;

/** A format as the page lists it. */
export function mappingView(m: UploadMapping): ImportMappingView {
  return {
    name: m.name,
    kind: m.kind,
    label: m.label,
    source: m.source,
    columns: mappingColumns(m),
    required: requiredColumns(m),
    custom: m.custom ? { createdBy: m.custom.createdBy, createdAt: m.custom.createdAt } : null,
  };
}

/** The mapping's fields that are not fields of the kind. */
function unknownFields(kind: ImportKind, fields: Readonly<Record<string, string>>): string[] {
  const known = new Set(IMPORT_FIELDS[kind].map((f) => f.field));
  return Object.keys(fields).filter((f) => !known.has(f));
}

const isJsonLines = (fileName: string) => /\.jsonl?$/i.test(fileName);

/**
 * The sample's column names (a repeated one once), the names its header has more than once (a JSON object's keys
 * are one each) and its rows, each named by its line in the file as the import names it (readFileRows): the header
 * is line 1. A sample cut short (`partial`) may end inside a quoted value: a row it could not read after the last
 * one it could is the cut, not the file's, and is left out.
 */
async function readSample(
  fileName: string,
  text: string,
  partial: boolean,
): Promise<{ columns: string[]; repeatedOf: (reads: readonly string[]) => string[]; rows: FileRow[] }> {
  const format = isJsonLines(fileName) ? 'jsonl' : 'csv';
  const all = fileColumns(text, format);
  const rows: FileRow[] = [];
  for await (const item of readFileRows(Readable.from([text]), format)) rows.push(item);
  if (partial) while (rows.length > 0 && 'error' in rows[rows.length - 1]) rows.pop();
  return {
    columns: [...new Set(all)],
    repeatedOf: (reads) => (format === 'csv' ? repeatedReadColumns(all, reads) : []),
    rows,
  };
}

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const why = (r: Refusal) => refusalText(r, 'zh');

export async function previewFormat(
  deps: Deps,
  body: ImportFormatPreviewBody,
): Promise<
  Result<ImportFormatPreviewResponse, 'IMPORT_FORMAT_INVALID' | 'IMPORT_FILE_ENCODING' | 'IMPORT_COLUMNS_DUPLICATE'>
> {
  if (!IMPORT_FORMAT_SOURCES[body.kind].includes(body.source))
    return fail('IMPORT_FORMAT_INVALID', `${body.kind} do not come from ${body.source}`);
  // the head of a GBK export comes as its bytes, cut anywhere
  const sample = uploadedText(body, { head: true });
  if (!sample.ok) return sample;
  const { text: whole } = sample.value;
  const { columns, repeatedOf, rows } = await readSample(
    body.fileName,
    body.partial ? whole.slice(0, whole.lastIndexOf('\n') + 1) : whole,
    !!body.partial,
  );
  if (columns.length === 0) return fail('IMPORT_FORMAT_INVALID', 'the sample has no header row (column names)');
  const given = body.fields ?? suggestMapping(body.kind, columns);
  const unknown = unknownFields(body.kind, given);
  if (unknown.length > 0) return fail('IMPORT_FORMAT_INVALID', `unknown fields: ${unknown.join(', ')}`);
  // a field naming a column the file lacks reads nothing
  const fields = Object.fromEntries(Object.entries(given).filter(([, c]) => columns.includes(c)));
  // as the upload would: a column the format reads named twice in the header cannot be told apart
  const repeated = repeatedOf(Object.values(fields));
  if (repeated.length > 0)
    return fail(
      'IMPORT_COLUMNS_DUPLICATE',
      `the sample's header has more than one column named ${repeated.join(', ')}`,
      { columns: repeated },
    );
  const readable = rows.flatMap((r) => ('fields' in r ? [r] : []));
  const mapped = readable.map((r) => mapRow(r.fields, { fields }).record);
  // a row the reader could not read is shown in its place, refused with why, as the import would refuse it
  const unreadable: ImportFormatPreviewResponse['items'] = rows.flatMap((r) =>
    'error' in r ? [{ row: r.row, id: null, accepted: false, explanation: why(r.error), values: {}, lines: null }] : [],
  );
  // the rows shown in their order in the file; `before`: the line of a row the sample may have cut (orders)
  const inFileOrder = (items: ImportFormatPreviewResponse['items'], before = Number.POSITIVE_INFINITY) =>
    [...items, ...unreadable.filter((u) => u.row < before)].sort((a, b) => a.row - b.row).slice(0, PREVIEW_ITEMS);

  const now = deps.clock.now();
  const { byCode: stores, phones } = await createIdentityRepo(deps.database.db).stores();
  const valuesOf = (record: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [k, text(v)]));

  let items: ImportFormatPreviewResponse['items'];
  let cut = Number.POSITIVE_INFINITY;
  if (body.kind === 'records') {
    const storePhones = new Set(phones.map(storePhoneKey));
    items = mapped.slice(0, PREVIEW_ITEMS).map((record, i) => {
      const { rejected } = prepareRecords(
        { source: body.source as RecordSource, records: [record], now, keyStoreId: null },
        storePhones,
        stores,
      );
      const r = rejected[0];
      return {
        row: readable[i].row,
        id: text(record.sourceId) || null,
        accepted: !r,
        explanation: r?.code ? why({ code: r.code, params: r.params }) : (r?.reason ?? null),
        values: valuesOf(record),
        lines: null,
      };
    });
  } else {
    const { orders } = groupOrderRows(mapped as Record<string, string | number | null>[]);
    // the sample's last order may go on past its end: shown only when it is the only one
    const whole = orders.length > 1 ? orders.slice(0, -1) : orders;
    if (orders.length > 1) cut = readable[orders[orders.length - 1].firstRow].row;
    items = whole.slice(0, PREVIEW_ITEMS).map((g) => {
      let refused: Refusal | null = g.conflict ?? null;
      if (!refused) {
        const parsed = IngestOrderSchema.safeParse(g.order);
        if (!parsed.success) refused = refusalOfSchema(parsed.error, 'order');
        else {
          const checked = normalizeOrder(parsed.data, now);
          if (!checked.ok) refused = checked.refusal;
          else if (checked.order.storeCode !== null && !stores.has(checked.order.storeCode))
            refused = refusal('unknown_store', { storeCode: checked.order.storeCode });
        }
      }
      return {
        row: readable[g.firstRow].row,
        id: text(g.order.externalId) || null,
        accepted: refused === null,
        explanation: refused ? why(refused) : null,
        values: valuesOf(mapped[g.firstRow]),
        lines: g.order.lines?.length ?? 0,
      };
    });
  }
  return ok({ columns, fields, missing: missingFields(body.kind, fields), items: inFileOrder(items, cut) });
}

export async function createFormat(
  deps: Deps,
  actor: StaffActor,
  body: ImportFormatCreateBody,
  requestId: string,
): Promise<Result<ImportMappingView, 'IMPORT_FORMAT_INVALID' | 'IMPORT_FORMAT_LABEL_TAKEN'>> {
  if (!IMPORT_FORMAT_SOURCES[body.kind].includes(body.source))
    return fail('IMPORT_FORMAT_INVALID', `${body.kind} do not come from ${body.source}`);
  const unknown = unknownFields(body.kind, body.fields);
  if (unknown.length > 0) return fail('IMPORT_FORMAT_INVALID', `unknown fields: ${unknown.join(', ')}`);
  const missing = missingFields(body.kind, body.fields);
  if (missing.length > 0) return fail('IMPORT_FORMAT_INVALID', `a column is needed for: ${missing.join('、')}`);
  const db = deps.database.db;
  const now = deps.clock.now();
  return db.transaction(async (tx) => {
    const saved = await importFormatRepo.insert(tx, {
      id: newId('fmt', now.getTime()),
      kind: body.kind,
      label: body.label,
      source: body.source,
      fields: body.fields,
      staffId: actor.staffId,
      now,
    });
    if (!saved) return fail('IMPORT_FORMAT_LABEL_TAKEN', `an upload format is named ${body.label} already`);
    await recordAudit(tx, {
      actorKind: 'staff',
      actorId: actor.staffId,
      action: 'identity.import_format_create',
      requestId,
      details: { id: saved.id, kind: body.kind, source: body.source, label: body.label, fields: body.fields },
      at: now,
    });
    return ok(mappingView(formatMapping(saved)));
  });
}

export async function archiveFormat(
  deps: Deps,
  actor: StaffActor,
  name: string,
  requestId: string,
): Promise<Result<{ name: string; archivedAt: string }, 'IMPORT_FORMAT_NOT_FOUND'>> {
  const db = deps.database.db;
  const now = deps.clock.now();
  return db.transaction(async (tx) => {
    const r = await importFormatRepo.archive(tx, name, actor.staffId, now);
    if (!r?.archived_at) return fail('IMPORT_FORMAT_NOT_FOUND', `no upload format ${name} made on the staff pages`);
    await recordAudit(tx, {
      actorKind: 'staff',
      actorId: actor.staffId,
      action: 'identity.import_format_archive',
      requestId,
      details: { id: name },
      at: now,
    });
    return ok({ name, archivedAt: new Date(r.archived_at).toISOString() });
  });
}
