/**
 * One template's detail for managers: its status as a tag, 暂停发放 / 恢复发放 / 结束活动 behind a confirmation in
 * plain words, and the edit form for what may still change. The server decides (and answers with a coded error in
 * Chinese); the form checks what it can first so a typo is said next to its field.
 */

import { Dialog, Tag } from '@nutui/nutui-react-taro';
import type { CouponTemplateView, UpdateCouponTemplateBody } from '@shared/contracts/loyalty';
import { isCalendarDate } from '@shared/coupons/business-day';
import { yuan } from '@shared/coupons/coupon.describe';
import type { TemplateStatusAction } from '@shared/coupons/template.rules';
import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { describeError } from '../../../components/describe-error';
import { loyaltyApi } from '../../../services/loyalty';
import { templateField } from './template-form';

const STATUS_TAG: Record<CouponTemplateView['status'], { text: string; type: 'success' | 'warning' | 'default' }> = {
  active: { text: '发放中', type: 'success' },
  paused: { text: '已暂停', type: 'warning' },
  ended: { text: '已结束', type: 'default' },
};

/** `pastEnd`: fixed dates over, so it issues nothing whatever its status: shown as 已结束. */
export function StatusTag({ status, pastEnd = false }: { status: CouponTemplateView['status']; pastEnd?: boolean }) {
  const tag = STATUS_TAG[pastEnd ? 'ended' : status];
  return (
    <View className="tpl-status" data-testid="template-status">
      <Tag type={tag.type} round>
        {tag.text}
      </Tag>
    </View>
  );
}

const yuanText = (fen: number | null) => (fen === null ? '' : String(fen / 100));
/** percentOff 12 (12% off) is 8.8折 */
const zheText = (percentOff: number | null) => (percentOff === null ? '' : String((100 - percentOff) / 10));

function confirmText(t: CouponTemplateView, action: TemplateStatusAction): { title: string; body: string; ok: string } {
  const held = t.issuedCount > 0 ? `已发出的 ${t.issuedCount} 张券不受影响，会员在有效期内照常使用。` : '';
  if (action === 'pause') {
    return {
      title: '暂停发放？',
      body: `暂停后不再发放「${t.name}」${t.code === 'NEW_MEMBER' ? '，新会员注册也不再赠送这张券' : ''}。${held}随时可以恢复发放。`,
      ok: '暂停发放',
    };
  }
  if (action === 'resume') {
    return { title: '恢复发放？', body: `恢复后可以继续发放「${t.name}」。`, ok: '恢复发放' };
  }
  return {
    title: '结束活动？',
    body: `结束后「${t.name}」不再发放，也不能再恢复或修改。${held}`,
    ok: '结束活动',
  };
}

interface Draft {
  name: string;
  description: string;
  stock: string;
  limit: string;
  days: string;
  until: string;
  off: string;
  threshold: string;
}
type Errors = Partial<Record<keyof Draft, string>>;

const draftOf = (t: CouponTemplateView): Draft => ({
  name: t.name,
  description: t.description ?? '',
  stock: t.totalStock === null ? '' : String(t.totalStock),
  limit: t.perMemberLimit === null ? '' : String(t.perMemberLimit),
  days: t.validity.kind === 'relative' ? String(t.validity.days) : '',
  until: t.validity.kind === 'fixed' ? t.validity.until : '',
  off: t.kind === 'amount_off' ? yuanText(t.amountOffFen) : zheText(t.percentOff),
  threshold: yuanText(t.thresholdFen),
});

/** The form's own checks (the create form's, templateField), in words next to each field; the body sends only what may change. */
export function checkDraft(t: CouponTemplateView, d: Draft): { errors: Errors; body: UpdateCouponTemplateBody | null } {
  const errors: Errors = {};
  const name = templateField.name(d.name);
  if (!name.ok) errors.name = name.message;
  const description = templateField.description(d.description);
  if (!description.ok) errors.description = description.message;
  let stock: number | null = null;
  const stockChecked = templateField.stock(d.stock);
  if (!stockChecked.ok) errors.stock = stockChecked.message;
  else if (stockChecked.value !== null && stockChecked.value < t.issuedCount) {
    errors.stock = `已经发出 ${t.issuedCount} 张，发放总量不能少于 ${t.issuedCount}`;
  } else stock = stockChecked.value;
  const limit = templateField.limit(d.limit);
  if (!limit.ok) errors.limit = limit.message;
  const body: UpdateCouponTemplateBody = {
    templateCode: t.code,
    name: name.ok ? name.value : '',
    description: (description.ok && description.value) || null,
    totalStock: stock,
    perMemberLimit: limit.ok ? limit.value : null,
  };
  if (t.validity.kind === 'relative') {
    const days = templateField.days(d.days);
    if (!days.ok) errors.days = days.message;
    else body.validDays = days.value;
  } else if (!isCalendarDate(d.until.trim())) {
    errors.until = '请按 2026-12-31 的格式填写日期';
  } else if (d.until.trim() < t.validity.from) {
    errors.until = `最后有效日期不能早于开始日期 ${t.validity.from}`;
  } else body.validUntil = d.until.trim();
  if (!t.rulesFrozen) {
    const threshold = templateField.threshold(d.threshold);
    if (!threshold.ok) errors.threshold = threshold.message;
    else body.thresholdFen = threshold.value;
    const off =
      t.kind === 'amount_off'
        ? templateField.amountOff(d.off, threshold.ok ? threshold.value : 0)
        : templateField.percentOff(d.off);
    if (!off.ok) errors.off = off.message;
    else if (t.kind === 'amount_off') body.amountOffFen = off.value;
    else body.percentOff = off.value;
  }
  return { errors, body: Object.keys(errors).length === 0 ? body : null };
}

function Field({
  label,
  testId,
  value,
  error,
  onInput,
  type = 'text',
  placeholder,
}: {
  label: string;
  testId: string;
  value: string;
  error?: string;
  onInput: (v: string) => void;
  type?: 'text' | 'number' | 'digit';
  placeholder?: string;
}) {
  return (
    <View>
      <View className="coupon-field">{label}</View>
      <Input
        className={`coupon-input${error ? ' coupon-input--bad' : ''}`}
        type={type}
        value={value}
        placeholder={placeholder}
        onInput={(e) => onInput(e.detail.value)}
        data-testid={testId}
      />
      {error ? (
        <View className="field-error" data-testid={`${testId}-error`}>
          {error}
        </View>
      ) : null}
    </View>
  );
}

function EditForm({
  t,
  onSaved,
  onCancel,
}: {
  t: CouponTemplateView;
  onSaved: (t: CouponTemplateView) => void;
  onCancel: () => void;
}) {
  const [d, setD] = useState<Draft>(() => draftOf(t));
  const [errors, setErrors] = useState<Errors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof Draft) => (v: string) => setD({ ...d, [k]: v });

  const save = () => {
    const checked = checkDraft(t, d);
    setErrors(checked.errors);
    setServerError(null);
    if (!checked.body) return;
    setBusy(true);
    loyaltyApi
      .updateTemplate(checked.body)
      .then((saved) => {
        onSaved(saved);
        Taro.showToast({ title: '已保存', icon: 'success' });
      })
      .catch((e: unknown) => setServerError(describeError(e).message))
      .finally(() => setBusy(false));
  };

  return (
    <View className="tpl-edit" data-testid="template-edit-form">
      <View className="staff-card__title">修改「{t.name}」</View>
      <View className="tpl-edit__note">修改只影响之后发放的券；会员已经领到的券不变。</View>
      <Field
        label="券名称（会员看到的名字）"
        testId="edit-name"
        value={d.name}
        error={errors.name}
        onInput={set('name')}
      />
      <Field
        label="活动说明（选填，最多 100 字）"
        testId="edit-description"
        value={d.description}
        error={errors.description}
        onInput={set('description')}
        placeholder="如 春季慢病关怀活动专享"
      />
      <Field
        label={`发放总量（已发 ${t.issuedCount} 张；不填为不限量）`}
        testId="edit-stock"
        type="number"
        value={d.stock}
        error={errors.stock}
        onInput={set('stock')}
      />
      <Field
        label="每人限领（不填为不限）"
        testId="edit-limit"
        type="number"
        value={d.limit}
        error={errors.limit}
        onInput={set('limit')}
      />
      {t.validity.kind === 'relative' ? (
        <Field
          label="领取后有效天数（之后发放的券）"
          testId="edit-days"
          type="number"
          value={d.days}
          error={errors.days}
          onInput={set('days')}
        />
      ) : (
        <Field
          label={`最后有效日期（${t.validity.from} 起；之后发放的券）`}
          testId="edit-until"
          value={d.until}
          error={errors.until}
          onInput={set('until')}
          placeholder="2026-12-31"
        />
      )}
      {t.rulesFrozen ? (
        <View className="tpl-edit__frozen" data-testid="edit-rules-frozen">
          已有会员领到这张券，优惠金额、门槛、适用门店和品类不能再修改（改了会影响会员手里的券）。需要新的优惠，请新建一个模板。
        </View>
      ) : (
        <>
          <Field
            label={t.kind === 'amount_off' ? '减免金额（元）' : '折扣（如 8.8 表示八八折）'}
            testId="edit-off"
            type="digit"
            value={d.off}
            error={errors.off}
            onInput={set('off')}
          />
          <Field
            label="使用门槛：满多少元可用（0 为无门槛）"
            testId="edit-threshold"
            type="digit"
            value={d.threshold}
            error={errors.threshold}
            onInput={set('threshold')}
          />
        </>
      )}
      {serverError ? (
        <View className="staff-alert tpl-edit__alert" data-testid="edit-error">
          {serverError}
        </View>
      ) : null}
      <View className="tpl-actions">
        <Button className="ml-btn ml-btn--ghost tpl-actions__btn" onClick={onCancel} data-testid="edit-cancel">
          取消
        </Button>
        <Button
          className="ml-btn ml-btn--primary tpl-actions__btn"
          disabled={busy}
          onClick={save}
          data-testid="edit-save"
        >
          {busy ? '正在保存…' : '保存修改'}
        </Button>
      </View>
    </View>
  );
}

/** The detail under a selected template: rules, counts, status actions and the edit form. */
export function TemplateDetail({
  t,
  onChanged,
}: {
  t: CouponTemplateView;
  onChanged: (t: CouponTemplateView) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [asking, setAsking] = useState<TemplateStatusAction | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = (action: TemplateStatusAction) => {
    setAsking(null);
    setBusy(true);
    setError(null);
    loyaltyApi
      .templateStatus(t.code, action)
      .then((next) => {
        onChanged(next);
        const done = { pause: '已暂停发放', resume: '已恢复发放', end: '活动已结束' }[action];
        Taro.showToast({ title: done, icon: 'success' });
      })
      .catch((e: unknown) => setError(describeError(e).message))
      .finally(() => setBusy(false));
  };
  const ask = asking ? confirmText(t, asking) : null;

  return (
    <View className="tpl-detail" data-testid="template-detail">
      {t.description ? <View className="tpl-detail__desc">{t.description}</View> : null}
      {t.rules.map((line) => (
        <View key={line} className="tpl-detail__rule">
          · {line}
        </View>
      ))}
      <View className="tpl-detail__counts" data-testid="template-counts">
        已发 {t.issuedCount} 张{t.totalStock !== null ? ` / 共 ${t.totalStock} 张` : '（不限量）'}
        {t.perMemberLimit !== null ? ` · 每人限领 ${t.perMemberLimit} 张` : ' · 每人不限'}
      </View>
      <View className="tpl-detail__counts" data-testid="template-usage">
        {t.issuedCount === 0
          ? '还没有发出，暂无使用数据'
          : `已使用 ${t.usedCount} 张（使用率 ${Math.round((t.usedCount / t.issuedCount) * 100)}%）· 累计优惠 ${yuan(t.discountGivenFen)} 元`}
      </View>
      <View
        className={`tpl-detail__state tpl-detail__state--${t.pastEnd ? 'ended' : t.status}`}
        data-testid="template-state-note"
      >
        {t.status === 'active' && !t.pastEnd ? '正在发放。' : null}
        {t.status !== 'ended' && t.pastEnd && t.validity.kind === 'fixed'
          ? `有效期已过（最后有效日 ${t.validity.until}）：不再发放。${t.manageable ? '可修改最后有效日期后继续发放，或结束活动。' : ''}`
          : null}
        {t.startsLater && t.validity.kind === 'fixed' ? `现在发出的券 ${t.validity.from} 起可用。` : null}
        {t.status === 'paused' && !t.pastEnd ? '已暂停发放：不会再发出新券，随时可以恢复。' : null}
        {t.status === 'ended' ? '活动已结束：不再发放，也不能恢复或修改。' : null}
        {t.status !== 'active' && t.issuedCount > 0 ? '已发出的券仍然有效，会员可照常使用。' : null}
      </View>
      {t.notIssuableCode === 'COUPON_TEMPLATE_AUTO_ISSUED' ? (
        <View className="staff-card__text" data-testid="template-issue-note">
          由系统自动发放（新会员注册、生日月），不能手动发放。
        </View>
      ) : null}
      {t.notIssuableCode === 'COUPON_TEMPLATE_HQ_ONLY' ? (
        <View className="staff-card__text" data-testid="template-issue-note">
          全部门店通用的券只能由总部手动发放；门店活动请新建本店专用的模板。
        </View>
      ) : null}
      {!t.manageable ? (
        <View className="staff-card__text">
          {t.ownerStoreId ? '这是其他门店的模板，由该店店长管理。' : '全部门店通用的模板由总部管理员管理。'}
        </View>
      ) : null}
      {error ? (
        <View className="staff-alert" data-testid="template-action-error">
          {error}
        </View>
      ) : null}
      {t.manageable && t.status !== 'ended' && !editing ? (
        <View className="tpl-actions">
          {t.status === 'active' ? (
            <Button
              className="ml-btn ml-btn--ghost tpl-actions__btn"
              disabled={busy}
              onClick={() => setAsking('pause')}
              data-testid="template-pause"
            >
              暂停发放
            </Button>
          ) : (
            <Button
              className="ml-btn ml-btn--primary tpl-actions__btn"
              disabled={busy}
              onClick={() => setAsking('resume')}
              data-testid="template-resume"
            >
              恢复发放
            </Button>
          )}
          <Button
            className="ml-btn ml-btn--ghost tpl-actions__btn"
            disabled={busy}
            onClick={() => setEditing(true)}
            data-testid="template-edit"
          >
            修改
          </Button>
          <Button
            className="ml-btn ml-btn--danger tpl-actions__btn"
            disabled={busy}
            onClick={() => setAsking('end')}
            data-testid="template-end"
          >
            结束活动
          </Button>
        </View>
      ) : null}
      {editing ? (
        <EditForm
          t={t}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            onChanged(saved);
          }}
        />
      ) : null}
      <Dialog
        visible={ask !== null}
        title={ask?.title}
        content={
          <Text className="tpl-confirm" data-testid="template-confirm-text">
            {ask?.body}
          </Text>
        }
        confirmText={ask?.ok}
        cancelText="再想想"
        onConfirm={() => {
          if (asking) run(asking);
        }}
        onCancel={() => setAsking(null)}
        onClose={() => setAsking(null)}
        className="tpl-dialog"
      />
    </View>
  );
}
