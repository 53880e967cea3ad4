/**
 * The getPhoneNumber code exchange, idempotent on the code. A phone button code is single-use, lives 5 minutes
 * and WeChat bills the chain for every successful call, so a retried request (a flaky network, a double tap, the
 * sign-up submit after the phone step) must be answered from the first exchange: a second WeChat call would
 * fail with 40029 and, where it did not, cost money. The table row is also the count of billed calls.
 */
import { createHash } from 'node:crypto';
import { fail, ok, type Result } from '../../../shared/errors.js';
import { normalizePhone } from '../../../shared/identity/phone.js';
import { createOnboardingRepo } from '../../adapters/db/repos/onboarding.repo.js';
import { isRateLimited, WeChatError } from '../../adapters/wechat/wechat.port.js';
import { AppError } from '../../http/app-error.js';
import type { Deps } from '../deps.js';

export type PhoneExchangeError = 'WX_PHONE_CODE_INVALID' | 'PHONE_NOT_MOBILE' | 'PHONE_CODE_IN_PROGRESS';

// A claim older than this whose owner never finished (a crashed instance) may be taken over.
const STALE_CLAIM_MS = 30_000;
// How long a concurrent duplicate waits for the first request's answer before telling the client to retry.
const WAIT_FOR_FIRST_MS = 4_000;
const POLL_MS = 100;

const INVALID_CODE_ERRCODES = new Set([40029, 40163]);

/**
 * New phone codes one WeChat login may have exchanged in an hour: each is a call WeChat bills the chain for. A member
 * signs up with one or two (a retry, a second tab); a loop of taps is refused before it costs anything. A code
 * already exchanged is answered from its row, free, and does not count again.
 */
export const PHONE_CODES_PER_HOUR = 10;

export const hashPhoneCode = (code: string): string =>
  createHash('sha256').update(`wx-phone-code:${code}`).digest('hex');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function exchangePhoneCode(
  deps: Deps,
  input: { identityId: string; phoneCode: string },
): Promise<Result<{ phone: string; countryCode: string }, PhoneExchangeError>> {
  const repo = createOnboardingRepo(deps.database.db);
  const codeHash = hashPhoneCode(input.phoneCode);
  const now = deps.clock.now();

  let claimed = await repo.claimPhoneCode(codeHash, input.identityId, now);
  if (!claimed) {
    const first = await answerFromFirst(deps, codeHash, input.identityId);
    if (first !== 'stale') return first;
    // the first request released its claim (a passing failure) or died holding it: this one may call WeChat
    claimed =
      (await repo.claimPhoneCode(codeHash, input.identityId, now)) ||
      (await repo.reclaimStalePhoneCode(codeHash, now, new Date(now.getTime() - STALE_CLAIM_MS)));
    if (!claimed) return fail('PHONE_CODE_IN_PROGRESS', 'the phone code is being verified');
  }

  if ((await repo.phoneCodesSince(input.identityId, new Date(now.getTime() - 3_600_000))) > PHONE_CODES_PER_HOUR) {
    await repo.releasePhoneCode(codeHash);
    throw new AppError(
      'RATE_LIMITED',
      `more than ${PHONE_CODES_PER_HOUR} phone codes from this WeChat login in an hour`,
    );
  }

  let info: { phone: string; countryCode: string };
  try {
    info = await deps.wechat.getPhoneNumber(input.phoneCode);
    deps.log.info('wechat phone number exchanged (billed call)', { identityId: input.identityId });
  } catch (error) {
    if (error instanceof WeChatError && INVALID_CODE_ERRCODES.has(error.errcode)) {
      await repo.completePhoneCode(codeHash, { errorCode: 'WX_PHONE_CODE_INVALID' }, deps.clock.now());
      return fail('WX_PHONE_CODE_INVALID', `WeChat rejected the phone code (errcode ${error.errcode})`);
    }
    // Busy, rate-limited, lost connection: nothing is known to be spent, so let a retry call WeChat again.
    await repo.releasePhoneCode(codeHash);
    if (isRateLimited(error)) throw new AppError('RATE_LIMITED', 'WeChat phone verification is rate-limited');
    if (error instanceof WeChatError) {
      throw new AppError('UPSTREAM_UNAVAILABLE', `WeChat is unavailable (errcode ${error.errcode})`, {
        cause: error,
        retryable: error.retryable,
      });
    }
    throw error;
  }

  const phone = info.countryCode === '86' ? normalizePhone(info.phone) : null;
  if (!phone?.ok) {
    await repo.completePhoneCode(codeHash, { errorCode: 'PHONE_NOT_MOBILE' }, deps.clock.now());
    return fail('PHONE_NOT_MOBILE', 'only mainland China mobile numbers can sign up');
  }
  await repo.completePhoneCode(codeHash, { phone: phone.canonical, countryCode: info.countryCode }, deps.clock.now());
  return ok({ phone: phone.canonical, countryCode: info.countryCode });
}

type FirstAnswer = Result<{ phone: string; countryCode: string }, PhoneExchangeError>;

/** The stored answer of the first request with this code, waiting briefly while it is still in flight. */
async function answerFromFirst(deps: Deps, codeHash: string, identityId: string): Promise<FirstAnswer | 'stale'> {
  const repo = createOnboardingRepo(deps.database.db);
  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  for (;;) {
    const row = await repo.phoneExchange(codeHash);
    if (!row) return 'stale'; // released after a passing failure: this request may try WeChat itself
    // A code presented by another login was intercepted or mixed up: it proves nothing about this caller.
    if (row.identityId !== identityId) {
      return fail('WX_PHONE_CODE_INVALID', 'this phone code was presented by another WeChat login');
    }
    if (row.status === 'done' && row.phone) {
      await repo.countPhoneReplay(codeHash);
      return ok({ phone: row.phone, countryCode: row.countryCode ?? '86' });
    }
    if (row.status === 'failed') {
      const code = row.errorCode === 'PHONE_NOT_MOBILE' ? 'PHONE_NOT_MOBILE' : 'WX_PHONE_CODE_INVALID';
      return fail(code, 'this phone code was already refused');
    }
    const age = deps.clock.now().getTime() - row.createdAt.getTime();
    if (age > STALE_CLAIM_MS) return 'stale';
    if (Date.now() > deadline) return fail('PHONE_CODE_IN_PROGRESS', 'the phone code is being verified');
    await sleep(POLL_MS);
  }
}
