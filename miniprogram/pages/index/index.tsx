import type { MeResponse } from '@shared/contracts/auth';
import type { LoyaltySummaryResponse } from '@shared/contracts/loyalty';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type ErrorView } from '../../components/describe-error';
import { shanghaiDay, thousands } from '../../components/format';
import { LoadingCard, PageErrorCard, type Tile, TileGrid } from '../../components/state-view';
import { useReshow } from '../../components/use-reshow';
import { SimUserSwitch, useShare } from '../../platform';
import { identityApi } from '../../services/identity';
import { loyaltyApi } from '../../services/loyalty';
import { forgetAllSessions, loadMember } from '../../services/member';
import './index.scss';

/** `offer`: the new-member coupon sign-up gives right now (null: none, so the page promises none) */
type State =
  | { kind: 'loading' }
  | { kind: 'error'; error: ErrorView }
  | { kind: 'ready'; me: MeResponse; offer: string | null };

// Pages for these arrive in later issues; until then the tiles say so instead of leading nowhere.
const TILES: Tile[] = [
  { key: 'member-code', label: '会员码', glyph: '码', url: '/pages/member-code/index' },
  { key: 'coupons', label: '优惠券', glyph: '券', url: '/pages/coupons/index' },
  { key: 'points', label: '积分', glyph: '积', url: '/pages/points/index' },
  { key: 'medicines', label: '我的用药', glyph: '药' },
  { key: 'consult', label: '预约药师', glyph: '医' },
  { key: 'settings', label: '我的设置', glyph: '我', url: '/pages/settings/index' },
];

const NEW_MEMBER_BENEFIT = { title: '新人专享券', text: '注册即领，到店购药直接抵扣' };
const BENEFITS = [
  { title: '消费积分', text: '每次购药累积积分，结账时可抵现金' },
  { title: '用药提醒', text: '按时提醒续药，慢病用药不断档' },
  { title: '药师服务', text: '预约执业药师，一对一用药咨询' },
];

/** 12月31日 from 2026-12-31 */
const monthDay = (day: string) => `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;

const go = (url: string) => () => Taro.navigateTo({ url });

/**
 * Points, coupons and the member code at a glance, and what runs out soon. `summary` null: not loaded (or it
 * failed): the figures show a dash, and the tiles below still lead to the pages.
 */
function MemberStats({ summary }: { summary: LoyaltySummaryResponse | null }) {
  const soonCoupons = summary?.coupons.expiringSoon ?? null;
  const soonPoints = summary?.points.expiringSoon ?? null;
  return (
    <View data-testid="member-stats">
      <View className="member-stats">
        <View className="member-stats__cell" onClick={go('/pages/points/index')} data-testid="stat-points">
          <View className="member-stats__value">{summary ? thousands(summary.points.balance) : '—'}</View>
          <View className="member-stats__label">积分</View>
        </View>
        <View className="member-stats__cell" onClick={go('/pages/coupons/index')} data-testid="stat-coupons">
          <View className="member-stats__value">
            {summary ? summary.coupons.available : '—'}
            {summary ? <Text className="member-stats__unit">张</Text> : null}
          </View>
          <View className="member-stats__label">可用优惠券</View>
        </View>
        <View
          className="member-stats__cell member-stats__cell--code"
          onClick={go('/pages/member-code/index')}
          data-testid="stat-member-code"
        >
          <View className="member-stats__code">码</View>
          <View className="member-stats__label">出示会员码</View>
        </View>
      </View>
      {soonCoupons ? (
        <View className="member-soon" onClick={go('/pages/coupons/index')} data-testid="soon-coupons">
          <Text className="member-soon__text">
            {soonCoupons.count} 张优惠券将于 {monthDay(soonCoupons.lastDay)}
            {soonCoupons.count > 1 ? ' 起陆续到期' : ' 到期'}
          </Text>
          <Text className="member-soon__go">查看 ›</Text>
        </View>
      ) : null}
      {soonPoints ? (
        <View className="member-soon" onClick={go('/pages/points/index')} data-testid="soon-points">
          <Text className="member-soon__text">
            {thousands(soonPoints.points)} 积分将于 {monthDay(soonPoints.lastDay)} 到期
          </Text>
          <Text className="member-soon__go">查看 ›</Text>
        </View>
      ) : null}
    </View>
  );
}

function MemberCard({ me, summary }: { me: MeResponse; summary: LoyaltySummaryResponse | null }) {
  // the day they joined in Beijing time: 01:05 on the 28th is the 28th, not the 27th of a UTC timestamp
  const since = me.memberSince ? shanghaiDay(me.memberSince) : null;
  return (
    <View className="ml-card member-card" data-testid="member-card">
      <View className="member-card__head">
        <View className="member-card__hello">您好，{me.displayName ?? '会员'}</View>
        {summary ? (
          <View className={`member-card__tier member-card__tier--${summary.tier.code}`} data-testid="member-tier">
            {summary.tier.name}
          </View>
        ) : null}
      </View>
      <MemberStats summary={summary} />
      <View className="member-card__row">
        <Text className="member-card__label">手机号</Text>
        <Text data-testid="member-phone">{me.phoneMasked ?? '未绑定'}</Text>
      </View>
      <View className="member-card__row">
        <Text className="member-card__label">所属门店</Text>
        <Text data-testid="member-store">{me.homeStore?.name ?? '暂未绑定门店'}</Text>
      </View>
      {since ? (
        <View className="member-card__row">
          <Text className="member-card__label">入会日期</Text>
          <Text>{since}</Text>
        </View>
      ) : null}
    </View>
  );
}

/** POS cards that share the member's phone and wait for the member's word before they are merged. */
function HeldMatchesCard({ stores }: { stores: string[] }) {
  return (
    <View
      className="ml-card held-nudge"
      onClick={() => Taro.navigateTo({ url: '/pages/identity-confirm/index' })}
      data-testid="held-nudge"
    >
      <View className="held-nudge__title">这是您在{stores[0]}的会员卡吗？</View>
      <View className="held-nudge__text">
        {stores.length > 1 ? `有 ${stores.length} 张门店会员卡` : '有一张门店会员卡'}
        用的是您的手机号，确认后购药记录和积分会并入您的账户。
      </View>
      <View className="held-nudge__go">去确认 ›</View>
    </View>
  );
}

/** The new-member coupon is promised only while sign-up gives one (its campaign may be paused or ended). */
function SignUpPrompt({ offer }: { offer: string | null }) {
  const benefits = offer
    ? [{ ...NEW_MEMBER_BENEFIT, text: `${offer}，${NEW_MEMBER_BENEFIT.text}` }, ...BENEFITS]
    : BENEFITS;
  return (
    <View className="ml-card signup" data-testid="signup-prompt">
      <View className="signup__title">{offer ? '注册会员，领取新人券' : '注册会员'}</View>
      <View className="signup__lead">欢迎来到药店会员中心，成为会员后可享受：</View>
      {benefits.map((b) => (
        <View key={b.title} className="signup__benefit">
          <View className="signup__dot" />
          <View>
            <View className="signup__benefit-title">{b.title}</View>
            <View className="signup__benefit-text">{b.text}</View>
          </View>
        </View>
      ))}
      <View className="signup__note">授权微信手机号即可一键注册，不用填写资料。</View>
      <Button
        className="ml-btn ml-btn--primary signup__cta"
        onClick={() => Taro.navigateTo({ url: '/pages/signup/index' })}
        data-testid="signup-entry"
      >
        立即注册
      </Button>
    </View>
  );
}

/** The headline of the coupon sign-up gives, for someone not yet signed up; unknown counts as none. */
const offerFor = (me: MeResponse): Promise<string | null> =>
  me.registered
    ? Promise.resolve(null)
    : loyaltyApi
        .newMemberOffer()
        .then((r) => r.offer?.headline ?? null)
        .catch(() => null);

export default function MemberHome() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [heldStores, setHeldStores] = useState<string[]>([]);
  const [summary, setSummary] = useState<LoyaltySummaryResponse | null>(null);

  // a nudge, not the page's content: if it fails the home simply shows no card
  const loadHeld = useCallback((me: MeResponse) => {
    if (!me.registered) return setHeldStores([]);
    identityApi
      .heldMatches()
      .then((r) => setHeldStores(r.matches.map((m) => m.storeName)))
      .catch(() => setHeldStores([]));
  }, []);

  // the card's figures: on a failure the card keeps its dashes (or the last figures), the pages are a tap away
  const loadSummary = useCallback((me: MeResponse) => {
    if (!me.registered) return setSummary(null);
    loyaltyApi
      .summary()
      .then(setSummary)
      .catch(() => undefined);
  }, []);

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    setHeldStores([]);
    setSummary(null);
    loadMember()
      .then(async (me) => {
        setState({ kind: 'ready', me, offer: await offerFor(me) });
        loadHeld(me);
        loadSummary(me);
      })
      .catch((error: unknown) => setState({ kind: 'error', error: describeError(error) }));
  }, [loadHeld, loadSummary]);

  useEffect(load, []);

  // back from sign-up or another page: refresh quietly, keeping what is shown until the answer arrives
  useReshow(() => {
    loadMember()
      .then(async (me) => {
        setState({ kind: 'ready', me, offer: await offerFor(me) });
        loadHeld(me);
        loadSummary(me);
      })
      .catch(() => undefined);
  });
  useShare({ title: '药店会员中心：领新人券，按时续药', path: '/pages/index/index' });

  const onSwitched = () => {
    forgetAllSessions();
    load();
  };

  return (
    <View className="ml-page member-home" data-testid="member-home">
      <View className="member-home__hero">
        <View className="member-home__brand">MedLoop 药店会员</View>
        <View className="member-home__slogan">用药更安心，健康常相伴</View>
      </View>

      {state.kind === 'loading' ? <LoadingCard /> : null}
      {state.kind === 'error' ? <PageErrorCard error={state.error} onRetry={load} /> : null}
      {state.kind === 'ready' && state.me.registered ? <MemberCard me={state.me} summary={summary} /> : null}
      {state.kind === 'ready' && heldStores.length > 0 ? <HeldMatchesCard stores={heldStores} /> : null}
      {state.kind === 'ready' && !state.me.registered ? <SignUpPrompt offer={state.offer} /> : null}

      <View className="ml-section-title">会员服务</View>
      <TileGrid tiles={TILES} onOpen={(url) => Taro.navigateTo({ url })} />

      <View className="member-home__footer">
        <Button
          className="member-home__staff-link"
          onClick={() => Taro.navigateTo({ url: '/staff/pages/login/index' })}
          data-testid="staff-entry"
        >
          员工入口
        </Button>
        <SimUserSwitch onSwitched={onSwitched} />
      </View>
    </View>
  );
}
