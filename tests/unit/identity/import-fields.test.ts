/**
 * 新建导入格式 proposes a mapping from a sample file's header row: common headers of chains' exports, whatever
 * their case, spacing, brackets or full-width letters; each column fills one field (a card number may also be the
 * member's id); and it says which required fields a mapping still lacks.
 */
import { describe, expect, it } from 'vitest';
import { IMPORT_FIELDS, missingFields, suggestMapping } from '../../../shared/identity/import-fields.js';

describe('suggestMapping', () => {
  it('reads a Chinese POS export’s headers', () => {
    expect(suggestMapping('records', ['会员卡号', '姓名', '手机号码', '出生日期', '开卡门店', '积分'])).toEqual({
      sourceId: '会员卡号',
      cardNo: '会员卡号',
      name: '姓名',
      phone: '手机号码',
      birthday: '出生日期',
      storeCode: '开卡门店',
    });
  });

  it('ignores case, spaces, brackets, marks and full-width letters', () => {
    expect(suggestMapping('records', [' ＶＩＰ卡号 ', '联系电话（必填）', 'E-Mail', 'Name'])).toEqual({
      sourceId: ' ＶＩＰ卡号 ',
      cardNo: ' ＶＩＰ卡号 ',
      phone: '联系电话（必填）',
      email: 'E-Mail',
      name: 'Name',
    });
  });

  it('gives each column one field of an order, required fields first', () => {
    const m = suggestMapping('orders', ['单据号', '会员卡号', '销售日期', '商品编码', '数量', '单价', '金额', '实收']);
    expect(m).toEqual({
      externalId: '单据号',
      memberId: '会员卡号',
      orderedAt: '销售日期',
      sku: '商品编码',
      quantity: '数量',
      unitPrice: '单价',
      amount: '金额',
      paid: '实收',
    });
    expect(new Set(Object.values(m)).size).toBe(Object.values(m).length);
  });

  it('proposes nothing for columns it does not know', () => {
    expect(suggestMapping('records', ['col1', 'col2'])).toEqual({});
  });
});

describe('missingFields', () => {
  it('names the required fields without a column, in Chinese', () => {
    expect(missingFields('records', {})).toEqual(['会员编号']);
    expect(missingFields('records', { sourceId: '卡号' })).toEqual([]);
    expect(missingFields('orders', { externalId: 'a', orderedAt: 'b', sku: 'c', quantity: 'd' })).toEqual([
      '单价或金额',
    ]);
    expect(missingFields('orders', { externalId: 'a', orderedAt: 'b', sku: 'c', quantity: 'd', amount: 'e' })).toEqual(
      [],
    );
  });

  it('lists each kind’s fields once, with a label and at least one header', () => {
    for (const kind of ['records', 'orders'] as const) {
      const names = IMPORT_FIELDS[kind].map((f) => f.field);
      expect(new Set(names).size).toBe(names.length);
      for (const f of IMPORT_FIELDS[kind]) expect(f.label.length > 0 && f.headers.length > 0).toBe(true);
    }
  });
});
