import { Button, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../../components/describe-error';
import { LoadingCard } from '../../../components/state-view';
import { PhoneButton, type PlatformError } from '../../../platform';
import { isApiError } from '../../../services/api-error';
import { hasStaffSession, loadStaffProfile, staffBind, staffLogin, staffLogout } from '../../../services/staff';
import { afterStaffLogin } from '../../staff-load';
import '../../staff.scss';

type Step = 'checking' | 'login' | 'bind';

/** Messages for outcomes that need more than the generic code text: what the person should do next. */
function staffMessage(error: unknown): string {
  if (isApiError(error)) {
    if (error.code === 'PHONE_NOT_INVITED')
      return '该手机号没有收到员工邀请。请确认使用的是店长登记的手机号，或联系门店店长 / 总部管理员开通。';
    if (error.code === 'STAFF_DISABLED') return '您的员工账号已停用，无法登录。如有疑问请联系门店店长或总部管理员。';
  }
  const view = describeError(error);
  return view.requestId ? `${view.message}（请求编号 ${view.requestId}）` : view.message;
}

export default function StaffLogin() {
  const { params } = useRouter();
  // a session that lapsed on a staff page: said here, and that page again after the login
  const expired = params.expired === '1';
  const target = afterStaffLogin(params.back);
  const goHome = useCallback(() => Taro.redirectTo({ url: target }), [target]);
  const [step, setStep] = useState<Step>('checking');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    if (!hasStaffSession()) return setStep('login');
    // A still-valid session goes straight to the workbench; anything else asks to log in again.
    loadStaffProfile()
      .then(goHome)
      .catch(() => {
        staffLogout();
        setStep('login');
      });
  }, [goHome]);

  const onLogin = async () => {
    setBusy(true);
    setError('');
    try {
      await staffLogin();
      goHome();
    } catch (e) {
      if (isApiError(e) && e.code === 'STAFF_NOT_BOUND') setStep('bind');
      else setError(staffMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const onPhoneCode = async (phoneCode: string) => {
    setBusy(true);
    setError('');
    try {
      await staffBind(phoneCode);
      goHome();
    } catch (e) {
      setError(staffMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const onPhoneError = (e: PlatformError) =>
    setError(
      e.cancelled ? '您已拒绝授权手机号。首次登录需要验证受邀手机号，请重新点击并选择「允许」。' : staffMessage(e),
    );

  return (
    <View className="ml-page ml-console staff-login" data-testid="staff-login">
      <View className="staff-hero">
        <View className="staff-hero__title">员工登录</View>
        <View className="staff-hero__sub">MedLoop 员工工作台</View>
      </View>

      {step === 'checking' ? <LoadingCard lines={2} /> : null}

      {step === 'login' ? (
        <View className="ml-card" data-testid="staff-login-step">
          <View className="staff-card__title">使用微信登录</View>
          {expired && !error ? (
            <View className="staff-alert" data-testid="staff-expired">
              登录已过期，请重新登录。登录后将回到您刚才所在的页面，未提交的内容需要重新填写。
            </View>
          ) : null}
          <View className="staff-card__text">
            门店、区域和总部员工请使用本人微信登录。首次登录需验证您受邀时登记的手机号。
          </View>
          {error ? (
            <View className="staff-alert" data-testid="staff-error">
              {error}
            </View>
          ) : null}
          <Button className="ml-btn ml-btn--primary" disabled={busy} onClick={onLogin} data-testid="staff-login-button">
            {busy ? '正在登录…' : '微信一键登录'}
          </Button>
        </View>
      ) : null}

      {step === 'bind' ? (
        <View className="ml-card" data-testid="staff-bind-step">
          <View className="staff-steps">
            <View className="staff-steps__item">1 微信登录</View>
            <View className="staff-steps__item staff-steps__item--active">2 验证手机号</View>
          </View>
          <View className="staff-card__title">验证受邀手机号</View>
          <View className="staff-card__text">
            这是您第一次使用此微信登录。请授权微信绑定的手机号，我们将核对您的员工邀请并完成绑定。
          </View>
          {error ? (
            <View className="staff-alert" data-testid="staff-error">
              {error}
            </View>
          ) : null}
          <PhoneButton className="ml-btn ml-btn--primary" disabled={busy} onCode={onPhoneCode} onError={onPhoneError}>
            {busy ? '正在验证…' : '授权手机号并绑定'}
          </PhoneButton>
        </View>
      ) : null}

      <View className="staff-link" onClick={() => Taro.reLaunch({ url: '/pages/index/index' })}>
        返回会员首页
      </View>
    </View>
  );
}
