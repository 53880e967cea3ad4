/**
 * What HQ's 数据质量 section and the managers' 会员资料质量 page share: counts with thousands separators, shares,
 * the change since the report before, and the phone-class bar with its legend. Styles in quality.scss.
 */
import type { PhoneClasses, StoreFigures } from '@shared/contracts/identity';
import { Text, View } from '@tarojs/components';
import type { ReactNode } from 'react';
import { thousands } from '../components/format';

export { thousands };

/** Above these shares a figure gets a hint: many invalid numbers usually mean a wrong column mapping. */
export const INVALID_HINT = 0.05;
/** ...and many placeholders mean clerks typing 138… for customers who did not give a number. */
export const BLOCKED_HINT = 0.02;

export const share = (n: number, of: number): number | null => (of > 0 ? n / of : null);
export const pct = (s: number | null): string => (s === null ? '—' : `${(100 * s).toFixed(1)}%`);

/** "较上次 +1.2%" between two shares, or nothing when there is no earlier figure or no change worth a word. */
export function Delta({
  now,
  before,
  higherIsBetter,
}: {
  now: number | null;
  before: number | null | undefined;
  higherIsBetter: boolean;
}) {
  if (now === null || before === null || before === undefined) return null;
  const d = 100 * (now - before);
  if (Math.abs(d) < 0.05) return null;
  const good = d > 0 === higherIsBetter;
  return (
    <Text className={`dq-delta ${good ? 'dq-delta--good' : 'dq-delta--bad'}`}>
      较上次 {d > 0 ? '+' : ''}
      {d.toFixed(1)}%
    </Text>
  );
}

/** "手机号有效率 97.2% 较上次 +0.4%": the valid share, large, with its change since the report before. */
export function ValidShareLine({
  label,
  now,
  before,
}: {
  label: string;
  now: { records: number; phones: PhoneClasses };
  before: { records: number; phones: PhoneClasses } | null | undefined;
}) {
  const valid = share(now.phones.valid, now.records);
  return (
    <View className="dq-line">
      <Text className="dq-line__label">{label}</Text>
      <Text className="dq-line__value">
        {pct(valid)}
        <Delta now={valid} before={before ? share(before.phones.valid, before.records) : undefined} higherIsBetter />
      </Text>
    </View>
  );
}

/** The four phone classes as one stacked bar and its legend (each record in exactly one class). */
export function PhoneBar({ phones }: { phones: PhoneClasses }) {
  const parts = (['valid', 'invalid', 'blocked', 'missing'] as const)
    .map((key) => ({ key, n: phones[key] }))
    .filter((p) => p.n > 0);
  return (
    <>
      <View className="dq-bar">
        {parts.map((p) => (
          <View key={p.key} className={`dq-bar__part dq-bar__part--${p.key}`} style={{ flex: p.n }} />
        ))}
      </View>
      <View className="dq-legend">
        <Text className="dq-dot dq-dot--valid">有效 {thousands(phones.valid)}</Text>
        <Text className="dq-dot dq-dot--invalid">无效 {thousands(phones.invalid)}</Text>
        <Text className="dq-dot dq-dot--blocked">占位号/门店电话 {thousands(phones.blocked)}</Text>
        <Text className="dq-dot dq-dot--missing">未填 {thousands(phones.missing)}</Text>
      </View>
    </>
  );
}

/** A store's records whose phone cannot reach the customer: typed wrong, a placeholder, or left out. */
export const unusable = (f: StoreFigures) => f.phones.invalid + f.phones.blocked + f.phones.missing;
/** Worst first: the larger share of phones that cannot reach the customer. */
export const worstFirst = (a: StoreFigures, b: StoreFigures) => unusable(b) / b.records - unusable(a) / a.records;
/** Too many placeholders or invalid numbers for the store's size: the line is marked. */
export const needsCoaching = (f: StoreFigures) =>
  f.phones.blocked / f.records > BLOCKED_HINT || f.phones.invalid / f.records > INVALID_HINT;

/** One store in one line: its name, the usable-phone share, and the counts behind it. */
export function StoreLine({
  name,
  region,
  f,
  testId,
  onClick,
  children,
}: {
  name: string;
  region: string | null;
  f: StoreFigures;
  testId: string;
  onClick?: () => void;
  children?: ReactNode;
}) {
  return (
    <View className="dq-store" data-testid={testId} onClick={onClick}>
      <View className="dq-store__head">
        <Text className="dq-store__name">{name}</Text>
        <Text className={`dq-store__pct ${needsCoaching(f) ? 'dq-store__pct--bad' : ''}`}>
          可用 {pct(share(f.phones.valid, f.records))}
        </Text>
      </View>
      <View className="dq-store__figures">
        {region ? `${region} · ` : ''}
        {thousands(f.records)} 条 · 占位号/门店电话 {thousands(f.phones.blocked)} · 无效 {thousands(f.phones.invalid)} ·
        未填 {thousands(f.phones.missing)} · 真实姓名 {pct(share(f.realName, f.records))}
      </View>
      {children}
    </View>
  );
}
