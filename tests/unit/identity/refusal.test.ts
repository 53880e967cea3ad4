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
