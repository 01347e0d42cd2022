// The bottom navigation of the phone layout: home, activity, me. Sub-screens (pay, top up...)
// highlight home, where they are opened from.
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { WalletScreen } from '../router.ts';
import { Icon, type IconName } from '../ui/icons.tsx';
import { Link } from '../ui/link.tsx';

const TABS: readonly { screen: WalletScreen; label: MessageKey; icon: IconName }[] = [
  { screen: 'home', label: 'nav.home', icon: 'home' },
  { screen: 'activity', label: 'nav.activity', icon: 'activity' },
  { screen: 'me', label: 'nav.me', icon: 'me' },
];

function tabOf(screen: WalletScreen): WalletScreen {
  return TABS.some((tab) => tab.screen === screen) ? screen : screen === 'setup' ? 'me' : 'home';
}

export function TabBar({ screen }: { screen: WalletScreen }) {
  const { t } = useI18n();
  const current = tabOf(screen);
  return (
    <nav className="tabbar" aria-label={t('nav.tabs')}>
      {TABS.map((tab) => (
        <Link key={tab.screen} to={tab.screen} aria-current={tab.screen === current ? 'page' : undefined}>
          <Icon name={tab.icon} />
          <span>{t(tab.label)}</span>
        </Link>
      ))}
    </nav>
  );
}
