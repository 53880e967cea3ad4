/**
 * An import's refused rows as a file of the same kind, for HQ to correct and upload again: a CSV keeps the file's
 * own columns (each refused row's values as read) and adds 拒收原因, why in Chinese; JSON lines keep each refused
 * object and add the same key. No import format reads 拒收原因, so the corrected file goes through the format the
 * original used, and a row refused again says its new reason in that column (not a second one). A record the CSV
 * reader could not read at all (a stray or unclosed quote) keeps its whole text in 拒收原因 after the reason, so
 * nothing refused is missing from the file. Rows are in the order the file had them; a reason that names a row (第 N
 * 行, for a record that could not be read) means its line in the uploaded file, as on the page. A CSV ends its rows
 * with CRLF and, handed over (`fileText`), starts with a UTF-8 BOM, as Excel reads Chinese text.
 */
import { stringify } from 'csv-stringify/sync';
import { type Refusal, refusalText } from '../../../shared/identity/refusal.js';

export const REASON_COLUMN = '拒收原因';

/**
 * A refused row as the reader had it: its values by column, or, when it could not be read, its text; `at` is its
 * place in the file (its line, import-file.ts `FileRow`), since a batch's refusals come after rows read later.
 */
export type RowText = ({ fields: Record<string, unknown> } | { raw: string }) & { at: number };

export interface RefusedRowsFile {
  /**
   * the CSV's header as the file has it (JSON lines have none), and the key the reader gave each column (a repeated
   * name's later columns have their own, import-file.ts `columnKeys`; by default the names); the first call wins
   */
  header(columns: readonly string[], keys?: readonly string[]): void;
  add(row: RowText, why: Refusal | string): void;
  readonly rows: number;
  /** the header line and the rows after it in file order, apart: an import in steps writes the header once */
  parts(): { header: string; body: string };
}

const reasonOf = (why: Refusal | string) => (typeof why === 'string' ? why : refusalText(why, 'zh'));
const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
/** a record's text without the line ends around it (the reader's raw text keeps the delimiters) */
const trimLineEnds = (raw: string) => raw.replace(/^[\r\n]+|[\r\n]+$/g, '');

export function refusedRowsFile(format: 'csv' | 'jsonl'): RefusedRowsFile {
  let columns: { name: string; key: string }[] | null = null;
  const lines: { at: number; text: string }[] = [];
  const csvLine = (cells: string[]) => stringify([cells], { record_delimiter: '\r\n' });
  return {
    header(cols, keys = cols) {
      columns ??= cols.map((name, i) => ({ name, key: keys[i] ?? name })).filter((c) => c.name !== REASON_COLUMN);
    },
    add(row, why) {
      const reason = reasonOf(why);
      if (format === 'jsonl') {
        const value =
          'fields' in row ? { ...row.fields, [REASON_COLUMN]: reason } : { [REASON_COLUMN]: reason, 原文: row.raw };
        lines.push({ at: row.at, text: `${JSON.stringify(value)}\n` });
        return;
      }
      const cols = columns ?? [];
      const cells =
        'fields' in row
          ? [...cols.map((c) => cell(row.fields[c.key])), reason]
          : [...cols.map(() => ''), `${reason}；原文：${trimLineEnds(row.raw)}`];
      lines.push({ at: row.at, text: csvLine(cells) });
    },
    get rows() {
      return lines.length;
    },
    parts() {
      const header = format === 'csv' && columns ? csvLine([...columns.map((c) => c.name), REASON_COLUMN]) : '';
      // stable: the rows of one order keep their order
      const body = [...lines].sort((a, b) => a.at - b.at).map((l) => l.text);
      return { header, body: body.join('') };
    },
  };
}

/** The file as handed over: a CSV with the BOM Excel needs to read UTF-8 Chinese text. */
export const fileText = (format: 'csv' | 'jsonl', text: string) => (format === 'csv' ? `\ufeff${text}` : text);
