import type { MemberCodeResponse } from '@shared/contracts/onboarding';
import { Button, Image, View } from '@tarojs/components';
import { useDidHide, useDidShow } from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError, type ErrorView } from '../../components/describe-error';
import { ErrorCard, LoadingCard, SignupCard } from '../../components/state-view';
import { isApiError, isSessionError } from '../../services/api-error';
import { loadMember } from '../../services/member';
import { onboardingApi } from '../../services/onboarding';
import { clearSession } from '../../services/session';
import './index.scss';

type State =
  | { kind: 'loading' }
  | { kind: 'error'; error: ErrorView }
  | { kind: 'unregistered' }
  | { kind: 'ready'; code: MemberCodeResponse; secondsLeft: number; refreshing: boolean };

/** 18 digits in groups of 4 from the end, as printed on cards: 88 1234 5678 9012 3456. */
const grouped = (code: string) => code.replace(/(\d)(?=(\d{4})+$)/g, '$1 ');

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
      setState({ kind: 'ready', code, secondsLeft: code.refreshAfterSeconds, refreshing: false });
    } catch (error) {
      // the session ended while the code was on screen (the account was closed in another tab, or signed out):
      // log in again as opening the page does, which shows the visitor the sign-up instead of 请先登录
      if (!first && isSessionError(error)) {
        clearSession('member');
        return fetchCode(true);
      }
      if (isApiError(error) && error.code === 'NOT_REGISTERED') setState({ kind: 'unregistered' });
      else setState({ kind: 'error', error: describeError(error) });
    }
  }, []);

  // one tick a second: the countdown, and a new code when it reaches zero (a screenshot goes stale by itself)
  const startTimer = useCallback(() => {
    stopTimer();
    timer.current = setInterval(() => {
      setState((s) => {
        if (s.kind !== 'ready' || s.refreshing) return s;
        if (s.secondsLeft <= 1) {
          void fetchCode(false);
          return { ...s, secondsLeft: 0, refreshing: true };
        }
        return { ...s, secondsLeft: s.secondsLeft - 1 };
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
        <ErrorCard message={state.error.message} requestId={state.error.requestId} onRetry={() => fetchCode(true)} />
      ) : null}
      {state.kind === 'unregistered' ? (
        <SignupCard
          title="注册会员后即可使用会员码"
          hint="授权手机号即可一键注册，注册即送新人券。"
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
          <View className="member-code-card__countdown" data-testid="member-code-countdown">
            {state.refreshing ? '正在刷新…' : `${state.secondsLeft} 秒后自动刷新`}
          </View>
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
