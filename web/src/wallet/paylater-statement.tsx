// One pay-later statement: its dates and amounts, repaying it from the wallet (in full, or the
// minimum that keeps it current), and splitting it into 3-12 instalments, the fee and the plan shown
// before committing. Interest-free when paid in full by the due date.
import { useId, useState } from 'react';
import { api, newRequestId } from '../api.ts';
import type { InstalmentQuote, Statement } from '../credit/credit-types.ts';
import { Figures, MonthsSelect } from '../credit/figures.tsx';
import { formatDay, formatMonth } from '../credit/intl.ts';
import { ScheduleTable } from '../credit/schedule-table.tsx';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { useAction } from '../ui/use-action.ts';
import { useSession } from './session-context.ts';

const isZero = (amount: string) => Number(amount) === 0;

export function StatementCard({ statement: s, headingKey, nested = false }: { statement: Statement; headingKey: MessageKey; nested?: boolean }) {
  const { t, lang } = useI18n();
  const headingId = useId();
  const Heading = nested ? 'h3' : 'h2';
  const figures: [MessageKey, string][] = [
    ['paylater.statementDate', formatDay(s.statement_date, lang)],
    ['paylater.dueDate', formatDay(s.due_date, lang)],
    ['paylater.total', formatMoney(s.total, 'CNY')],
    ['paylater.minimum', formatMoney(s.minimum, 'CNY')],
    ['paylater.paid', formatMoney(s.paid, 'CNY')],
    ['paylater.outstanding', formatMoney(s.outstanding, 'CNY')],
  ];
  if (!isZero(s.interest)) figures.push(['paylater.interest', formatMoney(s.interest, 'CNY')]);
  if (!isZero(s.fee)) figures.push(['paylater.fee', formatMoney(s.fee, 'CNY')]);
  const body = (
    <>
      <div className="box-head">
        <Heading id={headingId}>{t(headingKey, { month: formatMonth(s.month, lang) })}</Heading>
        <span className={`status st-${s.status}`} data-testid="statement-status">
          {t(`paylater.status.${s.status}`)}
        </span>
      </div>
      <Figures figures={figures} compact />
      {s.status === 'issued' && (
        <p className="muted small">{t('paylater.interestFree', { amount: formatMoney(s.total, 'CNY'), date: formatDay(s.due_date, lang) })}</p>
      )}
      <Repay statement={s} />
      {s.instalments.length > 0 ? (
        <ScheduleTable caption={t('paylater.plan')} chargeLabel={t('paylater.fee')} rows={planRows(s.instalments)} />
      ) : (
        s.status === 'issued' && <SplitOffer statement={s} />
      )}
    </>
  );
  if (nested) return <div className="stack">{body}</div>;
  return (
    <section className="card-box stack" aria-labelledby={headingId} data-testid="statement" data-month={s.month}>
      {body}
    </section>
  );
}

function planRows(plan: Statement['instalments']) {
  return plan.map((i) => ({ due_date: i.due_date, principal: i.principal, charge: i.fee }));
}

function Repay({ statement: s }: { statement: Statement }) {
  const { t } = useI18n();
  const { token, refresh } = useSession();
  const [done, setDone] = useState<string>();
  const action = useAction(async (amount: string) => {
    setDone(undefined);
    await api(`/v1/paylater/statements/${s.month}/repayments`, { method: 'POST', token, body: { amount, request_id: newRequestId('statement') } });
    setDone(amount);
    refresh();
  });
  const minimum = !isZero(s.minimum_left) && s.minimum_left !== s.outstanding;
  // Mounted while the statement is paid off too, so the confirmation of the last payment stays.
  return (
    <>
      {!isZero(s.outstanding) && (
        <div className="button-row">
          <button type="button" disabled={action.running} onClick={() => void action.run(s.outstanding)} data-testid="pay-full">
            {t('paylater.payFull', { amount: formatMoney(s.outstanding, 'CNY') })}
          </button>
          {minimum && (
            <button type="button" className="secondary" disabled={action.running} onClick={() => void action.run(s.minimum_left)} data-testid="pay-minimum">
              {t('paylater.payMinimum', { amount: formatMoney(s.minimum_left, 'CNY') })}
            </button>
          )}
        </div>
      )}
      {minimum && <p className="muted small">{t('paylater.minimumNote')}</p>}
      <ErrorMessage error={action.error} />
      {done && (
        <p role="status" className="success-box" data-testid="statement-repaid">
          {t('paylater.repaid', { amount: formatMoney(done, 'CNY') })}
        </p>
      )}
    </>
  );
}

function SplitOffer({ statement: s }: { statement: Statement }) {
  const { t } = useI18n();
  const { token, refresh } = useSession();
  const [months, setMonths] = useState<number>(3);
  const [quote, setQuote] = useState<InstalmentQuote>();
  const path = `/v1/paylater/statements/${s.month}/instalments`;
  const ask = useAction(async () => setQuote(await api<InstalmentQuote>(`${path}?months=${months}`, { token })));
  const commit = useAction(async (q: InstalmentQuote) => {
    await api(path, { method: 'POST', token, body: { months: q.months } });
    refresh();
  });
  return (
    <details className="split" data-testid="split-offer">
      <summary>{t('paylater.split')}</summary>
      <div className="stack">
        <MonthsSelect
          label={t('paylater.splitMonths')}
          name="split_months"
          value={months}
          onChange={(m) => {
            setMonths(m);
            setQuote(undefined);
          }}
        />
        <button type="button" className="secondary" disabled={ask.running} onClick={() => void ask.run()}>
          {t('paylater.seeFee')}
        </button>
        <ErrorMessage error={ask.error} />
        {quote && (
          <div className="stack" aria-live="polite" data-testid="split-quote">
            <p>{t('paylater.splitFee', { fee: formatMoney(quote.fee, 'CNY'), months: quote.months })}</p>
            <ScheduleTable caption={t('paylater.plan')} chargeLabel={t('paylater.fee')} rows={planRows(quote.instalments)} />
            <button type="button" className="primary" disabled={commit.running} onClick={() => void commit.run(quote)}>
              {t('paylater.splitCommit', { months: quote.months })}
            </button>
            <ErrorMessage error={commit.error} />
          </div>
        )}
      </div>
    </details>
  );
}
