/**
 * The printable sheet a sign-up code is saved as: WeChat's bare code names neither store nor clerk, so printed, a
 * store's code and each clerk's looked the same. The sheet adds the chain, the store and its code, whose code it is
 * (门店通用码 or the clerk's name), what scanning gives (领新人券 only while sign-up gives one) and a short number
 * that the page shows next to the code too. Drawn on the device (platform.saveDrawing), whose fonts have Chinese.
 */
import type { Drawing, DrawingContext } from '../../../platform';

export const SHEET_WIDTH = 900;
export const SHEET_HEIGHT = 1300;
const QR_SIZE = 600;
const MARGIN = 40;
/** the member home's brand line: the chain as members know it */
const CHAIN_NAME = 'MedLoop 药店会员';
const FONT =
  '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", sans-serif';
const COLOR = {
  primary: '#0f8a7e',
  primaryDark: '#0b6d63',
  primaryLight: '#e3f3f0',
  text: '#1f2d2b',
  secondary: '#5b6b68',
  line: '#d5dfdd',
};

export interface SheetInput {
  store: { name: string; code: string };
  /** null: the store's own code */
  clerkName: string | null;
  /** whether sign-up gives the new-member coupon now */
  newMemberOffer: boolean;
  codeId: string;
  imageDataUrl: string;
}

/** The code's number on the sheet and on the page: the last six characters of its id (random), upper case. */
export const shortCodeId = (codeId: string): string => codeId.slice(-6).toUpperCase();

/** The line under the code: what a customer gets for scanning it. */
export const offerLine = (newMemberOffer: boolean): string =>
  newMemberOffer ? '微信扫一扫 注册会员 领新人券' : '微信扫一扫 注册会员';

/** Text centred at y in `size` px, made smaller (down to 60 %) until it fits `maxWidth`, squeezed beyond. */
function centredText(
  ctx: DrawingContext,
  text: string,
  y: number,
  o: { size: number; weight?: 'bold' | 'normal'; color: string; maxWidth?: number },
) {
  const maxWidth = o.maxWidth ?? SHEET_WIDTH - 2 * (MARGIN + 40);
  let size = o.size;
  const font = () => `${o.weight ?? 'normal'} ${size}px ${FONT}`;
  ctx.font = font();
  while (size > o.size * 0.6 && ctx.measureText(text).width > maxWidth) {
    size -= 2;
    ctx.font = font();
  }
  ctx.fillStyle = o.color;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, SHEET_WIDTH / 2, y, maxWidth);
}

function roundedRect(ctx: DrawingContext, x: number, y: number, width: number, height: number, r: number) {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.lineTo(x + width - r, y);
  ctx.arc(x + width - r, y + r, r, -Math.PI / 2, 0);
  ctx.lineTo(x + width, y + height - r);
  ctx.arc(x + width - r, y + height - r, r, 0, Math.PI / 2);
  ctx.lineTo(x + r, y + height);
  ctx.arc(x + r, y + height - r, r, Math.PI / 2, Math.PI);
  ctx.lineTo(x, y + r);
  ctx.arc(x + r, y + r, r, Math.PI, (3 * Math.PI) / 2);
  ctx.closePath();
  ctx.fill();
}

/** The sheet of one sign-up code, for platform.saveDrawing. Everything stays 40 px inside the edge (printers' margins). */
export function signupSheet(input: SheetInput): Drawing {
  return {
    width: SHEET_WIDTH,
    height: SHEET_HEIGHT,
    images: { code: input.imageDataUrl },
    draw(ctx, images) {
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, SHEET_WIDTH, SHEET_HEIGHT);
      // a thin frame to cut along
      ctx.strokeStyle = COLOR.line;
      ctx.lineWidth = 2;
      ctx.strokeRect(MARGIN / 2, MARGIN / 2, SHEET_WIDTH - MARGIN, SHEET_HEIGHT - MARGIN);

      ctx.fillStyle = COLOR.primary;
      roundedRect(ctx, MARGIN, MARGIN, SHEET_WIDTH - 2 * MARGIN, 130, 20);
      centredText(ctx, CHAIN_NAME, MARGIN + 65, { size: 52, weight: 'bold', color: '#ffffff' });

      centredText(ctx, input.store.name, 250, { size: 64, weight: 'bold', color: COLOR.text });
      centredText(ctx, `门店编号 ${input.store.code}`, 320, { size: 34, color: COLOR.secondary });

      // whose code: told apart at a glance, store's own or a clerk's
      const who = input.clerkName ? `店员 ${input.clerkName} 专属码` : '门店通用码';
      ctx.font = `bold 38px ${FONT}`;
      const pill = Math.min(ctx.measureText(who).width + 72, SHEET_WIDTH - 2 * (MARGIN + 40));
      ctx.fillStyle = COLOR.primaryLight;
      roundedRect(ctx, (SHEET_WIDTH - pill) / 2, 365, pill, 68, 34);
      centredText(ctx, who, 399, { size: 38, weight: 'bold', color: COLOR.primaryDark, maxWidth: pill - 40 });

      ctx.drawImage(images.code, (SHEET_WIDTH - QR_SIZE) / 2, 460, QR_SIZE, QR_SIZE);

      centredText(ctx, offerLine(input.newMemberOffer), 1130, { size: 48, weight: 'bold', color: COLOR.primaryDark });
      centredText(ctx, `注册码编号 ${shortCodeId(input.codeId)}`, 1205, { size: 30, color: COLOR.secondary });
    },
  };
}
