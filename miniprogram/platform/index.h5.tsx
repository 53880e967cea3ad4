import { Button } from '@tarojs/components';
import { type FC, useEffect, useState } from 'react';
import { openSheet, PhoneAuthSheet, SubscribeSheet, UserPickerSheet } from './h5/sheets';
import {
  getSimUser,
  onSimUserChange,
  SIM_APPID,
  SimHttpError,
  type SimUser,
  setSimUser,
  simFetch,
} from './h5/sim-client';
import {
  type ChosenFile,
  type DrawingContext,
  type DrawingImage,
  type PhoneButtonProps,
  type Platform,
  PlatformError,
  type PlatformModule,
  type SimUserSwitchProps,
  type SubscribeDecision,
} from './types';

export * from './types';

/**
 * H5 build: every WeChat capability is answered by the local WeChat simulator (same origin, /__sim/).
 * The person picks which simulated WeChat user they are; sheets mimic WeChat's own authorisation UI.
 */
async function pickSimUser(): Promise<SimUser> {
  const chosen = await openSheet<SimUser | null>((done) => <UserPickerSheet current={getSimUser()} done={done} />);
  if (!chosen) throw new PlatformError('login:fail cancel', '未选择模拟微信用户');
  setSimUser(chosen);
  return chosen;
}

async function currentSimUser(): Promise<SimUser> {
  return getSimUser() ?? pickSimUser();
}

/** Calls a simulator route as the current user; a user the simulator no longer knows is forgotten and re-picked once. */
async function asSimUser<T>(call: (user: SimUser) => Promise<T>): Promise<T> {
  const user = await currentSimUser();
  try {
    return await call(user);
  } catch (error) {
    if (error instanceof SimHttpError && error.status === 404 && getSimUser()?.id === user.id) {
      setSimUser(null);
      return call(await pickSimUser());
    }
    throw error;
  }
}

/** A download of `href` under `fileName`, as a link the browser follows. */
function download(href: string, fileName: string) {
  const link = document.createElement('a');
  link.href = href;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new PlatformError('saveDrawing:fail image', '图片加载失败'));
    image.src = src;
  });
}

export const platform: Platform = {
  env: 'h5',
  login() {
    return asSimUser((user) => simFetch<{ code: string }>('login', { appid: SIM_APPID, userId: user.id })).then(
      ({ code }) => ({ code }),
    );
  },
  async requestSubscribe(templateIds, titles = {}) {
    if (templateIds.length === 0) return {};
    const user = await currentSimUser();
    const templates = templateIds.map((id) => ({ id, title: titles[id] ?? id }));
    const decisions = await openSheet<Record<string, SubscribeDecision>>((done) => (
      <SubscribeSheet templates={templates} done={done} />
    ));
    return simFetch<Record<string, SubscribeDecision>>('subscribe', { appid: SIM_APPID, userId: user.id, decisions });
  },
  async scanCode() {
    // The simulator answers with the code queued for this user, or 404 `scanCode:fail cancel`.
    const user = await currentSimUser();
    const res = await simFetch<{ result: string; scanType?: string }>('scan', { userId: user.id });
    return { result: res.result, scanType: res.scanType };
  },
  async getLocation() {
    throw new PlatformError('getLocation:fail 微信模拟器暂不支持定位');
  },
  async requestPayment() {
    throw new PlatformError('requestPayment:fail 微信模拟器暂不支持客户端支付');
  },
  async saveImage(dataUrl, fileName) {
    // the browser (the staff web console) downloads the file for printing
    download(dataUrl, fileName);
  },
  async saveDrawing(drawing, fileName) {
    // the staff web console: a canvas of its own, downloaded as a PNG (the browser's fonts draw the Chinese text)
    const canvas = document.createElement('canvas');
    canvas.width = drawing.width;
    canvas.height = drawing.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new PlatformError('saveDrawing:fail no canvas', '浏览器无法绘图');
    const loaded = await Promise.all(
      Object.entries(drawing.images).map(async ([name, src]) => [name, await loadImage(src)] as const),
    );
    await document.fonts?.ready;
    drawing.draw(ctx as unknown as DrawingContext, Object.fromEntries(loaded) as Record<string, DrawingImage>);
    download(canvas.toDataURL('image/png'), fileName);
  },
  async saveTextFile(text, fileName) {
    // the staff web console: a download of the text as it is (a CSV's BOM included, for Excel)
    const url = URL.createObjectURL(new Blob([text], { type: /\.csv$/i.test(fileName) ? 'text/csv' : 'text/plain' }));
    download(url, fileName);
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  },
  chooseTextFile({ extensions, maxBytes }) {
    // the staff web console: the browser's own file dialog
    return new Promise<ChosenFile>((resolve, reject) => {
      const input = document.createElement('input');
      input.type = 'file';
      input.accept = extensions.map((e) => `.${e}`).join(',');
      input.style.display = 'none';
      input.setAttribute('data-testid', 'file-input');
      document.body.appendChild(input);
      const done = () => input.remove();
      input.addEventListener('cancel', () => {
        done();
        reject(new PlatformError('chooseFile:fail cancel'));
      });
      input.addEventListener('change', () => {
        const file = input.files?.[0];
        done();
        if (!file) return reject(new PlatformError('chooseFile:fail cancel'));
        if (file.size > maxBytes) return reject(new PlatformError('chooseFile:fail too large', '文件太大'));
        readChosenFile(file).then(resolve, (error: unknown) =>
          reject(new PlatformError('chooseFile:fail read', String(error))),
        );
      });
      input.click();
    });
  },
};

export const PhoneButton: FC<PhoneButtonProps> = ({ onCode, onError, disabled, className, children }) => {
  const [busy, setBusy] = useState(false);
  const onClick = async () => {
    if (busy || disabled) return;
    setBusy(true);
    try {
      const user = await currentSimUser();
      const allowed = await openSheet<boolean>((done) => <PhoneAuthSheet user={user} done={done} />);
      if (!allowed) throw new PlatformError('getPhoneNumber:fail user deny', '你已拒绝授权手机号');
      const { code } = await simFetch<{ code: string }>('phone-code', { appid: SIM_APPID, userId: user.id });
      onCode(code);
    } catch (error) {
      onError?.(error instanceof PlatformError ? error : new PlatformError('getPhoneNumber:fail', String(error)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button className={className} disabled={disabled || busy} onClick={onClick} data-testid="phone-button">
      {children}
    </Button>
  );
};

/** "模拟微信：昵称 · 切换用户": lets a person (or a browser test) change the simulated WeChat user. */
export const SimUserSwitch: FC<SimUserSwitchProps> = ({ onSwitched }) => {
  const [user, setUser] = useState<SimUser | null>(getSimUser);
  useEffect(() => onSimUserChange(setUser), []);
  const onClick = async () => {
    const previous = getSimUser();
    try {
      const next = await pickSimUser();
      if (next.id !== previous?.id) onSwitched?.();
    } catch {
      // cancelled: keep the current user
    }
  };
  return (
    <div className="sim-switch" data-testid="sim-user-switch">
      <span>模拟微信：{user ? user.nickname : '未选择'}</span>
      <button type="button" className="sim-switch__link" data-testid="sim-user-switch-link" onClick={onClick}>
        {user ? '切换用户' : '选择用户'}
      </button>
    </div>
  );
};

export const useShare = (): void => {
  // Sharing is a WeChat client feature; the browser build has nothing to register.
};

/** The browser draws on a canvas of its own (saveDrawing). */
export const ImageCanvas: FC = () => null;

export default { platform, PhoneButton, SimUserSwitch, ImageCanvas, useShare } satisfies PlatformModule;

/** The file as text when its bytes are UTF-8; else its bytes in base64 (a GBK export: the server reads it). */
async function readChosenFile(file: File): Promise<ChosenFile> {
  const text = await file.text();
  if (!text.includes('\uFFFD')) return { name: file.name, size: file.size, text, base64: null };
  const dataUrl = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
  return { name: file.name, size: file.size, text: null, base64: dataUrl.slice(dataUrl.indexOf(',') + 1) };
}
