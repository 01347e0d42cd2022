// The operator's pages (merchant console, dashboard) behind one operator-token form. The dashboard
// and its charts (uPlot) are a chunk of their own, fetched only when the dashboard is opened.
import { lazy, Suspense } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { MerchantsPage } from './merchants-page.tsx';
import { OperatorGate } from './operator-gate.tsx';

const DashboardPage = lazy(() => import('../dashboard/dashboard-page.tsx').then((m) => ({ default: m.DashboardPage })));

export function ConsolePage({ view }: { view: 'merchants' | 'dashboard' }) {
  const { t } = useI18n();
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
