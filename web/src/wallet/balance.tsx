// The balance, what is available, and every limit used and left (GET /v1/wallet).
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import type { Wallet } from '../types.ts';
import { Panel } from '../ui/panel.tsx';

export function Balance({ wallet }: { wallet: Wallet }) {
  const { t } = useI18n();
  const money = (amount: string) => formatMoney(amount, wallet.currency);
  return (
    <Panel title={t('wallet.balance')} id="balance">
      <p className="balance" data-testid="balance">
        {money(wallet.balance)}
      </p>
      <dl className="figures">
        <div>
          <dt>{t('wallet.available')}</dt>
          <dd>{money(wallet.available)}</dd>
        </div>
        <div>
          <dt>{t('wallet.incoming')}</dt>
          <dd>{money(wallet.incoming_pending)}</dd>
        </div>
        <div>
          <dt>{t('wallet.level', { level: wallet.level })}</dt>
          <dd />
        </div>
      </dl>
      <Limits wallet={wallet} />
    </Panel>
  );
}

function Limits({ wallet }: { wallet: Wallet }) {
  const { t, tOr } = useI18n();
  if (wallet.limits.length === 0) return null;
  const money = (amount: string) => formatMoney(amount, wallet.currency);
  return (
    <table className="table" id="limits">
      <caption>{t('wallet.limits')}</caption>
      <thead>
        <tr>
          <th>{t('wallet.limit.name')}</th>
          <th>{t('wallet.limit.period')}</th>
          <th className="num">{t('wallet.limit.limit')}</th>
          <th className="num">{t('wallet.limit.used')}</th>
          <th className="num">{t('wallet.limit.left')}</th>
        </tr>
      </thead>
      <tbody>
        {wallet.limits.map((l) => (
          <tr key={l.name}>
            <td>{tOr(`limit.${l.name}`, l.name)}</td>
            <td>{tOr(`period.${l.period}`, l.period)}</td>
            <td className="num">{money(l.limit)}</td>
            <td className="num">{money(l.used)}</td>
            <td className="num">{money(l.left)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
