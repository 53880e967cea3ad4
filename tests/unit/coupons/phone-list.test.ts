import { describe, expect, it } from 'vitest';
import { ENTRY_MAX, splitPhoneList } from '../../../miniprogram/staff/pages/coupons/phone-list.js';
import { normalizePhone } from '../../../shared/identity/phone.js';

const texts = (pasted: string) => splitPhoneList(pasted).map((e) => e.text);

describe('a pasted list of phone numbers (批量发券)', () => {
  it('takes one a line, as an Excel column is copied, and skips blank lines', () => {
    expect(splitPhoneList('13900000003\r\n\r\n  13900000004  \n')).toEqual([
      { line: 1, text: '13900000003' },
      { line: 3, text: '13900000004' },
    ]);
  });

  it('splits on commas, 、 and semicolons, half- and full-width', () => {
    expect(texts('13900000003,13900000004，13900000005、13900000006;13900000007；13900000008')).toEqual([
      '13900000003',
      '13900000004',
      '13900000005',
      '13900000006',
      '13900000007',
      '13900000008',
    ]);
  });

  it('keeps a number written with spaces whole, and splits numbers a space or a tab apart', () => {
    expect(texts('+86 139 0000 0003 139 0000 0004\n13900000005 13900000006\t13900000007')).toEqual([
      '+86 139 0000 0003',
      '139 0000 0004',
      '13900000005',
      '13900000006',
      '13900000007',
    ]);
    expect(texts('86 139 0000 0003')).toEqual(['86 139 0000 0003']);
  });

  it('leaves dashes, +86 and full-width digits to the normaliser: each is one entry it takes', () => {
    const entries = texts('139-0000-0003\n+8613900000004\n０086 １３９０００００００５\n　13900000006　');
    expect(entries).toEqual(['139-0000-0003', '+8613900000004', '０086 １３９０００００００５', '13900000006']);
    expect(entries.map((e) => normalizePhone(e).ok)).toEqual([true, true, true, true]);
  });

  it('drops words beside a number (a name, a label) but keeps a line of words alone, to be named as invalid', () => {
    expect(splitPhoneList('刘洋 13900000003\n张三\n电话 139 0000 0004 王芳')).toEqual([
      { line: 1, text: '13900000003' },
      { line: 2, text: '张三' },
      { line: 3, text: '139 0000 0004' },
    ]);
  });

  it('keeps what is not a mobile number as its own entry, for the preview to name', () => {
    expect(texts('1390000\n12345678901 13900000003\n1390000000313900000004')).toEqual([
      '1390000',
      '12345678901',
      '13900000003',
      '1390000000313900000004',
    ]);
  });

  it('cuts an entry at the contract bound', () => {
    const [long] = splitPhoneList('1'.repeat(200));
    expect(long.text).toHaveLength(ENTRY_MAX);
    expect(splitPhoneList('无'.repeat(100))[0].text).toHaveLength(ENTRY_MAX);
  });

  it('counts every number of a long paste, so more than 500 can be said before sending', () => {
    const pasted = Array.from({ length: 501 }, (_, i) => `139${String(i).padStart(8, '0')}`).join('\n');
    expect(splitPhoneList(pasted)).toHaveLength(501);
  });
});
