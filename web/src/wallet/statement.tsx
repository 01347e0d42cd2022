// The wallet's ledger transfers, oldest first, a page at a time (GET /v1/wallet/statement).
import { useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney, ledgerTime } from '../money.ts';
import type { Statement as StatementPage } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Pager } from '../ui/pager.tsx';
import { Panel } from '../ui/panel.tsx';
import { useLoad } from '../use-load.ts';

const PAGE_SIZE = 20;

export function Statement({ token, version }: { token: string; version: number }) {
  const { t, tOr, lang } = useI18n();
  const [after, setAfter] = useState<string>();
  const query = `/v1/wallet/statement?limit=${PAGE_SIZE}${after ? `&after=${after}` : ''}`;
  const page = useLoad(`${query}#${version}`, () => api<StatementPage>(query, { token }));
  const lines = page.data?.lines ?? [];
  return (
    <Panel title={t('statement.title')} id="statement">
      <ErrorMessage error={page.error} />
      {lines.length === 0 && !page.loading && <p className="muted">{t('common.none')}</p>}
      {lines.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>{t('statement.time')}</th>
              <th>{t('statement.kind')}</th>
              <th className="num">{t('statement.amount')}</th>
              <th>{t('statement.state')}</th>
              <th>{t('statement.memo')}</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={l.transfer_id}>
                <td>{ledgerTime(l.timestamp, lang)}</td>
                <td>{tOr(`kind.${l.kind}`, l.kind)}</td>
                <td className={`num ${l.direction}`}>{formatMoney(l.direction === 'out' ? `-${l.amount}` : l.amount, l.currency)}</td>
                <td>{tOr(`state.${l.state}`, l.state)}</td>
                <td>{l.memo}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager next={page.data?.next} atFirst={after === undefined} onFirst={() => setAfter(undefined)} onNext={setAfter} />
    </Panel>
  );
}
