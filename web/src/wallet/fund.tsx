// The money-market fund: the funds with their 7-day yield, the user's holdings (yesterday's and
// total income), buying or selling one fund, the latest sales and the automatic sweep. Shares and
// amounts stay the API's decimal strings. Loaded on demand: not part of the wallet's first load.
import { useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney, groupDigits } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { ScreenTitle } from '../ui/screen-title.tsx';
import { useLoad } from '../use-load.ts';
import { FundSales } from './fund-sales.tsx';
import { SweepPanel } from './fund-sweep.tsx';
import { FundTrade } from './fund-trade.tsx';
import { useSession } from './session-context.ts';

export interface FundSummary {
  fund_id: string;
  name: string;
  risk_level: number;
  income_per_10k: string | null;
  seven_day_yield: string | null;
}

export interface Holding {
  fund_id: string;
  confirmed_shares: string;
  pending_shares: string;
  yesterday_income: string;
  total_income: string;
}

export default function FundScreen() {
  const { t } = useI18n();
  const { token, version } = useSession();
  const funds = useLoad('funds', () => api<{ funds: FundSummary[] }>('/v1/funds', { token }));
  const holdings = useLoad(`holdings#${version}`, () => api<{ holdings: Holding[] }>('/v1/fund/holdings', { token }));
  const [chosen, setChosen] = useState<string>();
  const fund = funds.data?.funds.find((f) => f.fund_id === chosen);
  return (
    <div className="stack" id="fund">
      <ScreenTitle title={t('fund.title')} back />
      <Holdings holdings={holdings.data?.holdings ?? []} funds={funds.data?.funds ?? []} />
      <section className="card-box" aria-labelledby="funds-title">
        <h2 id="funds-title">{t('fund.list')}</h2>
        <ul className="items" id="fund-list">
          {(funds.data?.funds ?? []).map((f) => (
            <li key={f.fund_id} className="item fund-item">
              <div className="item-main">
                <span className="item-title">{f.name}</span>
                <span className="item-sub">
                  {t('fund.risk', { level: f.risk_level })} · {f.income_per_10k === null ? t('fund.noIncome') : t('fund.per10k', { income: f.income_per_10k })}
                </span>
              </div>
              <div className="item-end">
                <span className="amount in">{f.seven_day_yield === null ? '—' : `${f.seven_day_yield}%`}</span>
                <span className="item-sub">{t('fund.sevenDay')}</span>
                <button
                  type="button"
                  className="pick"
                  aria-pressed={chosen === f.fund_id}
                  onClick={() => setChosen(f.fund_id)}
                  aria-label={t('fund.pickNamed', { name: f.name })}
                >
                  {t('fund.pick')}
                </button>
              </div>
            </li>
          ))}
        </ul>
        {funds.data?.funds.length === 0 && <p className="muted empty">{t('common.none')}</p>}
        <ErrorMessage error={funds.error ?? holdings.error} />
      </section>
      {fund && <FundTrade key={fund.fund_id} fund={fund} holding={holdings.data?.holdings.find((h) => h.fund_id === fund.fund_id)} />}
      <FundSales funds={funds.data?.funds ?? []} />
      <SweepPanel funds={funds.data?.funds ?? []} />
    </div>
  );
}

function Holdings({ holdings, funds }: { holdings: readonly Holding[]; funds: readonly FundSummary[] }) {
  const { t } = useI18n();
  const nameOf = (id: string) => funds.find((f) => f.fund_id === id)?.name ?? id;
  return (
    <section className="card-box" aria-labelledby="holdings-title" id="holdings">
      <h2 id="holdings-title">{t('fund.holdings')}</h2>
      {holdings.length === 0 && <p className="muted empty">{t('fund.noHoldings')}</p>}
      <ul className="items">
        {holdings.map((h) => (
          <li key={h.fund_id} className="item holding">
            <div className="item-main">
              <span className="item-title">{nameOf(h.fund_id)}</span>
              <span className="item-sub">{t('fund.shares', { shares: groupDigits(h.confirmed_shares) })}</span>
              {h.pending_shares !== '0.00' && <span className="item-sub">{t('fund.pending', { shares: groupDigits(h.pending_shares) })}</span>}
            </div>
            <div className="item-end">
              <span className="item-sub">{t('fund.yesterday')}</span>
              <span className="amount in">{formatMoney(h.yesterday_income, 'CNY')}</span>
              <span className="item-sub">
                {t('fund.total')} {formatMoney(h.total_income, 'CNY')}
              </span>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
