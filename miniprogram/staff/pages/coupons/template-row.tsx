/** A template as a row (the templates tab, the issue pickers) and the picker of what this caller may issue by hand. */
import type { CouponTemplateView } from '@shared/contracts/loyalty';
import { Text, View } from '@tarojs/components';
import type { ReactNode } from 'react';
import { StatusTag } from './template-manage';

/** A template's dates when they are not plain: 「2026-05-01 起可用」 for a start after today. */
export const startNote = (t: CouponTemplateView) =>
  t.startsLater && t.validity.kind === 'fixed' ? ` · ${t.validity.from} 起可用` : '';

export function TemplateRow({
  t,
  selected,
  onSelect,
}: {
  t: CouponTemplateView;
  selected?: boolean;
  onSelect?: () => void;
}) {
  const live = t.status === 'active' && !t.pastEnd;
  return (
    <View
      className={`tpl${selected ? ' tpl--on' : ''}${live ? '' : ' tpl--off'}`}
      onClick={onSelect}
      data-testid={`template-${t.code}`}
    >
      <View className="tpl__head">
        <Text className="tpl__headline">{t.headline}</Text>
        <Text className="tpl__scope">{t.ownerStoreName ? `${t.ownerStoreName}专用` : '全部门店'}</Text>
      </View>
      <View className="tpl__name">
        <Text>
          {t.name}（{t.code}）
        </Text>
        <StatusTag status={t.status} pastEnd={t.pastEnd} />
      </View>
      <View className="tpl__meta">
        {t.rules.slice(1, 2).join('')}
        {startNote(t)} · 已发 {t.issuedCount}
        {t.totalStock !== null ? ` / 共 ${t.totalStock} 张` : ' 张'}
        {t.issuedCount > 0 ? ` · 已用 ${t.usedCount}` : ''}
        {t.perMemberLimit !== null ? ` · 每人限领 ${t.perMemberLimit} 张` : ''}
      </View>
    </View>
  );
}

/**
 * Only what this caller may hand out now: not sign-up's or birthday coupons, not HQ's chain-wide ones (unless HQ),
 * not paused, ended or past their dates (the list's `issuable`, the server's manualIssueRefusal).
 */
export const issuableOf = (templates: readonly CouponTemplateView[]) => templates.filter((t) => t.issuable);

/** 2. 选择优惠券: the templates this caller may issue by hand; `children` is the panel's issue button. */
export function IssuePicker({
  templates,
  code,
  onPick,
  children,
}: {
  templates: CouponTemplateView[];
  code: string | null;
  onPick: (code: string) => void;
  children: ReactNode;
}) {
  const issuable = issuableOf(templates);
  return (
    <View className="ml-card" data-testid="issue-picker">
      <View className="staff-card__title">2. 选择优惠券</View>
      <View className="staff-card__text issue-picker__hint">
        只列出您可以手动发放的券：新会员券、生日券由系统自动发放；全部门店通用的券由总部发放。
      </View>
      {issuable.length === 0 ? (
        <View className="staff-card__text" data-testid="issue-none">
          现在没有可以发放的券。可在「优惠券模板」里新建本店的券。
        </View>
      ) : null}
      {issuable.map((t) => (
        <TemplateRow key={t.id} t={t} selected={code === t.code} onSelect={() => onPick(t.code)} />
      ))}
      {children}
    </View>
  );
}
