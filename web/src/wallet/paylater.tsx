// Pay later (/app/paylater): the line with what is used and what is left, the purchases waiting for
// next month's statement, the current statement with its repayments (in full or the minimum) and its
// split into instalments, and the past statements.
import { api } from '../api.ts';
import type { PayLaterLine, Statement } from '../credit/credit-types.ts';
import '../credit/credit.css';
import { formatDay, formatMonth } from '../credit/intl.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { ScreenTitle } from '../ui/screen-title.tsx';
import { useLoad } from '../use-load.ts';
import { StatementCard } from './paylater-statement.tsx';
import { useSession } from './session-context.ts';

export function PayLaterScreen() {
  const { t, lang } = useI18n();
  const { token, version } = useSession();
  const line = useLoad(`paylater#${version}`, () => api<PayLaterLine>('/v1/paylater', { token }));
  const list = useLoad(`paylater-statements#${version}`, () => api<{ used: string; statements: Statement[] }>('/v1/paylater/statements', { token }));
  const statements = list.data?.statements ?? [];
  const coming = statements.find((s) => s.status === 'pending');
  const [current, ...past] = statements.filter((s) => s.status !== 'pending');
  return (
    <div className="stack" id="paylater">
      <ScreenTitle title={t('paylater.title')} back />
      <ErrorMessage error={line.error ?? list.error} />
      {line.data && list.data && <LineCard line={line.data} used={list.data.used} />}
      {coming && <ComingStatement statement={coming} />}
      {current ? (
        <StatementCard key={current.month} statement={current} headingKey="paylater.current" />
      ) : (
        list.data && <p className="card-box muted">{t('paylater.noStatements')}</p>
      )}
      {past.length > 0 && (
        <section className="card-box" aria-labelledby="paylater-past">
          <h2 id="paylater-past">{t('paylater.past')}</h2>
          {past.map((s) => (
            <details key={s.month} data-month={s.month}>
              <summary>
                {formatMonth(s.month, lang)} · {formatMoney(s.total, 'CNY')} · {t(`paylater.status.${s.status}`)}
              </summary>
              <StatementCard statement={s} headingKey="paylater.statementOf" nested />
            </details>
          ))}
        </section>
      )}
    </div>
  );
}

function LineCard({ line, used }: { line: PayLaterLine; used: string }) {
  const { t } = useI18n();
  return (
    <section className="card-box" aria-labelledby="paylater-line" data-testid="paylater-line">
      <div className="box-head">
        <h2 id="paylater-line">{t('paylater.available')}</h2>
        <span className={`tag${line.status === 'active' ? ' ok' : ''}`}>{t(`paylater.line.${line.status}`)}</span>
      </div>
      <p className="big-figure">{formatMoney(line.available, 'CNY')}</p>
      <dl className="figures compact">
        <div>
          <dt>{t('paylater.limit')}</dt>
          <dd>{formatMoney(line.limit, 'CNY')}</dd>
        </div>
        <div>
          <dt>{t('paylater.used')}</dt>
          <dd>{formatMoney(used, 'CNY')}</dd>
        </div>
      </dl>
      {line.status === 'suspended' && <p className="notice">{t('paylater.suspended')}</p>}
    </section>
  );
}

function ComingStatement({ statement }: { statement: Statement }) {
  const { t, lang } = useI18n();
  return (
    <section className="card-box" aria-labelledby="paylater-coming" data-testid="paylater-coming">
      <h2 id="paylater-coming">{t('paylater.coming')}</h2>
      <p>
        {t('paylater.comingBody', {
          amount: formatMoney(statement.total, 'CNY'),
          date: formatDay(statement.statement_date, lang),
          due: formatDay(statement.due_date, lang),
        })}
      </p>
    </section>
  );
}
