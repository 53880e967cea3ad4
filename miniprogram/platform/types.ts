import type { FC, ReactNode } from 'react';

/** Everything the app needs from WeChat, behind one interface; one implementation per build target. */
export interface LoginResult {
  /** one-time code for jscode2session, valid 5 minutes */
  code: string;
}

export type SubscribeDecision = 'accept' | 'reject';

export interface ScanResult {
  result: string;
  scanType?: string;
}

export interface LocationResult {
  latitude: number;
  longitude: number;
  accuracy?: number;
}

/** WeChat Pay v3 JSAPI parameters, produced by the server's prepay call. */
export interface PaymentParams {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA' | 'MD5' | 'HMAC-SHA256';
  paySign: string;
}

export interface ShareOptions {
  title: string;
  /** page path with query, e.g. /pages/index/index?store=st_1 */
  path: string;
  imageUrl?: string;
}

/** A failed or cancelled platform call, carrying WeChat's errMsg (e.g. `login:fail cancel`). */
export class PlatformError extends Error {
  readonly errMsg: string;
  readonly cancelled: boolean;

  constructor(errMsg: string, message?: string) {
    super(message ?? errMsg);
    this.name = 'PlatformError';
    this.errMsg = errMsg;
    this.cancelled = /cancel|deny|reject/i.test(errMsg);
  }
}

export interface Platform {
  readonly env: 'weapp' | 'h5';
  login(): Promise<LoginResult>;
  /** titles are shown by the H5 simulator sheet; WeChat shows its own template titles */
  requestSubscribe(templateIds: string[], titles?: Record<string, string>): Promise<Record<string, SubscribeDecision>>;
  scanCode(): Promise<ScanResult>;
  getLocation(): Promise<LocationResult>;
  requestPayment(params: PaymentParams): Promise<void>;
  /** Saves an image (a data: URL) for printing: to the photo album in WeChat, as a download in the browser. */
  saveImage(dataUrl: string, fileName: string): Promise<void>;
  /**
   * Draws a picture on a canvas and saves it as a PNG, as saveImage does, with the device's own fonts (Chinese text
   * on a phone, in the browser). In WeChat it draws on the page's `<ImageCanvas />`: a page calling this renders one.
   */
  saveDrawing(drawing: Drawing, fileName: string): Promise<void>;
  /**
   * Hands over a text file (a CSV to correct in a spreadsheet): a download in the browser; in WeChat, written to the
   * mini-program's files and sent to a chat (文件传输助手 reaches the computer), the way files leave a phone there.
   * Call it from a tap: WeChat sends files to a chat only then.
   */
  saveTextFile(text: string, fileName: string): Promise<void>;
  /**
   * Lets the person pick a text file (a POS or mall export): from a WeChat chat in the mini-program, from the disk in
   * the browser. Files over `maxBytes` are refused before they are read (PlatformError `chooseFile:fail too large`).
   */
  chooseTextFile(options: { extensions: string[]; maxBytes: number }): Promise<ChosenFile>;
}

/**
 * The part of the canvas 2D API a drawing may use: what the browser's canvas and WeChat's `canvas type="2d"` both
 * have (WeChat's older CanvasContext, with its setFillStyle…, is not it).
 */
export interface DrawingContext {
  fillStyle: string;
  strokeStyle: string;
  lineWidth: number;
  /** CSS font shorthand: `bold 48px sans-serif` */
  font: string;
  textAlign: 'left' | 'right' | 'center' | 'start' | 'end';
  textBaseline: 'top' | 'hanging' | 'middle' | 'alphabetic' | 'ideographic' | 'bottom';
  fillRect(x: number, y: number, width: number, height: number): void;
  strokeRect(x: number, y: number, width: number, height: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  arc(x: number, y: number, radius: number, startAngle: number, endAngle: number): void;
  closePath(): void;
  fill(): void;
  fillText(text: string, x: number, y: number, maxWidth?: number): void;
  measureText(text: string): { width: number };
  drawImage(image: DrawingImage, x: number, y: number, width: number, height: number): void;
}

/** An image loaded for a drawing (the browser's, or one WeChat's canvas made), only to be drawn. */
export interface DrawingImage {
  readonly width: number;
  readonly height: number;
}

/** A picture to draw: its size in pixels, the images it draws (data: URLs, loaded before `draw`), the drawing. */
export interface Drawing {
  width: number;
  height: number;
  images: Record<string, string>;
  draw(ctx: DrawingContext, images: Record<string, DrawingImage>): void;
}

/** A picked file: its text when it reads as UTF-8, else (a GBK export) its bytes in base64, for the server to read. */
export type ChosenFile = {
  name: string;
  /** bytes */
  size: number;
} & ({ text: string; base64: null } | { text: null; base64: string });

export interface PhoneButtonProps {
  /** the phone authorisation code (getPhoneNumber's `code`), to be traded by the server */
  onCode: (phoneCode: string) => void;
  /** the person refused, or the platform failed */
  onError?: (error: PlatformError) => void;
  disabled?: boolean;
  className?: string;
  children: ReactNode;
}

export interface SimUserSwitchProps {
  /** called after the person picked another simulated WeChat user (H5 only) */
  onSwitched?: () => void;
}

/** The shape each `index.<platform>.tsx` exports. */
export interface PlatformModule {
  platform: Platform;
  PhoneButton: FC<PhoneButtonProps>;
  SimUserSwitch: FC<SimUserSwitchProps>;
  /** the canvas `platform.saveDrawing` draws on in WeChat, out of sight; nothing in the browser */
  ImageCanvas: FC;
  useShare: (options: ShareOptions) => void;
}
