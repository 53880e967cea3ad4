import { type FormEvent, type ReactElement, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { SubscribeDecision } from '../types';
import { createSimUser, listSimUsers, SIM_APPID, type SimUser } from './sim-client';
import './sim.scss';

const APP_NAME = 'MedLoop 药店会员';

/**
 * Mounts a sheet on document.body, outside the Taro page tree, so pages never render simulator UI.
 * Resolves with whatever the sheet passes to `done`.
 */
export function openSheet<T>(render: (done: (value: T) => void) => ReactElement): Promise<T> {
  return new Promise<T>((resolve) => {
    const host = document.createElement('div');
    host.className = 'sim-sheet-host';
    document.body.appendChild(host);
    const root = createRoot(host);
    const done = (value: T) => {
      root.unmount();
      host.remove();
      resolve(value);
    };
    root.render(render(done));
  });
}

const Sheet = ({
  testId,
  title,
  subtitle,
  children,
}: {
  testId: string;
  title: string;
  subtitle?: string;
  children: ReactElement | ReactElement[];
}) => (
  <div className="sim-mask">
    <div className="sim-sheet" data-testid={testId} role="dialog" aria-label={title}>
      <div className="sim-sheet__app">
        <span className="sim-sheet__logo">M</span>
        {APP_NAME}
      </div>
      <div className="sim-sheet__title">{title}</div>
      {subtitle ? <div className="sim-sheet__subtitle">{subtitle}</div> : null}
      {children}
    </div>
  </div>
);

type UsersState = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; users: SimUser[] };

/** "模拟微信 · 选择用户": resolves with the chosen user, or null when cancelled. */
export function UserPickerSheet({ current, done }: { current: SimUser | null; done: (user: SimUser | null) => void }) {
  const [state, setState] = useState<UsersState>({ kind: 'loading' });
  const [nickname, setNickname] = useState('');
  const [phone, setPhone] = useState('');
  const [formError, setFormError] = useState('');
  const [submitting, setSubmitting] = useState(false);

  const load = () => {
    setState({ kind: 'loading' });
    listSimUsers()
      .then((users) => setState({ kind: 'ready', users }))
      .catch((error: Error) => setState({ kind: 'error', message: error.message }));
  };
  useEffect(load, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!nickname.trim()) return setFormError('请填写昵称');
    if (!/^1\d{10}$/.test(phone.trim())) return setFormError('请填写 11 位手机号');
    setSubmitting(true);
    setFormError('');
    try {
      done(await createSimUser(nickname.trim(), phone.trim()));
    } catch (error) {
      setFormError((error as Error).message);
      setSubmitting(false);
    }
  };

  return (
    <Sheet
      testId="sim-user-sheet"
      title="模拟微信 · 选择用户"
      subtitle={`H5 调试环境：以哪个微信用户身份打开小程序（${SIM_APPID}）`}
    >
      <div className="sim-users">
        {state.kind === 'loading' ? <div className="sim-note">正在读取模拟器用户…</div> : null}
        {state.kind === 'error' ? (
          <div className="sim-note sim-note--error">
            无法读取模拟器用户：{state.message}
            <button type="button" className="sim-link" data-testid="sim-user-retry" onClick={load}>
              重试
            </button>
          </div>
        ) : null}
        {state.kind === 'ready' && state.users.length === 0 ? (
          <div className="sim-note">模拟器里还没有用户，请在下方添加</div>
        ) : null}
        {state.kind === 'ready'
          ? state.users.map((user) => (
              <button
                type="button"
                key={user.id}
                className={`sim-user-option${current?.id === user.id ? ' sim-user-option--current' : ''}`}
                data-testid="sim-user-option"
                data-user-id={user.id}
                onClick={() => done(user)}
              >
                <span className="sim-user-option__avatar">{user.nickname.slice(0, 1)}</span>
                <span className="sim-user-option__name">{user.nickname}</span>
                <span className="sim-user-option__phone">{user.phoneMasked ?? '未绑定手机号'}</span>
              </button>
            ))
          : null}
      </div>
      <form className="sim-add" onSubmit={submit}>
        <div className="sim-add__title">添加模拟用户</div>
        <input
          className="sim-input"
          data-testid="sim-user-add-nickname"
          placeholder="昵称"
          value={nickname}
          maxLength={20}
          onChange={(e) => setNickname(e.target.value)}
        />
        <input
          className="sim-input"
          data-testid="sim-user-add-phone"
          placeholder="手机号"
          inputMode="numeric"
          value={phone}
          maxLength={11}
          onChange={(e) => setPhone(e.target.value)}
        />
        {formError ? <div className="sim-note sim-note--error">{formError}</div> : null}
        <button
          type="submit"
          className="sim-btn sim-btn--primary"
          data-testid="sim-user-add-submit"
          disabled={submitting}
        >
          {submitting ? '正在添加…' : '添加并使用'}
        </button>
      </form>
      <button type="button" className="sim-btn" data-testid="sim-user-cancel" onClick={() => done(null)}>
        取消
      </button>
    </Sheet>
  );
}

/** WeChat's phone authorisation sheet: resolves true for 允许, false for 拒绝. */
export function PhoneAuthSheet({ user, done }: { user: SimUser; done: (allowed: boolean) => void }) {
  return (
    <Sheet testId="sim-phone-sheet" title="申请获取并验证你的手机号">
      <div className="sim-phone">
        <div className="sim-phone__number">{user.phoneMasked ?? '（该模拟用户未绑定手机号）'}</div>
        <div className="sim-phone__hint">微信绑定号码 · {user.nickname}</div>
      </div>
      <div className="sim-actions">
        <button type="button" className="sim-btn" data-testid="sim-phone-reject" onClick={() => done(false)}>
          拒绝
        </button>
        <button
          type="button"
          className="sim-btn sim-btn--primary"
          data-testid="sim-phone-allow"
          onClick={() => done(true)}
        >
          允许
        </button>
      </div>
    </Sheet>
  );
}

/** One-time subscription sheet: one 允许/取消 choice per template; resolves once every template is decided. */
export function SubscribeSheet({
  templates,
  done,
}: {
  templates: Array<{ id: string; title: string }>;
  done: (decisions: Record<string, SubscribeDecision>) => void;
}) {
  const [decisions, setDecisions] = useState<Record<string, SubscribeDecision>>({});
  useEffect(() => {
    if (templates.every((t) => decisions[t.id])) done(decisions);
  }, [decisions, templates, done]);
  const decide = (id: string, decision: SubscribeDecision) => setDecisions((prev) => ({ ...prev, [id]: decision }));

  return (
    <Sheet testId="sim-subscribe-sheet" title="申请向你发送以下消息">
      <div className="sim-templates">
        {templates.map((t) => (
          <div className="sim-template" key={t.id} data-testid="sim-subscribe-item" data-tmpl-id={t.id}>
            <span className="sim-template__title">{t.title}</span>
            {decisions[t.id] ? (
              <span className="sim-template__decided">{decisions[t.id] === 'accept' ? '已允许' : '已取消'}</span>
            ) : (
              <span className="sim-template__actions">
                <button
                  type="button"
                  className="sim-btn sim-btn--small"
                  data-testid="sim-subscribe-reject"
                  data-tmpl-id={t.id}
                  onClick={() => decide(t.id, 'reject')}
                >
                  取消
                </button>
                <button
                  type="button"
                  className="sim-btn sim-btn--small sim-btn--primary"
                  data-testid="sim-subscribe-accept"
                  data-tmpl-id={t.id}
                  onClick={() => decide(t.id, 'accept')}
                >
                  允许
                </button>
              </span>
            )}
          </div>
        ))}
      </div>
    </Sheet>
  );
}
