// The merchant console, an operator view: merchants, paged (GET /v1/admin/merchants), and
// registering one (POST /v1/admin/merchants), which shows the app_id and Formica's public key.
import { useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { clockTime } from '../money.ts';
import type { Merchant } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Pager } from '../ui/pager.tsx';
import { Panel } from '../ui/panel.tsx';
import type { Operator } from './operator-gate.tsx';
import { RegisterMerchant } from './register-merchant.tsx';
import { useOperatorLoad } from './use-operator-load.ts';

export function MerchantsPage({ operator }: { operator: Operator }) {
  const [version, setVersion] = useState(0);
  return (
    <div className="page">
      <MerchantList operator={operator} version={version} />
      <RegisterMerchant token={operator.token} onRegistered={() => setVersion((v) => v + 1)} />
    </div>
  );
}

function MerchantList({ operator, version }: { operator: Operator; version: number }) {
  const { t, lang } = useI18n();
  const [after, setAfter] = useState<string>();
  const query = `/v1/admin/merchants?limit=20${after ? `&after=${encodeURIComponent(after)}` : ''}`;
  const page = useOperatorLoad(operator, `${query}#${version}`, () => api<{ merchants: Merchant[]; next: string | null }>(query, { token: operator.token }));
  const merchants = page.data?.merchants ?? [];
  return (
    <Panel title={t('merchants.title')} id="merchants">
      <ErrorMessage error={page.error} />
      {merchants.length === 0 && !page.loading && <p className="muted">{t('common.none')}</p>}
      {merchants.length > 0 && (
        // Wider than a phone: it scrolls inside its own box, which the keyboard can reach.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable to scroll by keyboard
        <section className="table-scroll" aria-label={t('merchants.title')} tabIndex={0}>
          <table className="table">
            <thead>
              <tr>
                <th>{t('merchants.name')}</th>
                <th>{t('merchants.merchantId')}</th>
                <th>{t('merchants.appId')}</th>
                <th className="num">{t('merchants.fee')}</th>
                <th>{t('merchants.notify')}</th>
                <th>{t('merchants.created')}</th>
              </tr>
            </thead>
            <tbody>
              {merchants.map((m) => (
                <tr key={m.merchant_id}>
                  <td>{m.name}</td>
                  <td>
                    <code>{m.merchant_id}</code>
                  </td>
                  <td>
                    <code>{m.app_id}</code>
                  </td>
                  <td className="num">{m.fee_bps}</td>
                  <td>{m.notify_url ?? ''}</td>
                  <td>{clockTime(m.created_at, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <Pager next={page.data?.next} atFirst={after === undefined} onFirst={() => setAfter(undefined)} onNext={setAfter} />
    </Panel>
  );
}
