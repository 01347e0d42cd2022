// Logs a user in with phone and password (POST /v1/sessions); the token is kept for this tab.
import { type FormEvent, useCallback, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { Panel } from '../ui/panel.tsx';
import { useAction } from '../ui/use-action.ts';

export function LoginForm({ onLogin, expired }: { onLogin: (token: string) => void; expired: boolean }) {
  const { t } = useI18n();
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const login = useCallback(async () => {
    const session = await api<{ token: string }>('/v1/sessions', { method: 'POST', body: { phone: phone.trim(), password } });
    onLogin(session.token);
  }, [phone, password, onLogin]);
  const action = useAction(login);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  return (
    <Panel title={t('login.title')} id="login">
      {expired && <p className="notice">{t('login.expired')}</p>}
      <form className="form narrow" onSubmit={submit}>
        <Field label={t('login.phone')} name="phone" autoComplete="username" inputMode="tel" value={phone} onChange={(e) => setPhone(e.target.value)} required />
        <Field label={t('login.password')} name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        <button type="submit" disabled={action.running}>
          {t('login.submit')}
        </button>
        <ErrorMessage error={action.error} />
      </form>
    </Panel>
  );
}
