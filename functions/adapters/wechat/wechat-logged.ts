/**
 * Every call out to WeChat, logged for HQ's integration health (source 'wechat', direction outbound): the operation,
 * ok or failed, latency and WeChat's errcode. Nothing the call carried is logged (codes, openids, phone numbers,
 * message data): only what went wrong. A failed log write never fails the call it describes.
 */
import { isWeChatError, type WeChatApi } from './wechat.port.js';

export interface WeChatCallRecord {
  at: Date;
  operation: keyof WeChatApi;
  status: 'ok' | 'failed';
  latencyMs: number;
  /** `errcode 45009 (rate_limited)`, or the error's class for a non-WeChat failure; null when ok */
  error: string | null;
}

export interface CallLogOptions {
  record: (call: WeChatCallRecord) => Promise<void>;
  now: () => Date;
  onLogError: (error: unknown) => void;
}

function describe(error: unknown): string {
  if (isWeChatError(error)) return `errcode ${error.errcode} (${error.kind})`;
  return error instanceof Error ? error.name : 'unknown error';
}

export function withCallLog(api: WeChatApi, o: CallLogOptions): WeChatApi {
  const logged = <A extends unknown[], R>(operation: keyof WeChatApi, call: (...args: A) => Promise<R>) => {
    return async (...args: A): Promise<R> => {
      const at = o.now();
      const started = performance.now();
      const write = async (status: 'ok' | 'failed', error: string | null) => {
        try {
          await o.record({ at, operation, status, latencyMs: performance.now() - started, error });
        } catch (logError) {
          o.onLogError(logError);
        }
      };
      try {
        const result = await call(...args);
        await write('ok', null);
        return result;
      } catch (error) {
        await write('failed', describe(error));
        throw error;
      }
    };
  };
  return {
    code2Session: logged('code2Session', (code: string) => api.code2Session(code)),
    getPhoneNumber: logged('getPhoneNumber', (code: string) => api.getPhoneNumber(code)),
    sendSubscribeMessage: logged('sendSubscribeMessage', (msg: Parameters<WeChatApi['sendSubscribeMessage']>[0]) =>
      api.sendSubscribeMessage(msg),
    ),
    getUnlimitedQrCode: logged('getUnlimitedQrCode', (req: Parameters<WeChatApi['getUnlimitedQrCode']>[0]) =>
      api.getUnlimitedQrCode(req),
    ),
  };
}
