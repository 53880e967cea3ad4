import { Button, Canvas } from '@tarojs/components';
import Taro, { useShareAppMessage } from '@tarojs/taro';
import type { FC } from 'react';
import {
  type DrawingContext,
  type DrawingImage,
  type PhoneButtonProps,
  type Platform,
  PlatformError,
  type PlatformModule,
  type ShareOptions,
  type SimUserSwitchProps,
  type SubscribeDecision,
} from './types';

export * from './types';

const errMsgOf = (error: unknown, fallback: string): string =>
  typeof error === 'object' && error !== null && 'errMsg' in error ? String(error.errMsg) : fallback;

const wrap = async <T,>(call: () => Promise<T>, api: string): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    throw new PlatformError(errMsgOf(error, `${api}:fail`));
  }
};

/** Writes `data` to the mini-program's own files under (a safe form of) `fileName`; its path. */
async function writeUserFile(fileName: string, data: string, encoding: 'base64' | 'utf8'): Promise<string> {
  const filePath = `${Taro.env.USER_DATA_PATH}/${fileName.replace(/[^\w.\u4e00-\u9fa5-]/g, '_')}`;
  await wrap(
    () =>
      new Promise<void>((resolve, reject) =>
        Taro.getFileSystemManager().writeFile({ filePath, data, encoding, success: () => resolve(), fail: reject }),
      ),
    'writeFile',
  );
  return filePath;
}

const IMAGE_CANVAS_ID = 'ml-image-canvas';

/** The page's `<ImageCanvas />` as a canvas node (a 2D canvas: the one kind WeChat exports pixels of). */
function imageCanvasNode(): Promise<Taro.Canvas> {
  return new Promise((resolve, reject) =>
    Taro.createSelectorQuery()
      .select(`#${IMAGE_CANVAS_ID}`)
      .fields({ node: true })
      .exec((res: Array<{ node?: Taro.Canvas } | null>) => {
        const node = res?.[0]?.node;
        if (node) resolve(node);
        else reject(new PlatformError('saveDrawing:fail no canvas', '页面缺少绘图画布'));
      }),
  );
}

/** An image of a data: URL for the canvas to draw: written to a user file first (the canvas loads files reliably). */
async function canvasImage(canvas: Taro.Canvas, name: string, dataUrl: string): Promise<Taro.Image> {
  const comma = dataUrl.indexOf(',');
  const ext = dataUrl.startsWith('data:image/jpeg') ? 'jpg' : 'png';
  const src = await writeUserFile(`drawing-${name}.${ext}`, dataUrl.slice(comma + 1), 'base64');
  const image = canvas.createImage();
  await new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = () => reject(new PlatformError('saveDrawing:fail image', '图片加载失败'));
    image.src = src;
  });
  return image;
}

export const platform: Platform = {
  env: 'weapp',
  async login() {
    const res = await wrap(() => Taro.login(), 'login');
    if (!res.code) throw new PlatformError(res.errMsg || 'login:fail no code');
    return { code: res.code };
  },
  async requestSubscribe(templateIds) {
    const res = await wrap(
      () => Taro.requestSubscribeMessage({ tmplIds: templateIds, entityIds: [] }),
      'requestSubscribeMessage',
    );
    const out: Record<string, SubscribeDecision> = {};
    for (const id of templateIds) {
      // WeChat answers accept | reject | ban | filter; everything but accept means "may not send".
      out[id] = (res as unknown as Record<string, string>)[id] === 'accept' ? 'accept' : 'reject';
    }
    return out;
  },
  async scanCode() {
    const res = await wrap(() => Taro.scanCode({ onlyFromCamera: false }), 'scanCode');
    return { result: res.result, scanType: res.scanType };
  },
  async getLocation() {
    const res = await wrap(() => Taro.getLocation({ type: 'gcj02' }), 'getLocation');
    return { latitude: res.latitude, longitude: res.longitude, accuracy: res.accuracy };
  },
  async requestPayment(params) {
    await wrap(() => Taro.requestPayment({ ...params }), 'requestPayment');
  },
  async saveImage(dataUrl, fileName) {
    // WeChat cannot save a data: URL directly: write the bytes to a user file, then save that to the album.
    const comma = dataUrl.indexOf(',');
    const filePath = await writeUserFile(fileName, dataUrl.slice(comma + 1), 'base64');
    await wrap(() => Taro.saveImageToPhotosAlbum({ filePath }), 'saveImageToPhotosAlbum');
  },
  async saveDrawing(drawing, fileName) {
    // drawn on the page's 2D canvas with the phone's fonts; its pixels as a PNG go the way saveImage takes
    const canvas = await imageCanvasNode();
    canvas.width = drawing.width;
    canvas.height = drawing.height;
    const ctx = canvas.getContext('2d') as unknown as DrawingContext;
    const images: Record<string, DrawingImage> = {};
    for (const [name, dataUrl] of Object.entries(drawing.images))
      images[name] = await canvasImage(canvas, name, dataUrl);
    drawing.draw(ctx, images);
    await platform.saveImage(canvas.toDataURL('image/png', 1), fileName);
  },
  async saveTextFile(text, fileName) {
    const filePath = await writeUserFile(fileName, text, 'utf8');
    await wrap(() => Taro.shareFileMessage({ filePath, fileName }), 'shareFileMessage');
  },
  async chooseTextFile({ extensions, maxBytes }) {
    // a mini-program reaches files only through a chat: the export is sent to oneself (文件传输助手) and picked there
    const res = await wrap(
      () => Taro.chooseMessageFile({ count: 1, type: 'file', extension: extensions }),
      'chooseMessageFile',
    );
    const file = res.tempFiles[0];
    if (!file) throw new PlatformError('chooseMessageFile:fail cancel');
    if (file.size > maxBytes) throw new PlatformError('chooseFile:fail too large', '文件太大');
    const read = (encoding: 'utf8' | 'base64') =>
      wrap(
        () =>
          new Promise<string>((resolve, reject) =>
            Taro.getFileSystemManager().readFile({
              filePath: file.path,
              encoding,
              success: (r) => resolve(String(r.data)),
              fail: reject,
            }),
          ),
        'readFile',
      );
    const text = await read('utf8');
    // not UTF-8 (a GBK export): its bytes go to the server, which reads GBK
    if (text.includes('\uFFFD')) return { name: file.name, size: file.size, text: null, base64: await read('base64') };
    return { name: file.name, size: file.size, text, base64: null };
  },
};

export const PhoneButton: FC<PhoneButtonProps> = ({ onCode, onError, disabled, className, children }) => (
  <Button
    className={className}
    disabled={disabled}
    openType="getPhoneNumber"
    onGetPhoneNumber={(event) => {
      const { code, errMsg } = event.detail;
      if (code) onCode(code);
      else onError?.(new PlatformError(errMsg || 'getPhoneNumber:fail'));
    }}
  >
    {children}
  </Button>
);

/** Only the H5 build simulates WeChat users. */
export const SimUserSwitch: FC<SimUserSwitchProps> = () => null;

/**
 * The canvas saveDrawing draws on: WeChat exports the pixels of a canvas on the page, not of an offscreen one, so
 * it sits out of sight; its size is set when a drawing starts.
 */
export const ImageCanvas: FC = () => (
  <Canvas
    type="2d"
    id={IMAGE_CANVAS_ID}
    style={{ position: 'fixed', left: '-10000px', top: '0', width: '300px', height: '300px' }}
  />
);

/** Needs `enableShareAppMessage: true` in the page config. */
export const useShare = (options: ShareOptions): void => {
  useShareAppMessage(() => ({ title: options.title, path: options.path, imageUrl: options.imageUrl }));
};

export default { platform, PhoneButton, SimUserSwitch, ImageCanvas, useShare } satisfies PlatformModule;
