// Today's life services on the dashboard: bill collections per biller, and the return-shipping
// insurance's premiums, claims and loss ratio.
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import type { Dashboard } from '../types.ts';
import { Panel } from '../ui/panel.tsx';

export function LifeServicesPanel({ bills, insurance }: Pick<Dashboard, 'bills' | 'insurance'>) {
  const { t, lang } = useI18n();
  return (
    <Panel title={t('dash.life', { date: bills.date })} id="life-services">
      <div className="tiles">
        <div className="tile">
          <span>{t('dash.premiums')}</span>
          <strong>{formatMoney(insurance.premiums, 'CNY')}</strong>
        </div>
        <div className="tile">
          <span>{t('dash.claims')}</span>
          <strong>{formatMoney(insurance.claims, 'CNY')}</strong>
        </div>
        <div className="tile">
          <span>{t('dash.lossRatio')}</span>
          <strong id="loss-ratio">{insurance.loss_ratio === null ? '–' : `${(Number(insurance.loss_ratio) * 100).toFixed(1)}%`}</strong>
        </div>
      </div>
      {bills.billers.length === 0 ? (
        <p className="muted">{t('dash.bills.none')}</p>
      ) : (
        <div className="table-scroll">
          <table className="table" id="bill-collections">
            <caption className="sr-only">{t('dash.bills')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('bills.biller')}</th>
                <th scope="col">{t('dash.bills.payments')}</th>
                <th scope="col">{t('dash.bills.collections')}</th>
              </tr>
            </thead>
            <tbody>
              {bills.billers.map((b) => (
                <tr key={b.charge_inst}>
                  <td>{lang === 'zh' ? b.name : b.name_en}</td>
                  <td>{b.payments}</td>
                  <td className="amount">{formatMoney(b.collections, 'CNY')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
