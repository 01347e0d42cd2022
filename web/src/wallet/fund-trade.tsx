// Buying and selling one fund. A first purchase asks for the suitability questionnaire (the server
// answers risk_profile_required) and then goes on with the same purchase. A sale goes to the balance
// (fast or normal) or to a bound card (normal only, paid out on its arrival date). Each order carries
// one request_id, so a retry after a lost answer cannot buy or sell twice.
import { type FormEvent, useCallback, useState } from 'react';
import { ApiError, api, newRequestId } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';
import type { FundSummary, Holding } from './fund.tsx';
import { RiskQuestionnaire } from './risk-questionnaire.tsx';
import { useSession } from './session-context.ts';
import { boundCards, cardLabel, useCards } from './use-cards.ts';
import { YieldChart } from './yield-chart.tsx';

/** A command with a request_id that is kept for retries of the same order and renewed once the server has answered. */
function useOrder<T>(prefix: string, send: (requestId: string) => Promise<T>) {
  const [requestId, setRequestId] = useState(() => newRequestId(prefix));
  return useCallback(async () => {
    try {
      const answer = await send(requestId);
      setRequestId(newRequestId(prefix));
      return answer;
    } catch (error) {
      if (error instanceof ApiError && error.status > 0 && error.status < 500) setRequestId(newRequestId(prefix));
      throw error;
    }
  }, [prefix, requestId, send]);
}

export function FundTrade({ fund, holding }: { fund: FundSummary; holding: Holding | undefined }) {
  const { t } = useI18n();
  return (
    <section className="card-box form-stack" aria-labelledby="trade-title" id="fund-trade">
      <h2 id="trade-title">{fund.name}</h2>
      <p className="muted">{t('fund.risk', { level: fund.risk_level })}</p>
      <YieldChart fundId={fund.fund_id} />
      <Subscribe fund={fund} />
      {holding && holding.confirmed_shares !== '0.00' && <Redeem fund={fund} holding={holding} />}
      {holding && holding.confirmed_shares === '0.00' && <p className="muted">{t('fund.redeemLater')}</p>}
    </section>
  );
}

function Subscribe({ fund }: { fund: FundSummary }) {
  const { t } = useI18n();
  const { token, refresh } = useSession();
  const [amount, setAmount] = useState('');
  const [asking, setAsking] = useState(false);
  const [done, setDone] = useState<string>();
  const send = useCallback(
    (requestId: string) =>
      api<{ confirm_date: string }>('/v1/fund/subscriptions', {
        method: 'POST',
        token,
        body: { fund_id: fund.fund_id, amount: amount.trim(), currency: 'CNY', request_id: requestId },
      }),
    [fund.fund_id, amount, token],
  );
  const order = useOrder('web-fund-buy', send);
  const buy = useCallback(async () => {
    setDone(undefined);
    try {
      const answer = await order();
      setDone(t('fund.bought', { amount: formatMoney(amount.trim(), 'CNY'), date: answer.confirm_date }));
      setAmount('');
      refresh();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'risk_profile_required') setAsking(true);
      else throw error;
    }
  }, [order, amount, refresh, t]);
  const action = useAction(buy);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  const answered = () => {
    setAsking(false);
    void action.run();
  };
  return (
    <>
      <form className="form-stack" onSubmit={submit} id="fund-subscribe" aria-labelledby="subscribe-title">
        <h3 id="subscribe-title">{t('fund.subscribe')}</h3>
        <Field
          label={t('fund.amount')}
          hint={t('fund.minimum')}
          name="amount"
          inputMode="decimal"
          placeholder="0.00"
          className="amount-input"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          required
        />
        <button type="submit" className="primary" disabled={action.running || asking}>
          {t('fund.subscribe.submit')}
        </button>
        {done && (
          <p className="success-box" role="status" id="fund-bought">
            {done}
          </p>
        )}
        <ErrorMessage error={action.error} codes="fund.error" />
      </form>
      {asking && <RiskQuestionnaire onAnswered={answered} />}
    </>
  );
}

function Redeem({ fund, holding }: { fund: FundSummary; holding: Holding }) {
  const { t } = useI18n();
  const { token, refresh, version } = useSession();
  const fastCap = useLoad(`fast-cap#${fund.fund_id}#${version}`, () =>
    api<{ cap: string; left: string }>(`/v1/fund/fast-redemption?fund_id=${encodeURIComponent(fund.fund_id)}`, { token }),
  );
  const cards = boundCards(useCards());
  const [shares, setShares] = useState('');
  const [chosenMode, setMode] = useState<'fast' | 'normal'>('fast');
  // '' for the balance, else the card's id; a card takes the normal redemption only.
  const [to, setTo] = useState('');
  const card = cards.find((c) => c.card_id === to);
  const mode = card ? 'normal' : chosenMode;
  const [done, setDone] = useState<string>();
  const send = useCallback(
    (requestId: string) =>
      api<{ status: 'completed' | 'pending'; arrives_on: string }>('/v1/fund/redemptions', {
        method: 'POST',
        token,
        body: { fund_id: fund.fund_id, shares: shares.trim(), mode, request_id: requestId, ...(card && { card_id: card.card_id }) },
      }),
    [fund.fund_id, shares, mode, card, token],
  );
  const order = useOrder('web-fund-sell', send);
  const sell = useCallback(async () => {
    setDone(undefined);
    const answer = await order();
    const amount = formatMoney(shares.trim(), 'CNY');
    if (answer.status === 'completed') setDone(t('fund.redeemed.fast', { amount }));
    else if (card) setDone(t('fund.redeemed.card', { amount, card: cardLabel(card), date: answer.arrives_on }));
    else setDone(t('fund.redeemed.normal', { amount, date: answer.arrives_on }));
    setShares('');
    refresh();
  }, [order, shares, card, refresh, t]);
  const action = useAction(sell);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  return (
    <form className="form-stack" onSubmit={submit} id="fund-redeem" aria-labelledby="redeem-title">
      <h3 id="redeem-title">{t('fund.redeem')}</h3>
      <Field
        label={t('fund.redeemShares')}
        hint={t('fund.available', { shares: holding.confirmed_shares })}
        name="shares"
        inputMode="decimal"
        placeholder="0.00"
        value={shares}
        onChange={(e) => setShares(e.target.value)}
        required
      />
      {cards.length > 0 && (
        <fieldset className="choices">
          <legend>{t('fund.destination')}</legend>
          <label>
            <input type="radio" name="destination" value="" checked={!card} onChange={() => setTo('')} />
            <span>{t('fund.to.wallet')}</span>
          </label>
          {cards.map((c) => (
            <label key={c.card_id}>
              <input type="radio" name="destination" value={c.card_id} checked={card === c} onChange={() => setTo(c.card_id)} />
              <span>{cardLabel(c)}</span>
            </label>
          ))}
          {card && <small className="hint">{t('fund.to.cardHint')}</small>}
        </fieldset>
      )}
      <fieldset className="choices">
        <legend>{t('fund.mode')}</legend>
        <label>
          <input type="radio" name="mode" value="fast" checked={mode === 'fast'} disabled={card !== undefined} onChange={() => setMode('fast')} />
          <span>
            {t('fund.mode.fast')}
            {fastCap.data && (
              <small className="hint" id="fast-left">
                {' '}
                {t('fund.fastLeft', { left: formatMoney(fastCap.data.left, 'CNY'), cap: formatMoney(fastCap.data.cap, 'CNY') })}
              </small>
            )}
          </span>
        </label>
        <label>
          <input type="radio" name="mode" value="normal" checked={mode === 'normal'} onChange={() => setMode('normal')} />
          <span>{t('fund.mode.normal')}</span>
        </label>
      </fieldset>
      <button type="submit" className="primary" disabled={action.running}>
        {t('fund.redeem.submit')}
      </button>
      {done && (
        <p className="success-box" role="status" id="fund-redeemed">
          {done}
        </p>
      )}
      <ErrorMessage error={action.error ?? fastCap.error} codes="fund.error" />
    </form>
  );
}
