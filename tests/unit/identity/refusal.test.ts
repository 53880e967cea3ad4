import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { REFUSAL_CODES, refusal, refusalOfSchema, refusalText } from '../../../shared/identity/refusal.js';

// every code with the particulars its sentences use, so no sentence prints "undefined"
const SAMPLE = {
  fields: 'vipLevel',
  field: 'unit_price',
  detail: 'expected string',
  storeCode: 'HZ009',
  max: 64,
  line: 2,
  got: 'abc',
  fen: 1250,
  yuan: '12.60',
  total: 10000,
  sum: 9260,
  paid: 9000,
  discount: 100,
  amount: 3402,
  quantity: 2,
  unitPrice: 1700,
  externalId: 'TM0001',
  sourceId: '6610000001',
  first: 'm1',
  other: 'm2',
};

describe('refusals', () => {
  it.each(REFUSAL_CODES)('%s has an English and a Chinese sentence, both filled in', (code) => {
    const en = refusalText(refusal(code, SAMPLE), 'en');
    const zh = refusalText(refusal(code, SAMPLE), 'zh');
    for (const s of [en, zh]) {
      expect(s.length).toBeGreaterThan(4);
      expect(s).not.toMatch(/undefined|NaN|\[object/);
    }
    expect(zh).toMatch(/[\u4e00-\u9fff]/);
    expect(en).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it('names money fields and lines as an export does, in both languages', () => {
    const r = refusal('money_not_yuan', { field: 'unit_price', line: 3, got: '12.345' });
    expect(refusalText(r, 'en')).toBe(
      'line 3: unit price must be an amount in yuan ≥ 0 with at most two decimals, got 12.345',
    );
    expect(refusalText(r, 'zh')).toBe('第3行商品的单价应为不小于0、最多两位小数的元金额，收到“12.345”');
    const paid = refusal('paid_mismatch', { paid: 9000, sum: 9260, discount: 100 });
    expect(refusalText(paid, 'zh')).toBe('实收 90.00 元不等于合计 92.60 元减去优惠 1.00 元');
    expect(refusalText(refusal('line_quantity_invalid', { line: 1, got: '' }), 'zh')).toContain('收到（空）');
    const over = refusal('line_amount_exceeds', { line: 2, amount: 3402, quantity: 2, unitPrice: 1700 });
    expect(refusalText(over, 'zh')).toBe(
      '第2行商品的金额 34.02 元超过数量 2 × 单价 17.00 元（会员价等优惠只会更低，不会更高）',
    );
  });

  it('says where a CSV record could not be read and what to fix in Chinese, the parser’s English apart', () => {
    const zh = (params: Record<string, string | number>) => refusalText(refusal('csv_malformed', params), 'zh');
    const detail = 'Invalid Opening Quote: a quote is found on field "姓名" at line 4, value is "李"';
    const opening = refusal('csv_malformed', { line: 4, code: 'INVALID_OPENING_QUOTE', column: '姓名', detail });
    expect(refusalText(opening, 'zh')).toBe(
      '第 4 行「姓名」列的值中间有引号（"），这一行无法读取：请删去这个引号，或在 Excel 中打开这个文件后另存为 CSV 再上传',
    );
    // the parser's message is the English sentence, for whoever looks after the export
    expect(refusalText(opening, 'en')).toBe(`malformed CSV: ${detail}`);
    // csv-parse's codes, with or without its CSV_ prefix
    expect(zh({ line: 4, code: 'CSV_INVALID_OPENING_QUOTE', column: '姓名', detail })).toBe(refusalText(opening, 'zh'));
    expect(zh({ line: 7, code: 'CSV_QUOTE_NOT_CLOSED', detail: 'Quote Not Closed' })).toBe(
      '第 7 行有一个引号（"）直到文件末尾都没有配对，从这一行到文件末尾都无法读取：请在这一行补上或删去引号后重新上传',
    );
    expect(zh({ line: 9, code: 'CSV_INVALID_CLOSING_QUOTE', column: '备注', detail: 'Invalid Closing Quote' })).toMatch(
      /^第 9 行「备注」列的值在引号（"）结束后还有其他文字，这一行无法读取/,
    );
    expect(zh({ line: 3, code: 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH', detail: 'Invalid Record Length' })).toMatch(
      /^第 3 行的列数与首行的列名个数不同/,
    );
    const cases: Record<string, string | number>[] = [
      { line: 5, code: 'CSV_MAX_RECORD_SIZE', detail: 'Max Record Size' },
      { line: 5, code: 'CSV_SOMETHING_NEW', detail: 'Something new' },
      // quarantined before the line and the code were kept
      { detail: 'Quote Not Closed: the parsing is finished with an opening quote at line 5' },
    ];
    for (const params of cases) {
      const text = zh(params);
      expect(text, JSON.stringify(params)).toMatch(/无法读取/);
      // no English but the names HQ knows
      expect(text.replace(/CSV|Excel/g, ''), JSON.stringify(params)).not.toMatch(/[A-Za-z]/);
    }
    expect(zh({ detail: 'Quote Not Closed' })).toMatch(/^这一行不符合 CSV 格式/);
  });

  it('turns a schema failure into an unknown field or the first field that does not fit', () => {
    const schema = z.strictObject({ sourceId: z.string(), phone: z.string().optional() });
    const unknown = schema.safeParse({ sourceId: 'a', shoeSize: 42 });
    const wrong = schema.safeParse({ sourceId: 'a', phone: 138 });
    if (unknown.success || wrong.success) throw new Error('the schema accepted a bad record');
    expect(refusalOfSchema(unknown.error, 'record')).toEqual({ code: 'unknown_field', params: { fields: 'shoeSize' } });
    expect(refusalOfSchema(wrong.error, 'record')).toMatchObject({ code: 'invalid_field', params: { field: 'phone' } });
  });

  it('says in Chinese which field was wrong and how, in HQ’s words; the English detail stays for the vendor', () => {
    const schema = z.strictObject({
      address: z.string().max(500).optional(),
      lines: z.array(z.strictObject({ sku: z.string().min(1) })).optional(),
      openid: z.string().optional(),
    });
    const long = schema.safeParse({ address: '路'.repeat(501) });
    const emptySku = schema.safeParse({ lines: [{ sku: 'A' }, { sku: '' }] });
    const number = schema.safeParse({ openid: 7 });
    if (long.success || emptySku.success || number.success) throw new Error('the schema accepted a bad record');
    const text = (e: z.ZodError) => refusalText(refusalOfSchema(e, 'record'), 'zh');
    expect(text(long.error)).toBe('地址超过 500 个字符');
    expect(text(emptySku.error)).toBe('第2行商品的商品编码少于 1 个字符');
    expect(text(number.error)).toBe('微信 openid的类型不对（例如应为文字却是数字）');
    expect(refusalText(refusalOfSchema(long.error, 'record'), 'en')).toMatch(/^address: Too big/);
  });
});
