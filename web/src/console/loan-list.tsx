// A merchant's loans: each with its status, what it still owes (principal, interest, penalty, days
// past due), its schedule on demand, its sales-share consent (loan-sales-share.tsx), and a repayment from the owner's wallet, quoted part by part
// before it is made and applied in the spec's order (penalty, overdue interest, overdue principal,
// interest, principal), any early-repayment fee on top.
import { type FormEvent, useState } from 'react';
import { api, newRequestId } from '../api.ts';
import type { LoanSummary } from '../credit/credit-types.ts';
import { Figures } from '../credit/figures.tsx';
import { formatCount, formatDay } from '../credit/intl.ts';
import { ScheduleTable } from '../credit/schedule-table.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { Panel } from '../ui/panel.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';
import { SalesShareControl } from './loan-sales-share.tsx';

const LIVE = new Set(['active', 'overdue']);

export function LoanList({ token, merchantId, version, onRepaid }: { token: string; merchantId: string; version: number; onRepaid: () => void }) {
  const { t } = useI18n();
  const path = `/v1/credit/loans?merchant_id=${encodeURIComponent(merchantId)}`;
  const loans = useLoad(`${path}#${version}`, () => api<{ loans: LoanSummary[] }>(path, { token }));
  const list = loans.data?.loans ?? [];
  return (
    <Panel title={t('credit.loans')}>
      <ErrorMessage error={loans.error} />
      {list.length === 0 && !loans.loading && <p className="muted">{t('credit.noLoans')}</p>}
      <ul className="items">
        {list.map((loan) => (
          <LoanItem key={loan.loan_id} token={token} loan={loan} onRepaid={onRepaid} />
        ))}
      </ul>
    </Panel>
  );
}

function LoanItem({ token, loan, onRepaid }: { token: string; loan: LoanSummary; onRepaid: () => void }) {
  const { t, lang } = useI18n();
  // Kept here, not in the form: the last repayment closes the loan and the form goes with it.
  const [repaid, setRepaid] = useState<Repaid>();
  const rows = loan.schedule.map((i) => ({ due_date: i.due_date, principal: i.principal, charge: i.interest }));
  const figures = [
    ['credit.outstanding', formatMoney(loan.outstanding_principal, 'CNY')],
    ['credit.interest', formatMoney(loan.accrued_interest, 'CNY')],
    ['credit.penalty', formatMoney(loan.penalty_interest, 'CNY')],
    ['credit.owed', formatMoney(loan.owed, 'CNY')],
    ['credit.daysPastDue', formatCount(loan.days_past_due, lang)],
  ] as const;
  return (
    <li className="loan" data-loan={loan.loan_id}>
      <p className="loan-head">
        <strong>
          {t(`credit.product.${loan.product}.short`)} · {formatMoney(loan.principal, 'CNY')}
        </strong>
        <span className={`status loan-${loan.status}`} data-testid="loan-status">
          {t(`credit.status.${loan.status}`)}
        </span>
        <span className="muted small">{t('credit.since', { date: formatDay(loan.start_date, lang) })}</span>
      </p>
      <Figures figures={figures} />
      <details>
        <summary>{t('credit.schedule')}</summary>
        <ScheduleTable caption={t('credit.schedule')} chargeLabel={t('credit.interest')} rows={rows} />
      </details>
      {LIVE.has(loan.status) && <SalesShareControl token={token} loan={loan} onChanged={onRepaid} />}
      {LIVE.has(loan.status) && (
        <RepayForm
          token={token}
          loan={loan}
          onStart={() => setRepaid(undefined)}
          onRepaid={(result) => {
            setRepaid(result);
            onRepaid();
          }}
        />
      )}
      {repaid && (
        <div role="status" className="success-box" data-testid="loan-repaid">
          <p>{t('credit.repaid', { outstanding: formatMoney(repaid.outstanding_principal, 'CNY') })}</p>
          <AppliedParts applied={repaid.applied} />
        </div>
      )}
    </li>
  );
}

/** The order the server applies a repayment in (spec/credit.md). */
const REPAYMENT_ORDER = ['penalty_interest', 'overdue_interest', 'overdue_principal', 'interest', 'principal'] as const;
type Applied = Record<(typeof REPAYMENT_ORDER)[number], string>;

interface RepaymentQuote {
  applied: Applied;
  early_repayment_fee: string;
  total: string;
}

interface Repaid {
  applied: Applied;
  outstanding_principal: string;
}

interface Quoted {
  readonly amount: string;
  readonly quote: RepaymentQuote;
  /** One request id per quote: pressing "repay" twice repays once. */
  readonly requestId: string;
}

/** A repayment quoted part by part (with the early-repayment fee on top) before it is made. */
function RepayForm({ token, loan, onStart, onRepaid }: { token: string; loan: LoanSummary; onStart: () => void; onRepaid: (result: Repaid) => void }) {
  const { t } = useI18n();
  const base = `/v1/credit/loans/${encodeURIComponent(loan.loan_id)}`;
  const [amount, setAmount] = useState('');
  const [quoted, setQuoted] = useState<Quoted>();
  const enter = (next: string) => {
    setAmount(next);
    setQuoted(undefined);
  };
  const ask = useAction(async () => {
    const wanted = amount.trim();
    const quote = await api<RepaymentQuote>(`${base}/repayment-quote?amount=${encodeURIComponent(wanted)}`, { token });
    setQuoted({ amount: wanted, quote, requestId: newRequestId('repay') });
  });
  const pay = useAction(async (q: Quoted) => {
    const result = await api<Repaid>(`${base}/repayments`, { method: 'POST', token, body: { amount: q.amount, request_id: q.requestId } });
    setQuoted(undefined);
    setAmount('');
    onRepaid(result);
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onStart();
    void ask.run();
  };
  return (
    <>
      <form className="form" onSubmit={submit}>
        <Field
          label={t('credit.repayAmount')}
          hint={t('credit.repayHint')}
          name="repay_amount"
          inputMode="decimal"
          value={amount}
          onChange={(e) => enter(e.target.value)}
          required
        />
        <button type="button" className="ghost" onClick={() => enter(loan.owed)}>
          {t('credit.repayAll', { amount: formatMoney(loan.owed, 'CNY') })}
        </button>
        <button type="submit" className="secondary" disabled={ask.running}>
          {t('credit.repayQuote')}
        </button>
      </form>
      <ErrorMessage error={ask.error} />
      {quoted && (
        <div className="quote" aria-live="polite" data-testid="repay-quote">
          <AppliedParts applied={quoted.quote.applied} />
          <Figures
            figures={[
              ['credit.earlyFee', formatMoney(quoted.quote.early_repayment_fee, 'CNY')],
              ['credit.repayTotal', formatMoney(quoted.quote.total, 'CNY')],
            ]}
          />
          <button type="button" disabled={pay.running} onClick={() => void pay.run(quoted)}>
            {t('credit.repay', { amount: formatMoney(quoted.quote.total, 'CNY') })}
          </button>
        </div>
      )}
      <ErrorMessage error={pay.error} />
    </>
  );
}

/** The parts a repayment pays, in the order it pays them; parts it leaves untouched are not listed. */
function AppliedParts({ applied }: { applied: Applied }) {
  const { t } = useI18n();
  return (
    <dl className="figures">
      {REPAYMENT_ORDER.filter((part) => Number(applied[part]) !== 0).map((part) => (
        <div key={part}>
          <dt>{t(`credit.applied.${part}`)}</dt>
          <dd>{formatMoney(applied[part], 'CNY')}</dd>
        </div>
      ))}
    </dl>
  );
}
