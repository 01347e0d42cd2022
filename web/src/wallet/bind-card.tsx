// Binding a card: the card's details (POST /v1/cards) make the bank send an SMS code to the phone
// it knows; the code confirms the binding (POST /v1/cards/:id/confirm). Name and phone start as
// the profile's.
import { type FormEvent, useCallback, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Card, Profile } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { useAction } from '../ui/use-action.ts';
import { useSession } from './session-context.ts';
import { Step } from './step.tsx';
import { useCards } from './use-cards.ts';

const BANKS = ['ICBC', 'CCB', 'CMB'] as const;

export function BindCardStep({ profile, step }: { profile: Profile; step: number }) {
  const { t } = useI18n();
  const cards = useCards();
  const bound = (cards.data?.cards ?? []).filter((c) => c.status === 'bound');
  return (
    <Step id="bind" step={step} title={t('bind.title')} done={bound.length > 0}>
      <ul className="items compact">
        {bound.map((c) => (
          <li key={c.card_id} className="item">
            {t('bind.bound', { bank: c.bank, last4: c.last4 ?? '----' })}
          </li>
        ))}
      </ul>
      <BindCardForm profile={profile} />
    </Step>
  );
}

function BindCardForm({ profile }: { profile: Profile }) {
  const { t } = useI18n();
  const { token, refresh } = useSession();
  const [form, setForm] = useState({ bank: 'ICBC', cardNo: '', name: profile.name, idNo: '', phone: profile.phone });
  const [pending, setPending] = useState<Card>();
  const [code, setCode] = useState('');
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: e.target.value }));
  const start = useCallback(async () => {
    const body = { bank: form.bank, card_no: form.cardNo.replace(/\s/g, ''), name: form.name.trim(), id_no: form.idNo.trim(), phone: form.phone.trim() };
    setPending(await api<Card>('/v1/cards', { method: 'POST', token, body }));
  }, [form, token]);
  const confirm = useCallback(async () => {
    if (!pending) return;
    await api<Card>(`/v1/cards/${encodeURIComponent(pending.card_id)}/confirm`, { method: 'POST', token, body: { sms_code: code.trim() } });
    setPending(undefined);
    setCode('');
    setForm((f) => ({ ...f, cardNo: '' }));
    refresh();
  }, [pending, code, token, refresh]);
  const starting = useAction(start);
  const confirming = useAction(confirm);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void (pending ? confirming.run() : starting.run());
  };
  if (pending) {
    return (
      <form className="form-stack" onSubmit={submit} id="bind-confirm">
        <p role="status">{t('bind.sent', { phone: form.phone })}</p>
        <Field
          label={t('bind.code')}
          name="sms_code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={8}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          required
        />
        <button type="submit" className="primary" disabled={confirming.running}>
          {t('bind.confirm')}
        </button>
        <ErrorMessage error={confirming.error} />
      </form>
    );
  }
  return (
    <form className="form-stack" onSubmit={submit} id="bind-start">
      <label className="field">
        <span>{t('bind.bank')}</span>
        <select name="bank" value={form.bank} onChange={set('bank')}>
          {BANKS.map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
      </label>
      <Field label={t('bind.cardNo')} name="card_no" inputMode="numeric" autoComplete="cc-number" value={form.cardNo} onChange={set('cardNo')} required />
      <Field label={t('bind.name')} name="card_name" autoComplete="cc-name" value={form.name} onChange={set('name')} required />
      <Field label={t('bind.idNo')} name="id_no" autoComplete="off" value={form.idNo} onChange={set('idNo')} required />
      <Field label={t('bind.phone')} name="card_phone" type="tel" inputMode="tel" value={form.phone} onChange={set('phone')} required />
      <button type="submit" className="primary" disabled={starting.running}>
        {t('bind.submit')}
      </button>
      <ErrorMessage error={starting.error} />
    </form>
  );
}
