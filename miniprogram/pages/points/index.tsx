import type { PointsResponse } from '@shared/contracts/loyalty';
import { spendableFen } from '@shared/points/points.rules';
import { Button, Picker, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';
import { describeError, type ErrorView } from '../../components/describe-error';
import { ErrorCard, LoadingCard } from '../../components/state-view';
import { useReshow } from '../../components/use-reshow';
import { VisitorSignupCard } from '../../components/visitor-signup-card';
import { isApiError } from '../../services/api-error';
import { loyaltyApi } from '../../services/loyalty';
import { loadMember } from '../../services/member';
import './index.scss';

type State =
  | { kind: 'loading' }
  | { kind: 'unregistered' }
  | { kind: 'error'; error: ErrorView }
  | { kind: 'ready'; points: PointsResponse };

const KIND_LABELS: Record<PointsResponse['ledger'][number]['kind'], string> = {
  earn: '消费积分',
  spend: '积分使用',
  expire: '积分到期',
  reverse: '退款扣回积分',
  adjust: '积分调整',
  transfer: '会员合并',
};
/** A reversal that gives points back (points spent on an order refunded since): not 退款扣回积分 */
const RETURNED_LABEL = '积分退还';

const yuan = (fen: number) => (fen / 100).toFixed(fen % 100 === 0 ? 0 : 2);

/** Shown in the chain's time zone whatever the phone's zone is: a receipt date never shifts. */
const shanghaiDay = (iso: string) => {
  const d = new Date(new Date(iso).getTime() + 8 * 3_600_000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
};
const zhDay = (date: string) => {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
};

/** today's date in Beijing (the date picker's last day) */
const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

function Birthday({ birthday, onSaved }: { birthday: string | null; onSaved: (message: string) => void }) {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async (value: string) => {
    // set once: the member checks the date before it is kept
    const { confirm } = await Taro.showModal({
      title: `生日是 ${zhDay(value)}？`,
      content: '生日设置后不能自行修改，如需更正要到门店办理。',
      confirmText: '确认',
      cancelText: '重新选择',
    });
    if (!confirm) return;
    setSaving(true);
    setError(null);
    loyaltyApi
      .setBirthday(value)
      .then((r) => {
        const [y, m] = r.benefitFrom.split('-').map(Number);
        onSaved(`生日已保存，${y}年${m}月起每年生日月可领生日礼券`);
      })
      .catch((e: unknown) => setError(describeError(e).message))
      .finally(() => setSaving(false));
  };
  return (
    <View className="ml-card" data-testid="birthday">
      <View className="points-card__title">我的生日</View>
      <View className="points-card__text" data-testid="birthday-text">
        {birthday
          ? `已登记：${zhDay(birthday)}。如需更正，请带身份证件到门店办理`
          : '设置生日后，每年生日月可领取生日礼券（选填）。生日只能设置一次，请如实填写；在生日当月设置的，从下一年的生日月起领取。'}
      </View>
      {birthday ? null : (
        <Picker
          mode="date"
          value="1970-01-01"
          start="1900-01-01"
          end={today()}
          onChange={(e) => save(String(e.detail.value))}
        >
          <Button className="ml-btn ml-btn--ghost" disabled={saving} data-testid="birthday-set">
            {saving ? '正在保存…' : '设置生日'}
          </Button>
        </Picker>
      )}
      {error ? <View className="points-error">{error}</View> : null}
    </View>
  );
}

export default function PointsPage() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(() => {
    setState({ kind: 'loading' });
    loadMember()
      .then(() => loyaltyApi.points())
      .then((points) => setState({ kind: 'ready', points }))
      .catch((error: unknown) =>
        setState(
          isApiError(error) && error.code === 'NOT_REGISTERED'
            ? { kind: 'unregistered' }
            : { kind: 'error', error: describeError(error) },
        ),
      );
  }, []);
  useEffect(load, []);
  // points earned or spent at the till meanwhile show when the member comes back to the page
  useReshow(() => {
    loyaltyApi
      .points()
      .then((points) => setState({ kind: 'ready', points }))
      .catch(() => undefined);
  });

  if (state.kind === 'loading') {
    return (
      <View className="ml-page points-page">
        <LoadingCard />
      </View>
    );
  }
  if (state.kind === 'unregistered') {
    return (
      <View className="ml-page points-page">
        <VisitorSignupCard
          title="注册会员后即可累积积分"
          hint={(offer) =>
            `购药消费累积积分，结账时可抵现金，还有生日礼券等会员权益。授权手机号即可一键注册${offer ? `，注册即送新人券（${offer}）` : ''}。`
          }
          testid="points-unregistered"
        />
      </View>
    );
  }
  if (state.kind === 'error') {
    return (
      <View className="ml-page points-page">
        <ErrorCard message={state.error.message} requestId={state.error.requestId} onRetry={load} />
      </View>
    );
  }
  const p = state.points;
  return (
    <View className="ml-page points-page" data-testid="points-page">
      <View className="points-hero">
        <View className="points-hero__label">当前积分</View>
        <View className="points-hero__balance" data-testid="points-balance">
          {p.balance}
        </View>
        {p.balance < 0 ? (
          // a refund took back points the member had already spent: the debt, said as it is, and what it means
          <View className="points-hero__debt" data-testid="points-debt">
            积分为负：订单退款扣回的积分中，有 {-p.balance}{' '}
            分您已经用掉了。之后消费获得的积分会先补足这部分，补足前暂不能用积分抵现。
          </View>
        ) : null}
        {p.nextExpiry ? (
          <View className="points-hero__expiry" data-testid="points-expiry">
            其中 {p.nextExpiry.points} 分将于 {zhDay(p.nextExpiry.lastDay)} 到期
          </View>
        ) : null}
        {spendableFen(p.balance) > 0 ? (
          <View className="points-hero__spend" data-testid="points-spendable">
            结账时出示会员码，可抵 {yuan(spendableFen(p.balance))} 元
          </View>
        ) : null}
      </View>

      <View className="ml-card" data-testid="tier">
        <View className="points-tier">
          <Text className={`points-tier__badge points-tier__badge--${p.tier.code}`} data-testid="tier-name">
            {p.tier.name}
          </Text>
          <Text className="points-tier__spend">近12个月消费 {yuan(p.spendFen)} 元</Text>
        </View>
        {p.nextTier ? (
          <View className="points-card__text">
            再消费 {yuan(p.nextTier.missingFen)} 元可升级为{p.nextTier.name}
          </View>
        ) : (
          <View className="points-card__text">您已是最高等级会员</View>
        )}
        <View className="points-card__title">会员权益</View>
        {p.tier.benefits.map((b) => (
          <View key={b} className="points-line-text">
            · {b}
          </View>
        ))}
      </View>

      {notice ? (
        <View className="ml-card points-notice" data-testid="points-notice">
          {notice}
        </View>
      ) : null}
      <Birthday
        birthday={p.birthday}
        onSaved={(message) => {
          setNotice(message);
          load();
        }}
      />

      <View className="ml-section-title">积分明细</View>
      <View className="ml-card" data-testid="points-ledger">
        {p.ledger.length === 0 ? (
          <View className="points-empty">还没有积分记录，到店消费时出示会员码即可积分</View>
        ) : (
          p.ledger.map((line) => (
            <View key={line.id} className="points-line" data-testid="points-line">
              <View>
                <View className="points-line__title">
                  {line.kind === 'reverse' && line.points > 0 ? RETURNED_LABEL : KIND_LABELS[line.kind]}
                </View>
                <View className="points-line__note">{line.note}</View>
                <View className="points-line__date">{shanghaiDay(line.occurredAt)}</View>
              </View>
              <View className={`points-line__points${line.points < 0 ? ' points-line__points--minus' : ''}`}>
                {line.points > 0 ? `+${line.points}` : line.points}
              </View>
            </View>
          ))
        )}
      </View>

      <View className="ml-section-title">积分规则</View>
      <View className="ml-card">
        {p.rules.map((r) => (
          <View key={r} className="points-line-text">
            · {r}
          </View>
        ))}
      </View>
    </View>
  );
}
