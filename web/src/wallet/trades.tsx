// The buyer's trades, newest first (GET /v1/trades), with "confirm receipt" on shipped escrow trades.
import { useCallback, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { clockTime, formatMoney } from '../money.ts';
import type { Trade } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Pager } from '../ui/pager.tsx';
import { Panel } from '../ui/panel.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';

export function Trades({ token, version, onChanged }: { token: string; version: number; onChanged: () => void }) {
  const { t } = useI18n();
  const [after, setAfter] = useState<string>();
  const query = `/v1/trades?limit=10${after ? `&after=${encodeURIComponent(after)}` : ''}`;
  const page = useLoad(`${query}#${version}`, () => api<{ trades: Trade[]; next: string | null }>(query, { token }));
  const trades = page.data?.trades ?? [];
  return (
    <Panel title={t('trades.title')} id="trades">
      <ErrorMessage error={page.error} />
      {trades.length === 0 && !page.loading && <p className="muted">{t('common.none')}</p>}
      {trades.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>{t('statement.time')}</th>
              <th>{t('trades.subject')}</th>
              <th className="num">{t('trades.amount')}</th>
              <th>{t('trades.status')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {trades.map((trade) => (
              <TradeRow key={trade.trade_no} trade={trade} token={token} onChanged={onChanged} />
            ))}
          </tbody>
        </table>
      )}
      <Pager next={page.data?.next} atFirst={after === undefined} onFirst={() => setAfter(undefined)} onNext={setAfter} />
    </Panel>
  );
}

function TradeRow({ trade, token, onChanged }: { trade: Trade; token: string; onChanged: () => void }) {
  const { t, tOr, lang } = useI18n();
  const [confirmed, setConfirmed] = useState(false);
  const confirm = useCallback(async () => {
    await api<Trade>(`/v1/trades/${encodeURIComponent(trade.trade_no)}/confirm`, { method: 'POST', token });
    setConfirmed(true);
    onChanged();
  }, [trade.trade_no, token, onChanged]);
  const action = useAction(confirm);
  return (
    <tr>
      <td>{clockTime(trade.created_at, lang)}</td>
      <td>{trade.subject}</td>
      <td className="num">{formatMoney(trade.total_amount, trade.currency)}</td>
      <td>{tOr(`status.${trade.trade_status}`, trade.trade_status)}</td>
      <td>
        {trade.trade_status === 'WAIT_BUYER_CONFIRM_GOODS' && (
          <button type="button" disabled={action.running} onClick={() => void action.run()}>
            {t('trades.confirm')}
          </button>
        )}
        {confirmed && <span className="success">{t('trades.confirmed', { trade: trade.trade_no })}</span>}
        <ErrorMessage error={action.error} />
      </td>
    </tr>
  );
}
