// The wallet's home: the balance (which can be hidden), the main actions as large buttons, a prompt
// to finish setting up, and the latest activity.
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { WalletScreen } from '../router.ts';
import { Icon, type IconName } from '../ui/icons.tsx';
import { Link } from '../ui/link.tsx';
import { ActivityList } from './activity.tsx';
import { BalanceCard } from './balance-card.tsx';
import { useSession } from './session-context.ts';
import { setupComplete } from './setup.tsx';

/** The main actions. A module that lands with a screen (fund, red packets, bills, credit) adds its entry. */
const ACTIONS: readonly { screen: WalletScreen; label: MessageKey; icon: IconName }[] = [
  { screen: 'scan', label: 'action.scan', icon: 'scan' },
  { screen: 'paycode', label: 'action.paycode', icon: 'paycode' },
  { screen: 'pay', label: 'action.pay', icon: 'pay' },
  { screen: 'topup', label: 'action.topup', icon: 'topup' },
  { screen: 'withdraw', label: 'action.withdraw', icon: 'withdraw' },
  { screen: 'fund', label: 'action.fund', icon: 'fund' },
  { screen: 'redpackets', label: 'action.redpackets', icon: 'redpacket' },
  { screen: 'campaign', label: 'action.campaign', icon: 'redpacket' },
  { screen: 'bills', label: 'action.bills', icon: 'bill' },
  { screen: 'paylater', label: 'action.paylater', icon: 'card' },
];

export function Home() {
  const { t } = useI18n();
  const { profile } = useSession();
  return (
    <div className="stack">
      <h1 className="sr-only">{t('nav.wallet')}</h1>
      <BalanceCard />
      <nav className="actions" aria-label={t('home.actions')}>
        {ACTIONS.map((a) => (
          <Link key={a.screen} to={a.screen} className="action" id={`action-${a.screen}`}>
            <span className="action-icon">
              <Icon name={a.icon} size={28} />
            </span>
            <span className="action-label">{t(a.label)}</span>
          </Link>
        ))}
      </nav>
      {profile && !setupComplete(profile) && <SetupPrompt />}
      <section className="card-box" aria-labelledby="recent-title">
        <div className="box-head">
          <h2 id="recent-title">{t('home.recent')}</h2>
          <Link to="activity">{t('home.all')}</Link>
        </div>
        <ActivityList pageSize={5} paged={false} />
      </section>
    </div>
  );
}

function SetupPrompt() {
  const { t } = useI18n();
  return (
    <section className="card-box prompt" aria-labelledby="setup-prompt">
      <Icon name="shield" size={28} />
      <div>
        <h2 id="setup-prompt">{t('home.setup')}</h2>
        <p className="muted">{t('home.setup.body')}</p>
        <Link to="setup" className="button">
          {t('home.setup.go')}
        </Link>
      </div>
    </section>
  );
}
