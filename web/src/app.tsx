// The shell: the header (sections and the language switch) and the page of the current route.
import { ConsolePage } from './console/console-page.tsx';
import type { MessageKey } from './i18n/en.ts';
import { LANGS, useI18n } from './i18n/i18n.tsx';
import { hrefOf, ROUTES, type Route, useRoute } from './router.ts';
import { WalletPage } from './wallet/wallet-page.tsx';

const ROUTE_TITLES: Record<Route, MessageKey> = { wallet: 'nav.wallet', merchants: 'nav.merchants', dashboard: 'nav.dashboard' };
const LANG_NAMES = { zh: '中文', en: 'English' } as const;

export function App() {
  const { t } = useI18n();
  const [route, go] = useRoute();
  return (
    <>
      <header className="top">
        <span className="brand">{t('app.title')}</span>
        <nav>
          {ROUTES.map((r) => (
            <a
              key={r}
              href={hrefOf(r)}
              aria-current={r === route ? 'page' : undefined}
              onClick={(event) => {
                event.preventDefault();
                go(r);
              }}
            >
              {t(ROUTE_TITLES[r])}
            </a>
          ))}
        </nav>
        <LanguageSwitch />
      </header>
      <main>
        <h1>{t(ROUTE_TITLES[route])}</h1>
        {route === 'wallet' && <WalletPage />}
        {route === 'merchants' && <ConsolePage view="merchants" />}
        {route === 'dashboard' && <ConsolePage view="dashboard" />}
      </main>
    </>
  );
}

function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <fieldset className="langs">
      <legend className="sr-only">{t('lang.label')}</legend>
      {LANGS.map((l) => (
        <button key={l} type="button" className="ghost" data-lang={l} aria-pressed={l === lang} onClick={() => setLang(l)}>
          {LANG_NAMES[l]}
        </button>
      ))}
    </fieldset>
  );
}
