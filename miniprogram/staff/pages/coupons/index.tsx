import type { StaffProfile } from '@shared/contracts/auth';
import type { CouponTemplateView, MemberLookupResponse } from '@shared/contracts/loyalty';
import { Button, Input, Text, View } from '@tarojs/components';
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
import {
  CODE_MAX,
  DESCRIPTION_MAX,
  EMPTY_TEMPLATE_FORM,
  NAME_MAX,
  type TemplateForm,
  templateBodyOf,
} from './template-form';
import { StatusTag, TemplateDetail } from './template-manage';

type Tab = 'issue' | 'templates';
type State =
  | { kind: 'loading' }
  | { kind: 'error'; error: StaffLoadError }
  | { kind: 'ready'; staff: StaffProfile; templates: CouponTemplateView[] };

/** A failed member lookup in the issuer's words: who can be found here, not how sign-up works. */
function lookupFailure(error: unknown): string {
  if (isApiError(error) && error.code === 'PHONE_NOT_MOBILE') return '这不是中国大陆手机号，请核对';
  if (isApiError(error) && error.code === 'MEMBER_NOT_FOUND') {
    return '找不到这位会员：只能给您负责门店的会员发券（会员的所属门店，或在这些门店消费过）';
  }
  return describeError(error).message;
}

const newBatchKey = () => `iss-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

function TemplateRow({ t, selected, onSelect }: { t: CouponTemplateView; selected?: boolean; onSelect?: () => void }) {
  return (
    <View
      className={`tpl${selected ? ' tpl--on' : ''}${t.status === 'active' ? '' : ' tpl--off'}`}
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
        <StatusTag status={t.status} />
      </View>
      <View className="tpl__meta">
        {t.rules.slice(1, 2).join('')} · 已发 {t.issuedCount}
        {t.totalStock !== null ? ` / 共 ${t.totalStock} 张` : ' 张'}
        {t.issuedCount > 0 ? ` · 已用 ${t.usedCount}` : ''}
        {t.perMemberLimit !== null ? ` · 每人限领 ${t.perMemberLimit} 张` : ''}
      </View>
    </View>
  );
}

function IssuePanel({ templates }: { templates: CouponTemplateView[] }) {
  const [phone, setPhone] = useState('');
  const [member, setMember] = useState<MemberLookupResponse | null>(null);
  const [code, setCode] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

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
    setBusy(true);
    setMessage(null);
    loyaltyApi
      .issue(code, [member.customerId], newBatchKey())
      .then((r) => {
        if (r.issued === 1) setMessage({ ok: true, text: `已向 ${member.maskedPhone} 发放 1 张优惠券` });
        else if (r.alreadyIssued === 1) setMessage({ ok: true, text: '这张券已经发过了' });
        else
          setMessage({
            ok: false,
            text: `未能发放：${r.refused[0]?.code === 'COUPON_LIMIT_REACHED' ? '该会员已达领取上限' : r.refused[0]?.code === 'COUPON_OUT_OF_STOCK' ? '优惠券已发完' : '没有权限给这位会员发券'}`,
          });
        setMember({ ...member, availableCoupons: member.availableCoupons + r.issued });
      })
      .catch((e: unknown) => setMessage({ ok: false, text: describeError(e).message }))
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
        <View className="ml-card">
          <View className="staff-card__title">2. 选择优惠券</View>
          {templates
            .filter((t) => t.status === 'active')
            .map((t) => (
              <TemplateRow key={t.id} t={t} selected={code === t.code} onSelect={() => setCode(t.code)} />
            ))}
          <Button
            className="ml-btn ml-btn--primary"
            disabled={busy || !code}
            onClick={issue}
            data-testid="issue-submit"
          >
            发放给该会员
          </Button>
        </View>
      ) : null}
      {message ? (
        <View className={`ml-card issue-result${message.ok ? '' : ' issue-result--bad'}`} data-testid="issue-result">
          {message.text}
        </View>
      ) : null}
    </View>
  );
}

function CreateForm({ staff, onCreated }: { staff: StaffProfile; onCreated: () => void }) {
  const [f, setF] = useState<TemplateForm>(EMPTY_TEMPLATE_FORM);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof TemplateForm) => (e: { detail: { value: string } }) => setF({ ...f, [k]: e.detail.value });
  const chainWide = !staff.store;
  const allowed = staff.store
    ? ['store_manager', 'regional_manager', 'hq_admin'].includes(staff.role)
    : staff.role === 'hq_admin';

  const submit = () => {
    const checked = templateBodyOf(f, staff.store?.id ?? null);
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
    return <View className="ml-card staff-card__text">新建全部门店通用的模板需要总部管理员，请联系总部。</View>;
  }
  return (
    <View className="ml-card" data-testid="template-form">
      <View className="staff-card__title">新建优惠券模板</View>
      <View className="staff-card__text">
        {chainWide ? '全部门店通用' : `${staff.store?.name}专用，仅在本店可用`}；处方药不参与优惠。
      </View>
      <View className="kind-switch">
        <View
          className={`kind-switch__opt${f.kind === 'amount_off' ? ' kind-switch__opt--on' : ''}`}
          onClick={() => setF({ ...f, kind: 'amount_off' })}
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
      <View className="coupon-field">领取后有效天数</View>
      <Input className="coupon-input" type="number" value={f.days} onInput={set('days')} data-testid="tpl-days" />
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
      ([staff, list]) => setState({ kind: 'ready', staff, templates: list.templates }),
      (error) => setState({ kind: 'error', error }),
    );
  }, []);
  useEffect(load, []);

  return (
    <View className="ml-page staff-coupons" data-testid="staff-coupons">
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
          <CreateForm staff={state.staff} onCreated={load} />
          <View className="ml-section-title">已有模板（{state.templates.length}）</View>
          <TemplateList templates={state.templates} onChanged={replace} />
        </>
      ) : null}
    </View>
  );
}
