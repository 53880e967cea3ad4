import { Button } from '@tarojs/components';
import Taro, { useShareAppMessage } from '@tarojs/taro';
import type { FC } from 'react';
import {
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

/** Needs `enableShareAppMessage: true` in the page config. */
export const useShare = (options: ShareOptions): void => {
  useShareAppMessage(() => ({ title: options.title, path: options.path, imageUrl: options.imageUrl }));
};

export default { platform, PhoneButton, SimUserSwitch, useShare } satisfies PlatformModule;
