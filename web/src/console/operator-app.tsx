// The operator's pages (merchant console, dashboard) in a desktop layout: their own header and
// navigation. Loaded on demand (app.tsx), hence the default export React.lazy expects.
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { OPERATOR_SCREENS, type OperatorScreen } from '../router.ts';
import { LanguageSwitch } from '../ui/language-switch.tsx';
import { Link } from '../ui/link.tsx';
import { ConsolePage } from './console-page.tsx';

const TITLES: Record<OperatorScreen, MessageKey> = { merchants: 'nav.merchants', dashboard: 'nav.dashboard', shop: 'nav.shop', loans: 'nav.loans' };

export default function OperatorApp({ screen }: { screen: OperatorScreen }) {
  const { t } = useI18n();
  return (
    <div className="operator">
      <a className="skip" href="#main">
        {t('skip.main')}
      </a>
      <header className="top">
        <span className="brand">{t('app.title')}</span>
        <nav aria-label={t('nav.operator')}>
          <Link to="home">{t('nav.wallet')}</Link>
          {OPERATOR_SCREENS.map((s) => (
            <Link key={s} to={s} aria-current={s === screen ? 'page' : undefined}>
              {t(TITLES[s])}
            </Link>
          ))}
        </nav>
        <LanguageSwitch />
      </header>
      <main id="main">
        <h1>{t(TITLES[screen])}</h1>
        <ConsolePage view={screen} />
      </main>
    </div>
  );
}
