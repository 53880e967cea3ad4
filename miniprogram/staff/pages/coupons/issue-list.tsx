/**
 * 批量发券: a manager pastes phone numbers (from Excel, a WeChat message), checks who they are (核对名单: the members
 * in the manager's stores, masked; the lines that are no phone number or no member of theirs, with the line and why;
 * duplicates collapsed), picks a template and issues it to all of them at once. The same batch-key rule as one
 * member's issue: a retried tap after a lost answer issues nothing twice.
 */
import {
  type CouponTemplateView,
  ISSUE_LIST_MAX,
  type IssueCouponsResponse,
  type ResolvePhonesResponse,
} from '@shared/contracts/loyalty';
import { Button, Textarea, View } from '@tarojs/components';
import { useMemo, useState } from 'react';
import { describeError } from '../../../components/describe-error';
import { loyaltyApi } from '../../../services/loyalty';
import { MEMBER_SCOPE_NOTE, outcomeUnknown, REFUSED_TEXT, startsLaterNote, useIssueKey } from './issue-key';
import { PASTE_MAX, type PhoneEntry, splitPhoneList } from './phone-list';
import { IssuePicker, issuableOf } from './template-row';

/** The members found in the preview listed by name; the rest are counted (a list of 500 would bury the button). */
const FOUND_SHOWN = 10;
/** refused recipients named per reason in the result; the rest counted */
const REFUSED_SHOWN = 10;

interface Preview {
  entries: PhoneEntry[];
  answer: ResolvePhonesResponse;
}

type Outcome = { kind: 'done'; result: IssueCouponsResponse; from: string } | { kind: 'failed'; text: string };

/** 「13900000003」, cut when someone pasted a sentence */
const quoted = (text: string) => `「${text.length > 20 ? `${text.slice(0, 20)}…` : text}」`;

/** The entries that issue nothing, each with its line and why, in the manager's words. */
function problemsOf({ entries, answer }: Preview): { key: number; text: string }[] {
  const out: { key: number; text: string }[] = [];
  answer.results.forEach((r, i) => {
    const e = entries[i];
    if (r.status === 'invalid') out.push({ key: i, text: `第 ${e.line} 行${quoted(e.text)}：不是有效的手机号` });
    if (r.status === 'not_found') out.push({ key: i, text: `第 ${e.line} 行${quoted(e.text)}：找不到这位会员` });
  });
  return out;
}

/** Entries collapsed into an earlier one: the same number twice, or the same member by another number. */
function duplicatesOf({ entries, answer }: Preview): { key: number; text: string }[] {
  const out: { key: number; text: string }[] = [];
  answer.results.forEach((r, i) => {
    if (r.status !== 'duplicate') return;
    const first = entries[r.firstIndex]?.line;
    out.push({
      key: i,
      text: r.samePhone
        ? `第 ${entries[i].line} 行与第 ${first} 行重复`
        : `第 ${entries[i].line} 行与第 ${first} 行是同一位会员`,
    });
  });
  return out;
}

/** A found member as the preview and the result name them: 刘* 139****0003. */
function namesById(answer: ResolvePhonesResponse): Map<string, string> {
  const names = new Map<string, string>();
  for (const r of answer.results) {
    if (r.status === 'found') names.set(r.customerId, `${r.maskedName ?? '未填写姓名'} ${r.maskedPhone}`);
  }
  return names;
}

function Result({ outcome, names }: { outcome: Outcome; names: Map<string, string> }) {
  if (outcome.kind === 'failed') {
    return (
      <View className="ml-card issue-result issue-result--bad" data-testid="issue-list-result">
        {outcome.text}
      </View>
    );
  }
  const { result, from } = outcome;
  const byReason = new Map<string, string[]>();
  for (const r of result.refused) {
    const text = REFUSED_TEXT[r.code] ?? '没有权限给这位会员发券';
    byReason.set(text, [...(byReason.get(text) ?? []), names.get(r.customerId) ?? '—']);
  }
  const reached = result.issued + result.alreadyIssued;
  return (
    <View className="ml-card issue-list-result" data-testid="issue-list-result">
      {/* all already issued: a retried tap whose first answer was lost; "已发放 0 张" would say it failed */}
      {result.issued > 0 || result.alreadyIssued === 0 ? (
        <View className={`issue-list-result__line${reached > 0 ? ' issue-list-result__line--ok' : ''}`}>
          已发放 {result.issued} 张{result.issued > 0 ? from : ''}
        </View>
      ) : null}
      {result.alreadyIssued > 0 ? (
        <View className="issue-list-result__line issue-list-result__line--ok">
          已发过（未重复发放）{result.alreadyIssued} 位{result.issued > 0 ? '' : from}
        </View>
      ) : null}
      {result.refused.length > 0 ? (
        <View className="issue-list-result__line issue-list-result__line--bad" data-testid="issue-list-refused">
          未能发放 {result.refused.length} 位
          {[...byReason].map(([reason, who]) => (
            <View key={reason} className="issue-list__row">
              {reason}（{who.length} 位）：{who.slice(0, REFUSED_SHOWN).join('、')}
              {who.length > REFUSED_SHOWN ? ' 等' : ''}
            </View>
          ))}
        </View>
      ) : null}
    </View>
  );
}

export function IssueList({ templates }: { templates: CouponTemplateView[] }) {
  const [pasted, setPasted] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [code, setCode] = useState<string | null>(null);
  const [busy, setBusy] = useState<'resolving' | 'issuing' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const issueKey = useIssueKey();
  const entries = useMemo(() => splitPhoneList(pasted), [pasted]);
  const tooMany = entries.length > ISSUE_LIST_MAX;
  const issuable = issuableOf(templates);

  const edit = (text: string) => {
    setPasted(text);
    // the preview and the result were of the list as it was
    setPreview(null);
    setOutcome(null);
    setError(null);
  };

  const resolve = () => {
    if (entries.length === 0 || tooMany) return;
    setBusy('resolving');
    setError(null);
    setOutcome(null);
    loyaltyApi
      .resolvePhones(entries.map((e) => e.text))
      .then((answer) => setPreview({ entries, answer }))
      .catch((e: unknown) => setError(describeError(e).message))
      .finally(() => setBusy(null));
  };

  const customerIds = preview?.answer.customerIds ?? [];
  // after a definite answer the list is served: issuing it again (a second coupon each, up to 500) takes a fresh
  // choice of the template or an edit of the list, not one more tap on the same button
  const served = outcome?.kind === 'done';
  const pick = (picked: string) => {
    setCode(picked);
    setOutcome(null);
  };
  const issue = () => {
    if (!code || customerIds.length === 0) return;
    const template = templates.find((t) => t.code === code);
    const { key } = issueKey.keyFor(code, customerIds);
    setBusy('issuing');
    setOutcome(null);
    loyaltyApi
      .issue(code, customerIds, key)
      .then((result) => {
        issueKey.settled();
        setOutcome({ kind: 'done', result, from: startsLaterNote(template) });
      })
      .catch((e: unknown) => {
        if (outcomeUnknown(e)) {
          setOutcome({
            kind: 'failed',
            text: `没有收到发放结果（网络或服务异常），券可能已经发出。请再点一次「发放给 ${customerIds.length} 位会员」确认，不会重复发放。`,
          });
        } else {
          issueKey.settled();
          setOutcome({ kind: 'failed', text: describeError(e).message });
        }
      })
      .finally(() => setBusy(null));
  };

  const problems = preview ? problemsOf(preview) : [];
  const duplicates = preview ? duplicatesOf(preview) : [];
  const names = preview ? namesById(preview.answer) : new Map<string, string>();
  const found = customerIds.map((id) => names.get(id) ?? '—');
  const notFound = preview?.answer.results.some((r) => r.status === 'not_found') ?? false;

  return (
    <View data-testid="issue-list">
      <View className="ml-card">
        <View className="staff-card__title">1. 粘贴会员手机号</View>
        <View className="staff-card__text issue-picker__hint">
          每行一个，或用逗号、空格隔开；可直接从 Excel 或微信复制，带 +86、空格、横线也可以。
        </View>
        <Textarea
          className="issue-list__text"
          value={pasted}
          maxlength={PASTE_MAX}
          placeholder="如：13900000003，139 0000 0004"
          onInput={(e) => edit(e.detail.value)}
          data-testid="issue-list-text"
        />
        <View className={`issue-list__count${tooMany ? ' issue-list__count--bad' : ''}`} data-testid="issue-list-count">
          {tooMany
            ? `共 ${entries.length} 个号码，超过 ${ISSUE_LIST_MAX} 个：请分批发放`
            : `共 ${entries.length} 个号码（一次最多 ${ISSUE_LIST_MAX} 个）`}
        </View>
        {error ? (
          <View className="staff-alert issue-list__alert" data-testid="issue-list-error">
            {error}
          </View>
        ) : null}
        <Button
          className="ml-btn ml-btn--primary"
          disabled={busy !== null || entries.length === 0 || tooMany}
          onClick={resolve}
          data-testid="issue-list-resolve"
        >
          {busy === 'resolving' ? '正在核对…' : '核对名单'}
        </Button>
      </View>

      {preview ? (
        <View className="ml-card" data-testid="issue-list-preview">
          <View className="issue-list__found" data-testid="issue-list-found">
            {customerIds.length} 位会员可发放
          </View>
          {found.length > 0 ? (
            <View className="issue-list__names" data-testid="issue-list-names">
              {found.slice(0, FOUND_SHOWN).join('、')}
              {found.length > FOUND_SHOWN ? ` 等 ${found.length} 位` : ''}
            </View>
          ) : null}
          {problems.length > 0 ? (
            <View className="issue-list__problems" data-testid="issue-list-problems">
              <View className="issue-list__problems-title">{problems.length} 行无效或未找到，不会发放：</View>
              {problems.map((p) => (
                <View key={p.key} className="issue-list__row">
                  {p.text}
                </View>
              ))}
              {notFound ? <View className="issue-list__note">找不到的号码：{MEMBER_SCOPE_NOTE}</View> : null}
            </View>
          ) : null}
          {duplicates.length > 0 ? (
            <View className="issue-list__dups" data-testid="issue-list-duplicates">
              重复的 {duplicates.length} 个号码已合并，每位会员只发一次：
              {duplicates.map((d) => d.text).join('；')}
            </View>
          ) : null}
        </View>
      ) : null}

      {preview && customerIds.length > 0 ? (
        <IssuePicker templates={templates} code={code} onPick={pick}>
          <Button
            className="ml-btn ml-btn--primary"
            disabled={busy !== null || served || !code || !issuable.some((t) => t.code === code)}
            onClick={issue}
            data-testid="issue-list-submit"
          >
            {busy === 'issuing' ? '正在发放…' : served ? '已发放，结果见下方' : `发放给 ${customerIds.length} 位会员`}
          </Button>
        </IssuePicker>
      ) : null}

      {outcome ? <Result outcome={outcome} names={names} /> : null}
    </View>
  );
}
