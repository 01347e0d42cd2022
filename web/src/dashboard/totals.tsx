// Headline figures per currency: wallet balances, reserves, open suspense, and whether they reconcile.
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import type { Dashboard } from '../types.ts';
import { Panel } from '../ui/panel.tsx';

export function Totals({ totals }: { totals: Dashboard['totals'] }) {
  const { t } = useI18n();
  return (
    <>
      {totals.map((row) => {
        const money = (amount: string) => formatMoney(amount, row.currency);
        const figures = [
          ['dash.wallets', row.wallets],
          ['dash.held', row.wallets_held],
          ['dash.reserves', row.reserves],
          ['dash.suspense', row.open_suspense],
        ] as const;
        return (
          <Panel key={row.currency} title={t('dash.totals', { currency: row.currency })} id={`totals-${row.currency}`}>
            <div className="tiles">
              {figures.map(([key, amount]) => (
                <div className="tile" key={key}>
                  <span>{t(key)}</span>
                  <strong>{money(amount)}</strong>
                </div>
              ))}
              <div className={`tile ${row.balanced ? 'ok' : 'bad'}`}>
                <span>{row.balanced ? t('dash.balanced') : t('dash.unbalanced', { difference: money(row.difference) })}</span>
                <strong>{row.balanced ? '✓' : '✗'}</strong>
              </div>
            </div>
          </Panel>
        );
      })}
    </>
  );
}
