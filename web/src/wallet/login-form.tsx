// Logs a user in with phone and password (POST /v1/sessions); the token is kept for this tab.
import { type FormEvent, useCallback, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { Link } from '../ui/link.tsx';
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
    <section className="card-box entry" id="login" aria-labelledby="login-title">
      <h1 id="login-title">{t('login.title')}</h1>
      {expired && <p className="notice">{t('login.expired')}</p>}
      <form className="form-stack" onSubmit={submit}>
        <Field
          label={t('login.phone')}
          name="phone"
          type="tel"
          autoComplete="username"
          inputMode="tel"
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          required
        />
        <Field
          label={t('login.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        <button type="submit" className="primary" disabled={action.running}>
          {t('login.submit')}
        </button>
        <ErrorMessage error={action.error} />
      </form>
      <p className="center">
        <Link to="signup" id="to-signup">
          {t('login.new')}
        </Link>
      </p>
    </section>
  );
}
