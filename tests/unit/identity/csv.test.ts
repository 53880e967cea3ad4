import { describe, expect, it } from 'vitest';
import { parseCsv, readRows } from '../../../functions/app/identity/import-file.js';

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
