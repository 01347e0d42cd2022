// The payment PIN (PUT /v1/me/payment-pin): six digits typed twice. A session alone cannot set it:
// changing a PIN needs the current one, a first PIN the login password; a refusal shows the API's message.
import { type FormEvent, useCallback, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Profile } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { useAction } from '../ui/use-action.ts';
import { useSession } from './session-context.ts';
import { Step } from './step.tsx';

const EMPTY = { pin: '', repeat: '', current: '', password: '' };
const PIN = { type: 'password', inputMode: 'numeric', autoComplete: 'off', pattern: '\\d{6}', maxLength: 6 } as const;

export function PinStep({ profile, step }: { profile: Profile; step: number }) {
  const { t } = useI18n();
  const { token, refresh } = useSession();
  const [form, setForm] = useState(EMPTY);
  const [saved, setSaved] = useState(false);
  const changing = profile.has_payment_pin;
  const set = (name: keyof typeof EMPTY) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: e.target.value }));
  const save = useCallback(async () => {
    if (form.pin !== form.repeat) throw new ApiError(0, 'pin_mismatch', t('pin.mismatch'));
    const proof = changing ? { current_pin: form.current } : { password: form.password };
    await api('/v1/me/payment-pin', { method: 'PUT', token, body: { payment_pin: form.pin, ...proof } });
    setForm(EMPTY);
    setSaved(true);
    refresh();
  }, [form, changing, token, refresh, t]);
  const action = useAction(save);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    void action.run();
  };
  return (
    <Step id="pin" step={step} title={t('pin.title')} done={profile.has_payment_pin}>
      <p className="muted">{t('pin.body')}</p>
      <form className="form-stack" onSubmit={submit}>
        {changing && <Field label={t('pin.current')} name="current_pin" {...PIN} value={form.current} onChange={set('current')} required />}
        {!changing && (
          <Field
            label={t('login.password')}
            name="pin_password"
            type="password"
            autoComplete="current-password"
            value={form.password}
            onChange={set('password')}
            required
          />
        )}
        <Field label={t('pin.new')} name="new_pin" {...PIN} value={form.pin} onChange={set('pin')} required />
        <Field label={t('pin.repeat')} name="repeat_pin" {...PIN} value={form.repeat} onChange={set('repeat')} required />
        <button type="submit" className="primary" disabled={action.running}>
          {changing ? t('pin.change') : t('pin.submit')}
        </button>
        {saved && (
          <p className="success-box" role="status">
            {t('pin.set')}
          </p>
        )}
        <ErrorMessage error={action.error} />
      </form>
    </Step>
  );
}
