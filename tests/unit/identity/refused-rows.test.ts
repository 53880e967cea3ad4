/**
 * The refused rows' file: the upload's own columns and values, then 拒收原因 in Chinese; it reads back through the
 * import's own reader to the same values, so a corrected file goes through the same format again.
 */
import { describe, expect, it } from 'vitest';
import { readRows } from '../../../functions/app/identity/import-file.js';
import { fileText, REASON_COLUMN, refusedRowsFile } from '../../../functions/app/identity/refused-rows.js';
import { refusal } from '../../../shared/identity/refusal.js';

describe('refusedRowsFile (CSV)', () => {
  it('writes the header with 拒收原因 last and CRLF rows in file order, quoting what needs it', () => {
    const f = refusedRowsFile('csv');
    f.header(['会员卡号', '姓名', '地址']);
    // a batch's refusal comes after a row read later was refused
    f.add(
      { fields: { 会员卡号: '6610000005', 姓名: '钱玉兰' }, at: 7 },
      refusal('unknown_store', { storeCode: 'ZZ999' }),
    );
    f.add({ fields: { 会员卡号: '6610000004', 姓名: '孙"立"', 地址: '杭州市西湖区,文三路\n1号' }, at: 3 }, 'why one');
    f.header(['other']);
    expect(f.rows).toBe(2);
    const { header, body } = f.parts();
    expect(header).toBe('会员卡号,姓名,地址,拒收原因\r\n');
    expect(body).toBe(
      '6610000004,"孙""立""","杭州市西湖区,文三路\n1号",why one\r\n6610000005,钱玉兰,,门店编码 ZZ999 不存在，请核对门店编码\r\n',
    );
    // handed over with the BOM Excel needs; the import's reader gets the same values back, the reason apart
    expect(fileText('csv', header + body).startsWith('\ufeff会员卡号,')).toBe(true);
    expect(readRows(fileText('csv', header + body), 'csv')).toEqual({
      rows: [
        { 会员卡号: '6610000004', 姓名: '孙"立"', 地址: '杭州市西湖区,文三路\n1号', [REASON_COLUMN]: 'why one' },
        {
          会员卡号: '6610000005',
          姓名: '钱玉兰',
          地址: '',
          [REASON_COLUMN]: '门店编码 ZZ999 不存在，请核对门店编码',
        },
      ],
      errors: [],
    });
  });

  it('refused again, a row says its new reason in the same column (not a second one)', () => {
    const f = refusedRowsFile('csv');
    f.header(['会员卡号', REASON_COLUMN, '姓名']);
    f.add({ fields: { 会员卡号: '1', [REASON_COLUMN]: 'old reason', 姓名: '张伟' }, at: 1 }, 'new reason');
    const { header, body } = f.parts();
    expect(header + body).toBe('会员卡号,姓名,拒收原因\r\n1,张伟,new reason\r\n');
  });

  it('keeps a record the reader could not read as its text after the reason, the columns left empty', () => {
    const f = refusedRowsFile('csv');
    f.header(['a', 'b']);
    const why = refusal('csv_malformed', { line: 4, code: 'CSV_QUOTE_NOT_CLOSED', detail: 'Quote Not Closed' });
    f.add({ raw: '\r\n4,"bad\n5,6\n', at: 4 }, why);
    // the line it names is the uploaded file's, as the page says
    expect(f.parts().body).toBe(
      ',,"第 4 行有一个引号（""）直到文件末尾都没有配对，从这一行到文件末尾都无法读取：请在这一行补上或删去引号后重新上传；原文：4,""bad\n5,6"\r\n',
    );
  });

  it('is empty when nothing was refused', () => {
    const f = refusedRowsFile('csv');
    f.header(['a']);
    expect(f.rows).toBe(0);
    expect(f.parts().body).toBe('');
  });
});

describe('refusedRowsFile (JSON lines)', () => {
  it('keeps each refused object with 拒收原因 added, and an unreadable line as 原文', () => {
    const f = refusedRowsFile('jsonl');
    f.header(['ignored']);
    f.add({ raw: 'not json', at: 2 }, refusal('json_invalid'));
    f.add({ fields: { cardNo: '1', name: '张伟', [REASON_COLUMN]: 'old' }, at: 1 }, 'bad phone');
    expect(f.parts()).toEqual({
      header: '',
      body: '{"cardNo":"1","name":"张伟","拒收原因":"bad phone"}\n{"拒收原因":"不是有效的 JSON","原文":"not json"}\n',
    });
    expect(fileText('jsonl', f.parts().body)).toBe(f.parts().body);
  });
});
