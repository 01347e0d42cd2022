// The operator's pages (merchant console, dashboard) behind one operator-token form. The dashboard
// and its charts (uPlot) are a chunk of their own, fetched only when the dashboard is opened. A
// shop's own people use their wallet session instead (shop-page.tsx).
import { lazy, Suspense } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { LoansPage } from './loans-page.tsx';
import { MerchantsPage } from './merchants-page.tsx';
import { OperatorGate } from './operator-gate.tsx';
import { ShopPage } from './shop-page.tsx';

const DashboardPage = lazy(() => import('../dashboard/dashboard-page.tsx').then((m) => ({ default: m.DashboardPage })));

export function ConsolePage({ view }: { view: 'merchants' | 'dashboard' | 'shop' | 'loans' }) {
  const { t } = useI18n();
  if (view === 'shop') return <ShopPage />;
  if (view === 'loans') return <LoansPage />;
  return (
    <OperatorGate>
      {(operator) =>
        view === 'merchants' ? (
          <MerchantsPage operator={operator} />
        ) : (
          <Suspense fallback={<p className="muted">{t('common.loading')}</p>}>
            <DashboardPage operator={operator} />
          </Suspense>
        )
      }
    </OperatorGate>
  );
}
