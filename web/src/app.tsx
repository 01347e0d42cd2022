// The shell: the wallet (every screen but the operator's) or the operator's pages. The operator's
// pages, with the dashboard's charts, are loaded only when opened, so wallet users never download them.
import { lazy, Suspense } from 'react';
import { useI18n } from './i18n/i18n.tsx';
import { isOperatorScreen, useScreen } from './router.ts';
import { WalletApp } from './wallet/wallet-app.tsx';

const OperatorApp = lazy(() => import('./console/operator-app.tsx'));

export function App() {
  const { t } = useI18n();
  const screen = useScreen();
  if (!isOperatorScreen(screen)) return <WalletApp screen={screen} />;
  return (
    <Suspense fallback={<p className="muted">{t('common.loading')}</p>}>
      <OperatorApp screen={screen} />
    </Suspense>
  );
}
