import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SimApp {
  appid: string;
  secret: string;
  /** Published pages; when set, getwxacodeunlimit with check_path rejects other pages (41030) like WeChat does. */
  pages?: string[];
}

export interface SimUser {
  id: string;
  nickname: string;
  phone: string;
}

export type SubscribeDecision = 'accept' | 'reject';
export type MiniProgramState = 'developer' | 'trial' | 'formal';

export interface SentMessage {
  /** WeChat returns msgid as an int64 JSON number; the simulator keeps it below 2^53 so JS clients stay exact. */
  msgid: number;
  seq: number;
  appid: string;
  userId: string;
  openid: string;
  templateId: string;
  page: string | null;
  data: Record<string, { value: string }>;
  state: MiniProgramState;
  lang: string;
  sentAt: number;
}

export interface FaultSpec {
  latencyMs?: number;
  errcode?: number;
  errmsg?: string;
  /** Destroys the socket without answering (after latencyMs, if set). */
  drop?: boolean;
  /** Number of calls the fault applies to; omitted means every call until cleared. */
  times?: number;
}

export interface SimStats {
  tokenRequests: number;
  forcedRefreshes: number;
  /** Every getuserphonenumber call that reached the app with a valid token. */
  phoneNumberCalls: number;
  /** Successful getuserphonenumber calls: WeChat bills the chain per successful phone verification. */
  phoneNumberBilled: number;
  subscribeSends: number;
  qrCodes: number;
}

export interface ScanResult {
  result: string;
  scanType: string;
}

export interface WeChatSimulatorOptions {
  apps: SimApp[];
  users?: Array<{ id: string; nickname: string; phone: string }>;
  now?: () => number;
  /** How injected latency waits; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
}

export interface ListeningSimulator {
  url: string;
  close(): Promise<void>;
}

export interface WeChatSimulator {
  handle(req: IncomingMessage, res: ServerResponse): void;
  listen(port?: number, host?: string): Promise<ListeningSimulator>;
  addUser(input: { id?: string; nickname: string; phone: string }): SimUser;
  users(): SimUser[];
  openid(appid: string, userId: string): string;
  unionid(userId: string): string;
  /** What wx.login returns for this user in this app. */
  issueLoginCode(appid: string, userId: string): string;
  /** What the getPhoneNumber button returns when the user taps 允许. */
  issuePhoneCode(appid: string, userId: string): string;
  subscribe(
    appid: string,
    userId: string,
    decisions: Record<string, SubscribeDecision>,
  ): Record<string, SubscribeDecision>;
  grantsLeft(appid: string, userId: string, templateId: string): number;
  queueScan(scan: ScanResult & { userId?: string }): void;
  messages(userId?: string): SentMessage[];
  setFault(path: string, fault: FaultSpec): void;
  clearFaults(path?: string): void;
  /** Makes every issued access_token expired now, so the next API call gets 42001. */
  expireTokens(): void;
  stats(appid: string): SimStats;
}
