import type { HeldMatch } from '@shared/contracts/identity';
import { Button, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type ErrorView } from '../../components/describe-error';
import { LoadingCard, PageErrorCard, SignupCard } from '../../components/state-view';
import { isApiError } from '../../services/api-error';
import { identityApi } from '../../services/identity';
import { loadMember } from '../../services/member';
import './index.scss';

/** closed: the card is no longer the member's to answer (the store decided it, or it needs the store) */
type Answer = 'confirmed' | 'rejected' | 'closed';
type Item = { match: HeldMatch; busy: boolean; answer: Answer | null; error: string | null };

/** Answers after which the card has nothing left for the member to decide: said in words, the buttons go. */
const CLOSED: Partial<Record<string, string>> = {
  ALREADY_DECIDED: '这张卡已由门店核实处理，无需您再确认。',
  HELD_MATCH_NOT_FOUND: '这张卡已由门店核实处理，无需您再确认。',
  // a card long unused, or one whose name or birthday no longer fits the account (another card of the family's was
  // just confirmed): not an invitation to merge it at the store, only the way if it really is the member's
  HELD_MATCH_NEEDS_STORE:
    '这张卡不能在这里确认：它长期未使用，或资料与您账户中的对不上（可能是家人的卡）。如确是您本人的卡，请到门店出示证件办理。',
  IDENTITY_KEPT_APART: '总部已核实这张卡不属于您的账户，不会合并。',
};
type State =
  | { kind: 'loading' }
  | { kind: 'error'; error: ErrorView }
  | { kind: 'unregistered' }
  | { kind: 'ready'; items: Item[] };

/** 持卡人 张**（女） · 最近到店 2026年11月: what tells a member's card from a family member's on the same phone */
function holderLine(m: HeldMatch): string | null {
  const who = m.holderMasked
    ? `持卡人 ${m.holderMasked}${m.gender ? `（${m.gender === 'male' ? '男' : '女'}）` : ''}`
    : m.gender
      ? `持卡人 ${m.gender === 'male' ? '男' : '女'}`
      : null;
  const [y, mo] = m.lastVisit?.split('-') ?? [];
  const when = y && mo ? `最近到店 ${y}年${Number(mo)}月` : null;
  return [who, when].filter(Boolean).join(' · ') || null;
}

function MatchCard({ item, onDecide }: { item: Item; onDecide: (decision: 'confirm' | 'decline') => void }) {
  const { match, busy, answer, error } = item;
  return (
    <View className="ml-card held" data-testid={`held-${match.matchId}`}>
      <View className="held__question">这是您在{match.storeName}的会员卡吗？</View>
      <View className="held__card">
        <View className="held__card-store">{match.storeName}</View>
        <View className="held__card-no">卡号 {match.cardMasked}</View>
        {holderLine(match) ? (
          <View className="held__card-holder" data-testid="held-holder">
            {holderLine(match)}
          </View>
        ) : null}
      </View>
      {answer === 'confirmed' ? (
        <View className="held__done" data-testid="held-result">
          已确认。这张卡的消费记录和积分已并入您的会员账户。
        </View>
      ) : null}
      {answer === 'rejected' ? (
        <View className="held__done held__done--no" data-testid="held-result">
          好的，这张卡不会和您的账户合并。
        </View>
      ) : null}
      {answer === 'closed' ? (
        <View className="held__done held__done--no" data-testid="held-result">
          {error}
        </View>
      ) : null}
      {answer === null ? (
        <>
          <View className="held__explain">
            点「是我的」：这张卡以前的购药记录和积分会并入您现在的会员账户，以后在任何门店都用同一个会员身份。
          </View>
          <View className="held__explain">点「不是」：这张卡与您无关，保持原样，不会合并。</View>
          {error ? (
            <View className="held__error" data-testid="held-error">
              {error}
            </View>
          ) : null}
          <View className="held__actions">
            <Button
              className="ml-btn ml-btn--ghost held__btn"
              disabled={busy}
              onClick={() => onDecide('decline')}
              data-testid="held-decline"
            >
              不是
            </Button>
            <Button
              className="ml-btn ml-btn--primary held__btn"
              disabled={busy}
              onClick={() => onDecide('confirm')}
              data-testid="held-confirm"
            >
              {busy ? '正在处理…' : '是我的'}
            </Button>
          </View>
        </>
      ) : null}
    </View>
  );
}

export default function IdentityConfirmPage() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    (async () => {
      const me = await loadMember();
      if (!me.registered) return setState({ kind: 'unregistered' });
      const { matches } = await identityApi.heldMatches();
      setState({ kind: 'ready', items: matches.map((match) => ({ match, busy: false, answer: null, error: null })) });
    })().catch((error: unknown) => setState({ kind: 'error', error: describeError(error) }));
  }, []);

  useEffect(load, []);

  const patch = (matchId: string, change: Partial<Item>) =>
    setState((st) =>
      st.kind === 'ready'
        ? { kind: 'ready', items: st.items.map((it) => (it.match.matchId === matchId ? { ...it, ...change } : it)) }
        : st,
    );

  const decide = (matchId: string, decision: 'confirm' | 'decline') => {
    patch(matchId, { busy: true, error: null });
    identityApi
      .decideHeld(matchId, decision)
      .then((r) => patch(matchId, { busy: false, answer: r.status }))
      .catch((error: unknown) => {
        const closed = isApiError(error) ? CLOSED[error.code] : undefined;
        if (closed) return patch(matchId, { busy: false, answer: 'closed', error: closed });
        patch(matchId, { busy: false, error: describeError(error).message });
      });
  };

  return (
    <View className="ml-page held-page" data-testid="identity-confirm">
      <View className="held-page__hero">
        <View className="held-page__title">确认您的会员卡</View>
        <View className="held-page__sub">门店会员卡要由您本人确认后，才会并入您的会员账户</View>
      </View>

      {state.kind === 'loading' ? <LoadingCard /> : null}
      {state.kind === 'error' ? <PageErrorCard error={state.error} onRetry={load} /> : null}
      {state.kind === 'unregistered' ? (
        <SignupCard title="您还不是会员" hint="注册会员后，才能确认门店的会员卡。" testid="held-unregistered" />
      ) : null}
      {state.kind === 'ready' && state.items.length === 0 ? (
        <View className="ml-card held-empty" data-testid="held-empty">
          <View className="held-empty__title">没有需要确认的会员卡</View>
          <View className="held-empty__text">您的会员卡都已处理好了。</View>
        </View>
      ) : null}
      {state.kind === 'ready'
        ? state.items.map((item) => (
            <MatchCard key={item.match.matchId} item={item} onDecide={(d) => decide(item.match.matchId, d)} />
          ))
        : null}

      <Button
        className="ml-btn ml-btn--ghost held-page__home"
        onClick={() => Taro.reLaunch({ url: '/pages/index/index' })}
        data-testid="held-home"
      >
        返回会员中心
      </Button>
    </View>
  );
}
