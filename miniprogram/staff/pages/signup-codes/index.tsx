import type { SignupCode, SignupCodesResponse, SignupStatsResponse } from '@shared/contracts/onboarding';
import { Button, Image, Picker, View } from '@tarojs/components';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../../components/describe-error';
import { LoadingCard } from '../../../components/state-view';
import { ImageCanvas, PlatformError, platform } from '../../../platform';
import { isApiError, isSessionError } from '../../../services/api-error';
import { onboardingApi } from '../../../services/onboarding';
import { ROLE_LABELS } from '../../role-labels';
import { StaffErrorCard } from '../../staff-error';
import { leaveStaffSession, loadForStaff, type StaffLoadError } from '../../staff-load';
import { shortCodeId, signupSheet } from './sheet';
import '../../staff.scss';
import './index.scss';

type State =
  | { kind: 'loading' }
  | { kind: 'error'; error: StaffLoadError }
  | {
      kind: 'ready';
      /** null for clerks and pharmacists: printing codes is a manager's job, the figures are for everyone */
      codes: SignupCodesResponse | null;
      stats: SignupStatsResponse;
      busy: boolean;
      notice: string | null;
    };

function CodeCard({ code, onSave }: { code: SignupCode; onSave: (c: SignupCode) => void }) {
  return (
    <View className="ml-card signup-code" data-testid="signup-code">
      <View className="signup-code__who">
        {code.clerk ? `${code.clerk.name} 的邀请码（扫码注册计入其名下）` : '门店通用注册码'}
      </View>
      <Image className="signup-code__image" src={code.imageDataUrl} mode="widthFix" data-testid="signup-code-image" />
      <View className="signup-code__number" data-testid="signup-code-number">
        注册码编号 {shortCodeId(code.id)}
      </View>
      <Button className="ml-btn ml-btn--ghost" onClick={() => onSave(code)} data-testid="signup-code-save">
        保存图片（打印贴在收银台）
      </Button>
    </View>
  );
}

export default function SignupCodesPage() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [storeId, setStoreId] = useState<string | undefined>(undefined);

  const load = useCallback((store?: string) => {
    setState({ kind: 'loading' });
    loadForStaff(
      () =>
        Promise.all([
          onboardingApi.signupCodes(store).catch((error: unknown) => {
            if (isApiError(error) && error.code === 'FORBIDDEN') return null;
            throw error;
          }),
          onboardingApi.signupStats(store),
        ]),
      ([codes, stats]) => setState({ kind: 'ready', codes, stats, busy: false, notice: null }),
      (error) => setState({ kind: 'error', error }),
    );
  }, []);

  useEffect(() => {
    load();
  }, [load]);

  if (state.kind === 'loading') {
    return (
      <View className="ml-page ml-console" data-testid="signup-codes-page">
        <LoadingCard lines={4} />
      </View>
    );
  }
  if (state.kind === 'error') {
    return (
      <View className="ml-page ml-console" data-testid="signup-codes-page">
        <StaffErrorCard page="signup-codes" error={state.error} onRetry={() => load(storeId)} />
      </View>
    );
  }

  const { codes, stats } = state;
  const inviters = codes
    ? [
        { staffId: null, label: '门店通用码（不记店员）' },
        ...codes.staff.map((s) => ({
          staffId: s.staffId,
          label: `${s.name}（${ROLE_LABELS[s.role as keyof typeof ROLE_LABELS] ?? s.role}）`,
        })),
      ]
    : [];

  const generate = async (clerkStaffId: string | null) => {
    if (!codes?.store) return;
    setState({ ...state, busy: true, notice: null });
    try {
      await onboardingApi.createSignupCode(codes.store.id, clerkStaffId);
      const refreshed = await onboardingApi.signupCodes(codes.store.id);
      setState({ ...state, codes: refreshed, busy: false, notice: '注册码已生成，可保存图片打印' });
    } catch (error) {
      // a session that ended meanwhile: back to the staff login, not its words in the notice
      if (isSessionError(error)) return leaveStaffSession();
      setState({ ...state, busy: false, notice: describeError(error).message });
    }
  };

  // saved as a sheet to print: the store, whose code it is and its number around WeChat's bare code
  const save = async (code: SignupCode) => {
    if (!codes?.store) return;
    try {
      await platform.saveDrawing(
        signupSheet({
          store: codes.store,
          clerkName: code.clerk?.name ?? null,
          newMemberOffer: codes.newMemberOffer,
          codeId: code.id,
          imageDataUrl: code.imageDataUrl,
        }),
        code.fileName,
      );
      setState({ ...state, notice: `已保存：${code.fileName}` });
    } catch (error) {
      if (error instanceof PlatformError && error.cancelled) {
        // WeChat's album permission refused: say where to allow it; a dialog merely closed needs no words
        if (/auth/.test(error.errMsg)) setState({ ...state, notice: '未能保存：请在小程序设置中允许保存到相册' });
        return;
      }
      setState({ ...state, notice: describeError(error).message });
    }
  };

  const storeNames = codes?.stores.map((s) => `${s.name}（${s.code}）`) ?? [];
  const storeIdx = codes?.store ? codes.stores.findIndex((s) => s.id === codes.store?.id) : 0;

  return (
    <View className="ml-page ml-console" data-testid="signup-codes-page">
      <View className="staff-hero">
        <View className="staff-hero__title">会员注册码</View>
        <View className="staff-hero__sub">顾客扫码即可注册会员，按店员统计拉新</View>
      </View>

      <View className="ml-card" data-testid="signup-stats">
        <View className="staff-card__title">
          {stats.store.name} · 本期拉新（{stats.from} 至 {stats.to}）
        </View>
        <View className="signup-stats__row">
          <View className="signup-stats__cell">
            <View className="signup-stats__num" data-testid="signup-stats-total">
              {stats.total}
            </View>
            <View className="signup-stats__label">注册会员</View>
          </View>
          <View className="signup-stats__cell">
            <View className="signup-stats__num">{stats.newCustomers}</View>
            <View className="signup-stats__label">新顾客</View>
          </View>
          <View className="signup-stats__cell">
            <View className="signup-stats__num">{stats.linkedCustomers}</View>
            <View className="signup-stats__label">老顾客转会员</View>
          </View>
        </View>
        {stats.byClerk.length === 0 ? (
          <View className="staff-card__text">本期还没有顾客扫码注册。</View>
        ) : (
          stats.byClerk.map((row) => (
            <View key={row.staffId ?? 'store'} className="staff-row" data-testid="signup-stats-clerk">
              <View className="staff-row__label">{row.name}</View>
              <View>{row.signups} 人</View>
            </View>
          ))
        )}
      </View>

      {codes === null ? (
        <View className="ml-card staff-card__text">注册码由店长生成和打印；如需新码请联系店长。</View>
      ) : (
        <>
          {codes.stores.length > 1 ? (
            <Picker
              mode="selector"
              range={storeNames}
              value={Math.max(0, storeIdx)}
              onChange={(e) => {
                const next = codes.stores[Number(e.detail.value)];
                setStoreId(next?.id);
                load(next?.id);
              }}
            >
              <View className="ml-card signup-picker" data-testid="store-picker">
                门店：{codes.store?.name ?? '请选择'} <View className="signup-picker__change">切换</View>
              </View>
            </Picker>
          ) : null}

          <View className="ml-card">
            <View className="staff-card__title">生成注册码</View>
            <View className="staff-card__text">
              每位店员一个专属码，顾客扫谁的码就记在谁名下。每个码只生成一次，可反复保存打印。
            </View>
            {state.notice ? (
              <View className="signup-notice" data-testid="signup-codes-notice">
                {state.notice}
              </View>
            ) : null}
            {inviters.map((inviter) => {
              const done = codes.codes.some((c) => (c.clerk?.staffId ?? null) === inviter.staffId);
              return (
                <View key={inviter.staffId ?? 'store'} className="staff-row signup-inviter">
                  <View>{inviter.label}</View>
                  {done ? (
                    <View className="signup-inviter__done" data-testid={`generated-${inviter.staffId ?? 'store'}`}>
                      已生成 ✓
                    </View>
                  ) : (
                    <Button
                      className="ml-btn ml-btn--primary signup-inviter__btn"
                      disabled={state.busy}
                      onClick={() => generate(inviter.staffId)}
                      data-testid={`generate-${inviter.staffId ?? 'store'}`}
                    >
                      生成
                    </Button>
                  )}
                </View>
              );
            })}
          </View>

          {codes.codes.length === 0 ? (
            <View className="ml-card staff-card__text">这家门店还没有注册码，先生成一个门店通用码吧。</View>
          ) : (
            codes.codes.map((code) => <CodeCard key={code.id} code={code} onSave={save} />)
          )}
          <ImageCanvas />
        </>
      )}
    </View>
  );
}
