/**
 * 待核实名单: a store's POS cards with one kind of unusable phone, for the clerks to put right when the customer
 * next comes in: the card number (the key in the till), the masked name, what was typed and the last visit. Pages of
 * 20; every page the server hands out is in the audit log.
 */
import type { PhoneProblem, QualityRecordsResponse } from '@shared/contracts/identity';
import { Button, Text, View } from '@tarojs/components';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../../components/describe-error';
import { isSessionError } from '../../../services/api-error';
import { identityApi } from '../../../services/identity';

type Row = QualityRecordsResponse['records'][number];

export const PROBLEM_LABELS: Record<PhoneProblem, string> = {
  blocked: '占位号/门店电话',
  invalid: '号码无效',
  missing: '未登记手机号',
};

const typed = (r: Row): string => {
  if (r.phoneMasked === null) return '未填手机号';
  if (r.blockReason === 'store_phone') return `${r.phoneMasked}（门店电话）`;
  if (r.blockReason) return `${r.phoneMasked}（占位号）`;
  return `${r.phoneMasked}（不是有效手机号）`;
};

export function ProblemList({
  storeId,
  problem,
  onSessionLost,
}: {
  storeId: string;
  problem: PhoneProblem;
  onSessionLost: () => void;
}) {
  const [rows, setRows] = useState<Row[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    (after: string | null) => {
      setLoading(true);
      setError(null);
      identityApi
        .qualityRecords({ storeId, problem, cursor: after ?? undefined })
        .then((page) => {
          setRows((r) => (after ? [...r, ...page.records] : page.records));
          setCursor(page.nextCursor);
          setLoading(false);
        })
        .catch((e: unknown) => {
          if (isSessionError(e)) onSessionLost();
          else {
            setError(describeError(e).message);
            setLoading(false);
          }
        });
    },
    [storeId, problem, onSessionLost],
  );

  useEffect(() => load(null), [load]);

  return (
    <View className="dq-list" data-testid={`problem-list-${problem}`}>
      <View className="dq-list__title">{PROBLEM_LABELS[problem]}的会员卡（顾客到店时请核实并在收银系统中更正）</View>
      {rows.map((r) => (
        <View key={r.recordId} className="dq-list__row" data-testid="problem-row">
          <View className="dq-list__head">
            <Text className="dq-list__card">卡号 {r.cardNo}</Text>
            <Text>{r.nameMasked ?? '未登记姓名'}</Text>
          </View>
          <View className="dq-list__sub">
            {typed(r)} · {r.lastActive ? `最近到店 ${r.lastActive}` : '无到店记录'}
          </View>
        </View>
      ))}
      {!loading && !error && rows.length === 0 ? <View className="dq-list__sub">没有这样的会员卡。</View> : null}
      {error ? <View className="dq-list__error">{error}</View> : null}
      {loading ? <View className="dq-list__sub">加载中…</View> : null}
      {!loading && (cursor || error) ? (
        <Button
          className="ml-btn ml-btn--ghost dq-list__more"
          onClick={() => load(error ? (rows.at(-1)?.recordId ?? null) : cursor)}
          data-testid="problem-more"
        >
          {error ? '重试' : '加载更多'}
        </Button>
      ) : null}
    </View>
  );
}
