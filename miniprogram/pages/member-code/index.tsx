import type { MemberCodeResponse } from '@shared/contracts/onboarding';
import { Button, Image, View } from '@tarojs/components';
import { useDidHide, useDidShow } from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError, type ErrorView } from '../../components/describe-error';
import { ErrorCard, LoadingCard } from '../../components/state-view';
import { VisitorSignupCard } from '../../components/visitor-signup-card';
import { isApiError, isSessionError } from '../../services/api-error';
import { loadMember } from '../../services/member';
import { onboardingApi } from '../../services/onboarding';
import { clearSession } from '../../services/session';
import './index.scss';

type State =
  | { kind: 'loading' }
  /** `expired`: the code kept on screen through failed refreshes ran out */
  | { kind: 'error'; error: ErrorView; expired?: boolean }
  | { kind: 'unregistered' }
  | {
      kind: 'ready';
      code: MemberCodeResponse;
      /** until the next fetch: the minute's refresh, or a retry after a failed one */
      secondsLeft: number;
      /** how long the till still takes the code shown (counted from the server's clock, not the phone's) */
      validLeft: number;
      refreshing: boolean;
      /** the last refresh failed: the code shown still works until validLeft runs out, then this is said */
      unstable: ErrorView | null;
    };

/** 18 digits in groups of 4 from the end, as printed on cards: 88 1234 5678 9012 3456. */
const grouped = (code: string) => code.replace(/(\d)(?=(\d{4})+$)/g, '$1 ');

/** after a failed refresh, the next try */
const RETRY_SECONDS = 5;

/** Seconds the till takes a code for, from its answer: its expiry against the server's time when it answered. */
const validFor = (code: MemberCodeResponse) =>
  Math.max(0, Math.floor((Date.parse(code.expiresAt) - Date.parse(code.serverTime)) / 1000));

export default function MemberCodePage() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const timer = useRef<ReturnType<typeof setInterval> | null>(null);

  const stopTimer = useCallback(() => {
    if (timer.current) clearInterval(timer.current);
    timer.current = null;
  }, []);

  const fetchCode = useCallback(async (first: boolean) => {
    if (first) setState({ kind: 'loading' });
    else setState((s) => (s.kind === 'ready' ? { ...s, refreshing: true } : s));
    try {
      if (first) {
        const me = await loadMember();
        if (!me.registered) {
          setState({ kind: 'unregistered' });
          return;
        }
      }
      const code = await onboardingApi.memberCode();
      setState({
        kind: 'ready',
        code,
        secondsLeft: code.refreshAfterSeconds,
        validLeft: validFor(code),
        refreshing: false,
        unstable: null,
      });
    } catch (error) {
      // the session ended while the code was on screen (the account was closed in another tab, or signed out):
      // log in again as opening the page does, which shows the visitor the sign-up instead of 请先登录
      if (!first && isSessionError(error)) {
        clearSession('member');
        return fetchCode(true);
      }
      if (isApiError(error) && error.code === 'NOT_REGISTERED') setState({ kind: 'unregistered' });
      // a refresh that failed (offline, a timeout) leaves the code on screen while the till still takes it, and
      // tries again; the failure is shown only once that code has expired
      // (a retry that fails after the code ran out, or lands once the tick has said so, says it expired)
      else
        setState((s) =>
          s.kind === 'error' && s.expired
            ? s
            : !first && s.kind === 'ready' && s.validLeft > 0
              ? { ...s, refreshing: false, secondsLeft: RETRY_SECONDS, unstable: describeError(error) }
              : { kind: 'error', error: describeError(error), expired: !first && s.kind === 'ready' },
        );
    }
  }, []);

  // one tick a second: the countdown, and a new code when it reaches zero (a screenshot goes stale by itself); the
  // code's own validity runs down meanwhile, and a code kept on screen after failed refreshes goes when it expires
  const startTimer = useCallback(() => {
    stopTimer();
    timer.current = setInterval(() => {
      setState((s) => {
        if (s.kind !== 'ready') return s;
        const validLeft = Math.max(0, s.validLeft - 1);
        if (s.unstable && validLeft === 0) return { kind: 'error', error: s.unstable, expired: true };
        if (s.refreshing) return { ...s, validLeft };
        if (s.secondsLeft <= 1) {
          void fetchCode(false);
          return { ...s, validLeft, secondsLeft: 0, refreshing: true };
        }
        return { ...s, validLeft, secondsLeft: s.secondsLeft - 1 };
      });
    }, 1000);
  }, [fetchCode, stopTimer]);

  useEffect(() => {
    void fetchCode(true);
    startTimer();
    return stopTimer;
  }, [fetchCode, startTimer, stopTimer]);

  // back from the background: the code shown may be stale, fetch a new one at once
  useDidShow(() => {
    if (state.kind === 'ready') void fetchCode(false);
    if (!timer.current) startTimer();
  });
  useDidHide(stopTimer);

  return (
    <View className="ml-page member-code-page" data-testid="member-code-page">
      {state.kind === 'loading' ? <LoadingCard lines={4} /> : null}
      {state.kind === 'error' ? (
        <ErrorCard
          title={state.expired ? '会员码已过期' : undefined}
          message={state.error.message}
          requestId={state.error.requestId}
          onRetry={() => fetchCode(true)}
        />
      ) : null}
      {state.kind === 'unregistered' ? (
        <VisitorSignupCard
          title="注册会员后即可使用会员码"
          hint={(offer) =>
            offer ? `授权手机号即可一键注册，注册即送新人券（${offer}）。` : '授权手机号即可一键注册。'
          }
          testid="member-code-unregistered"
        />
      ) : null}
      {state.kind === 'ready' ? (
        <View className="ml-card member-code-card" data-testid="member-code-card">
          <View className="member-code-card__title">结账时请出示给收银员</View>
          <Image
            className="member-code-card__barcode"
            src={state.code.barcodeDataUrl}
            mode="widthFix"
            data-testid="member-barcode"
          />
          <View className="member-code-card__digits" data-testid="member-code-digits">
            {grouped(state.code.code)}
          </View>
          <Image className="member-code-card__qr" src={state.code.qrDataUrl} mode="widthFix" data-testid="member-qr" />
          {state.unstable ? (
            <View
              className="member-code-card__countdown member-code-card__countdown--unstable"
              data-testid="member-code-unstable"
            >
              网络不稳定，会员码仍有效 {state.validLeft} 秒
            </View>
          ) : (
            <View className="member-code-card__countdown" data-testid="member-code-countdown">
              {state.refreshing ? '正在刷新…' : `${state.secondsLeft} 秒后自动刷新`}
            </View>
          )}
          <View className="member-code-card__hint">会员码每分钟自动更新，截图无效，请勿转发给他人。</View>
          <Button
            className="ml-btn ml-btn--ghost"
            onClick={() => !state.refreshing && fetchCode(false)}
            data-testid="member-code-refresh"
          >
            立即刷新
          </Button>
        </View>
      ) : null}
    </View>
  );
}
