import type { MergeItem, MergeSide } from '@shared/contracts/identity';
import { Button, Text, View } from '@tarojs/components';
import Taro, { usePageScroll } from '@tarojs/taro';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../../../components/describe-error';
import { PhoneSearch } from '../../../components/phone-search';
import { LoadingCard } from '../../../components/state-view';
import { identityApi } from '../../../services/identity';
import { isRefused, StaffErrorCard } from '../../staff-error';
import { loadForStaff, type StaffLoadError } from '../../staff-load';
import '../../staff.scss';
import './index.scss';

type State =
  | { kind: 'loading' }
  | { kind: 'error'; error: StaffLoadError }
  | { kind: 'ready'; merges: MergeItem[]; nextCursor: string | null; phone: string | null };

const KIND_LABELS: Record<MergeItem['kind'], string> = {
  bulk: '批量关联',
  incremental: '实时关联',
  staff_confirmed: '员工确认',
  member_confirmed: '会员确认',
};

const SOURCE_LABELS: Record<string, string> = {
  pos: '门店会员卡',
  mall: '商城账号',
  miniprogram: '小程序',
  wechat: '微信',
  wecom: '企业微信',
};

/** What moved, in the words and counters a pharmacy uses; a table not listed here shows by name. */
const MOVED_LABELS: Record<string, { label: string; unit: string }> = {
  source_records: { label: '会员记录', unit: '条' },
  orders: { label: '订单', unit: '笔' },
  coupons: { label: '优惠券', unit: '张' },
  coupon_redemptions: { label: '核销记录', unit: '条' },
  member_codes: { label: '会员码', unit: '个' },
};

/** Beijing time (UTC+8, no daylight saving) without relying on the runtime's Intl data. */
const beijing = (iso: string): string =>
  new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

const movedText = (m: MergeItem): string =>
  m.moved.length
    ? m.moved
        .map((x) => {
          const l = MOVED_LABELS[x.table];
          return l ? `${l.label} ${x.count} ${l.unit}` : `${x.table} ${x.count}`;
        })
        .join('、')
    : '无';

/**
 * The same merge as shown: sides, what moved, undone (the API answers the same shape in the same order). What its
 * undo would do to points is not on the card: another undo changing it (the member's balance) changes nothing shown.
 */
const sameMerge = (a: MergeItem, b: MergeItem | undefined) =>
  !!b && JSON.stringify({ ...a, undoPoints: null }) === JSON.stringify({ ...b, undoPoints: null });

/**
 * What the undo does to points, before HQ confirms: what goes back to the absorbed side, and what of it the member
 * has used since and keeps (not taken back, so no one is left owing points; the chain bears it). The sides by the
 * card's own labels: both often share one masked name.
 */
const undoPointsText = (m: MergeItem): string => {
  const p = m.undoPoints;
  if (!p || (p.back <= 0 && p.used === 0)) return '积分：这次合并没有需要退回的积分。';
  const back = p.back > 0 ? `${p.back} 积分退回并入的会员` : '';
  if (p.used === 0) return `积分：${back}，同时从保留的会员扣回。`;
  if (p.used <= p.back)
    return `积分：${back}；其中 ${p.used} 积分已在合并后被保留的会员使用，不再扣回（由公司承担），只扣回其余 ${p.back - p.used} 积分，保留的会员积分不会变成负数。`;
  return `积分：${back ? `${back}；` : ''}保留的会员在合并后已使用的 ${p.used} 积分不再扣回（由公司承担），其积分不会变成负数。`;
};

const sideName = (s: MergeSide) => s.nameMasked ?? '未留姓名';

/** 林**（商城账号 ma****gp）: two sides of one person often share a masked name, their records tell them apart. */
const sideWho = (s: MergeSide) => {
  const r = s.records[0];
  return r ? `${sideName(s)}（${SOURCE_LABELS[r.source] ?? r.source} ${r.sourceIdMasked}）` : sideName(s);
};

function SideColumn({ title, s, testid }: { title: string; s: MergeSide; testid: string }) {
  return (
    <View className="mg-side" data-testid={testid}>
      <View className="mg-side__head">{title}</View>
      <View className="mg-side__name">{sideName(s)}</View>
      <View className="mg-side__phones">{s.phonesMasked.length ? s.phonesMasked.join('\n') : '无手机号'}</View>
      {s.records.map((r) => (
        <View key={`${r.source}-${r.sourceIdMasked}`} className="mg-rec">
          <Text className="mg-rec__source">{SOURCE_LABELS[r.source] ?? r.source}</Text>
          <Text className="mg-rec__id">{r.sourceIdMasked}</Text>
          {r.storeName ? <Text className="mg-rec__store">{r.storeName}</Text> : null}
        </View>
      ))}
      {s.recordCount > s.records.length ? (
        <View className="mg-rec mg-rec__more">另有 {s.recordCount - s.records.length} 条记录</View>
      ) : null}
      {s.recordCount === 0 ? <View className="mg-rec mg-rec__more">没有会员记录</View> : null}
    </View>
  );
}

/** What an undo or restore said, or why it failed, shown on the card it was taken on. */
type Notice = { ok: boolean; text: string };

function MergeCard({
  m,
  busy,
  notice,
  note,
  onUndo,
  onRestore,
}: {
  m: MergeItem;
  busy: boolean;
  notice: Notice | null;
  /** another card's undo or restore changed this one (its records or what it moved) */
  note: string | null;
  onUndo: (m: MergeItem) => void;
  onRestore: (m: MergeItem) => void;
}) {
  return (
    <View
      id={`merge-${m.id}`}
      className={`ml-card mg-card${m.undone ? ' mg-card--undone' : ''}`}
      data-testid={`merge-${m.id}`}
    >
      <View className="mg-card__head">
        <Text className={`mg-badge mg-badge--${m.kind}`}>{KIND_LABELS[m.kind]}</Text>
        <Text className="mg-card__time">{beijing(m.createdAt)}</Text>
      </View>
      <View className="mg-why" data-testid="merge-why">
        <Text className="mg-why__label">合并依据：</Text>
        {m.evidence.text}
      </View>
      <View className="mg-pair">
        <SideColumn title="保留的会员" s={m.survivor} testid="merge-survivor" />
        <SideColumn title="并入的会员" s={m.merged} testid="merge-merged" />
      </View>
      <View className="staff-row mg-row">
        <Text className="staff-row__label">操作人</Text>
        <Text>{m.actor.name}</Text>
      </View>
      <View className="staff-row mg-row">
        <Text className="staff-row__label">随合并转移</Text>
        <Text className="mg-row__value">{movedText(m)}</Text>
      </View>
      {note ? (
        <View className="mg-note" data-testid="merge-updated">
          {note}
        </View>
      ) : null}
      {m.undone ? (
        <View className="mg-undone" data-testid="merge-undone">
          <View>
            已撤销 · {beijing(m.undone.at)}
            {m.undone.byName ? ` · ${m.undone.byName}` : ''}
          </View>
          {m.undone.keptApart ? (
            <View className="mg-undone__apart" data-testid="merge-kept-apart">
              已确认是两个人：以后同步或批量关联都不会再自动合并他们
            </View>
          ) : null}
          {m.undone.restored ? (
            <View className="mg-undone__apart" data-testid="merge-restored">
              {beijing(m.undone.restored.at)}
              {m.undone.restored.byName ? ` · ${m.undone.restored.byName}` : ''} 已恢复合并
            </View>
          ) : null}
          {m.undone.keptApart ? (
            <Button
              className="ml-btn ml-btn--ghost mg-restore"
              disabled={busy}
              onClick={() => onRestore(m)}
              data-testid="merge-restore"
            >
              {busy ? '正在恢复…' : '撤销有误？恢复合并'}
            </Button>
          ) : null}
        </View>
      ) : (
        <Button
          className="ml-btn ml-btn--danger mg-undo"
          disabled={busy}
          onClick={() => onUndo(m)}
          data-testid="merge-undo"
        >
          {busy ? '正在撤销…' : '撤销合并'}
        </Button>
      )}
      {notice ? (
        <View
          id={`merge-result-${m.id}`}
          className={`mg-result${notice.ok ? '' : ' mg-result--bad'}`}
          data-testid="merge-result"
        >
          {notice.text}
        </View>
      ) : null}
    </View>
  );
}

type Rect = { top: number; bottom: number } | null;

/** Where a merge's card and the result on it are in the window (px); null when not on the page. */
const cardRects = (id: string) =>
  new Promise<{ card: Rect; result: Rect }>((resolve) => {
    Taro.createSelectorQuery()
      .select(`#merge-${id}`)
      .boundingClientRect()
      .select(`#merge-result-${id}`)
      .boundingClientRect()
      .exec((res: Rect[]) => resolve({ card: res?.[0] ?? null, result: res?.[1] ?? null }));
  });

/** Room left under the result when the page scrolls to show it. */
const RESULT_MARGIN = 16;

/** Pages read again after an undo or restore: enough for any list HQ scrolls through, a bound if one never ends. */
const REREAD_PAGES = 50;

/** Whether merge `a` comes after `b` in the list (newest first: created_at desc, id desc, as the API orders it). */
const listedAfter = (a: MergeItem, b: MergeItem) =>
  a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);

/**
 * The list as loaded, read again page by page down to its last card. An undo changes other merges than its own: a
 * later merge that moved the same records on (the survivor merged again) loses them, and its side and what it moved
 * shrink; a restore adds a merge. The server's answer names only the one merge, so the cards are read again, and the
 * page keeps its cards, their order and its place.
 */
async function rereadLoaded(phone: string | null, loaded: MergeItem[]): Promise<Map<string, MergeItem>> {
  const fresh = new Map<string, MergeItem>();
  const last = loaded[loaded.length - 1];
  let cursor: string | undefined;
  for (let i = 0; i < REREAD_PAGES; i++) {
    const r = await identityApi.merges({ phone: phone ?? undefined, cursor });
    for (const m of r.merges) fresh.set(m.id, m);
    const end = r.merges[r.merges.length - 1];
    if (!r.nextCursor || !last || !end || end.id === last.id || listedAfter(end, last)) break;
    cursor = r.nextCursor;
  }
  return fresh;
}

/** What the undo did to points, after the result: said only when points went back or were not taken back. */
const undonePointsText = (p: { back: number; used: number }): string =>
  p.back > 0 || p.used > 0
    ? `${p.back > 0 ? `，${p.back} 积分已退回` : ''}${p.used > 0 ? `，会员已使用的 ${p.used} 积分未扣回` : ''}`
    : '';

/** A decision that moves a person's history asks first: what will happen, 取消 or the action. */
function ConfirmDialog({
  testid,
  title,
  ok,
  onCancel,
  onOk,
  children,
}: {
  testid: string;
  title: string;
  ok: string;
  onCancel: () => void;
  onOk: () => void;
  children: ReactNode;
}) {
  return (
    <View className="staff-mask" data-testid={`${testid}-dialog`}>
      <View className="mg-dialog">
        <View className="mg-dialog__title">{title}</View>
        {children}
        <View className="mg-actions">
          <Button className="ml-btn ml-btn--ghost mg-actions__btn" onClick={onCancel} data-testid={`${testid}-cancel`}>
            取消
          </Button>
          <Button className="ml-btn ml-btn--primary mg-actions__btn" onClick={onOk} data-testid={`${testid}-ok`}>
            {ok}
          </Button>
        </View>
      </View>
    </View>
  );
}

export default function IdentityMerges() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [pending, setPending] = useState<MergeItem | null>(null);
  const [pendingRestore, setPendingRestore] = useState<MergeItem | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  /** the last undo's or restore's result, on its card */
  const [notice, setNotice] = useState<(Notice & { id: string }) | null>(null);
  /** cards that undo or restore changed besides its own, with why */
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [moreError, setMoreError] = useState<string | null>(null);
  /** the page's scroll, and the card to keep where it is on the screen (its top) while the cards above it change */
  const scrollTop = useRef(0);
  const keep = useRef<{ id: string; top: number } | null>(null);
  usePageScroll(({ scrollTop: y }) => {
    scrollTop.current = y;
  });
  // after every render: a no-op unless an undo or restore has just put its result on a card
  useEffect(() => {
    const k = keep.current;
    if (!k || state.kind !== 'ready') return;
    keep.current = null;
    cardRects(k.id).then(({ card, result }) => {
      if (!card) return;
      // a later merge above the card lost records, a restore added one at the top: scroll by what they moved it
      const moved = card.top - k.top;
      // and the result (or why it failed) under the card in full, where the button was at the bottom of the screen
      // (never so far that the result's own top goes off the screen)
      const below = result ? result.bottom - moved + RESULT_MARGIN - Taro.getWindowInfo().windowHeight : 0;
      const by = moved + (result ? Math.max(0, Math.min(below, result.top - moved - RESULT_MARGIN)) : 0);
      if (Math.abs(by) >= 1) Taro.pageScrollTo({ scrollTop: Math.max(0, scrollTop.current + by), duration: 0 });
    });
  });

  /** Keeps `id`'s card where it is on the screen through the next render (and shows the result put on it). */
  const holdPlace = async (id: string) => {
    const { card } = await cardRects(id);
    keep.current = card ? { id, top: card.top } : null;
  };

  const failed = (m: MergeItem) => async (error: unknown) => {
    await holdPlace(m.id);
    setNotice({ id: m.id, ok: false, text: describeError(error).message });
  };

  const load = useCallback((phone: string | null) => {
    setNotice(null);
    setNotes({});
    setMoreError(null);
    setState({ kind: 'loading' });
    loadForStaff(
      () => identityApi.merges({ phone: phone ?? undefined }),
      (r) => setState({ kind: 'ready', merges: r.merges, nextCursor: r.nextCursor, phone }),
      (error) => setState({ kind: 'error', error }),
    );
  }, []);

  useEffect(() => load(null), [load]);

  const currentPhone = state.kind === 'ready' ? state.phone : null;

  const search = (phone: string | null) => load(phone);

  const loadMore = () => {
    if (state.kind !== 'ready' || !state.nextCursor) return;
    setMore(true);
    setMoreError(null);
    identityApi
      .merges({ phone: state.phone ?? undefined, cursor: state.nextCursor })
      .then((r) =>
        setState((st) =>
          st.kind === 'ready' ? { ...st, merges: [...st.merges, ...r.merges], nextCursor: r.nextCursor } : st,
        ),
      )
      .catch((error: unknown) => setMoreError(describeError(error).message))
      .finally(() => setMore(false));
  };

  /**
   * After an undo or restore of `m`: its card and every other loaded card as the server now has them, in place (a
   * reload from the first page would lose HQ's place down the list), and the result said on `m`'s card. `local` is
   * `m` as the action's answer leaves it, for when the list cannot be read again; `added` the merge a restore made.
   */
  const settleAfter = async (
    verb: '撤销' | '恢复',
    m: MergeItem,
    local: MergeItem,
    text: string,
    added: string | null,
  ) => {
    if (state.kind !== 'ready') return;
    const { phone, merges: loaded } = state;
    const fresh = await rereadLoaded(phone, loaded).catch(() => null);
    if (!fresh) {
      await holdPlace(m.id);
      setState((st) =>
        st.kind === 'ready' ? { ...st, merges: st.merges.map((x) => (x.id === m.id ? local : x)) } : st,
      );
      setNotice({ id: m.id, ok: true, text: `${text}。其他合并记录可能随之变化，重新打开本页后可见` });
      return;
    }
    const changed = loaded.filter((x) => x.id !== m.id && fresh.has(x.id) && !sameMerge(x, fresh.get(x.id)));
    const made = added ? fresh.get(added) : undefined;
    await holdPlace(m.id);
    setState((st) =>
      st.kind === 'ready'
        ? {
            ...st,
            merges: [
              ...(made && !st.merges.some((x) => x.id === made.id) ? [made] : []),
              ...st.merges.map((x) => fresh.get(x.id) ?? (x.id === m.id ? local : x)),
            ],
          }
        : st,
    );
    const why = `${verb} ${beijing(m.createdAt)} 的合并后，这条记录已随之更新`;
    setNotes((n) => ({ ...n, ...Object.fromEntries(changed.map((x) => [x.id, why])) }));
    setNotice({
      id: m.id,
      ok: true,
      text: changed.length ? `${text}。列表中另有 ${changed.length} 条合并记录随之更新，已标出` : text,
    });
  };

  const undo = (m: MergeItem) => {
    setPending(null);
    setBusyId(m.id);
    setNotice(null);
    identityApi
      .undoMerge(m.id)
      .then((r) =>
        settleAfter(
          '撤销',
          m,
          { ...m, undone: { at: r.undoneAt, byName: null, keptApart: r.keptApart, restored: null }, undoPoints: null },
          `已撤销合并（${beijing(r.undoneAt)}）：${sideWho(m.merged)}已恢复为单独的会员${undonePointsText(r.points)}`,
          null,
        ),
      )
      .catch(failed(m))
      .finally(() => setBusyId(null));
  };

  const restore = (m: MergeItem) => {
    setPendingRestore(null);
    setBusyId(m.id);
    setNotice(null);
    identityApi
      .restoreMerge(m.id)
      .then((r) =>
        settleAfter(
          '恢复',
          m,
          m.undone
            ? { ...m, undone: { ...m.undone, keptApart: false, restored: { at: r.restoredAt, byName: null } } }
            : m,
          `已恢复合并（${beijing(r.restoredAt)}）：${sideWho(m.merged)}与${sideWho(m.survivor)}重新合并为一位会员，新的合并记录在列表顶部`,
          r.restoreMergeId,
        ),
      )
      .catch(failed(m))
      .finally(() => setBusyId(null));
  };

  const refused = isRefused('identity-merges', state.kind === 'error' ? state.error : null);

  return (
    <View className="ml-page ml-console mg-page" data-testid="identity-merges">
      <View className="staff-hero">
        <View className="staff-hero__title">会员合并记录</View>
        <View className="staff-hero__sub">合并过的会员及依据，有误可撤销</View>
      </View>

      {/* a page the account is not for: no search over 没有权限 */}
      {refused ? null : (
        <PhoneSearch
          testid="merges"
          placeholder="按会员手机号查找"
          phone={currentPhone}
          filterText={(masked) => `手机号 ${masked} 的合并记录`}
          onSearch={search}
          onClear={() => search(null)}
        />
      )}

      {state.kind === 'loading' ? <LoadingCard lines={4} /> : null}
      {state.kind === 'error' ? (
        <StaffErrorCard page="identity-merges" error={state.error} onRetry={() => load(null)} />
      ) : null}

      {state.kind === 'ready' && state.merges.length === 0 ? (
        <View className="ml-card mg-empty" data-testid="merges-empty">
          <View className="mg-empty__title">{state.phone ? '这个手机号没有合并记录' : '还没有合并记录'}</View>
          <View className="mg-empty__text">
            {state.phone ? '请确认手机号，或查看全部合并记录。' : '系统或员工合并会员后，会显示在这里。'}
          </View>
        </View>
      ) : null}

      {state.kind === 'ready'
        ? state.merges.map((m) => (
            <MergeCard
              key={m.id}
              m={m}
              busy={busyId === m.id}
              notice={notice?.id === m.id ? notice : null}
              note={notes[m.id] ?? null}
              onUndo={setPending}
              onRestore={setPendingRestore}
            />
          ))
        : null}

      {moreError ? (
        <View className="ml-card mg-more-error" data-testid="merges-more-error">
          {moreError}
        </View>
      ) : null}

      {state.kind === 'ready' && state.nextCursor ? (
        <Button className="ml-btn ml-btn--ghost" disabled={more} onClick={loadMore} data-testid="merges-more">
          {more ? '正在加载…' : '加载更多'}
        </Button>
      ) : null}

      {pending ? (
        <ConfirmDialog
          testid="undo"
          title="撤销这次合并？"
          ok="确认撤销"
          onCancel={() => setPending(null)}
          onOk={() => undo(pending)}
        >
          <View className="mg-dialog__text">
            {sideWho(pending.merged)}将与{sideWho(pending.survivor)}重新分开，成为两位会员。合并时转移的
            {movedText(pending)}会回到{sideName(pending.merged)}名下，优惠券随之归还。
          </View>
          <View className="mg-dialog__text" data-testid="undo-points">
            {undoPointsText(pending)}
          </View>
          <View className="mg-dialog__text">
            系统会记住这是两个人：以后门店或商城再次同步、批量关联、会员或店长确认，都不会再把他们合并。撤销会记入审计日志。
          </View>
        </ConfirmDialog>
      ) : null}

      {pendingRestore ? (
        <ConfirmDialog
          testid="restore"
          title="恢复这次合并？"
          ok="确认恢复"
          onCancel={() => setPendingRestore(null)}
          onOk={() => restore(pendingRestore)}
        >
          <View className="mg-dialog__text">
            {sideWho(pendingRestore.merged)}将与{sideWho(pendingRestore.survivor)}
            重新合并为一位会员，双方的订单、积分和优惠券归入同一会员名下；系统也不再把他们当作两个人分开。恢复会记入审计日志，之后仍可撤销。
          </View>
        </ConfirmDialog>
      ) : null}
    </View>
  );
}
