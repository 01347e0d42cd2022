// The money-market funds on the dashboard: each fund's assets under management, and the income its
// holders were paid for the latest accrued day.
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import type { Dashboard } from '../types.ts';
import { Panel } from '../ui/panel.tsx';

export function FundPanel({ funds }: Pick<Dashboard, 'funds'>) {
  const { t } = useI18n();
  return (
    <Panel title={t('dash.funds')} id="funds">
      {funds.length === 0 ? (
        <p className="muted">{t('dash.funds.none')}</p>
      ) : (
        <div className="tiles">
          {funds.map((f) => (
            <div className="tile" key={`${f.fund_id}-aum`} id={`fund-aum-${f.fund_id}`}>
              <span>{t('dash.fund.aum', { name: f.name })}</span>
              <strong>{formatMoney(f.aum, 'CNY')}</strong>
            </div>
          ))}
          {funds.map((f) => (
            <div className="tile" key={`${f.fund_id}-income`} id={`fund-income-${f.fund_id}`}>
              <span>{f.income_date ? t('dash.fund.income', { name: f.name, date: f.income_date }) : t('dash.fund.noIncome', { name: f.name })}</span>
              <strong>{formatMoney(f.income_paid, 'CNY')}</strong>
              <span className="small muted">{t('dash.fund.holders', { count: f.holders_paid })}</span>
            </div>
          ))}
        </div>
      )}
    </Panel>
  );
}
