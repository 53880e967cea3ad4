import { describe, expect, it } from 'vitest';
import type { DrawingContext, DrawingImage } from '../../../miniprogram/platform/types.js';
import {
  SHEET_HEIGHT,
  SHEET_WIDTH,
  type SheetInput,
  signupSheet,
} from '../../../miniprogram/staff/pages/signup-codes/sheet.js';

/** A canvas that records the text drawn, measuring each character as wide as the font is high (CJK glyphs are). */
function recordingContext() {
  const texts: Array<{ text: string; x: number; y: number; size: number; width: number }> = [];
  const images: Array<{ x: number; y: number; width: number; height: number }> = [];
  const sizeOf = (font: string) => Number(/(\d+)px/.exec(font)?.[1]);
  const ctx: DrawingContext = {
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    font: '',
    textAlign: 'left',
    textBaseline: 'alphabetic',
    fillRect() {},
    strokeRect() {},
    beginPath() {},
    moveTo() {},
    lineTo() {},
    arc() {},
    closePath() {},
    fill() {},
    measureText(text) {
      return { width: [...text].length * sizeOf(this.font) };
    },
    fillText(text, x, y, maxWidth) {
      const natural = [...text].length * sizeOf(this.font);
      texts.push({ text, x, y, size: sizeOf(this.font), width: Math.min(natural, maxWidth ?? natural) });
    },
    drawImage(_image, x, y, width, height) {
      images.push({ x, y, width, height });
    },
  };
  return { ctx, texts, images };
}

const code: DrawingImage = { width: 430, height: 430 };
const input: SheetInput = {
  store: { name: '文三路店', code: 'HZ001' },
  clerkName: '王芳',
  newMemberOffer: true,
  codeId: 'sqr_01jdq4m7xk8a2b3c4d5e6f7g8h',
  imageDataUrl: 'data:image/png;base64,AAAA',
};

function draw(over: Partial<SheetInput> = {}) {
  const { ctx, texts, images } = recordingContext();
  const sheet = signupSheet({ ...input, ...over });
  sheet.draw(ctx, { code });
  return { sheet, texts, images, lines: texts.map((t) => t.text) };
}

describe('the printable sheet of a sign-up code', () => {
  it('names the chain, the store and its code, the clerk, the offer and the code’s number around the code', () => {
    const { sheet, lines, images } = draw();
    expect(sheet.images).toEqual({ code: input.imageDataUrl });
    expect(lines).toEqual([
      'MedLoop 药店会员',
      '文三路店',
      '门店编号 HZ001',
      '店员 王芳 专属码',
      '微信扫一扫 注册会员 领新人券',
      '注册码编号 6F7G8H',
    ]);
    // the code larger than WeChat's image, inside the sheet
    expect(images).toHaveLength(1);
    expect(images[0].width).toBeGreaterThan(code.width);
  });

  it('says 门店通用码 on the store’s own code, and promises no coupon while sign-up gives none', () => {
    const { lines } = draw({ clerkName: null, newMemberOffer: false });
    expect(lines).toContain('门店通用码');
    expect(lines).toContain('微信扫一扫 注册会员');
    expect(lines.join('')).not.toContain('新人券');
  });

  it('keeps every line and the code 40 px inside the edge, however long the store’s name', () => {
    const { texts, images } = draw({ store: { name: '杭州市余杭区良渚街道古墩路一八九九号旗舰店', code: 'HZ010' } });
    for (const t of texts) {
      expect(t.x - t.width / 2, t.text).toBeGreaterThanOrEqual(40);
      expect(t.x + t.width / 2, t.text).toBeLessThanOrEqual(SHEET_WIDTH - 40);
      expect(t.y, t.text).toBeLessThan(SHEET_HEIGHT - 40);
    }
    const [qr] = images;
    expect(qr.x).toBeGreaterThanOrEqual(40);
    expect(qr.x + qr.width).toBeLessThanOrEqual(SHEET_WIDTH - 40);
    expect(qr.y + qr.height).toBeLessThan(1100);
  });
});
