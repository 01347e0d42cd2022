// Applying for a loan on a merchant's line: the product (short, or instalments repaid by equal
// principal or as an annuity), the term and the amount; the schedule and the interest are quoted
// first, and only the quoted loan can be taken. Any change to the terms asks for a new quote.
import { type FormEvent, useState } from 'react';
import { api, newRequestId } from '../api.ts';
import type { Instalment, Quote } from '../credit/credit-types.ts';
import { Figures, MonthsSelect } from '../credit/figures.tsx';
import { formatDay } from '../credit/intl.ts';
import { ScheduleTable } from '../credit/schedule-table.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { Panel } from '../ui/panel.tsx';
import { useAction } from '../ui/use-action.ts';

interface Terms {
  product: 'short' | 'instalment';
  amount: string;
  days: string;
  months: string;
  repayment: 'equal_principal' | 'annuity';
  /** The whole percent of each day's settlements that repays the loan ('' or 0: none). */
  salesShare: string;
}

/** The terms as the API takes them: a short loan has days, an instalment loan months and a method. */
function termsQuery(terms: Terms): Record<string, string> {
  const base = { product: terms.product, amount: terms.amount.trim() };
  return terms.product === 'short' ? { ...base, days: terms.days } : { ...base, months: terms.months, repayment: terms.repayment };
}

interface Quoted {
  readonly terms: Terms;
  readonly quote: Quote;
  /** One request id per quote: pressing "borrow" twice takes the loan once. */
  readonly requestId: string;
}

export function LoanApply({ token, merchantId, available, onBorrowed }: { token: string; merchantId: string; available: string; onBorrowed: () => void }) {
  const { t, lang } = useI18n();
  const [terms, setTerms] = useState<Terms>({ product: 'short', amount: '', days: '30', months: '3', repayment: 'equal_principal', salesShare: '' });
  const [quoted, setQuoted] = useState<Quoted>();
  const [borrowed, setBorrowed] = useState<{ amount: string; schedule: Instalment[] }>();
  const change = (patch: Partial<Terms>) => {
    setTerms((current) => ({ ...current, ...patch }));
    setQuoted(undefined);
    setBorrowed(undefined);
  };
  const quote = useAction(async () => {
    const query = new URLSearchParams(termsQuery(terms)).toString();
    setQuoted({ terms, quote: await api<Quote>(`/v1/credit/quote?${query}`, { token }), requestId: newRequestId('loan') });
  });
  const borrow = useAction(async (q: Quoted) => {
    const query = termsQuery(q.terms);
    const body = {
      ...query,
      days: query.days ? Number(query.days) : undefined,
      months: query.months ? Number(query.months) : undefined,
      sales_share_percent: q.terms.salesShare.trim() ? Number(q.terms.salesShare) : undefined,
      merchant_id: merchantId,
      currency: 'CNY',
      request_id: q.requestId,
    };
    const loan = await api<{ schedule: Instalment[] }>('/v1/credit/loans', { method: 'POST', token, body });
    setBorrowed({ amount: query.amount, schedule: loan.schedule });
    setQuoted(undefined);
    onBorrowed();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBorrowed(undefined);
    void quote.run();
  };
  return (
    <Panel title={t('credit.apply')}>
      <form className="form" onSubmit={submit} data-testid="loan-terms">
        <fieldset className="choices wide">
          <legend>{t('credit.product')}</legend>
          {(['short', 'instalment'] as const).map((p) => (
            <label key={p}>
              <input type="radio" name="product" value={p} checked={terms.product === p} onChange={() => change({ product: p })} />
              <span>{t(`credit.product.${p}`)}</span>
            </label>
          ))}
        </fieldset>
        {terms.product === 'short' ? (
          <Field
            label={t('credit.days')}
            name="days"
            type="number"
            inputMode="numeric"
            min={5}
            max={45}
            value={terms.days}
            onChange={(e) => change({ days: e.target.value })}
            required
          />
        ) : (
          <>
            <MonthsSelect label={t('credit.months')} name="months" value={Number(terms.months)} onChange={(m) => change({ months: String(m) })} />
            <label className="field">
              <span>{t('credit.repayment')}</span>
              <select name="repayment" value={terms.repayment} onChange={(e) => change({ repayment: e.target.value as Terms['repayment'] })}>
                <option value="equal_principal">{t('credit.repayment.equal_principal')}</option>
                <option value="annuity">{t('credit.repayment.annuity')}</option>
              </select>
            </label>
          </>
        )}
        <Field
          label={t('credit.amount')}
          hint={t('credit.upTo', { amount: formatMoney(available, 'CNY') })}
          name="loan_amount"
          inputMode="decimal"
          value={terms.amount}
          onChange={(e) => change({ amount: e.target.value })}
          required
        />
        <Field
          label={t('credit.salesShare')}
          hint={t('credit.salesShareHint')}
          name="sales_share"
          type="number"
          inputMode="numeric"
          min={0}
          max={100}
          value={terms.salesShare}
          onChange={(e) => change({ salesShare: e.target.value })}
        />
        <button type="submit" disabled={quote.running}>
          {t('credit.seeCost')}
        </button>
      </form>
      <ErrorMessage error={quote.error} />
      {quoted && <QuoteView quoted={quoted} running={borrow.running} onBorrow={() => void borrow.run(quoted)} />}
      <ErrorMessage error={borrow.error} />
      {borrowed && (
        <p role="status" className="success-box" data-testid="loan-borrowed">
          {t('credit.borrowed', { amount: formatMoney(borrowed.amount, 'CNY'), date: formatDay(borrowed.schedule.at(-1)?.due_date ?? '', lang) })}
        </p>
      )}
    </Panel>
  );
}

function QuoteView({ quoted, running, onBorrow }: { quoted: Quoted; running: boolean; onBorrow: () => void }) {
  const { t } = useI18n();
  const rows = quoted.quote.schedule.map((i) => ({ due_date: i.due_date, principal: i.principal, charge: i.interest }));
  return (
    <section className="quote" aria-live="polite" data-testid="loan-quote">
      <h3 className="subhead">{t('credit.quote')}</h3>
      <Figures
        figures={[
          ['credit.amount', formatMoney(quoted.terms.amount.trim(), 'CNY')],
          ['credit.totalInterest', formatMoney(quoted.quote.total_interest, 'CNY')],
        ]}
        testId="loan-figures"
      />
      <ScheduleTable caption={t('credit.schedule')} chargeLabel={t('credit.interest')} rows={rows} />
      <p className="muted small">{t('credit.consent')}</p>
      {Number(quoted.terms.salesShare) > 0 && <p className="muted small">{t('credit.salesShareConsent', { percent: Number(quoted.terms.salesShare) })}</p>}
      <button type="button" className="primary" disabled={running} onClick={onBorrow}>
        {t('credit.borrow', { amount: formatMoney(quoted.terms.amount.trim(), 'CNY') })}
      </button>
    </section>
  );
}
