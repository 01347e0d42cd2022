// A merchant's loans: each with its status, what it still owes (principal, interest, penalty, days
// past due), its schedule on demand, and a repayment from the owner's wallet, applied by the server
// in the spec's order (penalty, overdue interest, overdue principal, interest, principal).
import { type FormEvent, useState } from 'react';
import { api, newRequestId } from '../api.ts';
import type { LoanSummary } from '../credit/credit-types.ts';
import { formatCount, formatDay } from '../credit/intl.ts';
import { ScheduleTable } from '../credit/schedule-table.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { Panel } from '../ui/panel.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';

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
      <dl className="figures">
        {figures.map(([key, value]) => (
          <div key={key}>
            <dt>{t(key)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <details>
        <summary>{t('credit.schedule')}</summary>
        <ScheduleTable caption={t('credit.schedule')} chargeLabel={t('credit.interest')} rows={rows} />
      </details>
      {LIVE.has(loan.status) && <RepayForm token={token} loan={loan} onRepaid={onRepaid} />}
    </li>
  );
}

/** The order the server applies a repayment in (spec/credit.md). */
const REPAYMENT_ORDER = ['penalty_interest', 'overdue_interest', 'overdue_principal', 'interest', 'principal'] as const;

interface Repaid {
  applied: Record<(typeof REPAYMENT_ORDER)[number], string>;
  outstanding_principal: string;
}

function RepayForm({ token, loan, onRepaid }: { token: string; loan: LoanSummary; onRepaid: () => void }) {
  const { t } = useI18n();
  const [amount, setAmount] = useState('');
  const [repaid, setRepaid] = useState<Repaid>();
  const action = useAction(async () => {
    const body = { amount: amount.trim(), request_id: newRequestId('repay') };
    setRepaid(await api<Repaid>(`/v1/credit/loans/${encodeURIComponent(loan.loan_id)}/repayments`, { method: 'POST', token, body }));
    setAmount('');
    onRepaid();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setRepaid(undefined);
    void action.run();
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
          onChange={(e) => setAmount(e.target.value)}
          required
        />
        <button type="button" className="ghost" onClick={() => setAmount(loan.owed)}>
          {t('credit.repayAll', { amount: formatMoney(loan.owed, 'CNY') })}
        </button>
        <button type="submit" disabled={action.running}>
          {t('credit.repay')}
        </button>
      </form>
      <ErrorMessage error={action.error} />
      {repaid && (
        <div role="status" className="success-box" data-testid="loan-repaid">
          <p>{t('credit.repaid', { outstanding: formatMoney(repaid.outstanding_principal, 'CNY') })}</p>
          <dl className="figures">
            {REPAYMENT_ORDER.filter((part) => Number(repaid.applied[part]) !== 0).map((part) => (
              <div key={part}>
                <dt>{t(`credit.applied.${part}`)}</dt>
                <dd>{formatMoney(repaid.applied[part], 'CNY')}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </>
  );
}
