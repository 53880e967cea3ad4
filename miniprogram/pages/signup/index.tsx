import type {
  SignupResponse,
  SignupStoreResponse,
  VerifyPhoneResponse,
  WelcomeCoupon,
} from '@shared/contracts/onboarding';
import { CONSENT_PURPOSES, CONSENT_TEXTS, type ConsentPurpose } from '@shared/onboarding/consent';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState } from 'react';
import { CheckBox } from '../../components/check-box';
import { describeError, type ErrorView } from '../../components/describe-error';
import { LoadingCard, PageErrorCard } from '../../components/state-view';
import { newMemberOffer } from '../../components/visitor-signup-card';
import { PhoneButton, SimUserSwitch } from '../../platform';
import { isApiError } from '../../services/api-error';
import { loadMember } from '../../services/member';
import { onboardingApi } from '../../services/onboarding';
import './index.scss';

type Step =
  | { kind: 'loading' }
  | { kind: 'error'; error: ErrorView; retry: () => void }
  | { kind: 'already'; phoneMasked: string | null }
  | { kind: 'phone'; verifying: boolean; error: string | null }
  | { kind: 'consent'; phoneCode: string; phone: VerifyPhoneResponse; submitting: boolean; error: string | null }
  | { kind: 'welcome'; result: SignupResponse };

/** What went wrong at this step, said above its button; nothing when all is well. */
function SignupAlert({ message }: { message: string | null }) {
  return message ? (
    <View className="signup-alert" data-testid="signup-error">
      {message}
    </View>
  ) : null;
}

/** WeChat hands the scene to the page URL-encoded (`scene=s1.HZ001` arrives as-is, other scenes encoded once). */
function sceneFrom(params: Record<string, string | undefined>): string | null {
  const raw = params.scene;
  if (!raw) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** 5月3日, with the year when it is not this year's (Asia/Shanghai), from YYYY-MM-DD */
function zhDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const thisYear = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
  return `${y === thisYear ? '' : `${y}年`}${m}月${d}日`;
}

/**
 * The new-member coupon on the welcome, as it is now: a person signing up again, or on a second WeChat, may have used
 * theirs already, or let it expire; only a usable one is promised at the till.
 */
function WelcomeCouponNote({ coupon }: { coupon: WelcomeCoupon }) {
  const day = zhDay(coupon.day);
  const text =
    coupon.state === 'available'
      ? `有效期至 ${day}，到店结账时出示会员码，收银员即可为您抵扣。`
      : coupon.state === 'not_yet_valid'
        ? `${day} 起可用，到店结账时出示会员码，收银员即可为您抵扣。`
        : `新人券已于 ${day} ${coupon.state === 'used' ? '使用' : coupon.state === 'expired' ? '到期' : '作废'}，每人限领一次。积分和其他会员优惠照常享受。`;
  return (
    <View className="signup-coupon" data-testid="welcome-coupon" data-state={coupon.state}>
      <View className="signup-coupon__title">{coupon.created ? '新人券已放入您的券包' : '您已领取过新人券'}</View>
      <View className="signup-coupon__text">{text}</View>
    </View>
  );
}

/** the welcome coupon can still be used: worth a look in the wallet */
const usable = (coupon: WelcomeCoupon | null) =>
  coupon !== null && (coupon.state === 'available' || coupon.state === 'not_yet_valid');

/**
 * A code whose store is gone (closed, renamed) or that is not a sign-up code at all: the customer signs up all the
 * same, without a store (a printed code must never turn a customer away); the page says so once.
 */
function StoreBanner({ store, unknown }: { store: SignupStoreResponse | null; unknown: boolean }) {
  if (unknown) {
    return (
      <View className="ml-card signup-store" data-testid="signup-store-unknown">
        <View className="signup-store__hello">这个二维码没有对应的门店</View>
        <View className="signup-store__address">
          可能是门店已停用的旧二维码。您仍可注册会员，到任一门店结账时出示会员码即可。
        </View>
      </View>
    );
  }
  if (!store) return null;
  return (
    <View className="ml-card signup-store" data-testid="signup-store">
      <View className="signup-store__hello">欢迎光临</View>
      <View className="signup-store__name">{store.store.name}</View>
      <View className="signup-store__address">{store.store.address}</View>
    </View>
  );
}

export default function SignupPage() {
  const router = useRouter();
  const scene = sceneFrom(router.params);
  const [store, setStore] = useState<SignupStoreResponse | null>(null);
  // the scanned code names no store we know: sign up without one
  const [storeUnknown, setStoreUnknown] = useState(false);
  // promised only while sign-up gives one: the new-member campaign may be paused or ended
  const [offer, setOffer] = useState<string | null>(null);
  const [step, setStep] = useState<Step>({ kind: 'loading' });
  const submitting = useRef(false);
  const [answers, setAnswers] = useState<Record<ConsentPurpose, boolean>>({
    service: false,
    marketing: false,
    health_data: false,
  });

  const start = useCallback(() => {
    setStep({ kind: 'loading' });
    (async () => {
      // the store first: a code that names no store is said before the person is asked for anything
      if (scene) {
        const found = await onboardingApi.signupStore(scene).catch((error: unknown) => {
          if (isApiError(error) && (error.code === 'STORE_NOT_FOUND' || error.code === 'SCENE_INVALID')) return null;
          throw error;
        });
        setStore(found);
        setStoreUnknown(found === null);
      }
      const me = await loadMember();
      if (!me.registered) setOffer(await newMemberOffer());
      setStep(
        me.registered
          ? { kind: 'already', phoneMasked: me.phoneMasked }
          : { kind: 'phone', verifying: false, error: null },
      );
    })().catch((error: unknown) => setStep({ kind: 'error', error: describeError(error), retry: start }));
  }, [scene]);

  useEffect(start, []);

  const onPhoneCode = async (phoneCode: string) => {
    setStep({ kind: 'phone', verifying: true, error: null });
    try {
      const phone = await onboardingApi.verifyPhone(phoneCode);
      setStep({ kind: 'consent', phoneCode, phone, submitting: false, error: null });
    } catch (error) {
      setStep({ kind: 'phone', verifying: false, error: describeError(error).message });
    }
  };

  const submit = async () => {
    // a member's phone (another WeChat of theirs signed up): this WeChat joins them, their consents stand
    const joining = step.kind === 'consent' && step.phone.standing === 'member';
    // a double tap sends one sign-up (the second would answer 您已经是会员了 over the first's welcome)
    if (step.kind !== 'consent' || !(joining || answers.service) || submitting.current) return;
    submitting.current = true;
    setStep({ ...step, submitting: true, error: null });
    try {
      const result = await onboardingApi.register({
        scene: storeUnknown ? null : scene,
        phoneCode: step.phoneCode,
        consents: joining
          ? []
          : CONSENT_PURPOSES.map((purpose) => ({
              purpose,
              granted: answers[purpose],
              version: CONSENT_TEXTS[purpose].version,
            })),
      });
      setStep({ kind: 'welcome', result });
    } catch (error) {
      if (joining && isApiError(error) && error.code === 'CONSENT_REQUIRED') {
        // no member holds the phone any more (closed meanwhile): a sign-up of their own, with the consents asked
        setStep({
          ...step,
          phone: { ...step.phone, standing: 'none' },
          submitting: false,
          error: '这个手机号目前不是会员，请阅读并选择以下授权后完成注册。',
        });
      } else if (isApiError(error) && error.code === 'WX_PHONE_CODE_INVALID') {
        // the phone it traded is no longer on record (the account on this phone was closed meanwhile): the phone
        // step again, the answers ticked so far kept
        setStep({ kind: 'phone', verifying: false, error: '手机号授权已失效，请再点一次按钮授权手机号。' });
      } else {
        setStep({ ...step, submitting: false, error: describeError(error).message });
      }
    } finally {
      submitting.current = false;
    }
  };

  const toggle = (purpose: ConsentPurpose) => setAnswers((a) => ({ ...a, [purpose]: !a[purpose] }));

  return (
    <View className="ml-page signup-page" data-testid="signup-page">
      <View className="signup-page__hero">
        <View className="signup-page__title">{step.kind === 'welcome' ? '注册完成' : '注册会员'}</View>
        <View className="signup-page__sub" data-testid="signup-sub">
          {step.kind === 'welcome' || step.kind === 'already'
            ? '结账时出示会员码，即可累积积分、使用优惠券'
            : offer &&
                !(step.kind === 'consent' && (step.phone.newMemberCouponWithheld || step.phone.standing === 'member'))
              ? `授权手机号即可完成，注册即送新人券（${offer}）`
              : '授权手机号即可完成'}
        </View>
      </View>

      <StoreBanner store={store} unknown={storeUnknown} />

      {step.kind === 'loading' ? <LoadingCard /> : null}
      {step.kind === 'error' ? (
        <PageErrorCard error={step.error} onRetry={step.retry} title="无法注册" actionText="重试" />
      ) : null}

      {step.kind === 'already' ? (
        <View className="ml-card" data-testid="signup-already">
          <View className="signup-done__title">您已经是会员了</View>
          <View className="signup-done__text">
            {step.phoneMasked ? `会员手机号 ${step.phoneMasked}` : '无需重复注册'}，到店结账时出示会员码即可。
          </View>
          <Button
            className="ml-btn ml-btn--primary"
            onClick={() => Taro.redirectTo({ url: '/pages/member-code/index' })}
            data-testid="open-member-code"
          >
            出示会员码
          </Button>
        </View>
      ) : null}

      {step.kind === 'phone' ? (
        <View className="ml-card" data-testid="signup-phone-step">
          <View className="signup-step">第 1 步，共 2 步</View>
          <View className="signup-done__title">验证手机号</View>
          <View className="signup-done__text">
            用您微信绑定的手机号注册，不用输入验证码。手机号用于在门店识别您的会员身份。
          </View>
          <SignupAlert message={step.error} />
          <PhoneButton
            className="ml-btn ml-btn--primary"
            disabled={step.verifying}
            onCode={onPhoneCode}
            onError={(e) =>
              setStep({
                kind: 'phone',
                verifying: false,
                error: e.cancelled
                  ? '您没有授权手机号。注册会员需要手机号，请再点一次按钮。'
                  : `微信授权失败（${e.errMsg}）`,
              })
            }
          >
            {step.verifying ? '正在验证…' : '微信手机号一键授权'}
          </PhoneButton>
        </View>
      ) : null}

      {step.kind === 'consent' && step.phone.standing === 'member' ? (
        <View className="ml-card" data-testid="signup-join-step">
          <View className="signup-step">第 2 步，共 2 步</View>
          <View className="signup-done__title">该手机号已是会员</View>
          <View className="signup-done__text">
            手机号{' '}
            <Text className="signup-phone" data-testid="signup-phone">
              {step.phone.phoneMasked}
            </Text>{' '}
            已是会员，点击继续即可在这个微信上使用会员码、积分和优惠券。
          </View>
          <View className="signup-done__text">您之前的授权选择保持不变，如需修改请到「我的设置」。</View>
          <SignupAlert message={step.error} />
          <Button
            className="ml-btn ml-btn--primary"
            disabled={step.submitting}
            onClick={submit}
            data-testid="signup-submit"
          >
            {step.submitting ? '正在关联…' : '继续'}
          </Button>
        </View>
      ) : null}

      {step.kind === 'consent' && step.phone.standing !== 'member' ? (
        <View data-testid="signup-consent-step">
          <View className="ml-card">
            <View className="signup-step">第 2 步，共 2 步</View>
            <View className="signup-done__title">请阅读并选择</View>
            <View className="signup-done__text">
              手机号{' '}
              <Text className="signup-phone" data-testid="signup-phone">
                {step.phone.phoneMasked}
              </Text>
              {step.phone.standing === 'store_card'
                ? '：门店有用这个手机号登记的会员卡。注册后，能确认是您本人的会员卡会直接关联；拿不准的会请您确认或到店核实。'
                : ''}
            </View>
            {step.phone.newMemberCouponWithheld ? (
              <View className="signup-done__text" data-testid="signup-no-coupon">
                这个手机号注销过的会员账户已领取过新人券，新人券每人限领一次，本次注册不再发放。
              </View>
            ) : null}
          </View>
          {CONSENT_PURPOSES.map((purpose) => {
            const text = CONSENT_TEXTS[purpose];
            return (
              <View
                key={purpose}
                className={`ml-card signup-consent${answers[purpose] ? ' signup-consent--on' : ''}`}
                data-testid={`consent-${purpose}`}
                onClick={() => toggle(purpose)}
              >
                <View className="signup-consent__head">
                  <CheckBox checked={answers[purpose]} />
                  <View className="signup-consent__title">{text.title}</View>
                  <View className={`signup-tag${text.required ? ' signup-tag--required' : ''}`}>
                    {text.required ? '必选' : '可选'}
                  </View>
                </View>
                <View className="signup-consent__body">{text.body}</View>
                <View className="signup-consent__note">{text.ifDeclined}</View>
              </View>
            );
          })}
          <SignupAlert message={step.error} />
          <Button
            className="ml-btn ml-btn--primary"
            disabled={!answers.service || step.submitting}
            onClick={submit}
            data-testid="signup-submit"
          >
            {step.submitting ? '正在注册…' : answers.service ? '同意并注册' : '请先勾选「会员服务与服务通知」'}
          </Button>
        </View>
      ) : null}

      {step.kind === 'welcome' ? (
        <View className="ml-card signup-welcome" data-testid="signup-welcome">
          <View className="signup-welcome__icon">✓</View>
          <View className="signup-done__title">
            {step.result.alreadyMember ? '您已经是会员了' : '注册成功，欢迎您！'}
          </View>
          <View className="signup-done__text">
            会员手机号 {step.result.phoneMasked}
            {step.result.store ? `，所属门店 ${step.result.store.name}` : ''}
          </View>
          {step.result.alreadyMember ? (
            <View className="signup-done__text" data-testid="welcome-consents-kept">
              您之前的授权选择保持不变，如需修改请到「我的设置」。
            </View>
          ) : null}
          {step.result.welcomeCoupon ? <WelcomeCouponNote coupon={step.result.welcomeCoupon} /> : null}
          {step.result.welcomeWithheld ? (
            <View className="signup-coupon" data-testid="welcome-withheld">
              <View className="signup-coupon__title">本次注册没有新人券</View>
              <View className="signup-coupon__text">
                这个手机号注销过的会员账户已领取过新人券，新人券每人限领一次。积分和其他会员优惠照常享受。
              </View>
            </View>
          ) : null}
          {step.result.heldMatches.length > 0 ? (
            <View className="signup-held" data-testid="welcome-held">
              <View className="signup-coupon__title">这是您在{step.result.heldMatches[0].storeName}的会员卡吗？</View>
              <View className="signup-coupon__text">
                门店有用您手机号登记的会员卡，确认是您的以后，购药记录和积分会并入您的会员账户。
              </View>
              <Button
                className="ml-btn ml-btn--primary signup-welcome__btn"
                onClick={() => Taro.redirectTo({ url: '/pages/identity-confirm/index' })}
                data-testid="open-held"
              >
                去确认会员卡
              </Button>
            </View>
          ) : null}
          <Button
            className="ml-btn ml-btn--primary signup-welcome__btn"
            onClick={() => Taro.redirectTo({ url: '/pages/member-code/index' })}
            data-testid="open-member-code"
          >
            出示会员码
          </Button>
          {usable(step.result.welcomeCoupon) ? (
            <Button
              className="ml-btn ml-btn--ghost signup-welcome__btn"
              onClick={() => Taro.redirectTo({ url: '/pages/coupons/index' })}
              data-testid="open-coupons"
            >
              查看我的优惠券
            </Button>
          ) : null}
          <Button
            className="ml-btn ml-btn--ghost signup-welcome__btn"
            onClick={() => Taro.reLaunch({ url: '/pages/index/index' })}
            data-testid="go-home"
          >
            返回会员中心
          </Button>
        </View>
      ) : null}

      <View className="signup-page__footer">
        <SimUserSwitch onSwitched={start} />
      </View>
    </View>
  );
}
