import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { createWeChatSimulator } from '../../../dev/wechat-sim/simulator.js';
import type { WeChatSimulator } from '../../../dev/wechat-sim/simulator.types.js';

export const APP_A = { appid: 'wx_app_a', secret: 'secret_a' };
export const APP_B = { appid: 'wx_app_b', secret: 'secret_b' };
export const USER = { id: 'u_zhang', nickname: '张阿姨', phone: '13800138001' };
export const START = Date.UTC(2025, 0, 6, 2, 0, 0);

export interface SimFixture {
  sim: WeChatSimulator;
  url: string;
  clock: { t: number; advance(ms: number): void };
  close(): Promise<void>;
}

export async function startSim(): Promise<SimFixture> {
  const clock = {
    t: START,
    advance(ms: number) {
      this.t += ms;
    },
  };
  const sim = createWeChatSimulator({
    apps: [APP_A, { ...APP_B, pages: ['pages/index/index', 'pages/store/index'] }],
    users: [USER],
    now: () => clock.t,
  });
  const server = await sim.listen();
  return { sim, url: server.url, clock, close: server.close };
}

export function decodeQr(bytes: Uint8Array): string | null {
  const png = PNG.sync.read(Buffer.from(bytes));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
}

export const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
