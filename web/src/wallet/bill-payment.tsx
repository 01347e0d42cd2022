// A looked-up bill: what is due, paying it from the balance (then following the biller's answer
// and offering the receipt), and the monthly autopay of the same account.
import { type FormEvent, useCallback, useState } from 'react';
import { ApiError, api, newRequestId } from '../api.ts';
import { download } from '../download.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { useAction } from '../ui/use-action.ts';
import type { Bill } from './life-services.tsx';
import { useSession } from './session-context.ts';

type Status = 'pending' | 'completed' | 'refunded';

export function BillPayment({ bill }: { bill: Bill }) {
  const { t } = useI18n();
  const { token, refresh } = useSession();
  const [requestId, setRequestId] = useState(() => newRequestId('web-bill'));
  const [payment, setPayment] = useState<{ payment_id: string; status: Status }>();
  const pay = useCallback(async () => {
    const body = { charge_inst: bill.charge_inst, bill_key: bill.bill_key, amount: bill.amount_due, currency: 'CNY', request_id: requestId };
    try {
      setPayment(await api<{ payment_id: string; status: Status }>('/v1/bill-payments', { method: 'POST', token, body }));
      refresh();
    } catch (error) {
      // The server answered: this payment is settled one way or the other; the next try is a new one.
      if (error instanceof ApiError && error.status > 0 && error.status < 500) setRequestId(newRequestId('web-bill'));
      throw error;
    }
  }, [bill, requestId, token, refresh]);
  const check = useCallback(async () => {
    if (!payment) return;
    setPayment(await api<{ payment_id: string; status: Status }>(`/v1/bill-payments/${payment.payment_id}`, { token }));
    refresh();
  }, [payment, token, refresh]);
  const paying = useAction(pay);
  const checking = useAction(check);
  const nothingDue = Number(bill.amount_due) === 0;
  return (
    <section className="card-box form-stack" aria-labelledby="bill-title" id="bill">
      <h2 id="bill-title">{t('bills.due')}</h2>
      <p className="amount" id="bill-due">
        {formatMoney(bill.amount_due, 'CNY')}
      </p>
      <p className="muted">
        {t('bills.holder')}: {bill.holder_masked} · {t('bills.dueDate', { date: bill.due_date })}
      </p>
      {nothingDue && <p role="status">{t('bills.nothingDue')}</p>}
      {!nothingDue && !payment && (
        <button type="button" className="primary" id="bill-pay" disabled={paying.running} onClick={() => void paying.run()}>
          {t('bills.pay', { amount: formatMoney(bill.amount_due, 'CNY') })}
        </button>
      )}
      {payment && (
        <p className={payment.status === 'refunded' ? 'error' : 'success-box'} role="status" id="bill-status">
          {t(`bills.status.${payment.status}`)}
        </p>
      )}
      {payment?.status === 'pending' && (
        <button type="button" id="bill-check" disabled={checking.running} onClick={() => void checking.run()}>
          {t('bills.check')}
        </button>
      )}
      {payment?.status === 'completed' && <ReceiptButton paymentId={payment.payment_id} />}
      <ErrorMessage error={paying.error ?? checking.error} />
      <Autopay bill={bill} />
    </section>
  );
}

/** The receipt, in the app's language, is behind the session token: fetched, then handed to the browser as a file. */
function ReceiptButton({ paymentId }: { paymentId: string }) {
  const { t, lang } = useI18n();
  const { token } = useSession();
  const action = useAction(async () => void (await download(`/v1/bill-payments/${paymentId}/receipt?lang=${lang}`, token, `receipt-${paymentId}.pdf`)));
  return (
    <>
      <button type="button" id="bill-receipt" disabled={action.running} onClick={() => void action.run()}>
        {t('bills.receipt')}
      </button>
      <ErrorMessage error={action.error} />
    </>
  );
}

function Autopay({ bill }: { bill: Bill }) {
  const { t } = useI18n();
  const { token } = useSession();
  const [form, setForm] = useState({ cap: '', day: '' });
  const [done, setDone] = useState(false);
  const turnOn = useCallback(async () => {
    const body = { charge_inst: bill.charge_inst, bill_key: bill.bill_key, monthly_cap: form.cap.trim(), day_of_month: Number(form.day) };
    await api('/v1/bill-autopays', { method: 'POST', token, body });
    setDone(true);
  }, [bill, form, token]);
  const action = useAction(turnOn);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  return (
    <form className="form-stack" onSubmit={submit} aria-labelledby="autopay-title">
      <h2 id="autopay-title">{t('bills.autopay')}</h2>
      <Field
        label={t('bills.cap')}
        name="monthly_cap"
        inputMode="decimal"
        placeholder="0.00"
        value={form.cap}
        onChange={(e) => setForm((f) => ({ ...f, cap: e.target.value }))}
        required
      />
      <Field
        label={t('bills.day')}
        name="day_of_month"
        inputMode="numeric"
        value={form.day}
        onChange={(e) => setForm((f) => ({ ...f, day: e.target.value }))}
        required
      />
      <button type="submit" disabled={action.running}>
        {t('bills.autopay.submit')}
      </button>
      {done && (
        <p className="success-box" role="status" id="autopay-done">
          {t('bills.autopay.done')}
        </p>
      )}
      <ErrorMessage error={action.error} />
    </form>
  );
}
