import { PlatformError } from '../types';

/**
 * Client side of the local WeChat simulator (mounted same-origin at /__sim/ by the local runner).
 * In H5 "who am I in WeChat" is a simulated user the person picks; the choice is remembered here.
 */
export const SIM_APPID = process.env.TARO_APP_WX_APPID || 'wxmedloopdemo0001';
const STORAGE_KEY = 'medloop.simUser';

export interface SimUser {
  id: string;
  nickname: string;
  phoneMasked: string | null;
}

const isSimUser = (value: unknown): value is SimUser =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as SimUser).id === 'string' &&
  typeof (value as SimUser).nickname === 'string';

export class SimHttpError extends PlatformError {
  readonly status: number;
  constructor(status: number, errMsg: string) {
    super(errMsg);
    this.status = status;
  }
}

export async function simFetch<T>(path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/__sim/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new SimHttpError(0, `${path}:fail 无法连接微信模拟器`);
  }
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const errMsg =
      typeof data === 'object' && data !== null && 'errMsg' in data
        ? String((data as { errMsg: unknown }).errMsg)
        : `${path}:fail HTTP ${res.status}`;
    throw new SimHttpError(res.status, errMsg);
  }
  return data as T;
}

export async function listSimUsers(): Promise<SimUser[]> {
  const data = await simFetch<{ users?: unknown[] }>('users');
  return (data.users ?? [])
    .filter(isSimUser)
    .map((u) => ({ id: u.id, nickname: u.nickname, phoneMasked: u.phoneMasked ?? null }));
}

export async function createSimUser(nickname: string, phone: string): Promise<SimUser> {
  const data = await simFetch<Record<string, unknown>>('users', { nickname, phone });
  const id = String(data.id ?? '');
  if (!id) throw new SimHttpError(500, 'users:fail 模拟器未返回用户编号');
  const phoneMasked =
    typeof data.phoneMasked === 'string' ? data.phoneMasked : phone.replace(/^(\d{3})\d{4}(\d+)$/, '$1****$2');
  return { id, nickname: typeof data.nickname === 'string' ? data.nickname : nickname, phoneMasked };
}

type Listener = (user: SimUser | null) => void;
const listeners = new Set<Listener>();

export function getSimUser(): SimUser | null {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? 'null');
    return isSimUser(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export function setSimUser(user: SimUser | null): void {
  if (user) window.localStorage.setItem(STORAGE_KEY, JSON.stringify(user));
  else window.localStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener(user);
}

export function onSimUserChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
