// A repayment schedule as a table: one row per due date with its principal and its charge (a loan's
// interest, or an instalment plan's fee). Scrolls inside its box on a narrow screen.
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import { formatDay } from './intl.ts';

export interface ScheduleRow {
  readonly due_date: string;
  readonly principal: string;
  readonly charge: string;
}

export function ScheduleTable({ caption, chargeLabel, rows, id }: { caption: string; chargeLabel: string; rows: readonly ScheduleRow[]; id?: string }) {
  const { t, lang } = useI18n();
  return (
    <div className="table-scroll">
      <table className="table" id={id}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('credit.dueDate')}</th>
            <th scope="col" className="num">
              {t('credit.principal')}
            </th>
            <th scope="col" className="num">
              {chargeLabel}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.due_date}>
              <td>{formatDay(row.due_date, lang)}</td>
              <td className="num">{formatMoney(row.principal, 'CNY')}</td>
              <td className="num">{formatMoney(row.charge, 'CNY')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
