import type { StaffProfile } from '@shared/contracts/auth';
import type { CouponTemplateCreateOptions, CouponTemplateView, MemberLookupResponse } from '@shared/contracts/loyalty';
import { Button, Input, Switch, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../../components/describe-error';
import { LoadingCard } from '../../../components/state-view';
import { isApiError } from '../../../services/api-error';
import { loyaltyApi } from '../../../services/loyalty';
import { loadStaffProfile } from '../../../services/staff';
import { StaffErrorCard } from '../../staff-error';
import { loadForStaff, type StaffLoadError } from '../../staff-load';
import '../../staff.scss';
import './index.scss';
import { MEMBER_SCOPE_NOTE, outcomeUnknown, REFUSED_TEXT, startsLaterNote, useIssueKey } from './issue-key';
import { IssueList } from './issue-list';
import {
  CODE_MAX,
  DESCRIPTION_MAX,
  EMPTY_TEMPLATE_FORM,
  NAME_MAX,
  type TemplateForm,
  type TemplateTextField,
  templateBodyOf,
} from './template-form';
import { TemplateDetail } from './template-manage';
import { IssuePicker, issuableOf, TemplateRow } from './template-row';

type Tab = 'issue' | 'templates';
type State =
  | { kind: 'loading' }
  | { kind: 'error'; error: StaffLoadError }
  | {
      kind: 'ready';
      staff: StaffProfile;
      templates: CouponTemplateView[];
      createOptions: CouponTemplateCreateOptions;
    };

/** A failed member lookup in the issuer's words: who can be found here, not how sign-up works. */
function lookupFailure(error: unknown): string {
  if (isApiError(error) && error.code === 'PHONE_NOT_MOBILE') return '这不是中国大陆手机号，请核对';
  if (isApiError(error) && error.code === 'MEMBER_NOT_FOUND') return `找不到这位会员：${MEMBER_SCOPE_NOTE}`;
  return describeError(error).message;
}

/** 给会员发券 to one member found by phone. */
function IssueOne({ templates }: { templates: CouponTemplateView[] }) {
  const [phone, setPhone] = useState('');
  const [member, setMember] = useState<MemberLookupResponse | null>(null);
  const [code, setCode] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const issueKey = useIssueKey();
  const issuable = issuableOf(templates);

  const find = () => {
    setMessage(null);
    setMember(null);
    if (!/^1\d{10}$/.test(phone.replace(/[\s-]/g, ''))) {
      return setMessage({ ok: false, text: '请输入会员的 11 位手机号' });
    }
    setBusy(true);
    loyaltyApi
      .findMember(phone)
      .then(setMember)
      .catch((e: unknown) => setMessage({ ok: false, text: lookupFailure(e) }))
      .finally(() => setBusy(false));
  };
  const issue = () => {
    if (!member || !code) return;
    const template = templates.find((t) => t.code === code);
    const { key } = issueKey.keyFor(code, [member.customerId]);
    setBusy(true);
    setMessage(null);
    loyaltyApi
      .issue(code, [member.customerId], key)
      .then((r) => {
        issueKey.settled();
        const from = startsLaterNote(template);
        // the key is one per intent: "already issued" is this intent's earlier tap whose answer was lost
        if (r.issued === 1) setMessage({ ok: true, text: `已向 ${member.maskedPhone} 发放 1 张优惠券${from}` });
        else if (r.alreadyIssued === 1)
          setMessage({
            ok: true,
            text: `已向 ${member.maskedPhone} 发放 1 张优惠券（上次已发出，没有重复发放）${from}`,
          });
        else
          setMessage({
            ok: false,
            text: `未能发放：${REFUSED_TEXT[r.refused[0]?.code ?? ''] ?? '没有权限给这位会员发券'}`,
          });
        setMember({ ...member, availableCoupons: member.availableCoupons + r.issued });
      })
      .catch((e: unknown) => {
        if (outcomeUnknown(e)) {
          setMessage({
            ok: false,
            text: '没有收到发放结果（网络或服务异常），券可能已经发出。请再点一次「发放给该会员」确认，不会重复发放。',
          });
        } else {
          issueKey.settled();
          setMessage({ ok: false, text: describeError(e).message });
        }
      })
      .finally(() => setBusy(false));
  };

  return (
    <View>
      <View className="ml-card">
        <View className="staff-card__title">1. 查找会员</View>
        <Input
          className="coupon-input"
          type="number"
          maxlength={11}
          placeholder="输入会员手机号"
          value={phone}
          onInput={(e) => setPhone(e.detail.value)}
          data-testid="issue-phone"
        />
        <Button
          className="ml-btn ml-btn--primary"
          disabled={busy || phone.length < 11}
          onClick={find}
          data-testid="issue-find"
        >
          查找
        </Button>
        {member ? (
          <View className="issue-member" data-testid="issue-member">
            <View>
              会员：{member.maskedName ?? '未填写姓名'}　{member.maskedPhone}
            </View>
            <View>
              所属门店：{member.homeStoreName ?? '—'}　可用券：{member.availableCoupons} 张
            </View>
          </View>
        ) : null}
      </View>
      {member ? (
        <IssuePicker templates={templates} code={code} onPick={setCode}>
          <Button
            className="ml-btn ml-btn--primary"
            disabled={busy || !code || !issuable.some((t) => t.code === code)}
            onClick={issue}
            data-testid="issue-submit"
          >
            {busy ? '正在发放…' : '发放给该会员'}
          </Button>
        </IssuePicker>
      ) : null}
      {message ? (
        <View className={`ml-card issue-result${message.ok ? '' : ' issue-result--bad'}`} data-testid="issue-result">
          {message.text}
        </View>
      ) : null}
    </View>
  );
}

type IssueMode = 'one' | 'list';

/**
 * 给会员发券: to one member found by phone, or to a pasted list of phones (批量). Both panels stay mounted, so
 * switching back and forth loses neither a found member nor a pasted list.
 */
function IssuePanel({ templates }: { templates: CouponTemplateView[] }) {
  const [mode, setMode] = useState<IssueMode>('one');
  const option = (m: IssueMode, text: string) => (
    <View
      className={`kind-switch__opt${mode === m ? ' kind-switch__opt--on' : ''}`}
      onClick={() => setMode(m)}
      data-testid={`issue-mode-${m}`}
    >
      {text}
    </View>
  );
  return (
    <View>
      <View className="kind-switch issue-mode">
        {option('one', '单个会员')}
        {option('list', '批量（粘贴手机号）')}
      </View>
      <View className={mode === 'one' ? '' : 'issue-hidden'} data-testid="issue-one">
        <IssueOne templates={templates} />
      </View>
      <View className={mode === 'list' ? '' : 'issue-hidden'}>
        <IssueList templates={templates} />
      </View>
    </View>
  );
}

/** A row of on/off choices (stores, categories): wraps at 375 px. */
function Chips({
  options,
  selected,
  onToggle,
  testId,
}: {
  options: { id: string; label: string }[];
  selected: readonly string[];
  onToggle: (id: string) => void;
  testId: string;
}) {
  return (
    <View className="chips" data-testid={testId}>
      {options.map((o) => (
        <View
          key={o.id}
          className={`chip${selected.includes(o.id) ? ' chip--on' : ''}`}
          onClick={() => onToggle(o.id)}
          data-testid={`${testId}-${o.id}`}
        >
          {o.label}
        </View>
      ))}
    </View>
  );
}

const toggle = (list: readonly string[], id: string) =>
  list.includes(id) ? list.filter((x) => x !== id) : [...list, id];

/** The owner choice: '' = chain-wide (HQ). */
const CHAIN_WIDE = '';

function CreateForm({ options, onCreated }: { options: CouponTemplateCreateOptions; onCreated: () => void }) {
  const [f, setF] = useState<TemplateForm>(EMPTY_TEMPLATE_FORM);
  // a store manager's own store, a regional manager's first store, HQ: chain-wide, until changed
  const [owner, setOwner] = useState<string>(
    options.chainWide ? CHAIN_WIDE : (options.ownerStores[0]?.id ?? CHAIN_WIDE),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (k: TemplateTextField) => (e: { detail: { value: string } }) => setF({ ...f, [k]: e.detail.value });
  const allowed = options.chainWide || options.ownerStores.length > 0;
  const ownerStore = options.ownerStores.find((s) => s.id === owner);

  const submit = () => {
    const checked = templateBodyOf(f, owner || null, options.today);
    if (!checked.ok) return setError(checked.message);
    setBusy(true);
    setError(null);
    loyaltyApi
      .createTemplate(checked.body)
      .then(() => {
        setF({ ...f, code: '', name: '', description: '', off: '', cap: '' });
        onCreated();
        Taro.showToast({ title: '已创建', icon: 'success' });
      })
      .catch((e: unknown) => setError(describeError(e).message))
      .finally(() => setBusy(false));
  };

  if (!allowed) {
    return <View className="ml-card staff-card__text">新建优惠券模板需要店长、区域经理或总部管理员。</View>;
  }
  const ownerChoices = [
    ...(options.chainWide ? [{ id: CHAIN_WIDE, label: '全部门店通用' }] : []),
    ...options.ownerStores.map((s) => ({ id: s.id, label: `${s.name}专用` })),
  ];
  return (
    <View className="ml-card" data-testid="template-form">
      <View className="staff-card__title">新建优惠券模板</View>
      {ownerChoices.length > 1 ? (
        <>
          <View className="coupon-field">模板归属</View>
          <Chips
            options={ownerChoices.map((c) => ({ id: c.id || 'CHAIN', label: c.label }))}
            selected={[owner || 'CHAIN']}
            onToggle={(id) => {
              setOwner(id === 'CHAIN' ? CHAIN_WIDE : id);
              setF({ ...f, storeIds: [] });
            }}
            testId="tpl-owner"
          />
        </>
      ) : null}
      <View className="staff-card__text" data-testid="tpl-scope">
        {ownerStore
          ? `${ownerStore.name}专用：仅在本店可用，由本店店长、区域经理管理和发放。`
          : '全部门店通用：由总部管理和手动发放（可限定部分门店使用）。'}
      </View>
      <View className="kind-switch">
        <View
          className={`kind-switch__opt${f.kind === 'amount_off' ? ' kind-switch__opt--on' : ''}`}
          onClick={() => setF({ ...f, kind: 'amount_off', cap: '' })}
          data-testid="tpl-kind-amount"
        >
          满减 / 立减
        </View>
        <View
          className={`kind-switch__opt${f.kind === 'percent_off' ? ' kind-switch__opt--on' : ''}`}
          onClick={() => setF({ ...f, kind: 'percent_off' })}
          data-testid="tpl-kind-percent"
        >
          折扣
        </View>
      </View>
      <View className="coupon-field">模板编号（大写字母、数字、下划线）</View>
      <Input
        className="coupon-input"
        value={f.code}
        maxlength={CODE_MAX}
        onInput={set('code')}
        placeholder="如 HZ001_SPRING"
        data-testid="tpl-code"
      />
      <View className="coupon-field">名称（会员看到的券名）</View>
      <Input
        className="coupon-input"
        value={f.name}
        maxlength={NAME_MAX}
        onInput={set('name')}
        placeholder="如 春季满100减10"
        data-testid="tpl-name"
      />
      <View className="coupon-field">活动说明（选填，会员可见）</View>
      <Input
        className="coupon-input"
        value={f.description}
        maxlength={DESCRIPTION_MAX}
        onInput={set('description')}
        placeholder="如 春季慢病关怀活动专享"
        data-testid="tpl-description"
      />
      <View className="coupon-field">{f.kind === 'amount_off' ? '减免金额（元）' : '折扣（如 8.8 表示八八折）'}</View>
      <Input className="coupon-input" type="digit" value={f.off} onInput={set('off')} data-testid="tpl-off" />
      {f.kind === 'percent_off' ? (
        <>
          <View className="coupon-field">最多减（元，选填，不填为不限）</View>
          <Input className="coupon-input" type="digit" value={f.cap} onInput={set('cap')} data-testid="tpl-cap" />
        </>
      ) : null}
      <View className="coupon-field">使用门槛：满多少元可用（0 为无门槛）</View>
      <Input
        className="coupon-input"
        type="digit"
        value={f.threshold}
        onInput={set('threshold')}
        data-testid="tpl-threshold"
      />
      <View className="coupon-field">有效期</View>
      <View className="kind-switch">
        <View
          className={`kind-switch__opt${f.validityKind === 'relative' ? ' kind-switch__opt--on' : ''}`}
          onClick={() => setF({ ...f, validityKind: 'relative' })}
          data-testid="tpl-validity-relative"
        >
          领取后N天
        </View>
        <View
          className={`kind-switch__opt${f.validityKind === 'fixed' ? ' kind-switch__opt--on' : ''}`}
          onClick={() =>
            setF({ ...f, validityKind: 'fixed', from: f.from || options.today, until: f.until || options.today })
          }
          data-testid="tpl-validity-fixed"
        >
          固定日期
        </View>
      </View>
      {f.validityKind === 'relative' ? (
        <>
          <View className="coupon-field">领取后有效天数</View>
          {/* keys: Taro's H5 Input keeps its first `type`, so the date inputs must be new elements, not this one */}
          <Input
            key="days"
            className="coupon-input"
            type="number"
            value={f.days}
            onInput={set('days')}
            data-testid="tpl-days"
          />
        </>
      ) : (
        <>
          <View className="coupon-field">开始日期（如 2026-05-01）</View>
          <Input
            key="from"
            className="coupon-input"
            value={f.from}
            onInput={set('from')}
            placeholder={options.today}
            data-testid="tpl-from"
          />
          <View className="coupon-field">最后有效日期（含当天，不早于今天）</View>
          <Input
            key="until"
            className="coupon-input"
            value={f.until}
            onInput={set('until')}
            placeholder="2026-12-31"
            data-testid="tpl-until"
          />
        </>
      )}
      {ownerStore ? null : (
        <>
          <View className="coupon-field">适用门店（不选为全部门店）</View>
          <Chips
            options={options.ownerStores.map((s) => ({ id: s.id, label: s.name }))}
            selected={f.storeIds}
            onToggle={(id) => setF({ ...f, storeIds: toggle(f.storeIds, id) })}
            testId="tpl-stores"
          />
        </>
      )}
      <View className="coupon-field">适用品类（不选为全场商品）</View>
      <Chips
        options={options.categories.map((c) => ({ id: c, label: c }))}
        selected={f.categories}
        onToggle={(id) => setF({ ...f, categories: toggle(f.categories, id) })}
        testId="tpl-categories"
      />
      <View className="tpl-rx">
        <View className="coupon-field">处方药可用</View>
        <Switch
          checked={f.includeRx}
          color="#1b6e77"
          onChange={(e) => setF({ ...f, includeRx: e.detail.value })}
          data-testid="tpl-rx"
        />
      </View>
      <View className="staff-card__text tpl-rx__note">
        {f.includeRx ? '处方药也参与优惠。' : '处方药不参与优惠（默认）。'}
      </View>
      <View className="coupon-field">发放总量（不填为不限）</View>
      <Input className="coupon-input" type="number" value={f.stock} onInput={set('stock')} data-testid="tpl-stock" />
      <View className="coupon-field">每人限领（不填为不限）</View>
      <Input className="coupon-input" type="number" value={f.limit} onInput={set('limit')} data-testid="tpl-limit" />
      {error ? (
        <View className="staff-alert" data-testid="tpl-error">
          {error}
        </View>
      ) : null}
      <Button
        className="ml-btn ml-btn--primary"
        disabled={busy || !f.code || !f.name || !f.off}
        onClick={submit}
        data-testid="tpl-submit"
      >
        {busy ? '正在创建…' : '创建模板'}
      </Button>
    </View>
  );
}

function TemplateList({
  templates,
  onChanged,
}: {
  templates: CouponTemplateView[];
  onChanged: (t: CouponTemplateView) => void;
}) {
  const [open, setOpen] = useState<string | null>(null);
  return (
    <View className="ml-card" data-testid="template-list">
      {templates.length === 0 ? <View className="staff-card__text">还没有模板</View> : null}
      {templates.length > 0 ? (
        <View className="staff-card__text tpl-list__hint">点击模板查看详情，可暂停发放、修改或结束活动。</View>
      ) : null}
      {templates.map((t) => (
        <View key={t.id}>
          <TemplateRow t={t} selected={open === t.id} onSelect={() => setOpen(open === t.id ? null : t.id)} />
          {open === t.id ? <TemplateDetail t={t} onChanged={onChanged} /> : null}
        </View>
      ))}
    </View>
  );
}

export default function StaffCoupons() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [tab, setTab] = useState<Tab>('issue');
  const replace = (next: CouponTemplateView) =>
    setState((s) =>
      s.kind === 'ready' ? { ...s, templates: s.templates.map((t) => (t.id === next.id ? next : t)) } : s,
    );

  const load = useCallback(() => {
    loadForStaff(
      () => Promise.all([loadStaffProfile(), loyaltyApi.templates()]),
      ([staff, list]) =>
        setState({ kind: 'ready', staff, templates: list.templates, createOptions: list.createOptions }),
      (error) => setState({ kind: 'error', error }),
    );
  }, []);
  useEffect(load, []);

  return (
    <View className="ml-page ml-console staff-coupons" data-testid="staff-coupons">
      {/* the tabs only over what they switch: not over a failure or a page the account is not for */}
      {state.kind === 'error' ? null : (
        <View className="coupons-switch">
          <View
            className={`coupons-switch__tab${tab === 'issue' ? ' coupons-switch__tab--on' : ''}`}
            onClick={() => setTab('issue')}
            data-testid="staff-tab-issue"
          >
            给会员发券
          </View>
          <View
            className={`coupons-switch__tab${tab === 'templates' ? ' coupons-switch__tab--on' : ''}`}
            onClick={() => setTab('templates')}
            data-testid="staff-tab-templates"
          >
            优惠券模板
          </View>
        </View>
      )}
      {state.kind === 'loading' ? <LoadingCard /> : null}
      {state.kind === 'error' ? <StaffErrorCard page="coupons" error={state.error} onRetry={load} /> : null}
      {state.kind === 'ready' && tab === 'issue' ? <IssuePanel templates={state.templates} /> : null}
      {state.kind === 'ready' && tab === 'templates' ? (
        <>
          <CreateForm options={state.createOptions} onCreated={load} />
          <View className="ml-section-title">已有模板（{state.templates.length}）</View>
          <TemplateList templates={state.templates} onChanged={replace} />
        </>
      ) : null}
    </View>
  );
}
