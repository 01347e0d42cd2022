// Life services: find the biller (by city and kind), look the bill up by its account number, pay
// it from the balance, follow the biller's confirmation and download the receipt; or let the
// account be paid each month up to a cap. One request_id per payment: a retry cannot pay twice.
import { type FormEvent, useCallback, useState } from 'react';
import { api } from '../api.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { ScreenTitle } from '../ui/screen-title.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';
import { BillPayment } from './bill-payment.tsx';
import { useSession } from './session-context.ts';

const KINDS = ['electricity', 'water', 'gas', 'telecom', 'property', 'phone_topup'] as const;
const CITIES = [
  { value: 'Hangzhou', label: 'bills.city.hangzhou' },
  { value: 'Shanghai', label: 'bills.city.shanghai' },
  { value: 'Beijing', label: 'bills.city.beijing' },
] as const satisfies readonly { value: string; label: MessageKey }[];

interface Biller {
  charge_inst: string;
  name: string;
  name_en: string;
}

export interface Bill {
  charge_inst: string;
  bill_key: string;
  holder_masked: string;
  amount_due: string;
  due_date: string;
}

export function LifeServices() {
  const { t, lang } = useI18n();
  const { token } = useSession();
  const [city, setCity] = useState<string>(CITIES[0].value);
  const [kind, setKind] = useState<string>(KINDS[0]);
  const [chosen, setChosen] = useState('');
  const [billKey, setBillKey] = useState('');
  const [bill, setBill] = useState<Bill>();
  const billers = useLoad(`billers#${city}#${kind}`, () => api<{ billers: Biller[] }>(`/v1/billers?city=${encodeURIComponent(city)}&kind=${kind}`, { token }));
  const chargeInst = chosen || billers.data?.billers[0]?.charge_inst || '';
  const lookUp = useCallback(async () => {
    setBill(undefined);
    setBill(await api<Bill>(`/v1/bills?charge_inst=${chargeInst}&bill_key=${encodeURIComponent(billKey.trim())}`, { token }));
  }, [chargeInst, billKey, token]);
  const action = useAction(lookUp);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  return (
    <div className="stack" id="bills">
      <ScreenTitle title={t('bills.title')} back />
      <form className="card-box form-stack" onSubmit={submit}>
        <label className="field">
          <span>{t('bills.city')}</span>
          <select name="city" value={city} onChange={(e) => setCity(e.target.value)}>
            {CITIES.map((c) => (
              <option key={c.value} value={c.value}>
                {t(c.label)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('bills.kind')}</span>
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`bills.kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('bills.biller')}</span>
          <select name="charge_inst" value={chargeInst} onChange={(e) => setChosen(e.target.value)}>
            {(billers.data?.billers ?? []).map((b) => (
              <option key={b.charge_inst} value={b.charge_inst}>
                {lang === 'zh' ? b.name : b.name_en}
              </option>
            ))}
          </select>
        </label>
        <Field
          label={t('bills.key')}
          name="bill_key"
          inputMode="numeric"
          autoComplete="off"
          value={billKey}
          onChange={(e) => setBillKey(e.target.value)}
          required
        />
        <button type="submit" className="primary" disabled={action.running || !chargeInst}>
          {t('bills.lookup')}
        </button>
        <ErrorMessage error={action.error ?? billers.error} />
      </form>
      {bill && <BillPayment key={`${bill.charge_inst}/${bill.bill_key}`} bill={bill} />}
    </div>
  );
}
