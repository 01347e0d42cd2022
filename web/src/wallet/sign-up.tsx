// Sign-up: phone, password and name (POST /v1/users, which opens the wallet), then the same
// credentials log in (POST /v1/sessions) so the new user lands on the setup steps.
import { type FormEvent, useCallback, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { Link } from '../ui/link.tsx';
import { useAction } from '../ui/use-action.ts';

const EMPTY = { phone: '', password: '', name: '' };

export function SignUp({ onSignedUp }: { onSignedUp: (token: string) => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState(EMPTY);
  const set = (name: keyof typeof EMPTY) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: e.target.value }));
  const signUp = useCallback(async () => {
    const credentials = { phone: form.phone.trim(), password: form.password };
    await api('/v1/users', { method: 'POST', body: { ...credentials, name: form.name.trim() } });
    const session = await api<{ token: string }>('/v1/sessions', { method: 'POST', body: credentials });
    onSignedUp(session.token);
  }, [form, onSignedUp]);
  const action = useAction(signUp);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  return (
    <section className="card-box entry" id="signup" aria-labelledby="signup-title">
      <h1 id="signup-title">{t('signup.title')}</h1>
      <form className="form-stack" onSubmit={submit}>
        <Field label={t('login.phone')} name="phone" type="tel" autoComplete="tel" inputMode="tel" value={form.phone} onChange={set('phone')} required />
        <Field label={t('signup.name')} name="name" autoComplete="name" value={form.name} onChange={set('name')} required />
        <Field
          label={t('login.password')}
          hint={t('signup.passwordHint')}
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={8}
          value={form.password}
          onChange={set('password')}
          required
        />
        <button type="submit" className="primary" disabled={action.running}>
          {t('signup.submit')}
        </button>
        <ErrorMessage error={action.error} />
      </form>
      <p className="center">
        <Link to="home">{t('signup.have')}</Link>
      </p>
    </section>
  );
}
