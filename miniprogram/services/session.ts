import type { SessionTokens } from '@shared/contracts/auth';
import Taro from '@tarojs/taro';

/** Members and staff hold separate sessions: a pharmacist can be a member of the chain too. */
export type Audience = 'member' | 'staff';

export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  /** epoch ms */
  expiresAt: number;
}

const KEYS: Record<Audience, string> = { member: 'medloop.session.member', staff: 'medloop.session.staff' };

export function getSession(audience: Audience): StoredSession | null {
  try {
    const value: unknown = Taro.getStorageSync(KEYS[audience]);
    if (typeof value !== 'object' || value === null) return null;
    const s = value as Partial<StoredSession>;
    return typeof s.accessToken === 'string' && typeof s.refreshToken === 'string'
      ? { accessToken: s.accessToken, refreshToken: s.refreshToken, expiresAt: Number(s.expiresAt) || 0 }
      : null;
  } catch {
    return null;
  }
}

export function saveSession(audience: Audience, tokens: SessionTokens): StoredSession {
  const session: StoredSession = {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: Date.now() + tokens.expiresIn * 1000,
  };
  Taro.setStorageSync(KEYS[audience], session);
  return session;
}

export function clearSession(audience: Audience): void {
  Taro.removeStorageSync(KEYS[audience]);
}
