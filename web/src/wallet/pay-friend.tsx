// Pays another user by phone (POST /v1/wallet/transfers). The request_id is made once per
// payment: a retry after a network failure reuses it, so the payment cannot happen twice.
import { type FormEvent, useCallback, useState } from 'react';
import { ApiError, api, newRequestId } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { ScreenTitle } from '../ui/screen-title.tsx';
import { useAction } from '../ui/use-action.ts';
import { useSession } from './session-context.ts';

interface TransferAnswer {
  amount: string;
  currency: string;
}

const EMPTY = { phone: '', amount: '', memo: '', pin: '' };

export function PayFriend() {
  const { t } = useI18n();
  const { token, refresh } = useSession();
  const [form, setForm] = useState(EMPTY);
  const [requestId, setRequestId] = useState(() => newRequestId('web-pay'));
  const [done, setDone] = useState<string>();
  const set = (name: keyof typeof EMPTY) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: e.target.value }));
  const pay = useCallback(async () => {
    const body = {
      to_phone: form.phone.trim(),
      amount: form.amount.trim(),
      currency: 'CNY',
      request_id: requestId,
      ...(form.memo ? { memo: form.memo } : {}),
      ...(form.pin ? { payment_pin: form.pin } : {}),
    };
    try {
      const paid = await api<TransferAnswer>('/v1/wallet/transfers', { method: 'POST', token, body });
      setDone(t('pay.done', { amount: formatMoney(paid.amount, paid.currency), phone: body.to_phone }));
      setForm(EMPTY);
      setRequestId(newRequestId('web-pay'));
      refresh();
    } catch (error) {
      // The server answered: this payment is settled one way or the other; the next try is a new one.
      if (error instanceof ApiError && error.status > 0 && error.status < 500) setRequestId(newRequestId('web-pay'));
      throw error;
    }
  }, [form, requestId, token, refresh, t]);
  const action = useAction(pay);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(undefined);
    void action.run();
  };
  return (
    <div className="stack" id="pay">
      <ScreenTitle title={t('pay.title')} back />
      <form className="card-box form-stack" onSubmit={submit}>
        <Field label={t('pay.phone')} name="to_phone" type="tel" inputMode="tel" autoComplete="off" value={form.phone} onChange={set('phone')} required />
        <Field
          label={t('pay.amount')}
          name="amount"
          inputMode="decimal"
          placeholder="0.00"
          className="amount-input"
          value={form.amount}
          onChange={set('amount')}
          required
        />
        <Field label={t('pay.memo')} name="memo" maxLength={140} value={form.memo} onChange={set('memo')} />
        <Field
          label={t('pay.pin')}
          name="payment_pin"
          type="password"
          inputMode="numeric"
          autoComplete="off"
          maxLength={6}
          value={form.pin}
          onChange={set('pin')}
        />
        <button type="submit" className="primary" disabled={action.running}>
          {t('pay.submit')}
        </button>
        {done && (
          <p className="success-box" role="status" id="pay-done">
            {done}
          </p>
        )}
        <ErrorMessage error={action.error} />
      </form>
    </div>
  );
}
