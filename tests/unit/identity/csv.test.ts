import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type FileRow, parseCsv, readFileRows, readRows } from '../../../functions/app/identity/import-file.js';
import { type Refusal, refusalText } from '../../../shared/identity/refusal.js';

describe('parseCsv', () => {
  it('reads quoted commas, doubled quotes, newlines in a field, mixed line ends and a BOM', () => {
    const { table, errors } = parseCsv('\ufeffa,b\n"x,1","y""z"\r\n"two\nlines",2\r\n\n3\n');
    expect(errors).toEqual([]);
    expect(table).toEqual([['a', 'b'], ['x,1', 'y"z'], ['two\nlines', '2'], ['3']]);
  });

  it('leaves out a malformed record with its line and reads the rest', () => {
    const { table, errors } = parseCsv('a,b\n1,2\n"3,4\n');
    expect(table).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0].reason).toMatch(/^malformed CSV: /);
    expect(errors[0].line).toBe(3);
  });

  it('names a malformed record by its first line, after values of several lines with CRLF', () => {
    const { errors } = parseCsv('a,b\r\n"x\r\ny\r\nz",1\r\n2,3"q\r\n4,5\r\n');
    expect(errors.map((e) => e.line)).toEqual([5]);
  });
});

/** the rows the streaming reader yields, the file sent `chunk` bytes at a time */
async function fileRows(text: string, format: 'csv' | 'jsonl' = 'csv', chunk = 1 << 16) {
  const bytes = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
  const out: FileRow[] = [];
  for await (const r of readFileRows(Readable.from(parts), format)) out.push(r);
  return out;
}

const named = (rows: readonly FileRow[]) =>
  rows.map((r) => ('error' in r ? [r.row, r.error.params?.code, r.raw] : [r.row, Object.values(r.fields)[0]]));

describe('readFileRows: each row named by its line in the file, as Excel numbers the rows', () => {
  // the QA walk's file: a header, an empty Excel row, a stray quote, a row without a card number, a bad birthday
  const QA = [
    '会员卡号,姓名,性别,生日,手机号,地址,门店编号,最近消费日期',
    '990000000001,张三丰,男,1980/1/1,13912345671,杭州市西湖区,HZ001,2026/1/1',
    ',,,,,,,',
    '990000000002,李"四,男,1980/1/2,13912345672,杭州市西湖区,HZ001,2026/1/1',
    ',王五,男,1980/1/3,13912345673,杭州市西湖区,HZ001,2026/1/1',
    '990000000003,赵六,男,1990-02-30,13912345674,杭州市西湖区,HZ001,2026/1/1',
    '',
  ].join('\r\n');

  it('counts the header, empty rows and a row it could not read, which keeps its whole text', async () => {
    const rows = await fileRows(QA);
    expect(named(rows)).toEqual([
      [2, '990000000001'],
      [4, 'INVALID_OPENING_QUOTE', '990000000002,李"四,男,1980/1/2,13912345672,杭州市西湖区,HZ001,2026/1/1'],
      [5, ''],
      [6, '990000000003'],
    ]);
    expect(rows[1]).toMatchObject({ error: { params: { line: 4, column: '姓名' } } });
    // the same whatever the chunks the file comes in (a character, a CRLF cut between two)
    expect(named(await fileRows(QA, 'csv', 1))).toEqual(named(rows));
    expect(named(await fileRows(QA, 'csv', 7))).toEqual(named(rows));
  });

  it('names a record whose value spans lines by its first line, and counts those lines for the rows after it', async () => {
    const text = [
      '\uFEFF会员卡号,地址',
      '1,"杭州市\r\n西湖区\r\n文三路"',
      '2,"a""b"',
      '',
      '3,x"y',
      '4,"多行\n未闭合',
      '5,z',
    ].join('\r\n');
    const rows = await fileRows(text);
    expect(named(rows)).toEqual([
      [2, '1'],
      [5, '2'],
      [7, 'INVALID_OPENING_QUOTE', '3,x"y'],
      // an unclosed quote: its line, and the rest of the file as its text
      [8, 'CSV_QUOTE_NOT_CLOSED', '4,"多行\n未闭合\n5,z'],
    ]);
    // a value keeps its line breaks (as LF)
    expect(rows[0]).toMatchObject({ fields: { 地址: '杭州市\n西湖区\n文三路' } });
    expect(named(await fileRows(text, 'csv', 1))).toEqual(named(rows));
  });

  it('refuses a record with two faults once, with its whole text', async () => {
    const rows = await fileRows('a,b\n"1\n2","bad"x,3\n4,5\n');
    expect(named(rows)).toEqual([[2, 'CSV_INVALID_CLOSING_QUOTE', '"1\n2","bad"x,3\n4,5']]);
    // after the quote, csv-parse read on to the end: the lines it could not read are named
    expect(rows[0]).toMatchObject({ error: { params: { line: 2, to: 4, column: 'b' } } });
    expect(refusalText((rows[0] as { error: Refusal }).error, 'zh')).toBe(
      '第 2 行「b」列的值在引号（"）结束后还有其他文字，第 2 至 4 行都无法读取：引号括起的值之后应紧接逗号或换行，请改正后重新上传',
    );
  });

  it('names unreadable rows one after the other by their own lines', async () => {
    expect(named(await fileRows('a,b\r\n1,2"x\r\n3,4"y\r\n5,6\r\n'))).toEqual([
      [2, 'INVALID_OPENING_QUOTE', '1,2"x'],
      [3, 'INVALID_OPENING_QUOTE', '3,4"y'],
      [4, '5'],
    ]);
  });

  it('names JSON lines by their line, blank lines counted', async () => {
    const rows = await fileRows('{"a":"1"}\n\n{"a":"2"}\r\nnot json\n[1]\n', 'jsonl');
    expect(named(rows)).toEqual([
      [1, '1'],
      [3, '2'],
      [4, undefined, 'not json'],
      [5, undefined, '[1]'],
    ]);
  });
});

describe('readRows', () => {
  it('names each cell by its trimmed header and fills short rows with empty cells', () => {
    expect(readRows(' 会员卡号 ,姓名\n8810001,张伟\n8810002\n', 'csv')).toEqual({
      rows: [
        { 会员卡号: '8810001', 姓名: '张伟' },
        { 会员卡号: '8810002', 姓名: '' },
      ],
      errors: [],
    });
  });

  it('reads JSON lines and reports the lines that are not objects', () => {
    const r = readRows('{"a":1}\nnot json\n[1]\n', 'jsonl');
    expect(r.rows).toEqual([{ a: 1 }]);
    expect(r.errors).toEqual([
      { line: 2, reason: 'not valid JSON' },
      { line: 3, reason: 'not a JSON object' },
    ]);
  });
});
