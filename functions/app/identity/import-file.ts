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
import { type Options as CsvOptions, parse as parseStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { RECORD_SOURCES, type RecordSource } from '../../../shared/identity/record.js';
import {
  type Refusal,
  refusal,
  refusalFields,
  refusalLogLine,
  refusalOf,
  refusalText,
} from '../../../shared/identity/refusal.js';
import type { Database } from '../../adapters/db/client.js';
import { rows } from '../../adapters/db/repos/identity.repo.js';
import { quarantineRepo } from '../../adapters/db/repos/quarantine.repo.js';
import { newId } from '../../adapters/ids.js';
import type { FileEncoding } from './file-encoding.js';
import { type IngestSummary, ingestAndLog, loggedBatch } from './ingest.js';
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
 * record (an unclosed quote) is left out and reported with its line, and the rest of the file still reads. Each
 * record's line is its first line in the file, as Excel numbers the rows (the header is line 1).
 */
export function parseCsv(text: string): { table: string[][]; errors: { line: number; reason: string }[] } {
  const lines = new LineWindow();
  const unix = text.replace(/\r\n/g, '\n');
  lines.add(Buffer.from(unix, 'utf8'));
  const reader = csvRecords(lines);
  const records = parse(unix, reader.options) as unknown as { fields: string[]; line: number }[];
  reader.end();
  return {
    table: records.map((r) => r.fields),
    errors: reader.unreadable.map((e) => ({ line: e.line, reason: refusalText(e.refusal, 'en') })),
  };
}

/** a record the CSV reader could not read: its first line in the file, why, and its whole text */
interface Unreadable {
  line: number;
  refusal: Refusal;
  raw: string;
}

/** what csv-parse hands `on_skip`: a CsvError with the line it had reached, and the record's text so far */
type CsvError = { code?: unknown; column?: unknown; lines?: unknown; message: string };

/** a CSV line of only commas and blanks: Excel's empty rows under a table, which the reader skips */
const EMPTY_ROW = /^[\s,]*$/;

/**
 * The text of the lines the CSV reader may still need, as the file streams through: a record the parser could not
 * read is refused with its whole text (csv-parse hands over only its text up to the fault, and drops the rest of
 * it), which runs from its first line to the line before the next record. The bytes are kept as they came, in pieces
 * of at most 64 KB with the line each starts on, and decoded only for such a record; pieces behind the reader are
 * dropped, so what is kept is the parser's read-ahead (tens of KB), plus an unreadable record while the next one is
 * found. Line ends are LF or CR (a CRLF is made LF before, `unixLineEnds`): each is one line.
 */
class LineWindow {
  private readonly pieces: Buffer[] = [];
  /** the line each piece starts on */
  private readonly starts: number[] = [];
  /** the line the next byte is on */
  private line = 1;

  add(bytes: Buffer): void {
    for (let at = 0; at < bytes.length; at += PIECE) {
      const piece = bytes.subarray(at, at + PIECE);
      this.pieces.push(piece);
      this.starts.push(this.line);
      this.line += breaksIn(piece, 0, piece.length);
    }
  }

  /** lines `from` to `to` (not included), less the empty rows at their end */
  text(from: number, to: number): string {
    const parts: Buffer[] = [];
    for (let i = 0; i < this.pieces.length; i++) {
      const piece = this.pieces[i];
      const first = this.starts[i];
      const last = this.starts[i + 1] ?? this.line;
      if (last < from) continue;
      if (first >= to) break;
      const a = first < from ? afterBreaks(piece, from - first) : 0;
      const b = last >= to ? afterBreaks(piece, to - first) : piece.length;
      parts.push(piece.subarray(a, b));
    }
    const lines = Buffer.concat(parts).toString('utf8').split(/\r|\n/);
    while (lines.length > 0 && EMPTY_ROW.test(lines[lines.length - 1])) lines.pop();
    return lines.join('\n').replace(/^\uFEFF/, '');
  }

  /** forgets the pieces wholly before line `line` */
  drop(line: number): void {
    let n = 0;
    while (n + 1 < this.starts.length && this.starts[n + 1] < line) n += 1;
    if (n === 0) return;
    this.pieces.splice(0, n);
    this.starts.splice(0, n);
  }
}

const PIECE = 1 << 16;
const LF = 0x0a;
const CR = 0x0d;

/** line ends (LF or CR) in bytes `from` to `to` */
function breaksIn(bytes: Buffer, from: number, to: number): number {
  let n = 0;
  for (const br of [LF, CR])
    for (let i = bytes.indexOf(br, from); i >= 0 && i < to; i = bytes.indexOf(br, i + 1)) n += 1;
  return n;
}

/** the offset after the `k`th line end of `bytes` (its end when it has fewer) */
function afterBreaks(bytes: Buffer, k: number): number {
  let at = 0;
  for (let n = 0; n < k; n++) {
    const lf = bytes.indexOf(LF, at);
    const cr = bytes.indexOf(CR, at);
    const next = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
    if (next < 0) return bytes.length;
    at = next + 1;
  }
  return at;
}

/**
 * The file's bytes as the CSV parser gets them, each CRLF made LF (csv-parse counts a CRLF inside a quoted field as
 * two lines, so every line after it was misnumbered; a value keeps its line breaks as LF), kept in `lines` as they
 * pass. The bytes are UTF-8, where CR and LF are never part of another character.
 */
async function* unixLineEnds(stream: AsyncIterable<Buffer | string>, lines: LineWindow): AsyncGenerator<Buffer> {
  // a CR that ended a chunk: a CRLF whose LF is in the next one, or a line end of its own
  let cr = false;
  for await (const chunk of stream) {
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (cr) bytes = Buffer.concat([CR_BYTE, bytes]);
    cr = bytes.length > 0 && bytes[bytes.length - 1] === CR;
    if (cr) bytes = bytes.subarray(0, bytes.length - 1);
    const out = withoutCrBeforeLf(bytes);
    lines.add(out);
    yield out;
  }
  if (cr) {
    lines.add(CR_BYTE);
    yield CR_BYTE;
  }
}

const CR_BYTE = Buffer.from('\r');
const CRLF = Buffer.from('\r\n');

function withoutCrBeforeLf(bytes: Buffer): Buffer {
  let at = bytes.indexOf(CRLF);
  if (at < 0) return bytes;
  const parts: Buffer[] = [];
  let from = 0;
  while (at >= 0) {
    parts.push(bytes.subarray(from, at));
    from = at + 1;
    at = bytes.indexOf(CRLF, from);
  }
  parts.push(bytes.subarray(from));
  return Buffer.concat(parts);
}

/** How every reader takes a CSV: see `parseCsv`. */
const CSV_OPTIONS = {
  bom: true,
  relax_column_count: true,
  skip_empty_lines: true,
  skip_records_with_empty_values: true,
  record_delimiter: ['\r\n', '\n', '\r'],
  skip_records_with_error: true,
};

/**
 * The keys a reader gives a CSV's columns (columnKeys), handing the header to `refused`; a header naming a column
 * the format reads (`reads`) twice throws ImportColumnsDuplicateError, which csv-parse hands to the reader as is: the
 * import stops before its first row.
 */
const headerKeys =
  (reads: readonly string[], refused?: Pick<RefusedRowsFile, 'header'>) =>
  (header: string[]): string[] => {
    const { names, keys, repeated } = columnKeys(header);
    const clash = repeated.filter((c) => reads.includes(c));
    if (clash.length > 0) throw new ImportColumnsDuplicateError(clash);
    refused?.header(names, keys);
    return keys;
  };

/**
 * Line breaks inside a record's text as csv-parse keeps it (`raw`): after the breaks of the empty lines before it
 * (skipped, their first character kept), and before its last character (its line end, or the character the parser
 * stopped at, whose line csv-parse has counted already).
 */
function breaksWithin(raw: string): number {
  let start = 0;
  while (start < raw.length && (raw[start] === '\n' || raw[start] === '\r')) start += 1;
  const last = raw.length - 1;
  let n = 0;
  for (const br of ['\n', '\r'])
    for (let i = raw.indexOf(br, start); i >= 0 && i < last; i = raw.indexOf(br, i + 1)) n += 1;
  return n;
}

/**
 * The csv-parse options both readers share, and the file line of each record: csv-parse's line count where a record
 * ends (or where it found a fault) less the line breaks inside it, on text whose line ends are LF or CR (a CRLF made
 * LF), which csv-parse counts right. A record comes out as `{ fields, line }`; a malformed one goes to `unreadable`
 * with its first line and, once the next record shows where it ended, its whole text and its last line (`to`, when
 * it spans several: after a quote it could not close, csv-parse reads on to the next quote). csv-parse may report
 * two faults in one record (a closing quote followed by other text, then the quote left open to the end of the
 * file): the record is refused once, for the first.
 */
function csvRecords(lines: LineWindow) {
  const unreadable: Unreadable[] = [];
  let open: { line: number; params: Record<string, string | number> } | null = null;
  // the record just found starts at `line`: the unreadable one before it ended on the line before
  const reached = (line: number) => {
    if (open) {
      const raw = lines.text(open.line, line);
      const to = open.line + (raw.match(/\n|\r/g)?.length ?? 0);
      const params = to > open.line ? { ...open.params, to } : open.params;
      unreadable.push({ line: open.line, refusal: refusal('csv_malformed', params), raw });
    }
    open = null;
    lines.drop(line);
  };
  return {
    unreadable,
    options: {
      ...CSV_OPTIONS,
      // each record's text, to count the line breaks inside it
      raw: true,
      // with `raw`, csv-parse hands on_record the record and its text, which its typings do not know
      on_record: ((out: { record: unknown; raw: string }, info: { lines: number }) => {
        const line = info.lines - breaksWithin(out.raw);
        reached(line);
        return { fields: out.record, line };
      }) as unknown as CsvOptions['on_record'],
      on_skip: (error: CsvError | undefined, raw?: string) => {
        if (!error) return undefined;
        const line = Number(error.lines) - breaksWithin(raw ?? '');
        if (open?.line === line) return undefined;
        reached(line);
        open = {
          line,
          params: {
            line,
            code: String(error.code ?? ''),
            ...(typeof error.column === 'string' && error.column !== '' ? { column: error.column } : {}),
            detail: error.message,
          },
        };
        return undefined;
      },
    },
    /** the end of the file: an unreadable record still open runs to it */
    end: () => reached(Number.POSITIVE_INFINITY),
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
    text.split(/\r\n|\r|\n/).forEach((line, i) => {
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

/**
 * A data row of a file, named by its line in the file as Excel numbers the rows: a CSV's header is line 1, a record
 * whose quoted value spans lines is its first line, blank and empty (`,,,`) rows count; a JSON-lines record is its
 * line, blank lines counted.
 */
export type FileRow =
  | { row: number; fields: Record<string, unknown> }
  /** a row that could not be read, with its whole text */
  | { row: number; error: Refusal; raw: string };

/**
 * The file's data rows as column → value objects, one at a time: CSV (header line) or JSON lines, each with its line
 * (`FileRow`). A record the reader could not read comes in its place in the file, with its text. With `refused` (the
 * refused rows' file being written) it gets the CSV's header. `reads`: the columns the format reads; a CSV header
 * naming one of them twice throws `ImportColumnsDuplicateError` before the first row (columnKeys).
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
      row += 1;
      if (line.trim() === '') continue;
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
  const lines = new LineWindow();
  const reader = csvRecords(lines);
  const text = Readable.from(unixLineEnds(stream, lines));
  const parser = text.pipe(parseStream({ ...reader.options, columns: headerKeys(reads, refused) }));
  // a file that cannot be read on (bytes not of its encoding) fails the import, not leaves it waiting
  text.on('error', (error) => parser.destroy(error));
  const unreadable = reader.unreadable;
  for await (const out of parser as AsyncIterable<{ fields: Record<string, unknown>; line: number }>) {
    // the parser has passed the unreadable records before this one: each comes in its place in the file
    while (unreadable.length > 0 && unreadable[0].line < out.line) {
      const u = unreadable.shift() as Unreadable;
      yield { row: u.line, error: u.refusal, raw: u.raw };
    }
    yield { row: out.line, fields: out.fields };
  }
  reader.end();
  for (const u of unreadable.splice(0)) yield { row: u.line, error: u.refusal, raw: u.raw };
}

/**
 * The values of the rows a file's reader can read, nothing else: no line, no row it could not read (readFileRows
 * names them). For a pass that only looks at the rows, such as the orders import's search for orders whose rows are
 * apart: a chain's years of sales are read twice, and this costs less.
 */
export async function* readFileFields(
  stream: Readable,
  format: 'csv' | 'jsonl',
  reads: readonly string[] = [],
): AsyncGenerator<Record<string, unknown>> {
  if (format === 'jsonl') {
    for await (const item of readFileRows(stream, format)) if ('fields' in item) yield item.fields;
    return;
  }
  yield* stream.pipe(parseStream({ ...CSV_OPTIONS, columns: headerKeys(reads) })) as AsyncIterable<
    Record<string, unknown>
  >;
}

/** A row's id as the quarantine keeps it: its text, or null when it has none. */
export const idOf = (v: unknown): string | null => {
  const id = v === undefined || v === null ? '' : String(v).trim();
  return id === '' ? null : id;
};

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
  /** its line in the file (FileRow) */
  row: number;
  id: string | null;
  /** the flag (`birthday_unparseable`, `phone_not_mobile`…) */
  flag: string;
  /** the file's column it came from, and its value as read */
  column: string | null;
  value: string | null;
}

/**
 * A refused row: where it was in the file (its line, FileRow), its id, and why (a refusal with a code, or a sentence
 * without one).
 */
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
  /** the first 1,000 refused rows, in file order */
  rejections: ImportRejectionEntry[];
  linked: number;
  held: number;
  merges: number;
  suggestions: number;
  flags: Record<string, number>;
  /**
   * rows imported with at least one flagged value, and the first 1,000 flagged values in file order (per-record
   * ingest only)
   */
  warned: number;
  warnings: ImportWarningEntry[];
  seconds: number;
}

/** how many refused rows and flagged values a summary lists */
const LISTED = 1000;

/**
 * The first `LISTED` entries of `list` by file row (a row without one last), in place. Entries come out of order: a
 * row the reader refuses at once comes before the rows of a batch read earlier, whose answer comes when the batch is
 * sent, and a file with a source column sends each source's batches apart.
 */
function firstByRow<T extends { row: number | null }>(list: T[]): T[] {
  list.sort((a, b) => (a.row ?? Number.POSITIVE_INFINITY) - (b.row ?? Number.POSITIVE_INFINITY));
  if (list.length > LISTED) list.length = LISTED;
  return list;
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
    rejections.push({ row, id, refusal: typeof why === 'string' ? null : why, reason });
    if (rejections.length >= 2 * LISTED) firstByRow(rejections);
    if (text) refused?.add(text, why);
  };
  return {
    totals,
    reject,
    /** a row taken in with values that failed their checks */
    warn(entries: readonly ImportWarningEntry[]) {
      if (entries.length === 0) return;
      warned += 1;
      for (const e of entries) warnings.push(e);
      if (warnings.length >= 2 * LISTED) firstByRow(warnings);
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
        rejections: firstByRow(rejections),
        linked: totals.linked,
        held: totals.held,
        merges: rest.merges,
        suggestions: rest.suggestions,
        flags,
        warned,
        warnings: firstByRow(warnings),
        seconds: rest.seconds,
      };
    },
  };
}

/**
 * The source a file's row is quarantined and logged under when it has none the import knows: the format reads each
 * row's source from a column, and the row's names none (or none that sends this kind of data), or the row could not
 * be read at all. 数据对接状态 shows the partners' sources by their log, and the file import by its latest upload
 * (data_imports), whose refused rows count these too; the quarantine lists them under 全部, labelled 文件导入.
 */
export const NO_SOURCE = 'import';

/** A row an import refused before the ingest saw it, as the quarantine keeps it. */
export interface RowRefusal {
  /** the record's id or the order number, when the row had one */
  sourceId: string | null;
  refusal: Refusal;
  /** what the file had: the row's values, or the text of a row that could not be read */
  payload: unknown;
  /** false for a further row of an order refused (and counted) already */
  counted?: boolean;
}

/**
 * Rows an import refused before they reached the ingest (a record the reader could not read, a source it does not
 * know; an order's rows that contradict each other…) go where the ingest puts its refusals: into the quarantine, with
 * what the file had, and into the integration log as a batch of the import's `operation` whose rows were all refused.
 * So the import's summary, 隔离的异常数据 and the refused records of 数据对接状态 count the same rows.
 */
export async function quarantineRows(
  database: Database,
  q: { source: string; kind: 'record' | 'order'; operation: string; rows: readonly RowRefusal[]; now: Date },
): Promise<void> {
  if (q.rows.length === 0) return;
  const counted = q.rows.filter((r) => r.counted !== false).length;
  const settle = () =>
    quarantineRepo.settle(database.db, {
      source: q.source,
      kind: q.kind,
      taken: [],
      refused: q.rows.map((r) => ({
        id: newId('qua', q.now.getTime()),
        sourceId: r.sourceId,
        keyId: null,
        requestId: null,
        refusal: r.refusal,
        payload: r.payload,
      })),
      at: q.now,
    });
  if (counted === 0) {
    await settle();
    return;
  }
  await loggedBatch(
    database,
    {
      source: q.source,
      operation: q.operation,
      keyId: null,
      storeId: null,
      requestId: null,
      now: q.now,
      received: counted,
    },
    async () => {
      await settle();
      return { received: counted, rejected: counted };
    },
    () => ({
      error: refusalLogLine(q.rows.map((r) => ({ status: 'rejected', ...refusalFields(r.refusal) }))),
      summary: { refusedBeforeIngest: counted },
    }),
  );
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
    { row: number; record: Record<string, unknown>; fields: Record<string, unknown> }[]
  >();
  // the rows refused before the ingest, per source they are quarantined under, sent with the batches
  const unread = new Map<string, RowRefusal[]>();
  const refuseUnread = async (source: string, r: RowRefusal) => {
    const list = unread.get(source) ?? [];
    list.push(r);
    unread.set(source, list);
    if (list.length >= batchSize) await sendUnread();
  };
  const sendUnread = async () => {
    for (const [source, list] of unread) {
      unread.delete(source);
      await quarantineRows(database, { source, kind: 'record', operation: 'import.file', rows: list, now: opts.now });
    }
  };
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
      opts.refused ? batch.map((b) => ({ fields: b.fields, at: b.row })) : undefined,
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
      // its source is the format's, if it has one: a row that names its own cannot be read for it
      reject(item.error, item.row, null, { raw: item.raw, at: item.row });
      await refuseUnread(opts.source ?? NO_SOURCE, { sourceId: null, refusal: item.error, payload: item.raw });
      continue;
    }
    const { source, record } = mapRow(item.fields, mapping);
    const s = (opts.source ?? source) as RecordSource | null;
    if (!s || !(RECORD_SOURCES as readonly string[]).includes(s)) {
      const why = refusal('record_source_unknown', { got: s ?? '' });
      const sourceId = idOf(record.sourceId);
      reject(why, item.row, sourceId, { fields: item.fields, at: item.row });
      await refuseUnread(NO_SOURCE, { sourceId, refusal: why, payload: item.fields });
      continue;
    }
    const list = pending.get(s) ?? [];
    list.push({ row: item.row, record, fields: item.fields });
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
  await sendUnread();
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
