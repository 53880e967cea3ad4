/**
 * Batch file import for the initial migration: CSV (RFC 4180, UTF-8 with or without BOM) or JSON lines of member
 * records exported from a POS or the mall. Per-source field mappings are configuration (config/import-mappings/*.json:
 * `{ "fields": { "<our field>": "<their column>" }, "sourceColumn"?: "<column naming the source per row>" }`), so an
 * export with other column names imports without a code change. Every batch goes through `ingestAndLog`, the same
 * code path as the partner API; linking runs once at the end as the bulk job (or per record with
 * `linking: 'incremental'`).
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parse as parseStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { RECORD_SOURCES, type RecordSource } from '../../../shared/identity/record.js';
import { type Refusal, refusal, refusalOf, refusalText } from '../../../shared/identity/refusal.js';
import type { Database } from '../../adapters/db/client.js';
import { rows } from '../../adapters/db/repos/identity.repo.js';
import type { FileEncoding } from './file-encoding.js';
import { type IngestSummary, ingestAndLog } from './ingest.js';
import { linkAll } from './link-all.js';
import type { RefusedRowsFile, RowText } from './refused-rows.js';

export const FieldMappingSchema = z
  .object({
    description: z.string().optional(),
    /** what the file holds: member records (the default) or orders, one row per item sold */
    kind: z.enum(['records', 'orders']).optional(),
    /** the format's name on the staff pages' 数据导入 (in Chinese); a mapping without one is for the CLI only */
    label: z.string().min(1).max(80).optional(),
    /** every row's source (the CLI's --source wins); else `sourceColumn` names it per row */
    source: z.enum(RECORD_SOURCES).optional(),
    sourceColumn: z.string().optional(),
    fields: z.record(z.string(), z.string()),
  })
  .strict();
export type FieldMapping = z.infer<typeof FieldMappingSchema>;

/** Without a mapping file: the identity-evaluation columns (snake_case) or our own camelCase names. */
export const DEFAULT_MAPPING: FieldMapping = {
  sourceColumn: 'source',
  fields: {
    sourceId: 'source_id',
    name: 'name',
    birthday: 'birthday',
    gender: 'gender',
    phone: 'phone',
    phoneVerified: 'phone_verified',
    email: 'email',
    cardNo: 'card_no',
    openid: 'openid',
    unionid: 'unionid',
    wecomId: 'wecom_id',
    mallAccount: 'mall_account',
    address: 'address',
    storeCode: 'store_code',
    lastActive: 'last_active',
  },
};

/**
 * CSV as exports write it (RFC 4180 through csv-parse): quoted fields with commas, doubled quotes and newlines;
 * CRLF, LF or CR, even mixed; a UTF-8 BOM; blank lines skipped, and so are rows whose every field is empty (the
 * `,,,` rows Excel leaves under a table it saved as CSV: nothing to import, not a record without an id). A malformed
 * record (an unclosed quote) is left out and reported with its line, and the rest of the file still reads.
 */
export function parseCsv(text: string): { table: string[][]; errors: { line: number; reason: string }[] } {
  const errors: FileError[] = [];
  const table: string[][] = parse(text, csvOptions(errors));
  return { table, errors: errors.map((e) => ({ line: e.line, reason: refusalText(e.refusal, 'en') })) };
}

/** a record the reader could not read: its line, why, its text, and how many records it came after */
type FileError = { line: number; refusal: Refusal; raw?: string; after?: number };

/** The csv-parse options both readers share; malformed records go to `errors` with their line. */
function csvOptions(errors: FileError[]) {
  return {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_records_with_error: true,
    on_skip: (error: { lines?: unknown; message: string; raw?: unknown; records?: unknown } | undefined) => {
      if (error)
        errors.push({
          line: Number(error.lines),
          refusal: refusal('csv_malformed', { detail: error.message }),
          raw: typeof error.raw === 'string' ? error.raw : undefined,
          after: typeof error.records === 'number' ? error.records : undefined,
        });
      return undefined;
    },
  };
}

/**
 * The keys a CSV header gives its columns: each column's name trimmed (an export's ' 手机号' is 手机号), and a name's
 * second and later columns a key of their own (`手机号 (2)`), so that no column's values silently overwrite
 * another's (csv-parse keeps the last of a repeated name). `repeated`: the non-empty names the header has more than
 * once. A format reading one of them cannot tell which column is meant and the file is refused
 * (`ImportColumnsDuplicateError`, IMPORT_COLUMNS_DUPLICATE); one it does not read is harmless, and its columns stay
 * apart in the refused rows' file, so the corrected file has the same columns with their own values.
 */
export function columnKeys(header: readonly string[]): { names: string[]; keys: string[]; repeated: string[] } {
  const names = header.map((h) => String(h ?? '').trim());
  const taken = new Set(names);
  const seen = new Map<string, number>();
  const keys = names.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n === 1) return name;
    let i = n;
    while (taken.has(`${name} (${i})`)) i += 1;
    const key = `${name} (${i})`;
    taken.add(key);
    return key;
  });
  const repeated = [...seen].filter(([name, n]) => n > 1 && name !== '').map(([name]) => name);
  return { names, keys, repeated };
}

/** The file's columns a mapping reads: its source column and the columns of its fields, each once. */
export const readColumns = (mapping: FieldMapping): string[] => [
  ...new Set([...(mapping.sourceColumn ? [mapping.sourceColumn] : []), ...Object.values(mapping.fields)]),
];

/** The columns of `columns` (a file's header) named more than once that the mapping reads. */
export const repeatedReadColumns = (columns: readonly string[], reads: readonly string[]): string[] =>
  columnKeys(columns).repeated.filter((c) => reads.includes(c));

/** A file whose header repeats a column the format reads: refused before any row is imported. */
export class ImportColumnsDuplicateError extends Error {
  readonly code = 'IMPORT_COLUMNS_DUPLICATE';
  constructor(readonly columns: readonly string[]) {
    super(`the header has more than one column named ${columns.join(', ')}: it cannot tell which one to read`);
    this.name = 'ImportColumnsDuplicateError';
  }
}

/**
 * The columns a file has: a CSV's header row (a file of only a header still has them), or the keys of a JSON-lines
 * file's first 50 records (a record may leave out an empty field).
 */
export function fileColumns(text: string, format: 'csv' | 'jsonl'): string[] {
  if (format === 'jsonl') {
    const keys = new Set<string>();
    let seen = 0;
    for (const line of text.split(/\r?\n/)) {
      if (seen === 50) break;
      if (line.trim() === '') continue;
      seen += 1;
      try {
        const v: unknown = JSON.parse(line);
        if (v && typeof v === 'object' && !Array.isArray(v)) for (const k of Object.keys(v)) keys.add(k);
      } catch {
        // a malformed line is refused with its reason when the import reads it
      }
    }
    return [...keys];
  }
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/, 1)[0] ?? '';
  return (parseCsv(firstLine).table[0] ?? []).map((h) => h.trim()).filter((h) => h !== '');
}

/** Rows as column → value objects, from CSV (header line) or JSON lines. */
export function readRows(
  text: string,
  format: 'csv' | 'jsonl',
): { rows: Record<string, unknown>[]; errors: { line: number; reason: string }[] } {
  if (format === 'jsonl') {
    const out: Record<string, unknown>[] = [];
    const errors: { line: number; reason: string }[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        const v = JSON.parse(line);
        if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
        else errors.push({ line: i + 1, reason: refusalText(refusal('json_not_object'), 'en') });
      } catch {
        errors.push({ line: i + 1, reason: refusalText(refusal('json_invalid'), 'en') });
      }
    });
    return { rows: out, errors };
  }
  const { table, errors } = parseCsv(text);
  const { keys } = columnKeys(table[0] ?? []);
  return {
    rows: table.slice(1).map((cells) => Object.fromEntries(keys.map((h, i) => [h, cells[i] ?? '']))),
    errors,
  };
}

export type FileRow =
  | { row: number; fields: Record<string, unknown> }
  /** a row that could not be read, with its text when the reader has it */
  | { row: number; error: Refusal; raw?: string };

/**
 * The file's data rows as column → value objects, one at a time: CSV (header line) or JSON lines. With `refused`
 * (the refused rows' file being written) it gets the CSV's header, and a malformed record keeps its text; without
 * it, the reader keeps no record's text. `reads`: the columns the format reads; a CSV header naming one of them
 * twice throws `ImportColumnsDuplicateError` before the first row (columnKeys).
 */
export async function* readFileRows(
  stream: Readable,
  format: 'csv' | 'jsonl',
  refused?: Pick<RefusedRowsFile, 'header'>,
  reads: readonly string[] = [],
): AsyncGenerator<FileRow> {
  if (format === 'jsonl') {
    let row = 0;
    for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
      if (line.trim() === '') continue;
      row += 1;
      try {
        const v = JSON.parse(line);
        if (v && typeof v === 'object' && !Array.isArray(v)) yield { row, fields: v as Record<string, unknown> };
        else yield { row, error: refusal('json_not_object'), raw: line };
      } catch {
        yield { row, error: refusal('json_invalid'), raw: line };
      }
    }
    return;
  }
  const skipped: FileError[] = [];
  const parser = stream.pipe(
    parseStream({
      ...csvOptions(skipped),
      // each record with its text, so that a malformed one's text goes into the refused rows' file
      raw: refused !== undefined,
      columns: (header: string[]) => {
        const { names, keys, repeated } = columnKeys(header);
        const clash = repeated.filter((c) => reads.includes(c));
        // csv-parse hands an error thrown here to the reader as is: the import stops before its first row
        if (clash.length > 0) throw new ImportColumnsDuplicateError(clash);
        refused?.header(names, keys);
        return keys;
      },
    }),
  );
  let row = 0;
  for await (const out of parser) {
    const record = (refused ? out.record : out) as Record<string, unknown>;
    // the parser may have reached a malformed record before this one was read: each comes in its place in the file
    while (skipped.length > 0 && (skipped[0].after ?? 0) <= row) {
      const s = skipped.shift() as FileError;
      yield { row: s.line, error: s.refusal, raw: s.raw };
    }
    row += 1;
    yield { row, fields: record };
  }
  for (const s of skipped.splice(0)) yield { row: s.line, error: s.refusal, raw: s.raw };
}

/** Applies a mapping: our field names, empty cells dropped; the row's source from the mapping's source column. */
export function mapRow(
  row: Record<string, unknown>,
  mapping: FieldMapping,
): { source: string | null; record: Record<string, unknown> } {
  const record: Record<string, unknown> = {};
  for (const [ours, theirs] of Object.entries(mapping.fields)) {
    const v = row[theirs];
    if (v === undefined || v === null || v === '') continue;
    record[ours] = v;
  }
  const source = mapping.sourceColumn ? String(row[mapping.sourceColumn] ?? '') || null : null;
  return { source, record };
}

/**
 * Gives the event loop a turn. PGlite runs in the process and answers its queries as resolved promises, so a loop of
 * batches awaiting only the database never lets the local server (`npm start`) read another request: an upload's
 * 20-second step held every other page for 20 seconds. On PostgreSQL the awaits are I/O and this costs nothing.
 */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The record field a data-quality flag (shared/identity/record.ts `normalizeRecord`) is about. */
export function flagField(flag: string): string | null {
  if (flag === 'phone_verified_ignored') return 'phoneVerified';
  if (flag === 'openid_ignored') return 'openid';
  if (flag === 'unionid_ignored') return 'unionid';
  if (flag === 'wecom_id_ignored') return 'wecomId';
  if (flag.startsWith('phone_')) return 'phone';
  if (flag.startsWith('email_')) return 'email';
  if (flag === 'birthday_unparseable') return 'birthday';
  if (flag === 'last_active_unparseable') return 'lastActive';
  return null;
}

/**
 * A row imported with a value that failed its check (an impossible date, a phone that is no mobile): the value is
 * not used (a date is left empty, a phone is never linked on) and the row is kept; flagged, not dropped.
 */
export interface ImportWarningEntry {
  row: number;
  id: string | null;
  /** the flag (`birthday_unparseable`, `phone_not_mobile`…) */
  flag: string;
  /** the file's column it came from, and its value as read */
  column: string | null;
  value: string | null;
}

/** A refused row: where it was in the file, its id, and why (a refusal with a code, or a sentence without one). */
export interface ImportRejectionEntry {
  row: number | null;
  id: string | null;
  refusal: Refusal | null;
  reason: string;
}

export interface ImportSummary {
  file: string;
  rows: number;
  imported: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejectReasons: Record<string, number>;
  /** the first 1,000 refused rows */
  rejections: ImportRejectionEntry[];
  linked: number;
  held: number;
  merges: number;
  suggestions: number;
  flags: Record<string, number>;
  /** rows imported with at least one flagged value, and the first 1,000 flagged values (per-record ingest only) */
  warned: number;
  warnings: ImportWarningEntry[];
  seconds: number;
}

/**
 * Running totals of an import: what each ingest call answered and why rows were rejected, then the summary; each
 * refused row also goes into `refused` (the refused rows' file) when given.
 */
export function importTally(refused?: RefusedRowsFile) {
  const totals = { created: 0, updated: 0, unchanged: 0, linked: 0, held: 0 };
  const rejectReasons: Record<string, number> = {};
  const rejections: ImportRejectionEntry[] = [];
  const flags: Record<string, number> = {};
  const warnings: ImportWarningEntry[] = [];
  let warned = 0;
  const reject = (why: Refusal | string, row: number | null = null, id: string | null = null, text?: RowText) => {
    const reason = typeof why === 'string' ? why : refusalText(why, 'en');
    rejectReasons[reason] = (rejectReasons[reason] ?? 0) + 1;
    if (rejections.length < 1000) rejections.push({ row, id, refusal: typeof why === 'string' ? null : why, reason });
    if (text) refused?.add(text, why);
  };
  return {
    totals,
    reject,
    /** a row taken in with values that failed their checks */
    warn(entries: readonly ImportWarningEntry[]) {
      if (entries.length === 0) return;
      warned += 1;
      for (const e of entries) if (warnings.length < 1000) warnings.push(e);
    },
    /** one ingest call's answer; `rows` gives each of its records' file row, `texts` each one as the file had it */
    add(s: IngestSummary, rows?: readonly number[], texts?: readonly RowText[]) {
      totals.created += s.created;
      totals.updated += s.updated;
      totals.unchanged += s.unchanged;
      totals.linked += s.linked;
      totals.held += s.held;
      for (const r of s.results)
        if (r.status === 'rejected')
          reject(refusalOf(r) ?? r.reason ?? 'rejected', rows?.[r.index] ?? null, r.sourceId, texts?.[r.index]);
      for (const [k, v] of Object.entries(s.flags)) flags[k] = (flags[k] ?? 0) + v;
    },
    summary(rest: { file: string; rows: number; merges: number; suggestions: number; seconds: number }): ImportSummary {
      return {
        file: rest.file,
        rows: rest.rows,
        imported: totals.created + totals.updated + totals.unchanged,
        created: totals.created,
        updated: totals.updated,
        unchanged: totals.unchanged,
        rejected: Object.values(rejectReasons).reduce((a, b) => a + b, 0),
        rejectReasons,
        rejections,
        linked: totals.linked,
        held: totals.held,
        merges: rest.merges,
        suggestions: rest.suggestions,
        flags,
        warned,
        warnings,
        seconds: rest.seconds,
      };
    },
  };
}

/**
 * What an import reads: a file on disk (the CLI), or, when `text` is given, that text under the name `file` (an
 * upload from the staff pages, already in memory).
 */
export interface ImportInput {
  file: string;
  text?: string;
  /** the file's encoding (default UTF-8); a GB18030 (GBK) file is read as UTF-8 text as it streams */
  encoding?: FileEncoding;
}

/** The input as a stream of UTF-8 bytes, how far into the file the reader is, and its size in bytes. */
export async function openImportInput(input: ImportInput) {
  if (input.text !== undefined) {
    const bytes = Buffer.from(input.text, 'utf8');
    return { stream: Readable.from([bytes]), bytesRead: () => 0, totalBytes: bytes.length };
  }
  const file = createReadStream(input.file);
  const stream = input.encoding === 'gb18030' ? Readable.from(asUtf8(file, input.encoding)) : file;
  return { stream, bytesRead: () => file.bytesRead, totalBytes: (await stat(input.file)).size };
}

/** A stream's bytes in `encoding` as UTF-8; a byte sequence that is not that encoding fails the read. */
async function* asUtf8(stream: AsyncIterable<Buffer>, encoding: FileEncoding): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  for await (const chunk of stream) yield Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8');
  yield Buffer.from(decoder.decode(), 'utf8');
}

export interface ImportOptions extends ImportInput {
  /** every row's source; else the mapping's source column names it per row */
  source?: RecordSource;
  mapping?: FieldMapping;
  format?: 'csv' | 'jsonl';
  batchSize?: number;
  linking?: 'bulk' | 'incremental';
  now: Date;
  /** rows read so far and how far into the file; `step` is 'import', then the linker's steps */
  onProgress?: (p: { rows: number; bytes: number; totalBytes: number; step: string }) => void;
  /** resume: the file's first rows (as `rowsDone` counted them) were imported by an earlier run */
  skipRows?: number;
  /** asked after each batch: true ends the run there (its rows all sent), `complete` false (per-record linking only) */
  shouldStop?: () => boolean;
  /** collects the refused rows as a file to correct and upload again */
  refused?: RefusedRowsFile;
}

export async function importFile(
  database: Database,
  opts: ImportOptions,
): Promise<ImportSummary & { rowsDone: number; complete: boolean }> {
  const started = performance.now();
  const format = opts.format ?? (/\.jsonl?$/i.test(opts.file) ? 'jsonl' : 'csv');
  const mapping = opts.mapping ?? DEFAULT_MAPPING;
  const tally = importTally(opts.refused);
  const { totals, reject } = tally;
  const batchSize = opts.batchSize ?? 2000;
  const linking = opts.linking ?? 'bulk';
  // read a row at a time (a chain's members are millions of rows), sent in batches per source as they fill
  const pending = new Map<
    RecordSource,
    { row: number; at: number; record: Record<string, unknown>; fields: Record<string, unknown> }[]
  >();
  let rowsRead = 0;
  let lastProgress = 0;
  let complete = true;
  const skip = opts.skipRows ?? 0;
  const { stream, bytesRead, totalBytes } = await openImportInput(opts);
  const progress = (step: string) =>
    opts.onProgress?.({ rows: rowsRead, bytes: step === 'import' ? bytesRead() : totalBytes, totalBytes, step });
  const send = async (source: RecordSource) => {
    const batch = pending.get(source) ?? [];
    if (batch.length === 0) return;
    pending.set(source, []);
    const records = batch.map((b) => b.record);
    const answer = await ingestAndLog(database, {
      source,
      records,
      linking: linking === 'bulk' ? 'deferred' : 'incremental',
      keyId: null,
      requestId: null,
      storeId: null,
      operation: 'import.file',
      now: opts.now,
    });
    tally.add(
      answer,
      batch.map((b) => b.row),
      opts.refused ? batch.map((b) => ({ fields: b.fields, at: b.at })) : undefined,
    );
    // which rows and columns the batch's flags are: each record's own flags, as the ingest answered them
    for (const r of answer.results) {
      if (r.status === 'rejected' || !r.flags) continue;
      const record = records[r.index];
      tally.warn(
        r.flags.map((flag) => {
          const field = flagField(flag);
          const v = field ? record[field] : undefined;
          return {
            row: batch[r.index].row,
            id: r.sourceId,
            flag,
            column: field ? (mapping.fields[field] ?? null) : null,
            value: v === undefined || v === null ? null : String(v),
          };
        }),
      );
    }
    await yieldToEventLoop();
  };
  for await (const item of readFileRows(stream, format, opts.refused, readColumns(mapping))) {
    rowsRead += 1;
    if (rowsRead <= skip) continue;
    if ('error' in item) {
      reject(item.error, item.row, null, { raw: item.raw ?? '', at: rowsRead });
      continue;
    }
    const { source, record } = mapRow(item.fields, mapping);
    const s = (opts.source ?? source) as RecordSource | null;
    if (!s || !(RECORD_SOURCES as readonly string[]).includes(s)) {
      reject(refusal('record_source_unknown', { got: s ?? '' }), item.row, null, { fields: item.fields, at: rowsRead });
      continue;
    }
    const list = pending.get(s) ?? [];
    list.push({ row: item.row, at: rowsRead, record, fields: item.fields });
    pending.set(s, list);
    if (list.length >= batchSize) {
      await send(s);
      if (linking === 'incremental' && opts.shouldStop?.()) {
        complete = false;
        break;
      }
    }
    if (rowsRead - lastProgress >= 10_000) {
      lastProgress = rowsRead;
      progress('import');
    }
  }
  for (const source of pending.keys()) await send(source);
  progress('import');
  let merges = 0;
  let suggestions = 0;
  if (linking === 'bulk') {
    const result = await linkAll(database, { now: opts.now, onProgress: progress });
    merges = result.merges;
    suggestions = result.suggestions;
    const [stats] = await rows<{ linked: number; held: number }>(
      database.db,
      sql`select (select count(*)::int from source_records r
                   where exists (select 1 from source_records o where o.customer_id = r.customer_id and o.id <> r.id)) as linked,
                 (select count(distinct record_id)::int from held_links where status = 'open') as held`,
    );
    totals.linked = stats.linked;
    totals.held = stats.held;
  }
  return {
    ...tally.summary({
      file: opts.file,
      rows: rowsRead - Math.min(skip, rowsRead),
      merges,
      suggestions,
      seconds: (performance.now() - started) / 1000,
    }),
    rowsDone: rowsRead,
    complete,
  };
}
