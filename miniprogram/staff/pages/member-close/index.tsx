/**
 * 会员注销 (store manager and above): a customer asks at the store to have their membership and data deleted, most
 * often a store-card holder without the mini-program (members can close their own account in 我的设置). The
 * manager checks the ID card, finds them by phone, and closes that one account: a family phone lists each person on
 * it, masked, with what tells them apart. What goes and what the law keeps is said before the last tap.
 */
import type { ClosableMember, CloseAccountResponse, StaffClosableResponse } from '@shared/contracts/onboarding';
import { Button, View } from '@tarojs/components';
import { useRef, useState } from 'react';
import { CheckBox } from '../../../components/check-box';
import { describeError } from '../../../components/describe-error';
import { PhoneSearch } from '../../../components/phone-search';
import { LoadingCard } from '../../../components/state-view';
import { isSessionError } from '../../../services/api-error';
import { onboardingApi } from '../../../services/onboarding';
import { isRefused, StaffErrorCard } from '../../staff-error';
import { leaveStaffSession, loadForStaff, type StaffLoadError } from '../../staff-load';
import '../../staff.scss';
import './index.scss';

type State =
  | { kind: 'idle' }
  | { kind: 'loading'; phone: string }
  | { kind: 'error'; phone: string; error: StaffLoadError }
  | { kind: 'ready'; phone: string; found: StaffClosableResponse };

type Picked = { member: ClosableMember; checked: boolean; closing: boolean; error: string | null };

const monthOf = (day: string | null) => (day ? `${day.slice(0, 4)}年${Number(day.slice(5, 7))}月` : null);

/** 门店会员卡 1 张、商城账号，未注册小程序: what the person holds, as the API counts it (never the numbers). */
function holdings(m: ClosableMember): string {
  const held = [
    m.posCards > 0 ? `门店会员卡 ${m.posCards} 张` : null,
    m.mallAccounts > 0 ? `商城账号${m.mallAccounts > 1 ? ` ${m.mallAccounts} 个` : ''}` : null,
    m.wecomContacts > 0 ? `企业微信联系人${m.wecomContacts > 1 ? ` ${m.wecomContacts} 个` : ''}` : null,
  ].filter(Boolean);
  const app = m.registered ? '已注册小程序' : '未注册小程序';
  return held.length ? `${held.join('、')}，${app}` : app;
}

/** 江南大道店 · 最近到店 2026年11月: a store card's activity is a visit, a mall account's or WeCom's is not. */
function whereAndWhen(m: ClosableMember): string {
  const month = monthOf(m.lastActive);
  const cardsOnly = m.mallAccounts === 0 && m.wecomContacts === 0;
  return [m.homeStoreName, month ? `${cardsOnly ? '最近到店' : '最近活动'} ${month}` : null]
    .filter(Boolean)
    .join(' · ');
}

/** Where the lookup looked, as the server scoped it: a store manager's store, a regional manager's, or all (HQ). */
const NOT_FOUND: Record<StaffClosableResponse['scope'], { text: string; hint: string | null }> = {
  store: {
    text: '本店范围内没有用这个手机号的会员，或已经注销。',
    hint: '在其他门店办卡、或只有商城账号的会员，请联系其门店或总部办理。',
  },
  region: {
    text: '您负责的门店范围内没有用这个手机号的会员，或已经注销。',
    hint: '其他区域门店的会员、或只有商城账号的会员，请联系总部办理。',
  },
  chain: { text: '全部门店和商城都没有用这个手机号的会员，或已经注销。', hint: null },
};

export default function MemberClosePage() {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [picked, setPicked] = useState<Picked | null>(null);
  const [done, setDone] = useState<{ member: ClosableMember; result: CloseAccountResponse } | null>(null);
  const closing = useRef(false);

  const search = (phone: string) => {
    setPicked(null);
    setDone(null);
    setState({ kind: 'loading', phone });
    loadForStaff(
      () => onboardingApi.closableMembers(phone),
      (found) => setState({ kind: 'ready', phone, found }),
      (error) => setState({ kind: 'error', phone, error }),
    );
  };

  const close = async () => {
    if (!picked?.checked || closing.current) return;
    closing.current = true;
    setPicked({ ...picked, closing: true, error: null });
    try {
      const result = await onboardingApi.staffCloseMember(picked.member.customerId);
      setDone({ member: picked.member, result });
      setPicked(null);
      setState({ kind: 'idle' });
    } catch (error) {
      if (isSessionError(error)) leaveStaffSession();
      else setPicked({ ...picked, closing: false, error: describeError(error).message });
    } finally {
      closing.current = false;
    }
  };

  const refused = state.kind === 'error' && isRefused('member-close', state.error);

  return (
    <View className="ml-page ml-console mc-page" data-testid="member-close">
      {refused ? null : (
        <>
          <View className="mc-intro">
            会员本人到店申请注销时使用：请先核对本人身份证件，再按手机号查找。会员也可以在小程序「我的设置」里自行注销。
          </View>
          <PhoneSearch
            testid="mc"
            placeholder="会员的手机号"
            phone={state.kind === 'idle' ? null : state.phone}
            filterText={(masked) => `手机号 ${masked} 名下的会员`}
            onSearch={search}
            onClear={() => {
              setPicked(null);
              setState({ kind: 'idle' });
            }}
          />
        </>
      )}

      {done ? (
        <View className="ml-card mc-done" data-testid="mc-done">
          <View className="mc-done__title">已注销 {done.member.nameMasked ?? '该会员'}</View>
          <View className="mc-done__text">
            个人资料已删除
            {done.result.pointsForfeited > 0 ? `，${done.result.pointsForfeited} 积分已清零` : ''}
            {done.result.couponsVoided > 0 ? `，${done.result.couponsVoided} 张优惠券已作废` : ''}；
            {done.result.ordersKept > 0 ? `${done.result.ordersKept} 笔购药记录按规定保留，不再含个人信息。` : ''}
            {/* the till's own copy of a store card is the store's to close */}
            {done.member.posCards > 0 ? '收银系统里的会员卡请在收银系统中一并停用。' : ''}
          </View>
        </View>
      ) : null}

      {state.kind === 'loading' ? <LoadingCard lines={3} /> : null}
      {state.kind === 'error' ? (
        <StaffErrorCard page="member-close" error={state.error} onRetry={() => search(state.phone)} />
      ) : null}
      {state.kind === 'ready' && state.found.members.length === 0 ? (
        <View className="ml-card mc-empty" data-testid="mc-empty">
          <View>{NOT_FOUND[state.found.scope].text}</View>
          {NOT_FOUND[state.found.scope].hint ? (
            <View className="mc-empty__hint">{NOT_FOUND[state.found.scope].hint}</View>
          ) : null}
        </View>
      ) : null}
      {state.kind === 'ready'
        ? state.found.members.map((m) => {
            const open = picked?.member.customerId === m.customerId;
            return (
              <View key={m.customerId} className="ml-card mc-member" data-testid="mc-member">
                <View className="mc-member__name">{m.nameMasked ?? '未留姓名'}</View>
                <View className="mc-member__holds" data-testid="mc-holds">
                  {holdings(m)}
                </View>
                {whereAndWhen(m) ? <View className="mc-member__meta">{whereAndWhen(m)}</View> : null}
                {!open ? (
                  <Button
                    className="ml-btn ml-btn--ghost mc-member__pick"
                    onClick={() => setPicked({ member: m, checked: false, closing: false, error: null })}
                    data-testid="mc-pick"
                  >
                    为这位会员办理注销
                  </Button>
                ) : (
                  <View className="mc-confirm" data-testid="mc-confirm">
                    <View className="mc-confirm__item">
                      删除姓名、手机号、生日、会员卡和账号资料等个人信息，撤回各项授权，无法恢复。
                    </View>
                    <View className="mc-confirm__item">
                      {m.points > 0 || m.coupons > 0
                        ? `${m.points > 0 ? `${m.points} 积分清零` : ''}${m.points > 0 && m.coupons > 0 ? '，' : ''}${m.coupons > 0 ? `${m.coupons} 张优惠券作废` : ''}。`
                        : '没有积分和未使用的优惠券。'}
                    </View>
                    <View className="mc-confirm__item">购药记录按药品经营质量管理规范保留 5 年，不再含个人信息。</View>
                    <View
                      className="mc-confirm__ack"
                      onClick={() => picked && setPicked({ ...picked, checked: !picked.checked, error: null })}
                      data-testid="mc-ack"
                    >
                      <CheckBox checked={picked.checked} />
                      <View>已核对本人身份证件，是本人申请注销</View>
                    </View>
                    {picked.error ? <View className="mc-confirm__error">{picked.error}</View> : null}
                    <Button
                      className="ml-btn ml-btn--danger"
                      disabled={!picked.checked || picked.closing}
                      loading={picked.closing}
                      onClick={close}
                      data-testid="mc-close"
                    >
                      确认注销
                    </Button>
                    <Button className="ml-btn ml-btn--ghost mc-confirm__cancel" onClick={() => setPicked(null)}>
                      取消
                    </Button>
                  </View>
                )}
              </View>
            );
          })
        : null}
    </View>
  );
}
