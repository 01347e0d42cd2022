// Top up from, or withdraw to, a bound card (POST /v1/wallet/topups | /v1/wallet/withdrawals),
// one request_id per operation. The bank may answer later: the activity line shows it processing.
import { type FormEvent, useCallback, useState } from 'react';
import { api, newRequestId } from '../api.ts';
import { type Translate, useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import type { CardOperation } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { Link } from '../ui/link.tsx';
import { ScreenTitle } from '../ui/screen-title.tsx';
import { useAction } from '../ui/use-action.ts';
import { useSession } from './session-context.ts';
import { useCards } from './use-cards.ts';

type Direction = 'topup' | 'withdraw';
const PATHS: Record<Direction, string> = { topup: '/v1/wallet/topups', withdraw: '/v1/wallet/withdrawals' };

export function CardMoney({ direction }: { direction: Direction }) {
  const { t } = useI18n();
  const { token, refresh } = useSession();
  const cards = useCards();
  const bound = (cards.data?.cards ?? []).filter((c) => c.status === 'bound');
  const [cardId, setCardId] = useState('');
  const [amount, setAmount] = useState('');
  const [result, setResult] = useState<string>();
  const chosen = cardId || bound[0]?.card_id || '';
  const move = useCallback(async () => {
    const body = { card_id: chosen, amount: amount.trim(), currency: 'CNY', request_id: newRequestId(`web-${direction}`) };
    const op = await api<CardOperation>(PATHS[direction], { method: 'POST', token, body });
    setResult(describe(op, t));
    if (op.status === 'succeeded') setAmount('');
    refresh();
  }, [chosen, amount, direction, token, refresh, t]);
  const action = useAction(move);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setResult(undefined);
    void action.run();
  };
  const title = t(direction === 'topup' ? 'topup.title' : 'withdraw.title');
  return (
    <div className="stack" id={direction}>
      <ScreenTitle title={title} back />
      <ErrorMessage error={cards.error} />
      {!cards.loading && bound.length === 0 ? (
        <div className="card-box">
          <p>{t('money.noCard')}</p>
          <Link to="setup" className="button">
            {t('money.bind')}
          </Link>
        </div>
      ) : (
        <form className="card-box form-stack" onSubmit={submit}>
          <label className="field">
            <span>{t('money.card')}</span>
            <select name="card_id" value={chosen} onChange={(e) => setCardId(e.target.value)}>
              {bound.map((c) => (
                <option key={c.card_id} value={c.card_id}>
                  {c.bank} •••• {c.last4 ?? '----'}
                </option>
              ))}
            </select>
          </label>
          <Field
            label={t('cards.amount')}
            name="card_amount"
            inputMode="decimal"
            placeholder="0.00"
            className="amount-input"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            required
          />
          <button type="submit" className="primary" disabled={action.running || !chosen}>
            {t(direction === 'topup' ? 'cards.topup' : 'cards.withdraw')}
          </button>
          {result && (
            <p className="success-box" role="status" id="money-result">
              {result}
            </p>
          )}
          <ErrorMessage error={action.error} />
        </form>
      )}
    </div>
  );
}

function describe(op: CardOperation, t: Translate): string {
  if (op.status === 'succeeded') return t('cards.result.succeeded', { balance: op.balance ? formatMoney(op.balance, 'CNY') : '' });
  if (op.status === 'failed') return t('cards.result.failed', { reason: op.reason ?? op.status });
  return t('cards.result.pending');
}
