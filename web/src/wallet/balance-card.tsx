// The balance in large type, with a button that hides it (remembered on this device) for people
// who open their wallet where others can see the screen.
import { useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import { Icon } from '../ui/icons.tsx';
import { useSession } from './session-context.ts';

const HIDDEN_KEY = 'formica.balanceHidden';
const MASK = '••••••';

export function BalanceCard() {
  const { t } = useI18n();
  const { wallet } = useSession();
  const [hidden, setHidden] = useState(() => localStorage.getItem(HIDDEN_KEY) === '1');
  const toggle = () => {
    localStorage.setItem(HIDDEN_KEY, hidden ? '0' : '1');
    setHidden(!hidden);
  };
  const money = (amount: string) => (hidden ? MASK : wallet ? formatMoney(amount, wallet.currency) : '…');
  return (
    <section className="balance-card" aria-labelledby="balance-title">
      <div className="balance-head">
        <h2 id="balance-title">{t('wallet.balance')}</h2>
        <button
          type="button"
          className="icon-button"
          aria-pressed={hidden}
          aria-label={hidden ? t('home.show') : t('home.hide')}
          onClick={toggle}
          id="toggle-balance"
        >
          <Icon name={hidden ? 'eyeOff' : 'eye'} />
        </button>
      </div>
      <p className="balance" data-testid="balance">
        {money(wallet?.balance ?? '0')}
      </p>
      <p className="balance-sub">
        {t('wallet.available')} {money(wallet?.available ?? '0')}
      </p>
    </section>
  );
}
