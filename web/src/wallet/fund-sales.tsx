// The user's fund sales, newest first and paged (GET /v1/fund/redemptions): each with where its money
// goes, and its arrival date while it is on the way; once arrived, whether it is in the balance or paid
// to the card.
import { useState } from 'react';
import { api } from '../api.ts';
import { type Translate, useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Pager } from '../ui/pager.tsx';
import { useLoad } from '../use-load.ts';
import type { FundSummary } from './fund.tsx';
import { useSession } from './session-context.ts';
import { cardLabel, useCards } from './use-cards.ts';

interface Sale {
  redemption_id: string;
  fund_id: string;
  shares: string;
  card_id: string | null;
  status: 'completed' | 'pending';
  arrives_on: string;
  paid_to: 'wallet' | 'card' | null;
}

/** Where the sale's money goes (or went), in words. */
function whereTo(sale: Sale, card: string, t: Translate): string {
  if (sale.status === 'pending') return sale.card_id ? t('fund.sale.toCard', { card }) : t('fund.sale.toWallet');
  if (sale.paid_to === 'card') return t('fund.sale.paidToCard', { card });
  return sale.card_id ? t('fund.sale.cardFailed') : t('fund.sale.inWallet');
}

export function FundSales({ funds }: { funds: readonly FundSummary[] }) {
  const { t } = useI18n();
  const { token, version } = useSession();
  const [before, setBefore] = useState<string>();
  const query = `/v1/fund/redemptions?limit=10${before ? `&before=${encodeURIComponent(before)}` : ''}`;
  const sales = useLoad(`${query}#${version}`, () => api<{ redemptions: Sale[]; next: string | null }>(query, { token }));
  const cards = useCards();
  const list = sales.data?.redemptions ?? [];
  const onTheWay = list.filter((s) => s.status === 'pending').length;
  const nameOf = (id: string) => funds.find((f) => f.fund_id === id)?.name ?? id;
  const cardOf = (id: string | null) => {
    const card = (cards.data?.cards ?? []).find((c) => c.card_id === id);
    return card ? cardLabel(card) : (id ?? '');
  };
  return (
    <section className="card-box" aria-labelledby="sales-title" id="fund-sales">
      <h2 id="sales-title">{t('fund.sales')}</h2>
      {onTheWay > 0 && <p className="muted">{t('fund.sales.onTheWay', { count: onTheWay })}</p>}
      {sales.data && list.length === 0 && <p className="muted empty">{t('fund.sales.none')}</p>}
      <ul className="items">
        {list.map((s) => (
          <li key={s.redemption_id} className="item fund-sale" data-status={s.status}>
            <div className="item-main">
              <span className="item-title">{nameOf(s.fund_id)}</span>
              <span className="item-sub">{whereTo(s, cardOf(s.card_id), t)}</span>
            </div>
            <div className="item-end">
              <span className="amount">{formatMoney(s.shares, 'CNY')}</span>
              {s.status === 'pending' && <span className="status pending">{t('fund.sale.arrives', { date: s.arrives_on })}</span>}
            </div>
          </li>
        ))}
      </ul>
      <Pager next={sales.data?.next} atFirst={before === undefined} onFirst={() => setBefore(undefined)} onNext={setBefore} />
      <ErrorMessage error={sales.error ?? cards.error} />
    </section>
  );
}
