// The operator's pages (merchant console, dashboard) behind one operator-token form.
import { DashboardPage } from '../dashboard/dashboard-page.tsx';
import { MerchantsPage } from './merchants-page.tsx';
import { OperatorGate } from './operator-gate.tsx';

export function ConsolePage({ view }: { view: 'merchants' | 'dashboard' }) {
  return <OperatorGate>{(operator) => (view === 'merchants' ? <MerchantsPage operator={operator} /> : <DashboardPage operator={operator} />)}</OperatorGate>;
}
