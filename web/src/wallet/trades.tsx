// The buyer's trades, newest first (GET /v1/trades), as a list, with "confirm receipt" on shipped
// escrow trades and, on insured ones, the return-shipping insurance and its claim.
import { useCallback, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { clockTime, formatMoney } from '../money.ts';
import type { Trade } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Pager } from '../ui/pager.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';
import { useSession } from './session-context.ts';

export function Trades() {
  const { t } = useI18n();
  const { token, version } = useSession();
  const [after, setAfter] = useState<string>();
  const query = `/v1/trades?limit=10${after ? `&after=${encodeURIComponent(after)}` : ''}`;
  const page = useLoad(`${query}#${version}`, () => api<{ trades: Trade[]; next: string | null }>(query, { token }));
  const trades = page.data?.trades ?? [];
  const policies = useLoad(`policies#${version}`, () => api<{ policies: Policy[] }>('/v1/insurance/policies', { token }));
  const policyOf = new Map((policies.data?.policies ?? []).map((p) => [p.trade_no, p]));
  return (
    <section className="card-box" aria-labelledby="trades-title" id="trades">
      <h2 id="trades-title">{t('trades.title')}</h2>
      <ErrorMessage error={page.error} />
      {trades.length === 0 && !page.loading && <p className="muted">{t('common.none')}</p>}
      <ul className="items">
        {trades.map((trade) => (
          <TradeLine key={trade.trade_no} trade={trade} policy={policyOf.get(trade.trade_no)} />
        ))}
      </ul>
      <Pager next={page.data?.next} atFirst={after === undefined} onFirst={() => setAfter(undefined)} onNext={setAfter} />
    </section>
  );
}

interface Policy {
  trade_no: string;
  premium: string;
  claim: { amount: string } | null;
}

function TradeLine({ trade, policy }: { trade: Trade; policy?: Policy }) {
  const { t, tOr, lang } = useI18n();
  const { token, refresh } = useSession();
  const [confirmed, setConfirmed] = useState(false);
  const confirm = useCallback(async () => {
    await api<Trade>(`/v1/trades/${encodeURIComponent(trade.trade_no)}/confirm`, { method: 'POST', token });
    setConfirmed(true);
    refresh();
  }, [trade.trade_no, token, refresh]);
  const action = useAction(confirm);
  return (
    <li className="item trade">
      <span className="item-main">
        <span className="item-title">{trade.subject}</span>
        <span className="item-sub">
          {tOr(`status.${trade.trade_status}`, trade.trade_status)} · {clockTime(trade.created_at, lang)}
        </span>
        {trade.trade_status === 'WAIT_BUYER_CONFIRM_GOODS' && (
          <button type="button" className="small-button" disabled={action.running} onClick={() => void action.run()}>
            {t('trades.confirm')}
          </button>
        )}
        {policy && (
          <span className="item-sub">
            {policy.claim
              ? t('trades.insurance.claimed', { amount: formatMoney(policy.claim.amount, 'CNY') })
              : t('trades.insurance.active', { premium: formatMoney(policy.premium, 'CNY') })}
          </span>
        )}
        {confirmed && <span className="success">{t('trades.confirmed', { trade: trade.trade_no })}</span>}
        <ErrorMessage error={action.error} />
      </span>
      <span className="item-end">
        <span className="amount out">{formatMoney(`-${trade.total_amount}`, trade.currency)}</span>
      </span>
    </li>
  );
}
