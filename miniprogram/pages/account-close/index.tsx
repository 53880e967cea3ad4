import type { CloseAccountResponse, ClosurePreviewResponse } from '@shared/contracts/onboarding';
import { Button, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';
import { CheckBox } from '../../components/check-box';
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
  | { kind: 'ready'; preview: ClosurePreviewResponse; understood: boolean; closing: boolean; notice: string | null }
  | { kind: 'closed'; result: CloseAccountResponse };

/** What goes, in the member's terms, with their own figures. */
function losses(p: ClosurePreviewResponse): string[] {
  return [
    '会员身份和手机号、生日、门店会员卡资料等个人信息将被删除，各项授权一并撤回，无法恢复。',
    p.points > 0 || p.coupons > 0
      ? `${p.points > 0 ? `${p.points.toLocaleString('zh-CN')} 积分将清零` : ''}${p.points > 0 && p.coupons > 0 ? '，' : ''}${p.coupons > 0 ? `${p.coupons} 张未使用的优惠券将作废` : ''}。`
      : '您目前没有积分和未使用的优惠券。',
    ...(p.posCards > 0
      ? [
          `您关联的 ${p.posCards} 张门店会员卡在会员中心的资料将一并删除。门店收银系统里的会员卡由门店保管，如需一并注销，请到门店办理。`,
        ]
      : []),
    '会员码、用药提醒和服务通知将停止。',
  ];
}

function kept(p: ClosurePreviewResponse): string[] {
  return [
    p.orders > 0
      ? `按药品经营质量管理规范，您的 ${p.orders} 笔购药记录需保存 5 年，仅用于药品追溯，其中不再含有您的姓名、手机号等个人资料。`
      : '按药品经营质量管理规范，购药记录需保存 5 年，仅用于药品追溯。',
    '您同意和撤回各项授权的记录、系统操作日志，依法留存备查，其中不含您的手机号和姓名。',
    '为避免新人券被重复领取，会保留您的手机号和微信账号标识的加密摘要（不保存号码和标识本身），仅用于以后用同一手机号或微信注册时判断是否领过新人券。',
  ];
}

export default function AccountClosePage() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const closing = useRef(false);

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    (async () => {
      const me = await loadMember();
      if (!me.registered) return setState({ kind: 'unregistered' });
      const preview = await onboardingApi.closurePreview();
      setState({ kind: 'ready', preview, understood: false, closing: false, notice: null });
    })().catch((error: unknown) => {
      if (isApiError(error) && error.code === 'NOT_REGISTERED') setState({ kind: 'unregistered' });
      else setState({ kind: 'error', error: describeError(error) });
    });
  }, []);

  useEffect(load, []);

  const close = async () => {
    if (state.kind !== 'ready' || !state.understood || closing.current) return;
    const { confirm } = await Taro.showModal({
      title: '确认注销会员？',
      content:
        state.preview.points > 0 || state.preview.coupons > 0
          ? '注销后个人资料无法恢复，积分和优惠券将作废。'
          : '注销后个人资料无法恢复。',
      confirmText: '确认注销',
      confirmColor: '#c0392b',
      cancelText: '再想想',
    });
    if (!confirm) return;
    closing.current = true;
    setState({ ...state, closing: true, notice: null });
    try {
      const result = await onboardingApi.closeAccount();
      // the session named an identity that is gone now: the next page logs in afresh, as a visitor
      clearSession('member');
      setState({ kind: 'closed', result });
    } catch (error) {
      if (isSessionError(error)) {
        // the session ended meanwhile (or an earlier tap closed the account and its answer was lost): look again
        clearSession('member');
        load();
      } else {
        setState({ ...state, closing: false, notice: describeError(error).message });
      }
    } finally {
      closing.current = false;
    }
  };

  // back where the member came from; opened on its own (a shared link, a refresh in H5), to the settings
  const leave = () => {
    if (Taro.getCurrentPages().length > 1) Taro.navigateBack();
    else Taro.redirectTo({ url: '/pages/settings/index' });
  };

  return (
    <View className="ml-page close-page" data-testid="account-close-page">
      {state.kind === 'loading' ? <LoadingCard lines={5} /> : null}
      {state.kind === 'error' ? (
        <ErrorCard message={state.error.message} requestId={state.error.requestId} onRetry={load} />
      ) : null}
      {state.kind === 'unregistered' ? (
        <SignupCard title="您还不是会员，没有需要注销的会员账户" testid="close-unregistered" />
      ) : null}
      {state.kind === 'ready' ? (
        <>
          <View className="ml-section-title">注销后</View>
          <View className="ml-card close-list" data-testid="close-losses">
            {losses(state.preview).map((line) => (
              <View key={line} className="close-list__item">
                {line}
              </View>
            ))}
          </View>
          <View className="ml-section-title">依法保留</View>
          <View className="ml-card close-list close-list--kept" data-testid="close-kept">
            {kept(state.preview).map((line) => (
              <View key={line} className="close-list__item">
                {line}
              </View>
            ))}
          </View>
          <View className="close-hint">以后仍可用同一微信或手机号重新注册会员，新人券每人限领一次。</View>
          <View
            className="ml-card close-ack"
            onClick={() => setState({ ...state, understood: !state.understood, notice: null })}
            data-testid="close-ack"
          >
            <CheckBox checked={state.understood} />
            <View className="close-ack__text">我已阅读并了解以上内容</View>
          </View>
          {state.notice ? (
            <View className="close-notice" data-testid="close-notice">
              {state.notice}
            </View>
          ) : null}
          <Button
            className="ml-btn ml-btn--danger"
            disabled={!state.understood || state.closing}
            loading={state.closing}
            onClick={close}
            data-testid="close-submit"
          >
            注销会员
          </Button>
          <Button className="ml-btn ml-btn--ghost close-back" onClick={leave} data-testid="close-cancel">
            不注销了
          </Button>
        </>
      ) : null}
      {state.kind === 'closed' ? (
        <View className="ml-card close-done" data-testid="close-done">
          <View className="close-done__title">会员已注销</View>
          <View className="close-done__text">
            您的个人资料已删除
            {state.result.pointsForfeited > 0
              ? `，${state.result.pointsForfeited.toLocaleString('zh-CN')} 积分已清零`
              : ''}
            {state.result.couponsVoided > 0 ? `，${state.result.couponsVoided} 张优惠券已作废` : ''}
            。感谢您一直以来的信任。
          </View>
          <Button
            className="ml-btn ml-btn--primary"
            onClick={() => Taro.reLaunch({ url: '/pages/index/index' })}
            data-testid="close-home"
          >
            返回首页
          </Button>
        </View>
      ) : null}
    </View>
  );
}
