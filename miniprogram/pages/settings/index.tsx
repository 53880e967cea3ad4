import type { ConsentItem } from '@shared/contracts/onboarding';
import { Switch, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type ErrorView } from '../../components/describe-error';
import { shanghaiDay } from '../../components/format';
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
  | { kind: 'ready'; items: ConsentItem[]; saving: string | null; notice: string | null };

const formatDate = (iso: string | null) => (iso ? shanghaiDay(iso) : null);

export default function SettingsPage() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    (async () => {
      const me = await loadMember();
      if (!me.registered) return setState({ kind: 'unregistered' });
      const { items } = await onboardingApi.consents();
      setState({ kind: 'ready', items, saving: null, notice: null });
    })().catch((error: unknown) => {
      if (isApiError(error) && error.code === 'NOT_REGISTERED') setState({ kind: 'unregistered' });
      else setState({ kind: 'error', error: describeError(error) });
    });
  }, []);

  useEffect(load, []);

  const change = async (item: ConsentItem, granted: boolean) => {
    if (state.kind !== 'ready') return;
    if (!granted && item.purpose === 'health_data') {
      const { confirm } = await Taro.showModal({
        title: '关闭健康信息使用？',
        content: '关闭后将收不到续药提醒和个性化用药建议，会员、积分和优惠券不受影响。',
        confirmText: '确认关闭',
        cancelText: '再想想',
      });
      if (!confirm) return setState({ ...state });
    }
    setState({ ...state, saving: item.purpose, notice: null });
    try {
      const { items } = await onboardingApi.updateConsents([
        { purpose: item.purpose, granted, version: item.currentVersion },
      ]);
      setState({ kind: 'ready', items, saving: null, notice: `已保存：${item.title}${granted ? '已开启' : '已关闭'}` });
    } catch (error) {
      // the session ended meanwhile: log in again (as opening the page does) and ask for the change once more
      if (isSessionError(error)) {
        clearSession('member');
        load();
        return;
      }
      setState({ ...state, saving: null, notice: describeError(error).message });
    }
  };

  return (
    <View className="ml-page settings-page" data-testid="settings-page">
      <View className="ml-section-title">授权与隐私</View>
      {state.kind === 'loading' ? <LoadingCard lines={4} /> : null}
      {state.kind === 'error' ? (
        <ErrorCard message={state.error.message} requestId={state.error.requestId} onRetry={load} />
      ) : null}
      {state.kind === 'unregistered' ? (
        <SignupCard title="注册会员后可在这里管理授权" testid="settings-unregistered" />
      ) : null}
      {state.kind === 'ready' ? (
        <>
          {state.notice ? (
            <View className="settings-notice" data-testid="settings-notice">
              {state.notice}
            </View>
          ) : null}
          {state.items.map((item) => (
            <View key={item.purpose} className="ml-card settings-item" data-testid={`setting-${item.purpose}`}>
              <View className="settings-item__head">
                <View className="settings-item__title">{item.title}</View>
                {item.required ? (
                  <View className="settings-item__locked">必选</View>
                ) : (
                  <Switch
                    checked={item.granted === true}
                    disabled={state.saving !== null}
                    color="#0f8a7e"
                    onChange={(e) => change(item, e.detail.value)}
                    data-testid={`toggle-${item.purpose}`}
                  />
                )}
              </View>
              <View className="settings-item__body">{item.body}</View>
              <View className="settings-item__meta">
                {item.granted === null
                  ? '尚未选择'
                  : `${item.granted ? '已同意' : '未同意'}${formatDate(item.answeredAt) ? `（${formatDate(item.answeredAt)}）` : ''}`}
                {item.answeredVersion && item.answeredVersion !== item.currentVersion ? '，条款已更新，请重新确认' : ''}
              </View>
              {item.required ? (
                <View className="settings-item__note">
                  这是会员服务的必要条件。不再需要会员服务时，可在本页下方注销会员。
                </View>
              ) : (
                <View className="settings-item__note">{item.ifDeclined}</View>
              )}
            </View>
          ))}
          <View className="ml-section-title">账户</View>
          <View
            className="ml-card settings-item settings-close"
            onClick={() => Taro.navigateTo({ url: '/pages/account-close/index' })}
            data-testid="open-account-close"
          >
            <View className="settings-item__head">
              <View className="settings-item__title">注销会员</View>
              <View className="settings-close__arrow">›</View>
            </View>
            <View className="settings-item__note">删除您的会员资料，积分和优惠券将作废</View>
          </View>
        </>
      ) : null}
    </View>
  );
}
